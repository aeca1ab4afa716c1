"""The withdrawals API: filing a withdrawal for a member (every problem at once in Chinese with its code, nothing
written), the member's withdrawals paged with the true total, one withdrawal with its rule results, payout and
limit; 司法扣划 entered, approved and paid; each refused (403) without its permission."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from openhpf.accounts.services import member_account_freeze
from openhpf.applications.models import Application, State
from openhpf.approvals.services import command_approve
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Document
from openhpf.iam.models import StaffProfile
from openhpf.iam.services import api_token_issue
from openhpf.withdrawals.models import CourtDeduction

from .conftest import verified_card

pytestmark = pytest.mark.django_db
BASE = "/api/v1/withdrawals"


def _auth(user, center) -> dict[str, str]:
    StaffProfile.objects.get_or_create(user=user, defaults={"center": center, "display_name": user.username})
    plaintext, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _pdf(code: str) -> dict[str, str]:
    return {"code": code, "file_name": f"{code}.pdf", "content_base64": base64.b64encode(b"%PDF-1.4 " + code.encode())
            .decode()}


def _post(c: Client, url: str, body: dict, auth: dict, **headers):
    return c.post(url, json.dumps(body), content_type="application/json", **auth, **headers)


def test_filing_refuses_every_problem_at_once_and_writes_nothing(world):
    w = world
    c, auth = Client(), _auth(w["teller"], w["center"])
    r = _post(c, f"{BASE}/applications", {"account_no": w["acct"].account_no, "item": "07",
                                           "payload": {"amount": 0, "months": 13}}, auth)
    assert r.status_code == 422, r.content
    out = r.json()
    assert out["code"] == "APPLICATION_PROBLEMS"
    problems = out["details"]["problems"]
    for text in ("提取金额应为大于零的金额", "租房月数应为 1 至 12 的整数", "请确认本人及配偶在本市有无自有住房",
                 "缺少申请材料"):
        assert any(text in p for p in problems), (text, problems)
    assert not Application.objects.exists() and not Document.objects.exists()
    r = _post(c, f"{BASE}/applications", {"account_no": w["acct"].account_no, "item": "88", "payload": {}}, auth)
    assert r.status_code == 404 and r.json()["code"] == "WITHDRAWAL_REASON_UNKNOWN"
    r = _post(c, f"{BASE}/applications", {"account_no": "999999999", "item": "07", "payload": {}}, auth)
    assert r.status_code in (404, 422) and r.json()["code"] and not Application.objects.exists()
    r = _post(c, f"{BASE}/applications", {"account_no": w["acct"].account_no, "item": "07", "payload": {}},
              _auth(w["r1"], w["center"]))
    assert r.status_code == 403  # a reviewer does not file at the counter


def test_filing_listing_paging_and_the_detail(world):
    w = world
    verified_card(w)
    c, auth = Client(), _auth(w["teller"], w["center"])
    body = {"account_no": w["acct"].account_no, "item": "HPF-P-WD-07",
            "payload": {"amount": 600_000, "months": 3, "no_own_home": True},
            "materials": [_pdf("id_card"), _pdf("bank_card")]}
    r = _post(c, f"{BASE}/applications", body, auth, HTTP_IDEMPOTENCY_KEY="wd-api-1")
    assert r.status_code == 201, r.content
    first = r.json()
    assert first["state"] == State.UNDER_REVIEW and first["amount"] == 600_000 and first["payout"] is None
    assert first["limit"]["days_left"] == 3 and not first["limit"]["overdue"]
    codes = {x["code"]: x["holds"] for x in first["evaluations"][0]["results"]}
    assert codes["CAP"] is True and codes["CARD_RECENT"] is False
    assert len(first["materials"]) == 2
    again = _post(c, f"{BASE}/applications", body, auth, HTTP_IDEMPOTENCY_KEY="wd-api-1")
    assert again.status_code == 201 and again.json()["number"] == first["number"]  # the same key: filed once
    for _ in range(2):  # two more (refused by the frequency rule only once one is paid; these wait for review)
        assert _post(c, f"{BASE}/applications", body, auth).status_code == 201
    assert Application.objects.count() == 3
    page = c.get(f"{BASE}/applications", {"member": w["acct"].account_no, "page_size": 2}, **auth).json()
    assert page["total"] == 3 and page["page"] == 1 and page["page_size"] == 2 and len(page["items"]) == 2
    page2 = c.get(f"{BASE}/applications", {"member": w["acct"].account_no, "page_size": 2, "page": 2}, **auth).json()
    assert page2["total"] == 3 and len(page2["items"]) == 1
    numbers = {i["number"] for i in page["items"] + page2["items"]}
    assert len(numbers) == 3 and first["number"] in numbers
    detail = c.get(f"{BASE}/applications/{first['number']}", **auth).json()
    assert detail["number"] == first["number"] and detail["evaluations"] and detail["limit"]["text"].startswith("剩余")
    assert c.get(f"{BASE}/applications/NOPE", **auth).status_code == 404


def test_court_deduction_through_the_api(world, bank, sim, django_user_model, django_capture_on_commit_callbacks):
    w = world
    member_account_freeze(account=w["acct"], kind="2", amount=200_000, reason="法院协助冻结", actor=w["teller"],
                          business_date=w["center"].business_date)
    c, teller = Client(), _auth(w["teller"], w["center"])
    body = {"account_no": w["acct"].account_no, "document_no": "（2026）浙0102执9号", "court": "上城区人民法院",
            "amount": 300_000, "payee_account": "3301040160000012345", "payee_name": "上城区人民法院"}
    r = _post(c, f"{BASE}/court-deductions", body, teller)
    assert r.status_code == 422 and r.json()["code"] == "WITHDRAWAL_COURT_OVER_FROZEN"
    assert "超过" in r.json()["message"] and not CourtDeduction.objects.exists()
    r = _post(c, f"{BASE}/court-deductions", {**body, "amount": 200_000}, teller)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["state"] == "pending" and d["frozen_before"] == 200_000
    command_approve(command=d["command_id"], actor=w["r1"], business_date=w["center"].business_date)
    fin = grant_role(django_user_model.objects.create_user("wd_api_fin", is_staff=True), "finance",
                     center=w["center"])
    assert _post(c, f"{BASE}/court-deductions/{d['number']}/pay", {}, teller).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(c, f"{BASE}/court-deductions/{d['number']}/pay", {}, _auth(fin, w["center"]))
    assert r.status_code == 200 and r.json()["state"] == "sent"
    r = c.get(f"{BASE}/court-deductions/{d['number']}", **teller)
    assert r.json()["state"] == "paid" and r.json()["frozen_after"] == 0 and r.json()["bank_seq"]
