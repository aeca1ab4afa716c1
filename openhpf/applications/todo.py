"""The work queue's 待办 (core.todo registry): each count is the total of the queue page its link opens, counted
with the same query (`selectors.queue_query`) the page lists with."""

from __future__ import annotations

from typing import Any

from openhpf.core.todo import register_todo

from .models import State
from .selectors import QueueFilter, queue_query

TO_ACCEPT = QueueFilter(state=State.SUBMITTED)
MINE = QueueFilter(who="mine")
AMBER = QueueFilter(sla="amber")
RED = QueueFilter(sla="red")


def _count(f: QueueFilter) -> Any:
    def count(center: Any, user: Any) -> int:
        return queue_query(center=center, user=user, f=f, business_date=center.business_date).count()

    return count


def register() -> None:
    register_todo("applications.to_accept", "待受理办件", "applications.accept", count=_count(TO_ACCEPT),
                  url_name="applications:queue", query=TO_ACCEPT.query(), order=15, hint="已提交、等待柜台受理的办件")
    register_todo("applications.mine", "我领办的办件", "applications.view", count=_count(MINE),
                  url_name="applications:queue", query=MINE.query(), order=16, hint="由我领办或分派给我、尚未办结")
    register_todo("applications.amber", "即将超期办件", "applications.view", count=_count(AMBER),
                  url_name="applications:queue", query=AMBER.query(), order=17, hint="法定或承诺期限即将届满")
    register_todo("applications.red", "已超期办件", "applications.view", count=_count(RED),
                  url_name="applications:queue", query=RED.query(), order=18, hint="已过法定或承诺办结期限")
