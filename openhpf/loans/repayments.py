"""Counter repayment (柜台还款): the borrower pays at the counter (or by transfer into the center's 专户); the money
reaches the loan through `payments.payment_apply` like every other source, debiting the 住房公积金存款专户."""

from __future__ import annotations

from datetime import date

from openhpf.core import authz
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.settlement.selectors import fund_account_for_payments

from .models import Loan, LoanPayment
from .payments import Funding, payment_apply

PERMISSION = "loans.operate"


def repayment_counter(*, loan: Loan, amount: int, reference: str, actor: Actor, business_date: date,
                      bank_ref: str = "") -> LoanPayment:
    """Apply `amount` fen paid at the counter to the loan (allocation and refusals as `payment_apply`: LOAN_IN_COB
    while the COB holds it); `reference` is the counter's receipt number, applied once."""
    authz.check_permission(actor, PERMISSION, center=loan.center_id)
    bank = fund_account_for_payments(loan.center_id)
    if bank is None:
        raise DomainError(ErrorCode.LOAN_NO_FUND_ACCOUNT, field="bank_account")
    return payment_apply(loan=loan.pk, amount=amount, source=LoanPayment.Source.COUNTER, reference=reference.strip(),
                         funding=Funding(bank.gl_account.code, bank_ref=(bank_ref or reference).strip()),
                         actor=actor, business_date=business_date)
