"""The payee registry (登记收款人) will hold members' bank cards and sellers next to counterparties, but its list
(GET /api/v1/settlement/payees, `hpf settlement payees`, the console's 结算 page) showed every account number and
name in clear to anyone with settlement.view, and wrote no read-audit row. It now masks them by the reader's
clearance like member data elsewhere (core.masking), audits the read (settlement.payee.list), and shows a value in
clear only through the audited unmask with a reason (POST /api/v1/settlement/payees/{id}/unmask)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.settlement.models import Payee

from .test_source_ref import operator

CARD, NAME = "6230000000000888", "欧阳小明"


@pytest.fixture
def payee(center):
    return Payee.objects.create(center=center, account_no=CARD, account_name=NAME, bank_name="建设银行",
                                kind=Payee.Kind.MEMBER_CARD, created_by="user:alice", approved_by="user:rev1")


def test_the_payee_list_masks_account_numbers_and_names_and_audits_the_read(client, center, payee):
    _alice, auth = operator(center, "alice")
    listed = client.get("/api/v1/settlement/payees", **auth).json()
    row = next(x for x in listed if x["id"] == payee.pk)
    assert row["account_no"] == "6230********0888" and row["account_name"] == "欧***"
    assert CARD not in json.dumps(listed, ensure_ascii=False) and NAME not in json.dumps(listed, ensure_ascii=False)
    assert AuditRecord.objects.filter(action="settlement.payee.list", actor="user:alice").exists()


def test_the_command_and_the_console_page_mask_them_too(client, center, payee):
    alice, _ = operator(center, "alice")
    out = io.StringIO()
    call_command("settlement", "payees", "--as", "alice", stdout=out)
    assert "6230********0888" in out.getvalue() and CARD not in out.getvalue() and NAME not in out.getvalue()
    client.force_login(alice)
    html = client.get("/settlement/").content.decode()
    assert "6230********0888" in html and CARD not in html and NAME not in html


def test_a_clear_value_only_through_the_audited_unmask_with_a_reason(client, center, payee):
    alice, auth = operator(center, "alice")
    url = f"/api/v1/settlement/payees/{payee.pk}/unmask"
    body = {"fields": ["account_no", "account_name"], "reason": "核对付款人账号"}
    refused = client.post(url, body, content_type="application/json", **auth)
    assert refused.status_code == 403  # finance holds no personal_data.unmask
    grant_role(alice, "inspector", center=center)
    r = client.post(url, body, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json() == {"account_no": CARD, "account_name": NAME}
    row = AuditRecord.objects.get(action="personal_data.unmask", object_id=str(payee.pk))
    assert row.after == {"fields": ["account_no", "account_name"], "reason": "核对付款人账号"}
    no_reason = client.post(url, {"fields": ["account_no"], "reason": ""}, content_type="application/json", **auth)
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "REASON_REQUIRED"
