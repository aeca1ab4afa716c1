"""Applying money to a loan: the allocation order, the penalty (hand-computed), a reference applied once, the
COB lock, and nothing changed by a refused payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.ledger.models import JournalLine

from ..models import Loan, LoanDue, LoanPayment
from ..payments import Funding, amount_due, payment_apply, penalty_of
from .factories import TEST_ACTOR, make_active_loan, make_due

ON = date(2026, 11, 30)  # the test center's business date


def test_penalty_by_hand():
    # 4,135.57 元 overdue from 2026-01-21 to 2026-11-30 inclusive: 314 days at 2.85 % / 360 × 1.5
    # 413,557 × 0.0285 / 360 × 1.5 × 314 = 15,420.51 fen → 154.21 元
    assert penalty_of(413_557, "2.85", 314, Decimal("1.5")) == 15_421
    assert penalty_of(0, "2.85", 314, Decimal("1.5")) == 0


@pytest.fixture
def loan(center):
    acct = make_account(center, make_employer(center, 1), 1)
    ln = make_active_loan(center, acct)  # 1,000,000.00 元, 360 months at 2.85 % → 4,135.57 元 a month
    make_due(ln, 1, overdue_on=date(2026, 1, 21))  # 2026-01-20: principal 1,760.57, interest 2,375.00
    ln.refresh_from_db()
    return ln


def _gl(ref_entry):
    return sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=ref_entry))


def test_partial_then_full_payment(loan):
    assert amount_due(loan, ON) == {"penalty": 15_421, "overdue_interest": 237_500, "overdue_principal": 176_057,
                                    "interest": 0, "principal": 0, "total": 428_978}
    p = payment_apply(loan=loan, amount=100_000, source=LoanPayment.Source.COUNTER, reference="C1",
                      funding=Funding("10101", bank_ref="B1"), actor=TEST_ACTOR, business_date=ON)
    assert (p.penalty, p.overdue_interest, p.overdue_principal) == (15_421, 84_579, 0)
    assert _gl(p.entry) == [("10101", 100_000, 0), ("40103", 0, 15_421), ("40103", 0, 84_579)]
    d = LoanDue.objects.get(loan=loan, period=1)
    assert (d.paid_penalty, d.penalty_owed, d.penalty_from, d.state) == (15_421, 0, ON, LoanDue.State.OPEN)
    # the same day again: no new penalty days; the rest of the interest, then the overdue principal
    p2 = payment_apply(loan=loan, amount=328_978, source=LoanPayment.Source.COUNTER, reference="C2",
                       funding=Funding("10101", bank_ref="B2"), actor=TEST_ACTOR, business_date=ON)
    assert (p2.penalty, p2.overdue_interest, p2.overdue_principal) == (0, 152_921, 176_057)
    assert _gl(p2.entry) == [("10101", 328_978, 0), ("122", 0, 176_057), ("40103", 0, 152_921)]
    d.refresh_from_db()
    loan.refresh_from_db()
    assert d.state == LoanDue.State.PAID and d.paid_on == ON
    assert (loan.outstanding, loan.overdue_principal, loan.overdue_since) == (100_000_000 - 176_057, 0, None)


def test_once_per_reference_and_refusals(loan):
    p = payment_apply(loan=loan, amount=1_000, source=LoanPayment.Source.BANK, reference="R1",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    again = payment_apply(loan=loan, amount=1_000, source=LoanPayment.Source.BANK, reference="R1",
                          funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    assert again.pk == p.pk and LoanPayment.objects.count() == 1
    with pytest.raises(DomainError) as e:
        payment_apply(loan=loan, amount=2_000, source=LoanPayment.Source.BANK, reference="R1",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_PAYMENT_CONFLICT
    with pytest.raises(DomainError) as e:  # more than owed, no prepayment asked
        payment_apply(loan=loan, amount=10_000_000, source=LoanPayment.Source.COUNTER, reference="R2",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_PAYMENT_INVALID and "超过" in str(e.value)
    Loan.objects.filter(pk=loan.pk).update(cob_date=ON)
    with pytest.raises(DomainError) as e:
        payment_apply(loan=loan, amount=1_000, source=LoanPayment.Source.COUNTER, reference="R3",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_IN_COB and e.value.code.status == 409
    assert LoanPayment.objects.count() == 1


def test_prepayment_and_interest_split(loan):
    owed = amount_due(loan, ON)["total"]
    p = payment_apply(loan=loan, amount=owed + 5_000_000, source=LoanPayment.Source.PREPAY, reference="P1",
                      funding=Funding("10101", interest_account="102", bank_ref="B9"), actor=TEST_ACTOR,
                      business_date=ON, prepay_limit=5_000_000)
    assert p.prepaid_principal == 5_000_000
    assert _gl(p.entry) == sorted([("10101", 176_057 + 5_000_000, 0), ("102", 237_500 + 15_421, 0),
                                   ("121", 0, 5_000_000), ("122", 0, 176_057), ("40103", 0, 237_500),
                                   ("40103", 0, 15_421)])
    loan.refresh_from_db()
    assert loan.outstanding == 100_000_000 - 176_057 - 5_000_000


def test_reschedule_both_modes(center):
    from ..calculations import keep_payment_rows
    from ..models import LoanInstallment, LoanScheduleVersion
    from ..reschedule import reschedule

    acct = make_account(center, make_employer(center, 1), 1)
    ln = make_active_loan(center, acct)
    bal = LoanInstallment.objects.get(loan=ln, period=12).balance - 10_000_000  # 100,000 元 prepaid after period 12
    # 减少月供: the same 348 remaining months, a new payment
    v = reschedule(loan=ln, from_period=13, balance=bal, annual_rate=Decimal("2.85"), first_due=date(2027, 1, 20),
                   months=348, reason=LoanScheduleVersion.Reason.PREPAY_PAYMENT, effective_on=ON, actor=TEST_ACTOR)
    assert v.version == 2 and len(v.superseded) == 348 and v.months == 348
    rows = list(LoanInstallment.objects.filter(loan=ln, period__gte=13).order_by("period"))
    assert rows[0].period == 13 and rows[-1].period == 360 and rows[-1].balance == 0
    assert sum(r.principal for r in rows) == bal and v.payment < 413_557
    # 缩短年限: the payment stays 4,135.57 元, fewer months
    keep = keep_payment_rows(bal, Decimal("2.85"), 413_557, date(2027, 1, 20))
    assert keep[0][2] + keep[0][3] == 413_557 and keep[-1][4] == 0 and len(keep) < 348
    assert sum(r[2] for r in keep) == bal
    v3 = reschedule(loan=ln, from_period=13, balance=bal, annual_rate=Decimal("2.85"), first_due=date(2027, 1, 20),
                    keep_payment=413_557, reason=LoanScheduleVersion.Reason.PREPAY_TERM, effective_on=ON,
                    actor=TEST_ACTOR)
    ln.refresh_from_db()
    assert v3.version == 3 and ln.schedule_version == 3 and ln.months == 12 + len(keep)


def test_the_cobs_own_writes_pass_its_mark(loan):
    Loan.objects.filter(pk=loan.pk).update(cob_date=ON)
    with pytest.raises(DomainError) as e:  # a counter payment during the COB: 409
        payment_apply(loan=loan, amount=1_000, source=LoanPayment.Source.COUNTER, reference="K1",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_IN_COB
    p = payment_apply(loan=loan, amount=1_000, source=LoanPayment.Source.BANK, reference="K2",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON, within_cob=True)
    assert p.penalty == 1_000
    Loan.objects.filter(pk=loan.pk).update(cob_date=date(2026, 11, 29))  # a mark of another day holds even the COB
    with pytest.raises(DomainError) as e:
        payment_apply(loan=loan, amount=1_000, source=LoanPayment.Source.BANK, reference="K3",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON, within_cob=True)
    assert e.value.code == ErrorCode.LOAN_IN_COB
