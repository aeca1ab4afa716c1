"""Applying money to a loan (还款入账): the one function every source of repayment goes through — the bank's
debit (BDC105 batch), the counter, the 约定提取 offset, the forced offset from HPF balances, partial prepayment,
payoff, recoveries after a write-off.

`payment_apply` takes the loan (locked, refused while the COB holds it), allocates the amount over the loan's
open dues in the order penalty → overdue interest → overdue principal → current interest → current principal
(then, only when asked, principal prepaid ahead of the schedule), posts one balanced entry and records one
`LoanPayment`:

- debit: the funding the caller names (`Funding`): the 专户 (101 with the bank reference), the member control
  account 201 with the member sub-ledger rows (an offset from HPF balances), and, where the bank split the
  interest into the 102 专户 (BDC106 本息分解), the interest and penalty on that account;
- credit: 121 委托贷款 (current and prepaid principal), 122 逾期贷款 (overdue principal), 40103 委托贷款利息收入
  (interest), the penalty to the policy's account (`loan.penalty.account`, 40103 or a sub-account of it).

Penalty (罚息, DOMAIN "Loans"): on an overdue installment's unpaid principal and interest × annual rate / 360 ×
`loan.penalty.ratio` (1.5) × days, the days from the day after the due date to the payment date inclusive,
HALF_UP to the fen, charged when the installment is paid. A partial payment crystallises what has run so far
(`penalty_owed`) and restarts the count on the paid-down base from its date (`penalty_from`), so no day is
charged twice. `penalty_estimate` is the running figure COB and the screens show.

A reference is applied once: the same reference again returns the payment already recorded (a bank answer
that arrives twice), and a reference used for another loan or amount is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger.services import Line, SubRow, entry_post

from .locking import loan_for_write
from .models import Loan, LoanDue, LoanPayment

LOANS_GL = "121"
OVERDUE_GL = "122"
INTEREST_GL = "40103"
PENALTY_RATIO = "loan.penalty.ratio"
PENALTY_ACCOUNT = "loan.penalty.account"
Source = LoanPayment.Source


@dataclass(frozen=True)
class Funding:
    """Where the money comes from: `account` (a 专户's GL code, or 201 with `sub_rows`), the bank reference for
    a bank line, and `interest_account` when the bank put interest and penalty on another 专户 (BDC106)."""

    account: str
    bank_ref: str = ""
    sub_rows: Sequence[SubRow] = ()
    settles_hold: bool = False
    interest_account: str = ""
    interest_bank_ref: str = ""


@dataclass
class Allocation:
    penalty: int = 0
    overdue_interest: int = 0
    overdue_principal: int = 0
    interest: int = 0
    principal: int = 0
    prepaid_principal: int = 0
    # per due: pk -> (principal, interest, penalty paid, penalty still owed)
    per_due: dict[int, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return (self.penalty + self.overdue_interest + self.overdue_principal + self.interest + self.principal
                + self.prepaid_principal)


def penalty_ratio(*, center: Any, on: date) -> Decimal:
    return Decimal(str(policy_value(PENALTY_RATIO, on=on, center=center)))


def penalty_of(base: int, annual_rate: Decimal | str, days: int, ratio: Decimal) -> int:
    """罚息 on `base` fen for `days` days: base × annual% / 100 / 360 × ratio × days, HALF_UP to the fen."""
    if base <= 0 or days <= 0:
        return 0
    v = Decimal(base) * Decimal(str(annual_rate)) / Decimal(100) / Decimal(360) * ratio * days
    return int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _penalty_days(due: LoanDue, on: date) -> int:
    return max(0, (on - (due.penalty_from or due.due_date)).days)


def penalty_estimate(due: LoanDue, annual_rate: Decimal | str, on: date, ratio: Decimal) -> int:
    """The penalty an overdue installment would be charged if paid in full on `on` (owed + running)."""
    if due.overdue_on is None or due.state != LoanDue.State.OPEN:
        return due.penalty_owed if due.state == LoanDue.State.OPEN else 0
    base = due.unpaid_principal + due.unpaid_interest
    return due.penalty_owed + penalty_of(base, annual_rate, _penalty_days(due, on), ratio)


def allocate(dues: Sequence[LoanDue], amount: int, *, annual_rate: Decimal | str, on: date, ratio: Decimal,
             prepay_limit: int = 0, extra_interest: int = 0) -> Allocation:
    """Pure allocation of `amount` over `dues` (open, oldest first): penalty of every overdue due, then overdue
    interest, overdue principal, current interest, current principal; then `extra_interest` (interest to date of
    a payoff) and at most `prepay_limit` of principal ahead of the schedule. The rest is not allocated."""
    a = Allocation()
    left = amount
    state: dict[int, list[int]] = {d.pk: [0, 0, 0, 0] for d in dues}

    def take(want: int) -> int:
        nonlocal left
        t = min(left, max(0, want))
        left -= t
        return t

    overdue = [d for d in dues if d.overdue_on is not None]
    current = [d for d in dues if d.overdue_on is None]
    for d in overdue:
        accrued = penalty_estimate(d, annual_rate, on, ratio)
        paid = take(accrued)
        state[d.pk][2], state[d.pk][3] = paid, accrued - paid
        a.penalty += paid
    for d in overdue:
        t = take(d.unpaid_interest)
        state[d.pk][1] += t
        a.overdue_interest += t
    for d in overdue:
        t = take(d.unpaid_principal)
        state[d.pk][0] += t
        a.overdue_principal += t
    for d in current:
        t = take(d.unpaid_interest)
        state[d.pk][1] += t
        a.interest += t
    for d in current:
        t = take(d.unpaid_principal)
        state[d.pk][0] += t
        a.principal += t
    if extra_interest:
        a.interest += take(extra_interest)
    if prepay_limit:
        a.prepaid_principal = take(prepay_limit)
    a.per_due = state
    return a


def open_dues(loan: Loan) -> list[LoanDue]:
    return list(LoanDue.objects.filter(loan=loan, state=LoanDue.State.OPEN).order_by("due_date", "period"))


def _lines(loan_alloc: Allocation, funding: Funding, penalty_account: str) -> list[Line]:
    principal_part = loan_alloc.overdue_principal + loan_alloc.principal + loan_alloc.prepaid_principal
    interest_part = loan_alloc.overdue_interest + loan_alloc.interest + loan_alloc.penalty
    lines: list[Line] = []
    if funding.interest_account:
        if principal_part:
            lines.append(Line(funding.account, debit=principal_part, bank_ref=funding.bank_ref))
        if interest_part:
            lines.append(Line(funding.interest_account, debit=interest_part,
                              bank_ref=funding.interest_bank_ref or funding.bank_ref))
    else:
        lines.append(Line(funding.account, debit=principal_part + interest_part, bank_ref=funding.bank_ref))
    for code, amt in ((LOANS_GL, loan_alloc.principal + loan_alloc.prepaid_principal),
                      (OVERDUE_GL, loan_alloc.overdue_principal),
                      (INTEREST_GL, loan_alloc.overdue_interest + loan_alloc.interest)):
        if amt:
            lines.append(Line(code, credit=amt))
    if loan_alloc.penalty:
        lines.append(Line(penalty_account, credit=loan_alloc.penalty, memo="罚息"))
    return lines


def payment_apply(
    *, loan: Loan | int, amount: int, source: str, reference: str, funding: Funding, actor: Actor,
    business_date: date, prepay_limit: int = 0, extra_interest: int = 0, description: str = "",
    within_cob: bool = False,
) -> LoanPayment:
    """Apply `amount` fen to the loan (see the module's docstring); returns the `LoanPayment`.

    The amount must be used in full: more than the open dues (plus `extra_interest` and at most `prepay_limit`
    of principal ahead of the schedule, for a prepayment or payoff) is refused. Runs in one transaction.
    `within_cob`: a write of the close of business itself (the bank's debit results, the offsets), let through the
    COB's mark of `business_date`; every other caller gets LOAN_IN_COB while the COB holds the loan."""
    if amount <= 0:
        raise DomainError(ErrorCode.LOAN_PAYMENT_INVALID, detail="还款金额须大于零", field="amount")
    if not reference:
        raise DomainError(ErrorCode.LOAN_PAYMENT_INVALID, detail="缺少还款流水号", field="reference")
    loan_pk = loan if isinstance(loan, int) else loan.pk
    with transaction.atomic():
        seen = LoanPayment.objects.filter(reference=reference).first()
        if seen is not None:
            if seen.loan_id != loan_pk or seen.amount != amount:
                raise DomainError(ErrorCode.LOAN_PAYMENT_CONFLICT, reference=reference)
            return seen
        ln = loan_for_write(pk=loan_pk, cob_on=business_date if within_cob else None)
        dues = open_dues(ln)
        ratio = penalty_ratio(center=ln.center_id, on=business_date)
        outstanding_after_dues = ln.outstanding - sum(d.unpaid_principal for d in dues)
        a = allocate(dues, amount, annual_rate=ln.annual_rate, on=business_date, ratio=ratio,
                     prepay_limit=min(prepay_limit, outstanding_after_dues), extra_interest=extra_interest)
        if a.total != amount:
            raise DomainError(
                ErrorCode.LOAN_PAYMENT_INVALID, field="amount",
                detail=f"还款金额 {format_fen(amount)} 元超过贷款 {ln.number} 当前应还 {format_fen(a.total)} 元")
        penalty_account = str(policy_value(PENALTY_ACCOUNT, on=business_date, center=ln.center_id))
        entry = entry_post(
            center=ln.center, business_date=business_date, lines=_lines(a, funding, penalty_account),
            source="loans", actor=actor, sub_rows=funding.sub_rows, settles_hold=funding.settles_hold,
            description=description or f"{Source(source).label} {ln.number} {reference}")
        for d in dues:
            p, i, pen, owed = a.per_due[d.pk]
            if not (p or i or pen or owed != d.penalty_owed):
                continue
            d.paid_principal += p
            d.paid_interest += i
            d.paid_penalty += pen
            if d.overdue_on is not None:
                d.penalty_owed, d.penalty_from = owed, business_date
            if d.unpaid_principal == 0 and d.unpaid_interest == 0 and d.penalty_owed == 0:
                d.state, d.paid_on = LoanDue.State.PAID, business_date
            d.save(update_fields=["paid_principal", "paid_interest", "paid_penalty", "penalty_owed",
                                  "penalty_from", "state", "paid_on"])
        ln.outstanding -= a.overdue_principal + a.principal + a.prepaid_principal
        ln.overdue_principal -= a.overdue_principal
        ln.overdue_interest = max(0, ln.overdue_interest - a.overdue_interest)
        still_open = [d for d in dues if d.state == LoanDue.State.OPEN and d.overdue_on is not None]
        ln.overdue_since = min((d.due_date for d in still_open), default=None)
        fields = ["outstanding", "overdue_principal", "overdue_interest", "overdue_since", "updated_at"]
        if ln.outstanding == 0 and not any(d.state == LoanDue.State.OPEN for d in dues):
            ln.status, ln.settled_on = Loan.Status.SETTLED, business_date
            fields += ["status", "settled_on"]
        ln.save(update_fields=fields)
        pay = LoanPayment.objects.create(
            center_id=ln.center_id, loan=ln, reference=reference, source=source, business_date=business_date,
            amount=amount, penalty=a.penalty, overdue_interest=a.overdue_interest,
            overdue_principal=a.overdue_principal, interest=a.interest, principal=a.principal,
            prepaid_principal=a.prepaid_principal, bank_ref=funding.bank_ref[:40], entry=entry,
            created_by=actor_label(actor))
        audit_log(actor=actor, action=AuditEvent.LOANS_PAYMENT, obj=pay, center=ln.center_id,
                  business_date=business_date,
                  after={"loan": ln.number, "reference": reference, "source": source, "amount": amount,
                         "penalty": a.penalty, "overdue_interest": a.overdue_interest,
                         "overdue_principal": a.overdue_principal, "interest": a.interest,
                         "principal": a.principal, "prepaid_principal": a.prepaid_principal,
                         "voucher": entry.voucher_no, "outstanding": ln.outstanding})
    return pay


def amount_due(loan: Loan, on: date) -> dict[str, int]:
    """What the loan owes on `on`: penalty (estimate), overdue interest and principal, current interest and
    principal of the open dues; `total`."""
    dues = open_dues(loan)
    ratio = penalty_ratio(center=loan.center_id, on=on)
    out = {"penalty": 0, "overdue_interest": 0, "overdue_principal": 0, "interest": 0, "principal": 0}
    for d in dues:
        if d.overdue_on is not None:
            out["penalty"] += penalty_estimate(d, loan.annual_rate, on, ratio)
            out["overdue_interest"] += d.unpaid_interest
            out["overdue_principal"] += d.unpaid_principal
        else:
            out["interest"] += d.unpaid_interest
            out["principal"] += d.unpaid_principal
    out["total"] = sum(out.values())
    return out
