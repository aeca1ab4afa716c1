"""Grow a center's history month by month through the real services (the synthetic center's next step after
the cut-over): each month every employer's roster is imported as one multi-employer file, paid by one
collective bank receipt and posted; interest is accrued at each month end and settled on 6/30; each July the
bases are clamped to the new cap and floor through the annual base adjustment."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.services import center_advance_business_date

from .fileimport import remittance_import, roster_write
from .interest import interest_accrue, interest_settle
from .models import Remittance
from .services import receipt_record, remittance_post


@dataclass
class MonthResult:
    month: str
    rows: int
    remittances: int
    amount: int
    accrued: int
    settled: int | None = None


@dataclass
class SimulationResult:
    months: list[MonthResult] = field(default_factory=list)


def month_start_after(first: date, i: int) -> date:
    """The first day of the i-th month after `first`'s month (i = 0: that month)."""
    y, m = divmod(first.month - 1 + i, 12)
    return date(first.year + y, m + 1, 1)


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _advance(center: Center, to: date, actor: Any) -> Center:
    center.refresh_from_db()
    if to > center.business_date:
        center_advance_business_date(center=center, to=to, actor=actor)
        center.refresh_from_db()
    return center


def _annual_base_adjustment(*, center: Center, year: int, actor: Any, business_date: date) -> None:
    """7/1: the contribution year's new cap and floor apply; each normal account's base is clamped to them
    through the base-adjustment service (clamp mode), as a center does with its yearly 基数调整 file."""
    from openhpf.accounts.models import MemberAccount
    from openhpf.core.codes import MemberAccountStatus

    from .adjustments import BaseRow, base_adjust_import

    accounts = (MemberAccount.objects.filter(center=center, status=MemberAccountStatus.NORMAL)
                .select_related("member").order_by("pk"))
    rows = [BaseRow(row=i, account_no=a.account_no, id_number=a.member.id_number, name=a.member.name, base=a.base)
            for i, a in enumerate(accounts.iterator(chunk_size=2000), 2)]
    if rows:
        with transaction.atomic(durable=True):
            base_adjust_import(center=center, rows=rows, source_name=f"simulate-{year}-07", year=year, actor=actor,
                               business_date=business_date, mode="clamp")


def simulate_months(*, center: Center, months: int, actor: Any, pay_day: int = 15,
                    progress: Callable[[str], None] | None = None) -> SimulationResult:
    """Run `months` months after the center's business date. An entry point (opens its own transactions)."""
    if months < 1:
        raise DomainError("MONTHS", "月数至少为 1", field="months")
    out = SimulationResult()
    center.refresh_from_db()
    first = _month_end(center.business_date) + timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="hpf-simulate-") as tmp:
        for i in range(months):
            m_start = month_start_after(first, i)
            month = f"{m_start.year:04d}-{m_start.month:02d}"
            pay = m_start.replace(day=pay_day)
            center = _advance(center, pay, actor)
            if m_start.month == 7:
                _annual_base_adjustment(center=center, year=m_start.year, actor=actor, business_date=pay)
            roster = Path(tmp) / f"roster-{month}.csv"
            roster_write(center=center, month=month, path=roster)
            res = remittance_import(center=center, path=roster, month=month, actor=actor, business_date=pay)
            if not res.accepted:
                raise DomainError("SIMULATE_ROSTER", f"{month} 清册导入被拒：{res.first_errors[:3]}", field="month")
            amount = 0
            if res.remittance_ids:
                imp = Remittance.objects.get(pk=res.remittance_ids[0]).source_import
                with transaction.atomic(durable=True):
                    receipt_record(center=center, amount=res.total, value_date=pay, bank_ref=f"SIM-{center.code}-{month}",
                                   actor=actor, business_date=pay, source_import=imp, post=False)
                remittance_post(actor=actor, business_date=pay, source_import=imp)
                amount = res.total
            end = _month_end(m_start)
            center = _advance(center, end, actor)
            with transaction.atomic(durable=True):
                entry = interest_accrue(center=center, year=end.year, month=end.month, actor=actor)
            r = MonthResult(month=month, rows=res.accepted_rows, remittances=len(res.remittance_ids), amount=amount,
                            accrued=entry.total if entry else 0)
            if end.month == 6:
                with transaction.atomic(durable=True):
                    batch = interest_settle(center=center, settle_date=end, actor=actor)
                r.settled = batch.total_amount
            out.months.append(r)
            if progress:
                progress(f"{month}: {r.rows} 人 {r.remittances} 单位 汇缴 {amount / 100:,.2f} 元"
                         + (f"，结息 {r.settled / 100:,.2f} 元" if r.settled is not None else ""))
    return out
