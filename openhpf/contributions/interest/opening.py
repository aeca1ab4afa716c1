"""The opening accrued interest payable (期初应付利息) of a cut-over.

The legacy system has accrued this interest year's interest from 7/1 to the cut-over as expense (Dr 41101 /
Cr 211). Without an opening, 211 starts at zero and the first month-end accrual books everything since 7/1 as
that month's expense. The cut-over therefore posts the opening on the cut-over date: the legacy 应付利息 figure
when the center gives one, else the interest earned on the legacy 积数 to the cut-over (the day before it), per
account at the rates in force, as the accrual computes it, so the first accrual books only the days since."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.calendar import interest_year
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.ledger.models import JournalEntry
from openhpf.ledger.services import Line, entry_post

from .periods import earned_sql
from .services import EXPENSE, PAYABLE

SOURCE = "interest.opening"


def interest_earned_to(*, center: Center, on: date) -> int:
    """Interest earned by all the center's accounts from 7/1 through `on` − 1, each rounded to the fen."""
    ys, _ = interest_year(on)
    earned, joins = earned_sql(center, on)
    return int(sql.fetch(
        f"SELECT COALESCE(SUM({earned}), 0) FROM ledger_v_sub_account a{joins} "  # noqa: S608 — interest SQL from rates (integers); values bound
        "WHERE a.center_id = %s AND a.year_start = %s", [center.pk, ys])[0][0])


def interest_opening(*, center: Center, on: date, actor: Actor, amount: int | None = None) -> JournalEntry | None:
    """Post the opening accrued interest payable on `on` (Dr 41101 / Cr 211): `amount` (fen) when given, else
    the interest earned to `on`. None when it is zero; the same entry again when already posted."""
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount < 0):
        raise DomainError(ErrorCode.CUTOVER_ACCRUED_INTEREST,
                          f"期初应付利息 {amount} 不正确：应为不小于零的金额（分）", field="accrued_interest")
    with transaction.atomic():
        existing = JournalEntry.objects.filter(center=center, source=SOURCE).first()
        if existing is not None:
            return existing
        total = interest_earned_to(center=center, on=on) if amount is None else amount
        if total == 0:
            return None
        return entry_post(center=center, business_date=on, source=SOURCE, actor=actor, biz_type="",
                          lines=[Line(EXPENSE, debit=total), Line(PAYABLE, credit=total)],
                          description=f"期初应付利息（迁移前已计提，{format_fen(total)} 元）")


def cutover_opening(*, center: Center, cutover_date: date, actor: Actor, options: dict[str, Any]) -> dict[str, Any]:
    """The cut-over's opening (accounts.cutover.register_cutover_opening): options["accrued_interest"] in fen, or
    None to compute it."""
    given = options.get("accrued_interest")
    entry = interest_opening(center=center, on=cutover_date, actor=actor, amount=given)
    return {"amount": entry.total if entry is not None else 0, "computed": given is None,
            "voucher_no": entry.voucher_no if entry is not None else ""}
