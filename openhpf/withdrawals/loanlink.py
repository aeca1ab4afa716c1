"""The link from withdrawals to a member's housing loans, offered as a registry because the loans app sits above.

Withdrawals need to know a member's HPF loans in three places: 偿还购房贷款本息 (06: at most the year's installments
or the outstanding principal), the inline risk check (no withdrawal while the member's HPF loan is overdue) and
约定提取 (a monthly offset of the installment). The loans app registers a `LoanSource` from its `ready()`; with
none registered a member has no HPF loan. Commercial loans are not here: the applicant declares them on the
application with the lending bank's documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MemberLoan:
    """One housing loan of a member (as borrower or co-borrower), as of a date. Money in fen."""

    contract_no: str
    outstanding_principal: int
    installments_this_year: int  # principal + interest due in the calendar year of the date
    next_installment: int  # the next due installment (0 when none is due)
    next_due: date | None
    overdue: bool
    overdue_amount: int
    property_key: str = ""  # 网签备案合同号 or 不动产权证号 of the financed property
    role: str = "borrower"  # borrower, spouse, co_borrower
    principal: int = 0  # the amount lent (0 when not told: 购房提取 then counts the outstanding principal)


LoanSource = Callable[[int, date], list[MemberLoan]]
_SOURCES: list[LoanSource] = []


def register_loan_source(fn: LoanSource) -> None:
    """Called once from the loans app's `ready()`."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)


def member_hpf_loans(member_id: int, on: date) -> list[MemberLoan]:
    """The member's HPF loans not yet paid off on `on` (empty when no loans app is installed)."""
    return [loan for fn in _SOURCES for loan in fn(member_id, on)]


def has_overdue_hpf_loan(member_id: int, on: date) -> bool:
    return any(loan.overdue for loan in member_hpf_loans(member_id, on))
