"""The 待办 queue of approvals (core.todo): 待复核, the commands the user may decide (not its own)."""

from __future__ import annotations

from typing import Any

from openhpf.core.todo import register_todo

from .selectors import commands_pending_count


def _pending(center: Any, user: Any) -> int:
    return commands_pending_count(center=center, checker=user)


def register() -> None:
    register_todo("approvals.pending", "待复核", "approvals.approve", count=_pending, url_name="approvals:pending",
                  query={"others": "1"}, order=10, hint="他人提交、等待您复核的业务")
