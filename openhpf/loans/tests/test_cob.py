"""The loans' close of business (COB): each step with hand-computed figures, the override, the reserve, the
reminders, the lock and reruns that change nothing.

The loan (tests/factories.py): 1,000,000.00 元 over 360 months at 2.85 %, 等额本息 4,135.57 元 a month; its first
installment (period 1, due 2026-11-29) is 1,760.57 元 principal + 2,375.00 元 interest (1,000,000.00 × 2.85 % / 12),
period 2 falls due on 2026-12-29."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import business_day, finance_clerk, grant_role
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.jobs.dayend import plan
from openhpf.jobs.models import Job
from openhpf.ledger.models import JournalEntry, JournalLine
from openhpf.ledger.services import Line, entry_post
from openhpf.notifications.models import Notification

from ..cob import run_cob
from ..models import Loan, LoanClassChange, LoanDue, LoanPayment, LoanReminder, ReserveReport
from ..override import class_override_set
from ..payments import Funding, amount_due, payment_apply
from ..selectors import reserve_report
from .factories import TEST_ACTOR, make_active_loan

P1_PRINCIPAL, P1_INTEREST = 176_057, 237_500
D_DUE, D1 = date(2026, 11, 29), date(2026, 11, 30)


@pytest.fixture
def loan(center):
    acct = make_account(center, make_employer(center, 1), 1)
    return make_active_loan(center, acct, first_due=D_DUE, disbursed_on=date(2026, 10, 29))


def cob(center, day):
    with business_day(center, day):
        return run_cob(center=center, actor=finance_clerk())


def loans_entries(center):
    return list(JournalEntry.objects.filter(center=center, source="loans").order_by("pk"))


def gl(entry):
    return sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=entry))


def test_registered_orders():
    mine = [(s.order, s.name) for s in plan() if s.app == "loans"]
    assert mine == [(61, "loan_reprice"), (62, "loan_due"), (63, "loan_collect"), (64, "loan_overdue"),
                    (65, "loan_offset"), (66, "loan_classify"), (67, "loan_reserve"), (68, "loan_remind"),
                    (69, "loan_release"), (71, "loan_cases")]


def test_due_then_overdue_then_class(center, loan):
    job = cob(center, D_DUE)
    assert job.status == Job.Status.SUCCEEDED and job.result["loan_dues"] == 1
    d = LoanDue.objects.get(loan=loan)
    assert (d.period, d.due_date, d.principal, d.interest, d.overdue_on) == (1, D_DUE, P1_PRINCIPAL, P1_INTEREST, None)
    assert loans_entries(center) == []  # due today is not overdue yet
    loan.refresh_from_db()
    assert (loan.risk_class, loan.cob_date) == ("01", None)  # the lock ended

    job = cob(center, D1)  # the installment was missed
    assert job.result["loan_dues"] == 0 and job.result["loan_overdue_moved"] == P1_PRINCIPAL
    d.refresh_from_db()
    assert d.overdue_on == D1
    [entry] = loans_entries(center)
    assert entry.business_date == D1 and gl(entry) == [("121", 0, P1_PRINCIPAL), ("122", P1_PRINCIPAL, 0)]
    assert job.result["loan_overdue_voucher"] == entry.voucher_no
    loan.refresh_from_db()
    assert (loan.overdue_principal, loan.overdue_interest, loan.overdue_since) == (P1_PRINCIPAL, P1_INTEREST, D_DUE)
    assert loan.outstanding == 100_000_000 and loan.risk_class == "02" and loan.cob_date is None
    [change] = LoanClassChange.objects.filter(loan=loan)
    assert (change.on, change.from_class, change.to_class, change.overdue_days, change.manual) == (
        D1, "01", "02", 1, False)
    # penalty estimate on day 1: (1,760.57 + 2,375.00) × 2.85 % / 360 × 1.5 × 1 = 0.4911 元 → 0.49 元
    assert amount_due(loan, D1) == {"penalty": 49, "overdue_interest": P1_INTEREST,
                                    "overdue_principal": P1_PRINCIPAL, "interest": 0, "principal": 0,
                                    "total": 49 + P1_INTEREST + P1_PRINCIPAL}

    again = cob(center, D1)  # rerun the loan steps of the same day: a new job, nothing done twice
    assert again.pk != job.pk and again.status == Job.Status.SUCCEEDED
    assert len(loans_entries(center)) == 1 and LoanDue.objects.count() == 1
    assert LoanClassChange.objects.count() == 1 and again.result["loan_overdue_moved"] == 0


def test_catch_up_back_to_normal(center, loan):
    cob(center, D_DUE)
    cob(center, D1)
    with business_day(center, date(2026, 12, 1)):
        payment_apply(loan=loan.pk, amount=amount_due(loan, date(2026, 12, 1))["total"], source="counter",
                      reference="CATCHUP", funding=Funding("10101"), actor=TEST_ACTOR, business_date=date(2026, 12, 1))
    cob(center, date(2026, 12, 1))
    loan.refresh_from_db()
    assert (loan.risk_class, loan.overdue_principal, loan.overdue_since) == ("01", 0, None)
    assert [c.to_class for c in LoanClassChange.objects.order_by("pk")] == ["02", "01"]


def test_gap_copies_the_missed_installments(center):
    acct = make_account(center, make_employer(center, 1), 1)
    ln = make_active_loan(center, acct, first_due=date(2026, 9, 29), disbursed_on=date(2026, 8, 29))
    job = cob(center, D1)  # nothing had fallen due yet: 9-29, 10-29 and 11-29 are copied, two overdue
    assert job.result["loan_dues"] == 3
    assert sorted(LoanDue.objects.filter(loan=ln).values_list("period", "overdue_on")) == [
        (1, date(2026, 9, 30)), (2, date(2026, 10, 30)), (3, date(2026, 11, 30))]
    ln.refresh_from_db()
    # overdue since 2026-09-29: 62 days on 11-30 → still 关注 (substandard from 91 days)
    assert (ln.overdue_since, ln.risk_class) == (date(2026, 9, 29), "02")
    assert LoanClassChange.objects.get(loan=ln).overdue_days == 62


def test_class_thresholds_and_override(center, loan, django_user_model):
    cob(center, D_DUE)
    cob(center, D1)
    teller = grant_role(django_user_model.objects.create_user("cls_teller", is_staff=True), "teller", center=center)
    with business_day(center, D1):
        with pytest.raises(DomainError) as e:
            class_override_set(loan_number=loan.number, to_class="09", reason="x", until=date(2026, 12, 5), actor=teller, business_date=D1)
        assert e.value.code == ErrorCode.LOAN_CLASS_OVERRIDE_INVALID
        manual = class_override_set(loan_number=loan.number, to_class="03", reason="借款人失业，还款来源不足", until=date(2026, 12, 5),
                                    actor=teller, business_date=D1)
    assert manual.manual and (manual.from_class, manual.to_class) == ("02", "03")
    cob(center, date(2026, 12, 5))  # the override's last day: it wins over 关注
    loan.refresh_from_db()
    assert (loan.risk_class, loan.class_override) == ("03", "03")
    assert LoanClassChange.objects.count() == 2
    cob(center, date(2026, 12, 6))  # expired: the overdue days rule again (7 days → 关注), the override cleared
    loan.refresh_from_db()
    assert (loan.risk_class, loan.class_override, loan.class_override_until) == ("02", "", None)
    last = LoanClassChange.objects.order_by("-pk").first()
    assert (last.from_class, last.to_class, last.overdue_days, last.manual) == ("03", "02", 7, False)
    # 91 days overdue (due 11-29 → 2027-02-28) is 次级
    cob(center, date(2027, 2, 27))
    loan.refresh_from_db()
    assert loan.risk_class == "02"  # 90 days (period 2 etc. also overdue, the first unpaid due date counts)
    cob(center, date(2027, 2, 28))
    loan.refresh_from_db()
    assert loan.risk_class == "03"


def test_reserve_by_class_against_301(center, loan):
    with business_day(center, D_DUE):
        entry_post(center=center, business_date=D_DUE, source="test", actor=TEST_ACTOR, description="分配风险准备",
                   lines=[Line("32101", debit=1_500_000), Line("301", credit=1_500_000)])
    cob(center, D_DUE)
    r = ReserveReport.objects.get(center=center, on=D_DUE)
    # 1,000,000.00 元 正常 × 1 % = 10,000.00 元 required; 301 holds 15,000.00 元: no shortfall
    assert (r.required, r.balance, r.shortfall, r.outstanding["01"]) == (1_000_000, 1_500_000, 0, 100_000_000)
    cob(center, D1)
    latest = reserve_report(center=center)
    assert latest is not None
    r = latest
    # now 关注 × 2 % = 20,000.00 元 required against 15,000.00 元: 5,000.00 元 short
    assert (r.on, r.required, r.balance, r.shortfall, r.loans["02"]) == (D1, 2_000_000, 1_500_000, 500_000, 1)
    cob(center, D1)
    assert ReserveReport.objects.filter(center=center, on=D1).count() == 1


def test_reminders_on_the_configured_days_once(center, loan):
    cob(center, date(2026, 11, 25))  # 4 days before: nothing
    assert LoanReminder.objects.count() == 0
    cob(center, date(2026, 11, 26))  # 3 days before the 11-29 due date
    cob(center, date(2026, 11, 26))  # rerun: never twice
    [r] = LoanReminder.objects.all()
    assert (r.kind, r.due_date, r.sent_on) == ("before_due", D_DUE, date(2026, 11, 26))
    sms = Notification.objects.filter(kind="loans.remind.before_due")
    assert sms.count() == 1 and "4,135.57 元" in sms.get().body and loan.number in sms.get().body
    cob(center, D_DUE)
    cob(center, D1)  # overdue day 1
    cob(center, date(2026, 12, 2))  # day 3: not configured
    cob(center, date(2026, 12, 6))  # day 7
    overdue = list(LoanReminder.objects.filter(kind="overdue").order_by("sent_on").values_list("sent_on", flat=True))
    assert overdue == [D1, date(2026, 12, 6)]
    body = Notification.objects.filter(kind="loans.remind.overdue").order_by("pk").last().body
    assert "已逾期 7 天" in body and "4,135.57 元" in body


def test_payment_refused_while_the_cob_holds_the_loan(center, loan):
    cob(center, D_DUE)
    Loan.objects.filter(pk=loan.pk).update(cob_date=D_DUE)  # as a COB stopped between its steps leaves it
    with business_day(center, D_DUE):
        with pytest.raises(DomainError) as e:
            payment_apply(loan=loan.pk, amount=1_000, source="counter", reference="R1", funding=Funding("10101"),
                          actor=TEST_ACTOR, business_date=D_DUE)
        assert e.value.code == ErrorCode.LOAN_IN_COB
    cob(center, D_DUE)  # the rerun ends the lock
    with business_day(center, D_DUE):
        p = payment_apply(loan=loan.pk, amount=413_557, source="counter", reference="R1", funding=Funding("10101"),
                          actor=TEST_ACTOR, business_date=D_DUE)
    assert (p.interest, p.principal) == (P1_INTEREST, P1_PRINCIPAL)
    assert LoanPayment.objects.count() == 1


def test_other_dates_refused(center):
    with pytest.raises(DomainError) as e:
        run_cob(center=center, actor=finance_clerk(), on=date(2026, 11, 1))
    assert e.value.code == ErrorCode.LOAN_COB_DATE and "2026-11-30" in e.value.message
