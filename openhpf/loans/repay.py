"""柜台还款 (counter repayment): the borrower pays what has fallen due at the counter, the money arriving on the
center's 住房公积金存款专户 with the bank's reference; applied through `payments.payment_apply` (source COUNTER),
so the allocation, the penalty, the posting (Dr 专户 / Cr 122, 121, 40103 and the penalty account), the COB lock
(LOAN_IN_COB, HTTP 409) and "a reference once" are the shared core's. Only what has fallen due is taken here:
paying ahead of the schedule is a prepayment (部分提前还款), not a counter repayment."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from openhpf.core.actors import Actor
from openhpf.core.authz import check_permission
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.settlement.selectors import fund_account_for_payments

from .models import Loan, LoanPayment
from .payments import Funding, payment_apply

OPERATE = "loans.operate"


def counter_account(center: object) -> str:
    """The GL code of the 专户 counter repayments arrive on (the center's fund account the gateway reaches)."""
    bank = fund_account_for_payments(center)  # type: ignore[arg-type]
    if bank is None:
        raise DomainError(ErrorCode.LOAN_NO_COUNTER_ACCOUNT, field="bank_account")
    return bank.gl_account.code


def repayment_counter(*, loan_number: str, amount: int, reference: str, actor: Actor,
                      business_date: date) -> LoanPayment:
    """Apply `amount` fen paid at the counter (bank reference `reference`) to the loan `loan_number`; the same
    reference again returns the payment already recorded. Permission `loans.operate` at the loan's center."""
    reference = (reference or "").strip()
    number = (loan_number or "").strip()
    loan = Loan.objects.filter(number=number).only("pk", "center_id").first()
    if loan is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number, field="loan_number")
    check_permission(actor, OPERATE, center=loan.center_id)
    if not reference:
        raise DomainError(ErrorCode.LOAN_PAYMENT_INVALID, detail="请填写银行缴款流水号", field="reference")
    if len(reference) > 40:
        raise DomainError(ErrorCode.LOAN_PAYMENT_INVALID, detail="银行缴款流水号不超过 40 个字符", field="reference")
    with transaction.atomic():
        return payment_apply(loan=loan.pk, amount=amount, source=LoanPayment.Source.COUNTER, reference=reference,
                             funding=Funding(counter_account(loan.center_id), bank_ref=reference), actor=actor,
                             business_date=business_date)
