"""The collateral watch (a seizure raises a warning, its disposal audited, the feed idempotent, the pull through
the registry adapter) and the 1 January repricing, by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.applications.tests.factories import make_application
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.notifications.models import Notification
from openhpf.verification.adapters import Reply
from openhpf.verification.models import Status

from ..models import Collateral, CollateralEvent, Loan, LoanInstallment, LoanReminder, LoanScheduleVersion
from ..reprice import reprice_candidates, reprice_run
from ..watch import collateral_event_handle, collateral_status_ingest, collateral_watch_pull, open_warnings
from .factories import TEST_ACTOR, make_active_loan, make_due

ON = date(2026, 11, 30)
H = CollateralEvent.Handling


@pytest.fixture
def acct(center):
    return make_account(center, make_employer(center, 1), 1)


def test_seizure_raises_a_warning_and_its_disposal(center, acct):
    ln = make_active_loan(center, acct)
    ev, new = collateral_status_ingest(loan=ln, status="seized", source_ref="BDC-2026-001", on=ON, actor=TEST_ACTOR,
                                       detail="法院查封")
    assert new and ev.handling == H.WARNING and open_warnings(center) == 1
    ln.refresh_from_db()
    assert ln.collateral_status == "seized"
    again, new2 = collateral_status_ingest(loan=ln, status="seized", source_ref="BDC-2026-001", on=ON,
                                           actor=TEST_ACTOR)
    assert again.pk == ev.pk and not new2 and CollateralEvent.objects.count() == 1
    with pytest.raises(DomainError):  # the same business number cannot say something else
        collateral_status_ingest(loan=ln, status="sold", source_ref="BDC-2026-001", on=ON, actor=TEST_ACTOR)
    with pytest.raises(DomainError) as e:  # closing needs a note
        collateral_event_handle(event=ev, to=H.CLOSED, note="", actor=TEST_ACTOR, business_date=ON)
    assert e.value.field == "note"
    collateral_event_handle(event=ev, to=H.HANDLING, note="已联系借款人", actor=TEST_ACTOR, business_date=ON)
    assert open_warnings(center) == 1
    ev = collateral_event_handle(event=ev, to=H.CLOSED, note="查封已解除", actor=TEST_ACTOR, business_date=ON)
    assert ev.handling == H.CLOSED and ev.handled_note == "已联系借款人；查封已解除" and open_warnings(center) == 0
    with pytest.raises(DomainError) as e:
        collateral_event_handle(event=ev, to=H.HANDLING, note="", actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_COLLATERAL_HANDLING
    assert AuditRecord.objects.filter(action="loans.collateral.handle").count() == 2
    # a plain status (mortgaged) raises nothing
    ev2, _ = collateral_status_ingest(loan=ln, status="mortgaged", source_ref="BDC-2026-002", on=ON, actor=TEST_ACTOR)
    assert ev2.handling == H.NONE


class SeizedRegistry:
    """A registry adapter that answers every watch question: 被查封, under its own business number."""

    def __init__(self, **_: object) -> None:
        pass

    def prepare(self, query):
        cert = query.question.get("certificate_no")
        return lambda: Reply(Status.CONFIRMED, {"collateral_status": "seized", "source_ref": f"CF-{cert}"},
                             "不动产被查封")


def test_pull_through_the_registry_adapter(center, acct, settings, django_user_model):
    settings.HPF_VERIFICATION_SOURCES = {"property": {"adapter": f"{__name__}.SeizedRegistry", "attempts": 1}}
    clerk = grant_role(django_user_model.objects.create_user("watch_clerk", is_staff=True), "teller", center=center)
    app = make_application(center, acct, clerk)
    Collateral.objects.create(center=center, application=app, certificate_no="浙(2026)杭州市不动产权第0000001号",
                              appraised_value=150_000_000, ltv=Decimal("0.6667"),
                              registration=Collateral.Registration.REGISTERED, registration_no="DY001",
                              recorded_by="test")
    ln = make_active_loan(center, acct)
    Loan.objects.filter(pk=ln.pk).update(application=app)
    r = collateral_watch_pull(center=center, actor=TEST_ACTOR, on=ON)
    assert (r.asked, r.changed, r.warnings) == (1, 1, 1)
    ev = CollateralEvent.objects.get(loan=ln)
    assert (ev.status, ev.handling, ev.source_ref) == ("seized", H.WARNING, "CF-浙(2026)杭州市不动产权第0000001号")
    r2 = collateral_watch_pull(center=center, actor=TEST_ACTOR, on=ON)  # nothing new: the status is known
    assert (r2.asked, r2.changed) == (1, 0) and CollateralEvent.objects.count() == 1


def test_repricing_on_1_january(center, acct):
    # 1,000,000.00 元 first home > 5 years at 2.85 %; from 2025-05-08 the band's rate is 2.60 %: repriced on
    # 2027-01-01 from period 13 (2027-01-20), periods 1..12 having fallen due. The principal left after period 12:
    # 978,595.00 元 over 348 months at 2.60 % → 4,007.08 元 a month; the first interest 978,595.00 × 2.6 % / 12 =
    # 2,120.2892 → 2,120.29 元.
    ln = make_active_loan(center, acct)
    Loan.objects.filter(pk=ln.pk).update(product_code="first.gt5")
    for k in range(1, 13):
        make_due(ln, k)
    at_rate = make_active_loan(center, make_account(center, make_employer(center, 2), 2), rate="2.6")
    Loan.objects.filter(pk=at_rate.pk).update(product_code="first.gt5")
    acct.member.phone = "13900001111"
    acct.member.save()
    assert reprice_run(center=center, on=date(2026, 12, 31), actor=TEST_ACTOR) == {"repriced": None}
    assert [pk for pk, _ in reprice_candidates(center, date(2027, 1, 1))] == [ln.pk]
    assert reprice_run(center=center, on=date(2027, 1, 1), actor=TEST_ACTOR) == {"repriced": 1}
    ln.refresh_from_db()
    v = LoanScheduleVersion.objects.get(loan=ln, version=2)
    assert (v.reason, v.from_period, v.months, v.balance, v.payment) == (
        LoanScheduleVersion.Reason.REPRICE, 13, 348, 97_859_500, 400_708)
    assert (ln.annual_rate, ln.schedule_version, ln.months) == (Decimal("2.6"), 2, 360)
    first = LoanInstallment.objects.get(loan=ln, period=13)
    assert (first.due_date, first.interest, first.principal) == (date(2027, 1, 20), 212_029, 400_708 - 212_029)
    assert LoanInstallment.objects.get(loan=ln, period=12).interest == 232_846  # period 12 kept at 2.85 %
    assert LoanReminder.objects.filter(loan=ln, kind=LoanReminder.Kind.REPRICE, sent_on=date(2027, 1, 1)).exists()
    n = Notification.objects.get(kind="loans.reprice")
    assert "2.6%" in n.body and "4,007.08" in n.body
    at_rate.refresh_from_db()
    assert at_rate.schedule_version == 1
    assert reprice_run(center=center, on=date(2027, 1, 1), actor=TEST_ACTOR) == {"repriced": 0}  # a rerun: nothing
