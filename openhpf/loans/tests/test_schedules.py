"""Bulk schedule storage: the stored rows equal the calculator's, on either database, in chunks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.core import db
from openhpf.core.codes import RepaymentMethod
from openhpf.loans.calculations import schedule
from openhpf.loans.models import Loan, LoanInstallment
from openhpf.loans.schedules import ScheduleSpec, schedules_store

pytestmark = pytest.mark.django_db


def _loan(center, member, n: int, principal: int, rate: str, months: int, method: str) -> Loan:
    return Loan.objects.create(center=center, number=f"TL{n:06d}", borrower=member, principal=principal,
                               annual_rate=Decimal(rate), months=months, method=method,
                               first_due=date(2027, 1, 31), outstanding=principal)


def test_stored_schedules_equal_the_calculator(center):
    member = make_account(center, make_employer(center)).member
    loans = [_loan(center, member, 1, 100_000_000, "2.85", 360, RepaymentMethod.ANNUITY),
             _loan(center, member, 2, 3_000_000, "3.075", 61, RepaymentMethod.EQUAL_PRINCIPAL),
             _loan(center, member, 3, 1_234_567, "2.1", 12, RepaymentMethod.ANNUITY)]
    specs = [ScheduleSpec.of(loan) for loan in loans]
    specs[1] = ScheduleSpec.of(loans[1], first_period_days=45)
    assert schedules_store(specs, chunk_rows=100) == 360 + 61 + 12  # several chunks
    for spec in specs:
        stored = list(LoanInstallment.objects.filter(loan_id=spec.loan_id).order_by("period")
                      .values_list("period", "due_date", "principal", "interest", "balance"))
        expected = [(i.period, i.due_date, i.principal, i.interest, i.balance)
                    for i in schedule(spec.principal, spec.annual_rate, spec.months, spec.method, spec.first_due,
                                      first_period_days=spec.first_period_days)]
        assert stored == expected
    assert LoanInstallment.objects.get(loan_id=loans[1].pk, period=1).interest == 11_531  # 30,000 × 3.075% / 360 × 45
    assert LoanInstallment.objects.get(loan_id=loans[0].pk, period=360).due_date == date(2056, 12, 31)


def test_a_schedule_for_a_loan_that_does_not_exist_is_refused(center):
    """PostgreSQL proves the loan key once for the whole load (no per-row trigger): a missing loan fails the
    load; elsewhere the database's own key check does (at the latest at commit)."""
    member = make_account(center, make_employer(center)).member
    loan = _loan(center, member, 1, 1_000_000, "2.85", 12, RepaymentMethod.ANNUITY)
    ghost = ScheduleSpec(loan.pk + 10_000, 1_000_000, Decimal("2.85"), 12, RepaymentMethod.ANNUITY, date(2027, 1, 31))
    if not db.is_postgresql() or connection.settings_dict["USER"] not in ("postgres", "root"):
        pytest.skip("the per-row key check of the database applies")
    with pytest.raises(IntegrityError, match="不存在的贷款"), transaction.atomic():
        schedules_store([ScheduleSpec.of(loan), ghost])
    assert not LoanInstallment.objects.filter(loan_id=loan.pk).exists()
