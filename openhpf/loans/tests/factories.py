"""Builders for servicing tests: an active loan as a disbursement leaves it (the schedule stored, version 1, the
principal in 121 against the 专户), and a due as the COB's first step leaves it."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from decimal import Decimal

from openhpf.conftest import business_day
from openhpf.core.actors import SystemActor
from openhpf.ledger.services import Line, entry_post

from ..calculations import iter_schedule
from ..models import Loan, LoanDue, LoanInstallment, LoanScheduleVersion

TEST_ACTOR = SystemActor("test")


def make_active_loan(center, borrower, *, principal: int = 100_000_000, rate: str = "2.85", months: int = 360,
                     method: str = "01", first_due: date = date(2026, 1, 20), disbursed_on: date = date(2025, 12, 20),
                     number: str = "", post: bool = True) -> Loan:
    """A 还款中 loan of `borrower` (a MemberAccount's member) with its schedule; Dr 121 / Cr 10101 posted on
    `disbursed_on` so `hpf verify`'s loan control holds."""
    n = Loan.objects.count() + 1
    loan = Loan.objects.create(
        center=center, number=number or f"DK{center.code}{n:08d}", borrower=borrower.member, principal=principal,
        annual_rate=Decimal(rate), months=months, method=method, first_due=first_due, disbursed_on=disbursed_on,
        outstanding=principal, status=Loan.Status.ACTIVE)
    rows = list(iter_schedule(principal, loan.annual_rate, months, method, first_due))
    LoanInstallment.objects.bulk_create([LoanInstallment(loan=loan, period=r.period, due_date=r.due_date,
                                                         principal=r.principal, interest=r.interest,
                                                         balance=r.balance) for r in rows])
    LoanScheduleVersion.objects.create(loan=loan, version=1, reason=LoanScheduleVersion.Reason.DISBURSED,
                                       effective_on=disbursed_on, from_period=1, balance=principal,
                                       annual_rate=loan.annual_rate, months=months, payment=rows[0].principal
                                       + rows[0].interest, created_by="test")
    if post:
        with business_day(center, disbursed_on) if disbursed_on != center.business_date else nullcontext():
            entry_post(center=center, business_date=disbursed_on, source="test", actor=TEST_ACTOR,
                       lines=[Line("121", debit=principal), Line("10101", credit=principal)],
                       description=f"测试贷款发放 {loan.number}")
    return loan


def make_due(loan: Loan, period: int, *, overdue_on: date | None = None) -> LoanDue:
    """The installment `period` fallen due (as the COB's first step copies it); overdue from `overdue_on`, its
    principal moved to 122 (Dr 122 / Cr 121) as the COB's overdue step does."""
    i = LoanInstallment.objects.get(loan=loan, period=period)
    d = LoanDue.objects.create(center_id=loan.center_id, loan=loan, period=period, due_date=i.due_date,
                               principal=i.principal, interest=i.interest, overdue_on=overdue_on)
    if overdue_on is not None:
        center = loan.center
        with business_day(center, overdue_on) if overdue_on != center.business_date else nullcontext():
            entry_post(center=center, business_date=overdue_on, source="test", actor=TEST_ACTOR,
                       lines=[Line("122", debit=i.principal), Line("121", credit=i.principal)],
                       description=f"测试逾期 {loan.number}")
        Loan.objects.filter(pk=loan.pk).update(overdue_principal=loan.overdue_principal + i.principal,
                                               overdue_interest=loan.overdue_interest + i.interest,
                                               overdue_since=loan.overdue_since or i.due_date)
        loan.refresh_from_db()
    return d
