"""The applications API: staff list (filters, true totals) and detail (payload, materials, timeline, rule results,
clocks), the engine's actions as POSTs, and members' and agents' own applications only (IDOR → 404)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from django.utils import timezone

from openhpf.applications import services
from openhpf.applications.rules import rule_set_make, rules_check
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import IdentityLevel
from openhpf.core.actors import AgentActor, SystemActor
from openhpf.iam.models import PortalToken, StaffProfile
from openhpf.iam.services import PORTAL_TOKEN_PREFIX, api_token_issue, employer_agent_create, token_hash

from .conftest import ITEM, store

pytestmark = pytest.mark.django_db
MON = date(2026, 11, 30)


def _staff_token(user, center):
    StaffProfile.objects.get_or_create(user=user, defaults={"center": center})
    token, _ = api_token_issue(user=user, name="t", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _portal(kind, principal):
    plain = PORTAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    PortalToken.objects.create(kind=kind, member=principal if kind == "member" else None,
                               agent=principal if kind == "agent" else None, key_hash=token_hash(plain),
                               created_at=now, expires_at=now + timedelta(hours=1))
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def _filed(w, *, actor=None, member_id=None, amount=300_000, submit=True):
    actor = actor or w["member"]
    kw = {"member_id": member_id} if member_id else {}
    channel, level = ("counter", IdentityLevel.COUNTER_CHECK) if member_id else ("mobile", IdentityLevel.FACE)
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel=channel, identity_level=level, actor=actor, business_date=MON,
        payload={"amount": amount, "lease_start": "2026-01-01", "months": 6, "has_home": False,
                 "landlord_phone": "13912345678", "note": "房东身份证 330102198001011234"}, **kw)
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=MON)
    if submit:
        services.application_submit(application=app, actor=actor, business_date=MON)
    return app


@pytest.fixture
def api_world(world):
    w = world
    w["teller_h"] = _staff_token(w["teller"], w["center"])
    w["r1_h"] = _staff_token(w["r1"], w["center"])
    w["member_h"] = _portal("member", w["member"].principal)
    w["agent_b_h"] = _portal("agent", w["agent_b"].agent)
    agent_a = employer_agent_create(employer=w["e1"], login_id="agenta", name="王经办", phone="13700000001",
                                    password="Agent-Pass-2026", actor=SystemActor("test"))
    w["agent_a"] = AgentActor(agent_a)
    w["agent_a_h"] = _portal("agent", agent_a)
    return w


def test_staff_list_filters_and_true_totals(client, api_world, rent_handler):
    w = api_world
    numbers = [_filed(w).number for _ in range(3)]
    draft = _filed(w, submit=False)
    r = client.get("/api/v1/applications?page_size=2", **w["teller_h"])
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == 4 and len(body["items"]) == 2 and body["page"] == 1
    last = client.get("/api/v1/applications?page_size=2&page=9", **w["teller_h"]).json()
    assert last["page"] == 2 and len(last["items"]) == 2  # past the end: the last page
    submitted = client.get("/api/v1/applications?state=submitted", **w["teller_h"]).json()
    assert submitted["total"] == 3 and {i["number"] for i in submitted["items"]} == set(numbers)
    assert client.get("/api/v1/applications?state=draft", **w["teller_h"]).json()["items"][0]["number"] == draft.number
    assert client.get(f"/api/v1/applications?item={ITEM}", **w["teller_h"]).json()["total"] == 4
    assert client.get("/api/v1/applications?item=HPF-P-LOAN", **w["teller_h"]).json()["total"] == 0
    bad = client.get("/api/v1/applications?state=nope", **w["teller_h"])
    assert bad.status_code == 400 and bad.json()["code"] == "INPUT_INVALID"
    row = submitted["items"][0]
    assert row["item_name"] == "租房提取" and row["state_label"] == "已提交" and row["amount"] == 300_000
    assert row["member_name"].endswith("*") and row["channel_label"] == "手机公积金"
    # the staff read is audited, the list with its page and numbers
    audits = [a.after for a in AuditRecord.objects.filter(action="applications.application.list")]
    assert {"page": 1, "total": 3, "numbers": [i["number"] for i in submitted["items"]],
            "filters": {"state": "submitted"}} in audits


def test_due_before_filters_on_stored_due_dates(client, api_world, rent_handler):
    w = api_world
    app = _filed(w)
    services.application_accept(application=app, actor=w["teller"], business_date=MON)
    _filed(w)  # not accepted: no due dates
    assert client.get("/api/v1/applications?due_before=2026-12-04", **w["teller_h"]).json()["total"] == 1
    assert client.get("/api/v1/applications?due_before=2026-12-03", **w["teller_h"]).json()["total"] == 0


def test_staff_detail_and_actions_through_the_api(client, api_world, rent_handler):
    w = api_world
    rule_set_make(item_code=ITEM, rules=rules_check([
        {"code": "months", "expression": "months_continuous >= 3", "message": "连续缴存不足 3 个月",
         "severity": "block", "inputs": {"months_continuous": "number"}},
        {"code": "home", "expression": "not has_home", "message": "本人有自有住房", "severity": "manual",
         "inputs": {"has_home": "flag"}}]), effective_from=MON, actor=SystemActor("test"))
    app = _filed(w)
    r = client.post(f"/api/v1/applications/{app.number}/accept", **w["teller_h"])
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["state"] == "under_review" and d["clocks"]["legal_due"] == "2026-12-03"
    assert d["clocks"]["promised_due"] == "2026-12-03"
    assert [m["material_code"] for m in d["materials"]] == ["id_card", "bank_card"]
    assert len(d["materials"][0]["sm3"]) == 64 and d["materials"][0]["material_name"]
    assert [e["to_state"] for e in d["timeline"]] == ["draft", "submitted", "accepted", "under_review"]
    (ev,) = d["evaluations"]
    assert ev["rule_set_version"] == 1 and ev["outcome"] == "pass"
    assert {x["code"]: x["holds"] for x in ev["results"]} == {"months": True, "home": True}
    assert d["stages"][0]["required"] and d["stages"][0]["name"] == "初审"
    # personal data in the payload is masked for the clerk
    assert d["payload"]["amount"] == 300_000 and d["payload"]["landlord_phone"] != "13912345678"
    assert "330102198001011234" not in d["payload"]["note"]
    assert AuditRecord.objects.filter(action="applications.application.view", object_id=str(app.pk)).exists()
    # one person cannot act at two levels; a teller has no review permission
    no = client.post(f"/api/v1/applications/{app.number}/review", {"decision": "pass"},
                     content_type="application/json", **w["teller_h"])
    assert no.status_code == 403 and no.json()["code"] == "APPLICATION_REVIEW_PERMISSION"
    ok = client.post(f"/api/v1/applications/{app.number}/review", {"decision": "pass", "reason": "材料齐全"},
                     content_type="application/json", **w["r1_h"])
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    assert ok.json()["decisions"][0]["decision_label"] == "通过"
    done = client.post(f"/api/v1/applications/{app.number}/execute", **w["teller_h"])
    assert done.status_code == 200 and done.json()["state"] == "completed" and done.json()["result"] == {"paid": 300_000}
    again = client.post(f"/api/v1/applications/{app.number}/execute", **w["teller_h"])
    assert again.status_code == 409 or again.json().get("code") == "ILLEGAL_TRANSITION"


def test_not_accept_and_correction_list_every_reason(client, api_world, rent_handler):
    w = api_world
    a, b = _filed(w), _filed(w)
    r = client.post(f"/api/v1/applications/{a.number}/not-accept", {"reasons": ["不属于本中心", "重复申请"]},
                    content_type="application/json", **w["teller_h"])
    assert r.status_code == 200 and r.json()["state"] == "not_accepted" and r.json()["problems"] == ["不属于本中心", "重复申请"]
    empty = client.post(f"/api/v1/applications/{b.number}/correction", {"problems": [" "]},
                        content_type="application/json", **w["teller_h"])
    assert empty.status_code == 400 and empty.json()["code"] == "APPLICATION_REASON_REQUIRED"
    r = client.post(f"/api/v1/applications/{b.number}/correction", {"problems": ["租赁合同缺页", "银行卡不清晰"]},
                    content_type="application/json", **w["teller_h"])
    assert r.status_code == 200 and r.json()["state"] == "correction" and len(r.json()["problems"]) == 2
    no = client.post(f"/api/v1/applications/{b.number}/accept", **w["r1_h"])
    assert no.status_code == 403


def test_members_see_their_own_only(client, api_world, rent_handler, django_user_model):
    w = api_world
    mine = _filed(w)
    other = _filed(w, actor=w["teller"], member_id=w["b"].member_id)  # filed at the counter for member B
    r = client.get("/api/v1/member/applications", **w["member_h"])
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["items"][0]["number"] == mine.number
    assert client.get(f"/api/v1/member/applications/{mine.number}", **w["member_h"]).status_code == 200
    idor = client.get(f"/api/v1/member/applications/{other.number}", **w["member_h"])
    assert idor.status_code == 404 and idor.json()["code"] == "APPLICATION_NOT_FOUND"
    # the member's own reads are not audited; a staff token is refused there, a member token on staff reads
    assert not AuditRecord.objects.filter(action="applications.application.view").exists()
    assert client.get("/api/v1/member/applications", **w["teller_h"]).status_code == 401
    assert client.get("/api/v1/applications", **w["member_h"]).status_code == 401


def test_an_agent_of_employer_a_cannot_see_employer_bs_applications(client, api_world, rent_handler):
    w = api_world
    a_app = _filed(w)  # member A works for employer 1
    b_app = _filed(w, actor=w["teller"], member_id=w["b"].member_id)  # member B works for employer 2
    # the engine scopes an agent by the employer an application is about (set for employer items and when filed
    # by an agent); these two are made to be about employers 1 and 2
    a_app.employer_id, b_app.employer_id = w["e1"].pk, w["e2"].pk
    a_app.save(update_fields=["employer"])
    b_app.save(update_fields=["employer"])
    a_list = client.get("/api/v1/agent/applications", **w["agent_a_h"]).json()
    assert a_list["total"] == 1 and a_list["items"][0]["number"] == a_app.number
    assert client.get(f"/api/v1/agent/applications/{a_app.number}", **w["agent_a_h"]).status_code == 200
    idor = client.get(f"/api/v1/agent/applications/{b_app.number}", **w["agent_a_h"])
    assert idor.status_code == 404 and idor.json()["code"] == "APPLICATION_NOT_FOUND"
    assert client.get(f"/api/v1/agent/applications/{a_app.number}", **w["agent_b_h"]).status_code == 404
    assert client.get("/api/v1/agent/applications", **w["agent_b_h"]).json()["total"] == 1


def test_staff_of_another_center_and_without_permission_see_nothing(client, api_world, rent_handler,
                                                                     django_user_model):
    from openhpf.conftest import grant_role
    from openhpf.core.services import center_create

    w = api_world
    app = _filed(w)
    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=MON, actor=SystemActor("t"))
    stranger = grant_role(django_user_model.objects.create_user("nb_teller", is_staff=True), "teller", center=other)
    h = _staff_token(stranger, other)
    assert client.get("/api/v1/applications", **h).json()["total"] == 0
    assert client.get(f"/api/v1/applications/{app.number}", **h).status_code == 404
    assert client.post(f"/api/v1/applications/{app.number}/accept", **h).status_code == 404
    finance = grant_role(django_user_model.objects.create_user("fin_x", is_staff=True), "finance", center=w["center"])
    assert client.get("/api/v1/applications", **_staff_token(finance, w["center"])).status_code == 403
