"""The member page's 结算银行卡 panel: register at the counter, a second person verifies, numbers masked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.withdrawals.models import BankCard

pytestmark = pytest.mark.django_db
CARD = "6217000000004321"


def _client(center, username, role):
    user, _ = staff_create(username=username, password="pw-Cards-2026", center=center, actor=SystemActor("test"),
                           display_name=username)
    grant_role(user, role, center=center)
    c = Client()
    c.force_login(user)
    return c


def test_a_clerk_registers_a_card_and_a_reviewer_verifies_it_on_the_member_page(center):
    acct = make_account(center, make_employer(center, 1), 1)
    teller, reviewer = _client(center, "cards_teller", "teller"), _client(center, "cards_rev", "reviewer")
    page = teller.get(reverse("accounts:member_detail", args=[acct.account_no])).content.decode()
    panel_url = reverse("withdrawals:member_cards", args=[acct.account_no])
    assert panel_url in page and 'data-testid="panel-bank-cards"' in page
    add = reverse("withdrawals:card_add", args=[acct.account_no])
    r = teller.post(add, {"card_no": CARD, "bank_code": "ICBC", "bank_name": "工商银行", "holder_name": "李四"})
    assert r.status_code == 200 and "本人" in r.content.decode() and not BankCard.objects.exists()
    r = teller.post(add, {"card_no": CARD, "bank_code": "ICBC", "bank_name": "工商银行",
                          "holder_name": acct.member.name, "reason": "首次登记"})
    assert r.status_code == 302
    card = BankCard.objects.get()
    assert card.status == BankCard.Status.PENDING
    panel = teller.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert "**** **** **** 4321" in panel and CARD not in panel and "待核验" in panel
    assert 'data-testid="card-verify"' not in panel  # the clerk who registered it cannot verify it
    panel = reviewer.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="card-verify"' in panel
    r = reviewer.post(reverse("withdrawals:card_verify", args=[card.pk]), {"ok": "1", "account_no": acct.account_no})
    assert r.status_code == 302
    card.refresh_from_db()
    assert card.status == BankCard.Status.VERIFIED
    assert AuditRecord.objects.filter(action="withdrawals.card.read").count() == 2  # each panel shown


def _token(center, username, role):
    from openhpf.iam.services import api_token_issue

    user, _ = staff_create(username=username, password="pw-Cards-2026", center=center, actor=SystemActor("test"),
                           display_name=username)
    grant_role(user, role, center=center)
    plaintext, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_the_api_registers_verifies_and_lists_cards_masked(center):
    import json

    acct = make_account(center, make_employer(center, 1), 1)
    teller, reviewer = _token(center, "api_teller", "teller"), _token(center, "api_rev", "reviewer")
    base = f"/api/v1/withdrawals/members/{acct.account_no}/cards"
    c = Client()
    r = c.post(base, json.dumps({"card_no": CARD, "bank_code": "ICBC", "bank_name": "工商银行", "holder_name": "李四"}),
               content_type="application/json", **teller)
    assert r.status_code == 422 and r.json()["code"] == "WITHDRAWAL_CARD_HOLDER"
    r = c.post(base, json.dumps({"card_no": CARD, "bank_code": "ICBC", "bank_name": "工商银行",
                                 "holder_name": acct.member.name}), content_type="application/json", **teller)
    assert r.status_code == 201 and r.json()["card_no"].endswith("4321") and CARD not in r.content.decode()
    r = c.post(f"/api/v1/withdrawals/cards/{r.json()['id']}/verify", json.dumps({"ok": True}),
               content_type="application/json", **reviewer)
    assert r.status_code == 200 and r.json()["status"] == "verified"
    rows = c.get(base, **teller).json()
    assert [row["status_label"] for row in rows] == ["已核验"] and CARD not in json.dumps(rows)
