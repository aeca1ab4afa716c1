"""One way for every servicing write to take a loan: locked for update, refused while the close of business (COB)
holds it.

The COB marks the loans of the partition it is working on (`Loan.cob_date` = the business date) in its own short
transaction before it works on them and clears the mark when their steps are done; a write that arrives in
between gets LOAN_IN_COB (HTTP 409) at once instead of waiting on row locks or racing the COB's set-based
updates. A crashed COB leaves its marks until it is rerun, which is what makes the rerun safe."""

from __future__ import annotations

from datetime import date

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .models import Loan


def loan_for_write(*, pk: int | None = None, number: str | None = None, active: bool = True,
                   cob_on: date | None = None) -> Loan:
    """The loan, locked (select_for_update, inside the caller's transaction); LOAN_IN_COB while the COB holds it,
    LOAN_NOT_ACTIVE unless it is 还款中 (when `active`). `cob_on`: the COB's own writes of that business date (the
    bank's debit results, the offsets) pass it and are let through the COB's mark of the same date."""
    qs = Loan.objects.select_for_update()
    loan = qs.filter(pk=pk).first() if pk is not None else qs.filter(number=number or "").first()
    if loan is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number or pk)
    if loan.cob_date is not None and loan.cob_date != cob_on:
        raise DomainError(ErrorCode.LOAN_IN_COB, number=loan.number, on=loan.cob_date.isoformat())
    if active and loan.status != Loan.Status.ACTIVE:
        raise DomainError(ErrorCode.LOAN_NOT_ACTIVE, number=loan.number, status=loan.get_status_display())
    return loan
