"""The 待办 queue of reconciliation (core.todo): 未达账项, the open items of the bank reconciliation."""

from __future__ import annotations

from typing import Any

from openhpf.core.todo import register_todo

from .selectors import item_count


def _open_items(center: Any, user: Any) -> int:
    return item_count(center=center, user=user, state="open")


def register() -> None:
    register_todo("reconciliation.open_items", "未达账项", "settlement.view", count=_open_items,
                  url_name="reconciliation:items", query={"state": "open"}, order=40,
                  hint="银行对账尚未勾销的未达账项与差异")
