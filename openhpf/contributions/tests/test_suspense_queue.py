"""到账待处理 on the console: the 暂收 queue masks a payer's name (not the center's own bank), and 暂收认领 shows the
employer the money goes to and asks for confirmation before anything is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openhpf.accounts.tests.factories import make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.contributions.models import Receipt, SuspenseMove
from openhpf.contributions.remittance.services import receipt_record
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.settlement.services import bank_account_open

SYS = SystemActor("test")


@pytest.fixture
def fin(center):
    user, _ = staff_create(username="fin9", password="pw-Finance-2026", center=center, actor=SYS, display_name="王会计")
    return grant_role(user, "finance", center=center)


@pytest.fixture
def money(center):
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行杭州分行", account_no="1202000000001",
                      account_name=center.name, actor=SYS, business_date=center.business_date)
    bd = center.business_date
    person = receipt_record(center=center, amount=5_000_000, value_date=bd, bank_ref="B-1", actor=SYS, business_date=bd,
                            payer_account="9558000000000001", payer_name="王小明")
    bank = receipt_record(center=center, amount=12_300, value_date=bd, bank_ref="B-2", actor=SYS, business_date=bd,
                          payer_account="", payer_name="工商银行杭州分行")
    assert person.status == bank.status == Receipt.Status.UNKNOWN_SUSPENSE
    return person, bank


def test_queue_masks_a_person_but_not_the_centers_own_bank(client, center, fin, money):
    client.force_login(fin)
    before = AuditRecord.objects.filter(action="contributions.receipt.queue").count()
    html = client.get(reverse("remit:receipts")).content.decode()
    assert "王**" in html and "王小明" not in html
    assert "<td>工商银行杭州分行</td>" in html
    assert AuditRecord.objects.filter(action="contributions.receipt.queue").count() == before + 1  # the read is audited


def test_assign_shows_the_employer_and_asks_first(client, center, fin, money):
    person, _ = money
    e = make_employer(center, 1, name="杭州云栖科技有限公司")
    client.force_login(fin)
    url = reverse("remit:receipt_assign", args=[person.pk])
    r = client.post(url, {"employer_no": e.account_no})
    html = r.content.decode()
    assert r.status_code == 200 and "确认暂收认领" in html and "杭州云栖科技有限公司" in html and "50,000.00 元" in html
    assert "王小明" not in html
    person.refresh_from_db()
    assert person.status == Receipt.Status.UNKNOWN_SUSPENSE and not SuspenseMove.objects.filter(kind="assign").exists()  # nothing written

    r = client.post(url, {"employer_no": e.account_no, "confirm": "1"}, follow=True)
    html = r.content.decode()
    assert "已认领：50,000.00 元（银行流水号 B-1）转入 杭州云栖科技有限公司" in html
    assert "最近认领" in html and f"{e.account_no} 杭州云栖科技有限公司" in html
    person.refresh_from_db()
    assert person.status == Receipt.Status.EMPLOYER_SUSPENSE and person.employer_id == e.pk

    again = client.post(url, {"employer_no": e.account_no, "confirm": "1"}, follow=True).content.decode()
    assert "已不在暂收款中" in again and SuspenseMove.objects.filter(kind="assign").count() == 1  # a second confirmation moves nothing


def test_assign_to_an_unknown_employer_is_refused_and_writes_nothing(client, center, fin, money):
    person, _ = money
    client.force_login(fin)
    url = reverse("remit:receipt_assign", args=[person.pk])
    html = client.post(url, {"employer_no": "33019999999999", "confirm": "1"}, follow=True).content.decode()
    assert "单位账号 33019999999999 不存在" in html
    html = client.post(url, {"employer_no": " ", "confirm": "1"}, follow=True).content.decode()
    assert "请填写单位账号" in html
    person.refresh_from_db()
    assert person.status == Receipt.Status.UNKNOWN_SUSPENSE and not SuspenseMove.objects.filter(kind="assign").exists()
