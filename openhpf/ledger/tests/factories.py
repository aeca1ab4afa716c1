"""Small builders for ledger tests."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

from openhpf.conftest import business_day
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.ledger.services import Line, SubRow, entry_post, subaccount_open

TEST_ACTOR = SystemActor("test")


def open_account(center, n: int, business_date: date | None = None):
    return subaccount_open(center=center, account_no=f"{center.code}{n:010d}", business_date=business_date or center.business_date)


def _on(center, business_date: date | None):
    """A posting on a day other than today is told as a day of the center's history (conftest.business_day)."""
    return business_day(center, business_date) if business_date else nullcontext()


def deposit(center, sub, amount: int, *, business_date: date | None = None, value_date: date | None = None, actor=TEST_ACTOR):
    bd = business_date or center.business_date
    with _on(center, business_date):
        return entry_post(
            center=center, business_date=bd, value_date=value_date,
            lines=[Line("10101", debit=amount), Line("201", credit=amount)], source="test", description="测试汇缴",
            actor=actor, biz_type=BizType.REMITTANCE,
            sub_rows=[SubRow(sub.pk, amount_current=amount, value_date=value_date)],
        )


def withdraw(center, sub, current: int, carried: int = 0, *, business_date: date | None = None, actor=TEST_ACTOR):
    bd = business_date or center.business_date
    total = current + carried
    with _on(center, business_date):
        return entry_post(
            center=center, business_date=bd, lines=[Line("201", debit=total), Line("10101", credit=total)],
            source="test", description="测试提取", actor=actor, biz_type=BizType.PARTIAL_WITHDRAWAL,
            sub_rows=[SubRow(sub.pk, amount_current=-current, amount_carried=-carried)],
        )
