"""The 待办 queue of settlement (core.todo): 待财务处理通知, bank notices finance must book by hand."""

from __future__ import annotations

from typing import Any

from openhpf.core.todo import register_todo

from .models import Notice
from .selectors import notices


def _queued(center: Any, user: Any) -> int:
    return notices(center=center, user=user, status=Notice.Status.QUEUE).count()


def register() -> None:
    register_todo("settlement.notices_queue", "待财务处理通知", "settlement.operate", count=_queued,
                  url_name="settlement:notices", query={"status": Notice.Status.QUEUE.value}, order=30,
                  hint="银行到账或支出通知，需财务人工处理")
