"""Partial prepayment in both modes and payoff, by hand; the 贷款结清证明 (SM2-sealed, verifiable, the member's own
only) and the release of the mortgage.

The loan: 1,000,000.00 元 at 2.85 % over 360 months from 2026-01-20, 4,135.57 元 a month (DOMAIN's check).
Balances after each installment, month by month (interest = balance × 2.85 % / 12 HALF_UP, principal = 4,135.57
− interest): after period 11 (2026-11-20) 980,402.11 元; after period 12 (2026-12-20) 978,595.00 元."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import business_day
from openhpf.core.actors import MemberActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.documents.services import document_signature_problem
from openhpf.iam.models import MemberPrincipal
from openhpf.ledger.models import JournalLine

from ..closing import certificate_issue, certificate_read, collateral_release
from ..models import CollateralEvent, Loan, LoanDue, LoanInstallment, LoanPayment, LoanScheduleVersion
from ..payments import Funding
from ..prepay import payoff_apply, payoff_quote, prepay_apply, prepay_quote
from .factories import TEST_ACTOR, make_active_loan, make_due

ON = date(2026, 11, 30)  # the test center's business date: 10 days after the due date of period 11
PAYMENT = 413_557
B11 = 98_040_211  # the balance after period 11
FUND = Funding("10101", bank_ref="BK1")


@pytest.fixture
def acct(center):
    return make_account(center, make_employer(center, 1), 1)


@pytest.fixture
def loan(center, acct):
    ln = make_active_loan(center, acct)
    for k in range(1, 12):  # periods 1..11 fallen due, not yet paid (current, not overdue)
        make_due(ln, k)
    ln.refresh_from_db()
    return ln


def _gl(entry):
    return sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=entry))


def test_reduce_payment_ten_days_after_a_due_date(loan):
    # dues 11 × 4,135.57 = 45,491.27; prepaid 100,000.00; its interest for 10 days (2026-11-20 → 11-30):
    # 10,000,000 × 2.85 / 36000 × 10 = 7,916.67 fen → 79.17 元; total 145,570.44 元
    q = prepay_quote(loan=loan, amount=10_000_000, mode="payment", on=ON)
    assert (q.dues, q.principal, q.days, q.interest, q.total) == (4_549_127, 10_000_000, 10, 7_917, 14_557_044)
    assert q.balance_after == B11 - 10_000_000
    pay, v = prepay_apply(loan=loan, amount=10_000_000, mode="payment", reference="PP1", funding=FUND,
                          actor=TEST_ACTOR, business_date=ON, expected_total=14_557_044)
    assert (pay.source, pay.amount, pay.prepaid_principal) == (LoanPayment.Source.PREPAY, 14_557_044, 10_000_000)
    assert pay.interest == sum(d.interest for d in LoanDue.objects.filter(loan=loan)) + 7_917
    # 减少月供: 880,402.11 元 over the 349 months left (periods 12..360) at 2.85 % → 3,713.75 元
    assert (v.version, v.reason, v.from_period, v.months, v.payment) == (
        2, LoanScheduleVersion.Reason.PREPAY_PAYMENT, 12, 349, 371_375)
    loan.refresh_from_db()
    assert (loan.outstanding, loan.months, loan.schedule_version) == (B11 - 10_000_000, 360, 2)
    rows = list(LoanInstallment.objects.filter(loan=loan, period__gte=12).order_by("period"))
    assert rows[0].due_date == date(2026, 12, 20) and rows[0].interest == 209_096  # 88,040,211 × 2.85/1200
    assert sum(r.principal for r in rows) == B11 - 10_000_000 and rows[-1].balance == 0
    assert not LoanDue.objects.filter(loan=loan, state=LoanDue.State.OPEN).exists()
    # the same reference again: nothing more
    again, v2 = prepay_apply(loan=loan, amount=10_000_000, mode="payment", reference="PP1", funding=FUND,
                             actor=TEST_ACTOR, business_date=ON)
    assert again.pk == pay.pk and v2.pk == v.pk and LoanPayment.objects.count() == 1


def test_shorten_term_on_a_due_date_before_the_cob(center, loan):
    # on 2026-12-20 the installment of the day has not been made a due yet (the COB runs at day-end): it is paid
    # first. Dues 12 × 4,135.57 = 49,626.84 元, 0 days of interest, 100,000.00 元 prepaid.
    with business_day(center, date(2026, 12, 20)):
        q = prepay_quote(loan=loan, amount=10_000_000, mode="term", on=center.business_date)
        assert (q.dues, q.days, q.interest, q.total) == (12 * PAYMENT, 0, 0, 12 * PAYMENT + 10_000_000)
        pay, v = prepay_apply(loan=loan, amount=10_000_000, mode="term", reference="PP2", funding=FUND,
                              actor=TEST_ACTOR, business_date=center.business_date)
    assert LoanDue.objects.filter(loan=loan, period=12, state=LoanDue.State.PAID).exists()
    # 缩短年限: 878,595.00 元 paying 4,135.57 a month: 297 months (period 13 .. 309), the last one 265.08 + 0.63
    assert (v.reason, v.from_period, v.months, v.payment) == (LoanScheduleVersion.Reason.PREPAY_TERM, 13, 297,
                                                              PAYMENT)
    loan.refresh_from_db()
    assert (loan.outstanding, loan.months) == (97_859_500 - 10_000_000, 309)
    last = LoanInstallment.objects.get(loan=loan, period=309)
    assert (last.principal, last.interest, last.balance, last.due_date) == (26_508, 63, 0, date(2051, 9, 20))
    assert not LoanInstallment.objects.filter(loan=loan, period__gt=309).exists()
    assert len(v.superseded) == 348
    assert _gl(pay.entry) == sorted([("10101", 12 * PAYMENT + 10_000_000, 0),
                                     ("121", 0, sum(d.principal for d in LoanDue.objects.filter(loan=loan))
                                      + 10_000_000),
                                     ("40103", 0, sum(d.interest for d in LoanDue.objects.filter(loan=loan)))])


def test_prepay_refusals(loan):
    with pytest.raises(DomainError) as e:
        prepay_quote(loan=loan, amount=999_999, mode="term", on=ON)  # below 10,000.00 元
    assert e.value.code == ErrorCode.LOAN_PREPAY_INVALID and "10,000.00" in str(e.value)
    with pytest.raises(DomainError) as e:
        prepay_quote(loan=loan, amount=B11, mode="payment", on=ON)  # all of it: a payoff
    assert "提前结清" in str(e.value)
    with pytest.raises(DomainError) as e:
        prepay_quote(loan=loan, amount=10_000_000, mode="faster", on=ON)
    assert e.value.field == "mode"
    with pytest.raises(DomainError) as e:  # the figure moved since the quote
        prepay_apply(loan=loan, amount=10_000_000, mode="payment", reference="PP3", funding=FUND, actor=TEST_ACTOR,
                     business_date=ON, expected_total=14_557_000)
    assert e.value.field == "expected_total" and not LoanPayment.objects.exists()


def test_payoff_certificate_release(center, acct, loan):
    # dues 45,491.27; principal 980,402.11; interest 10 days: 98,040,211 × 2.85 / 36000 × 10 = 77,615.17 fen
    q = payoff_quote(loan=loan, on=ON)
    assert (q.dues, q.principal, q.interest, q.total, q.balance_after) == (
        4_549_127, B11, 77_615, 4_549_127 + B11 + 77_615, 0)
    with pytest.raises(DomainError) as e:  # not settled yet
        certificate_issue(loan=loan, actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_NOT_SETTLED
    pay, v = payoff_apply(loan=loan, reference="PO1", funding=FUND, actor=TEST_ACTOR, business_date=ON,
                          expected_total=q.total)
    loan.refresh_from_db()
    assert (loan.status, loan.settled_on, loan.outstanding) == (Loan.Status.SETTLED, ON, 0)
    assert (pay.source, pay.prepaid_principal) == (LoanPayment.Source.PAYOFF, B11)
    assert (v.reason, v.from_period, v.months, v.payment, len(v.superseded)) == (
        LoanScheduleVersion.Reason.PAYOFF, 12, 0, 0, 349)
    assert not LoanInstallment.objects.filter(loan=loan, period__gte=12).exists()
    # 贷款结清证明: stored, SM2-sealed, verifiable; issued once
    cert = certificate_issue(loan=loan, actor=TEST_ACTOR, business_date=ON)
    assert document_signature_problem(document=cert.document) is None
    assert cert.document.file.open("rb").read()[:5] == b"%PDF-"
    assert certificate_issue(loan=loan, actor=TEST_ACTOR, business_date=ON).pk == cert.pk
    # the member reads their own; another member's loan is "not found"
    me = MemberActor(MemberPrincipal.objects.create(member=acct.member, password="x"))
    assert certificate_read(actor=me, number=loan.number).pk == cert.pk
    other = make_account(center, make_employer(center, 2), 2)
    them = MemberActor(MemberPrincipal.objects.create(member=other.member, password="x"))
    with pytest.raises(DomainError) as e:
        certificate_read(actor=them, number=loan.number)
    assert e.value.code == ErrorCode.LOAN_NOT_FOUND
    # 解除抵押
    rel = collateral_release(loan=loan, actor=TEST_ACTOR, business_date=ON)
    loan.refresh_from_db()
    assert loan.collateral_status == "released" and rel.letter_no.startswith("JY")
    assert document_signature_problem(document=rel.document) is None
    ev = CollateralEvent.objects.get(loan=loan)
    assert (ev.status, ev.source_ref, ev.handling) == ("released", rel.letter_no, "none")
    assert collateral_release(loan=loan, actor=TEST_ACTOR, business_date=ON).pk == rel.pk
