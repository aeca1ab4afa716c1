"""提前还款: partial prepayment (部分提前还款) in both modes, and full payoff (提前结清), each quoted (试算) before it
is paid. Both go through the one way money reaches a loan (`payments.payment_apply`) and store the changed
schedule through the one way a schedule changes (`reschedule.reschedule`).

When (docs/loans.md "提前还款"): at the counter on any business day of a 还款中 loan, as the centers do. The
installments that have fallen due by that day are paid first — all open dues, with their penalty, and the
installment due that very day even before the close of business copied it (it is made a due here, as the COB's
first step would: `fall_due`). What is prepaid then bears the interest of the days since the last due date
(actual days at annual/360, HALF_UP, `calculations.interest_for(days=…)`); on a due date that is 0 days, which is
DOMAIN's convention ("taken on a due date after that date's installment"). The schedule is recomputed from the
next period on the new balance (its interest a full month on the new balance):

- 缩短年限 (`mode="term"`): 等额本息 keeps the payment (`calculations.keep_payment_rows`); 等额本金 keeps the
  monthly principal (the months become ⌈balance / principal⌉);
- 减少月供 (`mode="payment"`): the same remaining months, a new payment (the same formula and rounding).

A partial prepayment is at least the policy minimum `loan.prepay.min_amount` (fen) and less than the principal
after the dues (the whole of it is a payoff). Payoff: the open dues, the remaining principal and its interest
for the days since the last due date; the loan is 已结清 and its future installments are archived as a schedule
version (reason 提前结清, no rows left)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import RepaymentMethod
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value

from .calculations import interest_for
from .locking import loan_for_write
from .models import Loan, LoanDue, LoanInstallment, LoanPayment, LoanScheduleVersion
from .payments import Funding, amount_due, payment_apply
from .reschedule import reschedule

MIN_AMOUNT = "loan.prepay.min_amount"
MODES = {"term": "缩短年限", "payment": "减少月供"}
Reason = LoanScheduleVersion.Reason


def fall_due(loan: Loan, on: date) -> int:
    """The installments due on or before `on` that have no due yet become dues (as the COB's first step makes
    them; the COB skips a period that has one). Returns how many. In the caller's transaction, loan locked."""
    last = LoanDue.objects.filter(loan=loan).aggregate(m=Max("period"))["m"] or 0
    rows = list(LoanInstallment.objects.filter(loan=loan, period__gt=last, due_date__lte=on).order_by("period"))
    LoanDue.objects.bulk_create([LoanDue(center_id=loan.center_id, loan=loan, period=i.period, due_date=i.due_date,
                                         principal=i.principal, interest=i.interest) for i in rows])
    return len(rows)


def _last_due_date(loan: Loan, on: date) -> date:
    """The last due date on or before `on` (the disbursement date before the first one)."""
    last = (LoanInstallment.objects.filter(loan=loan, due_date__lte=on).order_by("-period")
            .values_list("due_date", flat=True).first())
    return last or loan.disbursed_on or on


def _next_installment(loan: Loan, on: date) -> LoanInstallment | None:
    return LoanInstallment.objects.filter(loan=loan, due_date__gt=on).order_by("period").first()


@dataclass(frozen=True)
class Quote:
    """What a prepayment or payoff costs on `on` (fen): the open dues (their total, penalty included), the
    principal prepaid, its interest for `days` since `last_due`, the total to pay; the principal left after it."""

    loan: str
    on: date
    dues: int
    penalty: int
    principal: int
    interest: int
    days: int
    last_due: date
    total: int
    balance_after: int
    mode: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _quote(loan: Loan, on: date, prepaid: int | None, mode: str = "") -> Quote:
    """`prepaid` None: the payoff (all the principal after the dues)."""
    owed = amount_due(loan, on)
    # the installments due by `on` that the COB has not made dues yet are owed too (fall_due makes them)
    last = LoanDue.objects.filter(loan=loan).aggregate(m=Max("period"))["m"] or 0
    pending = LoanInstallment.objects.filter(loan=loan, period__gt=last, due_date__lte=on).aggregate(
        p=Sum("principal"), i=Sum("interest"))
    pending_total = (pending["p"] or 0) + (pending["i"] or 0)
    open_principal = owed["overdue_principal"] + owed["principal"] + (pending["p"] or 0)
    left = loan.outstanding - open_principal
    x = left if prepaid is None else prepaid
    last_due = _last_due_date(loan, on)
    days = max(0, (on - last_due).days)
    interest = interest_for(x, loan.annual_rate, days=days) if x > 0 else 0
    dues = owed["total"] + pending_total
    return Quote(loan=loan.number, on=on, dues=dues, penalty=owed["penalty"], principal=x, interest=interest,
                 days=days, last_due=last_due, total=dues + x + interest, balance_after=left - x, mode=mode)


def _check_prepay(loan: Loan, on: date, amount: int, mode: str) -> None:
    if mode not in MODES:
        raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, detail="还款方式调整应为缩短年限（term）或减少月供（payment）",
                          field="mode")
    if mode == "term" and loan.method not in (RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL):
        raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, detail="该还款方式不能缩短年限", field="mode")
    least = int(policy_value(MIN_AMOUNT, on=on, center=loan.center_id))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < least:
        raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, field="amount",
                          detail=f"提前还本金额 {format_fen(int(amount or 0))} 元低于最低金额 {format_fen(least)} 元")


def prepay_quote(*, loan: Loan, amount: int, mode: str, on: date) -> Quote:
    """试算 of a partial prepayment of `amount` fen of principal on `on` (nothing written)."""
    _check_prepay(loan, on, amount, mode)
    q = _quote(loan, on, amount, mode)
    if q.balance_after <= 0:
        raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, field="amount",
                          detail=f"提前还本金额 {format_fen(amount)} 元不小于剩余本金 "
                                 f"{format_fen(q.balance_after + amount)} 元，请办理提前结清")
    return q


def payoff_quote(*, loan: Loan, on: date) -> Quote:
    """试算 of the payoff on `on` (nothing written)."""
    return _quote(loan, on, None)


def _new_schedule(ln: Loan, on: date, mode: str, actor: Actor) -> LoanScheduleVersion:
    nxt = _next_installment(ln, on)
    if nxt is None:  # cannot happen with principal left: the last installment clears it
        raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, detail="没有待还期次，不能重算还款计划", field="amount")
    remaining = LoanInstallment.objects.filter(loan=ln, period__gte=nxt.period).count()
    keep: int | None = None
    months: int | None = remaining
    if mode == "term" and ln.method == RepaymentMethod.ANNUITY:
        keep, months = nxt.principal + nxt.interest, None
    elif mode == "term":  # 等额本金: keep the monthly principal, fewer months
        months = min(remaining, max(1, -(-ln.outstanding // max(1, nxt.principal))))
    return reschedule(loan=ln, from_period=nxt.period, balance=ln.outstanding, annual_rate=ln.annual_rate,
                      first_due=nxt.due_date, effective_on=on, actor=actor, months=months, keep_payment=keep,
                      reason=Reason.PREPAY_TERM if mode == "term" else Reason.PREPAY_PAYMENT)


def prepay_apply(*, loan: Loan | int, amount: int, mode: str, reference: str, funding: Funding, actor: Actor,
                 business_date: date, expected_total: int | None = None) -> tuple[LoanPayment, LoanScheduleVersion]:
    """Pay the quote of a partial prepayment (all open dues, `amount` of principal and its interest to date) and
    recompute the schedule in `mode`. `expected_total` (the quoted total) refuses a payment whose figure moved.
    A reference already applied returns its payment and the version it made."""
    with transaction.atomic():
        pk = loan if isinstance(loan, int) else loan.pk
        seen = LoanPayment.objects.filter(reference=reference, loan_id=pk, source=LoanPayment.Source.PREPAY).first()
        if seen is not None:
            v = LoanScheduleVersion.objects.filter(loan_id=pk).order_by("-version").first()
            assert v is not None
            return seen, v
        ln = loan_for_write(pk=pk)
        q = prepay_quote(loan=ln, amount=amount, mode=mode, on=business_date)
        if expected_total is not None and expected_total != q.total:
            raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, field="expected_total",
                              detail=f"应付金额已变为 {format_fen(q.total)} 元（试算为 {format_fen(expected_total)} 元），"
                                     "请重新试算")
        fall_due(ln, business_date)
        pay = payment_apply(loan=ln.pk, amount=q.total, source=LoanPayment.Source.PREPAY, reference=reference,
                            funding=funding, actor=actor, business_date=business_date, prepay_limit=amount,
                            extra_interest=q.interest, description=f"部分提前还款（{MODES[mode]}）{ln.number}")
        ln = Loan.objects.get(pk=ln.pk)
        v = _new_schedule(ln, business_date, mode, actor)
        audit_log(actor=actor, action=AuditEvent.LOANS_PREPAY, obj=ln, center=ln.center_id,
                  business_date=business_date,
                  after={"loan": ln.number, "reference": reference, "mode": mode, "principal": amount,
                         "interest": q.interest, "days": q.days, "total": q.total, "outstanding": ln.outstanding,
                         "version": v.version, "payment": v.payment, "months": v.months})
    return pay, v


def payoff_apply(*, loan: Loan | int, reference: str, funding: Funding, actor: Actor, business_date: date,
                 expected_total: int | None = None) -> tuple[LoanPayment, LoanScheduleVersion]:
    """Pay off the loan on `business_date`: the quote's total in one payment; the loan 已结清, the installments
    not yet due archived in a version of reason 提前结清. Once per reference."""
    with transaction.atomic():
        pk = loan if isinstance(loan, int) else loan.pk
        seen = LoanPayment.objects.filter(reference=reference, loan_id=pk, source=LoanPayment.Source.PAYOFF).first()
        if seen is not None:
            v = LoanScheduleVersion.objects.filter(loan_id=pk).order_by("-version").first()
            assert v is not None
            return seen, v
        ln = loan_for_write(pk=pk)
        q = payoff_quote(loan=ln, on=business_date)
        if expected_total is not None and expected_total != q.total:
            raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, field="expected_total",
                              detail=f"结清金额已变为 {format_fen(q.total)} 元（试算为 {format_fen(expected_total)} 元），"
                                     "请重新试算")
        fall_due(ln, business_date)
        pay = payment_apply(loan=ln.pk, amount=q.total, source=LoanPayment.Source.PAYOFF, reference=reference,
                            funding=funding, actor=actor, business_date=business_date, prepay_limit=q.principal,
                            extra_interest=q.interest, description=f"提前结清 {ln.number}")
        ln = Loan.objects.get(pk=ln.pk)
        if ln.status != Loan.Status.SETTLED:  # pragma: no cover — payment_apply settles a loan paid in full
            raise DomainError(ErrorCode.LOAN_PREPAY_INVALID, detail="结清后仍有未还款项", field="amount")
        nxt = _next_installment(ln, business_date)
        from_period = nxt.period if nxt is not None else ln.months + 1
        v = reschedule(loan=ln, from_period=from_period, balance=0, annual_rate=ln.annual_rate,
                       first_due=nxt.due_date if nxt is not None else business_date, months=1,
                       reason=Reason.PAYOFF, effective_on=business_date, actor=actor)
        Loan.objects.filter(pk=ln.pk).update(maturity=business_date)
        audit_log(actor=actor, action=AuditEvent.LOANS_PAYOFF, obj=ln, center=ln.center_id,
                  business_date=business_date,
                  after={"loan": ln.number, "reference": reference, "dues": q.dues, "principal": q.principal,
                         "interest": q.interest, "days": q.days, "total": q.total, "version": v.version})
    return pay, v
