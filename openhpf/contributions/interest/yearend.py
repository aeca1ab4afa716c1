"""The year end as the day-end sees it: which 6/30 of a center is still unsettled (docs/domain.md "Year end in
day-end"). A day-end never runs past an unsettled 6/30, and no accrual is made over one: the accrual of a month
after it would find no account in its interest year and reverse the accrued interest of the year."""

from __future__ import annotations

from datetime import date, timedelta

from openhpf.core.calendar import interest_year
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.ledger.models import PostingBatch
from openhpf.ledger.selectors import first_period, subaccounts_behind


def settlement_key(center: Center, year_end: date) -> str:
    """The idempotency key of the settlement batch of the interest year ending `year_end`."""
    return f"interest:{center.code}:{year_end.year}"


def unsettled_year_end(center: Center, on: date) -> date | None:
    """The earliest 6/30 before `on` whose interest year some account of the center is still in (None: none).
    A quiet day costs one indexed look-up: last year's settlement batch is there, or the center has no
    accounting period before last 7/1; only otherwise are the sub-accounts asked."""
    ys, _ = interest_year(on)
    last_end = ys - timedelta(days=1)
    if PostingBatch.objects.filter(key=settlement_key(center, last_end), status=PostingBatch.Status.POSTED).exists():
        return None
    first = first_period(center=center)
    if first is None or first > last_end:
        return None
    behind = subaccounts_behind(center=center, year_start=ys)
    return interest_year(behind)[1] if behind is not None else None


def require_year_settled(center: Center, on: date) -> None:
    """Refuse (YEAR_NOT_SETTLED) while an earlier 6/30 of the center is unsettled."""
    missed = unsettled_year_end(center, on)
    if missed is not None:
        raise DomainError(ErrorCode.YEAR_NOT_SETTLED, year_end=missed, field="business_date")
