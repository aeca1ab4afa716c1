"""灵活就业 contributions are billed and matched per person (issue 14 item 10): one contributor's payment pays
that person's month, not the whole virtual employer's roster; suspended agreements are not billed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import resident_id
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve
from openhpf.conftest import grant_role
from openhpf.contributions.models import Receipt, Remittance
from openhpf.contributions.relief.flexible import (
    flexible_agreement_sign,
    flexible_agreement_suspend,
    flexible_bill,
    flexible_employer,
    flexible_payment_record,
)
from openhpf.contributions.remittance.services import remittance_create
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.ledger.models import SubAccount

SYS = SystemActor("test")
MONTH = "202611"
DUE = 120000  # 6,000 元 × 10% × 2 sides


@pytest.fixture
def agreements(center):
    return [flexible_agreement_sign(center=center, name=f"李灵活{n}", id_number=resident_id(40 + n), base=600000,
                                    ratio="0.10", start=date(2026, 11, 1), actor=SYS,
                                    business_date=center.business_date) for n in (1, 2, 3)]


def _balance(ag) -> int:
    return SubAccount.objects.get(pk=ag.account_id).balance


def test_one_persons_payment_pays_that_persons_month(center, agreements):
    a, b, c = agreements
    flexible_agreement_suspend(agreement=c, reason="暂时无力缴存", actor=SYS, business_date=center.business_date)
    with transaction.atomic():
        billed = flexible_bill(center=center, month=MONTH, actor=SYS, business_date=center.business_date)
    assert {r.person_id for r in billed} == {a.account_id, b.account_id}  # the suspended one is not billed
    assert {(r.lines, r.total, r.status) for r in billed} == {(1, DUE, Remittance.Status.CONFIRMED)}
    with transaction.atomic():  # billing again bills nobody twice
        assert flexible_bill(center=center, month=MONTH, actor=SYS, business_date=center.business_date) == []
    # b pays first, the same amount a owes: it pays b's month, not a's
    with transaction.atomic():
        rc = flexible_payment_record(agreement=b, amount=DUE, bank_ref="FLX-B-1", value_date=center.business_date,
                                     actor=SYS, business_date=center.business_date)
    assert rc.status == Receipt.Status.POSTED
    assert (_balance(a), _balance(b), _balance(c)) == (0, DUE, 0)
    assert MemberAccount.objects.get(pk=b.account_id).paid_up_to == MONTH
    assert MemberAccount.objects.get(pk=a.account_id).paid_up_to < MONTH
    with transaction.atomic():
        flexible_payment_record(agreement=a, amount=DUE, bank_ref="FLX-A-1", value_date=center.business_date,
                                actor=SYS, business_date=center.business_date)
    assert (_balance(a), _balance(b)) == (DUE, DUE)
    assert set(Remittance.objects.filter(person__isnull=False).values_list("status", flat=True)) == {
        Remittance.Status.POSTED}


def test_a_wrong_amount_waits_in_the_virtual_employers_suspense(center, agreements):
    a = agreements[0]
    with transaction.atomic():
        rc = flexible_payment_record(agreement=a, amount=DUE - 1, bank_ref="FLX-A-2", value_date=center.business_date,
                                     actor=SYS, business_date=center.business_date)
    emp = flexible_employer(center=center, business_date=center.business_date)
    assert rc.status == Receipt.Status.EMPLOYER_SUSPENSE and rc.employer_id == emp.pk
    assert _balance(a) == 0
    emp.refresh_from_db()
    assert emp.suspense_balance == DUE - 1


def test_the_virtual_employer_has_no_whole_roster_remittance(center, agreements):
    emp = flexible_employer(center=center, business_date=center.business_date)
    with pytest.raises(DomainError) as e:
        remittance_create(employer=emp, month=MONTH, actor=SYS, business_date=center.business_date)
    assert e.value.code == "FLEXIBLE_PER_PERSON"
    assert not Remittance.objects.exists()


def test_api_bills_per_person_and_a_typed_payment_waits_for_a_checker(client, center, agreements, checker):
    user, _ = staff_create(username="flexclerk", password="pw-Flex-2026xx", center=center, actor=SYS)
    grant_role(user, "teller", center=center)
    token, _ = api_token_issue(user=user, name="测试", actor=SYS)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.post("/api/v1/relief/flexible/bill", {"month": "2026-11"}, content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    assert len(r.json()["remittances"]) == 3
    a = agreements[0]
    body = {"agreement_no": a.agreement_no, "amount": DUE, "value_date": "2026-11-30", "bank_ref": "FLX-API-1"}
    r = client.post("/api/v1/relief/flexible-payments", body, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="flx-1", **auth)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == Receipt.Status.UNCONFIRMED and len(out["remittances"]) == 1  # linked, not booked
    assert _balance(a) == 0
    cmd = PendingCommand.objects.get(name="contributions.receipt_confirm", params__receipt_id=out["id"])
    with transaction.atomic():
        command_approve(command=cmd, actor=checker, business_date=center.business_date)
    assert [_balance(ag) for ag in agreements] == [DUE, 0, 0]  # that person's month, nobody else's
