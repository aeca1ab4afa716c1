"""单位缴存信息变更 (HPF-E-CHANGE) end to end: the agent applies through the API, a clerk accepts it, a reviewer
passes it at 初审, the clerk carries it out and the accounts services change the employer (audited); bad input is
refused with every problem at once and nothing kept; an agent of another employer sees nothing of it."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse

from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_employer
from openhpf.applications import services
from openhpf.applications.models import Application, State
from openhpf.applications.registry import handler_for
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import IdentityLevel
from openhpf.catalog.selectors import item_current
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.documents.models import Document
from openhpf.iam.models import StaffProfile
from openhpf.iam.services import employer_agent_create
from openhpf.iam.tests.test_portal import AGENT_PW, auth, sign_in
from openhpf.items.employer_change import ITEM_CODE

pytestmark = pytest.mark.django_db

PROOF = {"code": "change_proof", "file_name": "开户许可证.pdf",
         "content_base64": base64.b64encode(b"%PDF-1.4 bank licence").decode()}


@pytest.fixture
def world(center, django_user_model):
    e1, e2 = make_employer(center, 1), make_employer(center, 2)
    employer_agent_create(employer=e1, login_id="agent1", name="王经办", phone="13700000001", password=AGENT_PW,
                          actor=SystemActor("test"))
    employer_agent_create(employer=e2, login_id="agent2", name="李经办", phone="13700000002", password=AGENT_PW,
                          actor=SystemActor("test"))
    teller = grant_role(django_user_model.objects.create_user("teller1", is_staff=True), "teller", center=center)
    reviewer = grant_role(django_user_model.objects.create_user("review1", is_staff=True), "reviewer", center=center)
    return {"center": center, "e1": e1, "e2": e2, "teller": teller, "reviewer": reviewer}


def _apply(client, token, body):
    return client.post("/api/v1/agent/changes", body, content_type="application/json", **auth(token))


def test_the_seeded_item_has_one_review_level_and_takes_the_agent_sign_in(center):
    v = item_current(ITEM_CODE, center.business_date)
    assert v.version == 2 and [s["name"] for s in v.review_stages] == ["初审"]
    assert {c["channel"]: c["min_identity"] for c in v.channels}["web"] == IdentityLevel.PASSWORD_CODE
    assert handler_for(ITEM_CODE).form is not None and handler_for(ITEM_CODE).describe is not None


def test_an_agent_changes_the_employer_through_the_api_and_review(client, world):
    w, bd = world, world["center"].business_date
    token = sign_in(client, "agent", "agent1", AGENT_PW, "13700000001")
    r = _apply(client, token, {"contact_name": "赵新人", "contact_phone": "13911112222", "payday": 10,
                               "pay_bank_name": "中国工商银行杭州分行", "pay_account_no": "1202020209000012345",
                               "reason": "经办人调岗，基本户迁移", "materials": [PROOF]})
    assert r.status_code == 201, r.content
    body = r.json()
    number = body["number"]
    assert body["state"] == "submitted" and body["item_name"] == "单位及个人缴存信息变更"
    # the applications API's own detail: the timeline (draft → submitted), the clocks and the materials
    assert [ev["to_state"] for ev in body["timeline"]] == ["draft", "submitted"] and "events" not in body
    assert body["clocks"]["accepted_on"] is None and [m["material_code"] for m in body["materials"]] == ["change_proof"]
    content = dict((row["label"], row["text"]) for row in body["content"])
    # before → after in a clerk's words: personal data and the account masked, payday in words
    assert content["发薪日"] == "每月 15 日 → 每月 10 日"
    assert content["单位银行账号"] == "（未登记） → 1202***********2345"
    assert content["经办人电话"].endswith("139****2222") and "13911112222" not in r.content.decode()
    assert content["开户银行"] == "（未登记） → 中国工商银行杭州分行"

    app = Application.objects.get(number=number)
    assert app.employer_id == w["e1"].pk and app.applicant_kind == "agent" and app.channel == "web"
    assert app.materials.get().document.sm3
    app = services.application_accept(application=app, actor=w["teller"], business_date=bd)
    assert app.state == State.UNDER_REVIEW and app.stages_required == [0]
    with pytest.raises(DomainError):  # the clerk who accepted cannot pass it: 初审 needs applications.review
        services.application_review(application=app, actor=w["teller"], business_date=bd, decision="pass")
    app = services.application_review(application=app, actor=w["reviewer"], business_date=bd, decision="pass",
                                      reason="证明材料齐全")
    assert app.state == State.APPROVED
    e = Employer.objects.get(pk=w["e1"].pk)
    assert e.payday == 15 and e.pay_account_no == ""  # nothing applied before it is carried out
    app = services.application_execute(application=app, actor=w["teller"], business_date=bd)
    assert app.state == State.COMPLETED, app.result
    e = Employer.objects.get(pk=w["e1"].pk)
    assert (e.contact_name, e.contact_phone, e.payday) == ("赵新人", "13911112222", 10)
    assert (e.pay_bank_name, e.pay_account_no) == ("中国工商银行杭州分行", "1202020209000012345")
    change = AuditRecord.objects.get(action="accounts.employer.change", object_id=str(e.pk))
    assert change.after and change.before
    assert change.after["payday"] == 10 and change.before["payday"] == 15 and change.actor == "user:teller1"
    bank = AuditRecord.objects.get(action="accounts.employer.pay_account_change", object_id=str(e.pk))
    assert bank.after == {"pay_bank_name": "中国工商银行杭州分行", "pay_account_no": "1202020209000012345"}
    moves = set(AuditRecord.objects.filter(object_type="applications.application", object_id=str(app.pk))
                .values_list("action", flat=True))
    assert {"applications.application.submit", "applications.application.accept",
            "applications.application.approve", "applications.application.complete"} <= moves

    r = client.get(f"/api/v1/agent/applications/{number}", **auth(token))
    assert r.status_code == 200 and r.json()["state_label"] == "已办结"
    assert [ev["to_state"] for ev in r.json()["timeline"]][-1] == "completed"
    listed = client.get("/api/v1/agent/applications", **auth(token)).json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == number


def test_bad_input_is_refused_with_every_problem_at_once_and_nothing_kept(client, world):
    token = sign_in(client, "agent", "agent1", AGENT_PW, "13700000001")
    r = _apply(client, token, {"contact_phone": "12345", "payday": 40, "pay_bank_name": "中国银行",
                               "address": "", "materials": [{"code": "change_proof", "file_name": "a.pdf",
                                                               "content_base64": "不是base64"}]})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "APPLICATION_PROBLEMS"
    problems = "；".join(body["details"]["problems"])
    assert "经办人电话" in problems and "发薪日：发薪日应为 1 至 31 的整数" in problems
    assert "变更开户银行须同时填写新的单位银行账号" in problems
    assert "缺少申请材料：变更事项证明材料" in problems and "不是有效的 base64" in problems
    assert len(body["details"]["problems"]) == 5
    assert not Application.objects.exists() and not Document.objects.exists()
    # nothing to change / the same as registered
    r = _apply(client, token, {"payday": 15, "materials": [PROOF]})
    assert r.status_code == 422 and r.json()["details"]["problems"] == ["发薪日与现登记的相同，无须变更"]
    r = _apply(client, token, {"materials": [PROOF]})
    assert r.status_code == 422 and r.json()["details"]["problems"] == ["请至少填写一项需要变更的信息"]
    assert not Application.objects.exists()


def test_an_agent_of_another_employer_sees_nothing_of_it(client, world):
    t1 = sign_in(client, "agent", "agent1", AGENT_PW, "13700000001")
    number = _apply(client, t1, {"address": "杭州市西湖区文三路 1 号", "materials": [PROOF]}).json()["number"]
    t2 = sign_in(client, "agent", "agent2", AGENT_PW, "13700000002")
    r = client.get(f"/api/v1/agent/applications/{number}", **auth(t2))
    assert r.status_code == 404 and r.json()["code"] == "APPLICATION_NOT_FOUND"
    r = client.post(f"/api/v1/agent/applications/{number}/rating", {"level": "dissatisfied"},
                    content_type="application/json", **auth(t2))
    assert r.status_code == 404
    assert client.get("/api/v1/agent/applications", **auth(t2)).json()["total"] == 0
    assert client.get(f"/api/v1/agent/applications/{number}", **auth(t1)).status_code == 200


def test_at_the_counter_the_clerk_files_for_the_employer_with_the_letter_of_authority(world):
    w, bd = world, world["center"].business_date
    app = services.application_create(center=w["center"], item_code=ITEM_CODE, channel="counter",
                                      identity_level=IdentityLevel.COUNTER_CHECK, actor=w["teller"],
                                      business_date=bd, employer_id=w["e2"].pk, payload={"address": "新地址 8 号"})
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=app, actor=w["teller"], business_date=bd)
    assert exc.value.details["problems"] == ["柜台办理须提交经办人授权委托书", "缺少申请材料：变更事项证明材料"]
    form_class = handler_for(ITEM_CODE).form
    assert form_class is not None
    form = form_class(data={"payday": "0", "pay_account_no": "12ab"})
    assert not form.is_valid() and set(form.errors) == {"payday", "pay_account_no"}


def test_staff_work_the_change_on_the_console_queue(client, world):
    """The same change worked on the console: the clerk finds it in the queue, sees before → after on the review
    screen, 受理s it; the reviewer passes it at 初审; the clerk carries it out."""
    token = sign_in(client, "agent", "agent1", AGENT_PW, "13700000001")
    number = _apply(client, token, {"payday": 10, "reason": "发薪日调整", "materials": [PROOF]}).json()["number"]
    teller, reviewer = world["teller"], world["reviewer"]
    for user in (teller, reviewer):  # console users belong to a center
        StaffProfile.objects.create(user=user, center=world["center"])
    client.force_login(teller)
    queue = client.get(reverse("applications:queue")).content.decode()
    assert number in queue and "单位及个人缴存信息变更" in queue
    detail_url = reverse("applications:detail", args=[number])
    page = client.get(detail_url).content.decode()
    assert "每月 15 日 → 每月 10 日" in page
    act = reverse("applications:act", args=[number])
    assert client.post(act, {"action": "accept"}).status_code == 302
    refused = client.post(act, {"action": "review", "decision": "pass", "reason": "受理人自审"})
    assert refused.status_code in (403, 409) and Employer.objects.get(pk=world["e1"].pk).payday == 15
    client.force_login(reviewer)
    assert client.post(act, {"action": "review", "decision": "pass", "reason": "材料齐全"}).status_code == 302
    client.force_login(teller)
    assert client.post(act, {"action": "execute"}).status_code == 302
    assert Application.objects.get(number=number).state == State.COMPLETED
    assert Employer.objects.get(pk=world["e1"].pk).payday == 10
