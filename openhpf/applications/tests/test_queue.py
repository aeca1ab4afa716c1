"""The staff work queue (办件工作台): filters and true totals, SLA colours from the stored due dates across the
Spring Festival, claim (one holder at a time) and assign (its permission, the colleague's level), one person at
one review level through the screen, IDOR between centers, 待办 counts equal to the list, and counter intake."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openhpf.applications import selectors, services
from openhpf.applications.models import Application, State
from openhpf.applications.registry import Handler, handler_swapped
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import IdentityLevel
from openhpf.catalog.selectors import item_latest
from openhpf.catalog.services import implementation_make, implementation_spec_of
from openhpf.conftest import business_day, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Branch, Center
from openhpf.core.todo import todo_count
from openhpf.iam.services import staff_create

from .conftest import ITEM, _execute, _inputs, _validate, store

pytestmark = pytest.mark.django_db
MON = date(2026, 11, 30)


def _staff(center, username: str, *roles: str):
    user, _ = staff_create(username=username, password="pw-Queue-2026x", center=center, actor=SystemActor("test"),
                           display_name=username)
    grant_role(user, *roles, center=center)
    return user


@pytest.fixture
def q(world, rent_handler):
    c = world["center"]
    return {**world, "clerk": _staff(c, "clerk1", "teller"), "clerk2": _staff(c, "clerk2", "teller"),
            "rev": _staff(c, "rev1", "reviewer"), "rev2": _staff(c, "rev2", "reviewer"),
            "lead": _staff(c, "lead1", "leader")}


def _filed(w, *, amount=300_000, account=None, submit=True, accept=False, actor=None):
    actor = actor or w["clerk"]
    acct = account or w["a"]
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel="counter", identity_level=IdentityLevel.COUNTER_CHECK,
        actor=actor, business_date=w["center"].business_date, member_id=acct.member_id, branch_id=acct.branch_id,
        payload={"amount": amount, "lease_start": "2026-01-01", "months": 6, "has_home": False})
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], actor, code),
                                     actor=actor, business_date=w["center"].business_date)
    if submit:
        app = services.application_submit(application=app, actor=actor, business_date=w["center"].business_date)
    if accept:
        app = services.application_accept(application=app, actor=actor, business_date=w["center"].business_date)
    return app


def _total(client, user, **query) -> int:
    client.force_login(user)
    r = client.get(reverse("applications:queue"), query)
    assert r.status_code == 200, r.content.decode()[:500]
    return r.context["page"].total


def test_the_queue_filters_by_state_item_branch_and_holder_with_true_totals(q, client):
    w = q
    branch = Branch.objects.create(center=w["center"], code="B02", name="城西网点")
    submitted = [_filed(w) for _ in range(3)]
    reviewing = [_filed(w, accept=True) for _ in range(2)]
    Application.objects.filter(pk=submitted[0].pk).update(branch=branch)
    services.application_claim(application=reviewing[0], actor=w["rev"], business_date=MON)
    services.application_create(center=w["center"], item_code=ITEM, channel="counter",  # a draft: never listed
                                identity_level=IdentityLevel.COUNTER_CHECK, actor=w["clerk"], business_date=MON,
                                member_id=w["a"].member_id)
    assert _total(client, w["clerk"]) == 5
    assert _total(client, w["clerk"], state="submitted") == 3
    assert _total(client, w["clerk"], state="under_review") == 2
    assert _total(client, w["clerk"], item=ITEM) == 5 and _total(client, w["clerk"], item="HPF-P-WD-01") == 0
    assert _total(client, w["clerk"], branch=branch.pk) == 1
    assert _total(client, w["rev"], who="mine") == 1 and _total(client, w["rev"], who="unclaimed") == 4
    r = client.get(reverse("applications:queue"), {"page_size": 2})
    assert r.context["page"].total == 5
    page = client.get(reverse("applications:queue"), {"state": "bogus"})
    assert page.status_code == 400 and "状态「bogus」不存在" in page.content.decode()
    body = client.get(reverse("applications:queue")).content.decode()
    assert "3,000.00" in body and ">300000<" not in body  # 元, never 分
    name = w["a"].member.name
    assert name not in body and name[0] + "*" * (len(name) - 1) in body  # the applicant masked
    # the list is a personal-data read: audited with the numbers it showed
    row = AuditRecord.objects.filter(action="applications.queue.view").order_by("-id").first()
    assert row is not None and row.after is not None and row.after["total"] == 5


def test_sla_colours_come_from_the_stored_due_dates_across_the_spring_festival(q, client):
    w = q
    apps = [_filed(w, accept=True) for _ in range(4)]
    # stored due dates as 受理 left them; the business date is 2026-02-13 (Fri): with two working days of warning the
    # threshold is 2026-02-24 (2/14 is a make-up Saturday, 2/15–2/23 the holiday)
    Application.objects.filter(pk=apps[0].pk).update(legal_due=date(2026, 2, 12), promised_due=date(2026, 2, 20))
    Application.objects.filter(pk=apps[1].pk).update(legal_due=date(2026, 2, 24), promised_due=date(2026, 2, 25))
    Application.objects.filter(pk=apps[2].pk).update(legal_due=date(2026, 2, 25), promised_due=date(2026, 2, 26))
    Application.objects.filter(pk=apps[3].pk).update(legal_due=date(2026, 2, 10), promised_due=date(2026, 2, 10),
                                                      paused_on=date(2026, 2, 9))  # 补正: the clock is paused
    assert selectors.sla_dates(date(2026, 2, 13)).threshold == date(2026, 2, 24)
    with business_day(w["center"], date(2026, 2, 13)):
        red = _total(client, w["clerk"], sla="red")
        amber = _total(client, w["clerk"], sla="amber")
        green = _total(client, w["clerk"], sla="green")
        rows = {r.number: r.colour for r in client.get(reverse("applications:queue")).context["rows"]}
    assert (red, amber, green) == (1, 1, 2)
    assert rows[apps[0].number] == "red" and rows[apps[1].number] == "amber"
    assert rows[apps[2].number] == "green" and rows[apps[3].number] == "green"
    # the colour reads the stored dates: moving a stored date moves the colour, no calendar per row
    Application.objects.filter(pk=apps[2].pk).update(legal_due=date(2026, 2, 14))
    with business_day(w["center"], date(2026, 2, 13)):
        assert _total(client, w["clerk"], sla="amber") == 2


def test_one_holder_at_a_time(q, client):
    w = q
    app = _filed(w)
    services.application_claim(application=app, actor=w["clerk"], business_date=MON)
    services.application_claim(application=app, actor=w["clerk"], business_date=MON)  # again: still hers
    with pytest.raises(DomainError) as exc:
        services.application_claim(application=app, actor=w["clerk2"], business_date=MON)
    assert exc.value.code == "APPLICATION_CLAIMED" and "clerk1" in exc.value.message
    client.force_login(w["clerk2"])
    r = client.post(reverse("applications:claim", args=[app.number]))
    assert r.status_code == 409 and "已由clerk1领办" in r.content.decode()
    assert Application.objects.get(pk=app.pk).assignee_id == w["clerk"].pk
    assert AuditRecord.objects.filter(action="applications.application.claim").count() == 1
    # a reviewer cannot take a submitted application (受理 is the counter's step)
    with pytest.raises(PermissionDenied):
        services.application_claim(application=app, actor=w["rev"], business_date=MON)
    # the hold lasts one step: 受理 hands it on to the reviewers, unclaimed
    app = services.application_accept(application=app, actor=w["clerk"], business_date=MON)
    assert app.assignee_id is None


def test_assign_needs_its_permission_and_a_colleague_who_may_act(q, client):
    w = q
    app = _filed(w, accept=True)  # under review at 初审 (applications.review)
    client.force_login(w["clerk"])  # a teller: no applications.assign
    assert client.post(reverse("applications:assign", args=[app.number]), {"assignee": w["rev"].pk}).status_code == 403
    client.force_login(w["lead"])
    page = client.get(reverse("applications:detail", args=[app.number])).content.decode()
    assert "分派给" in page and "rev1" in page and "clerk1" not in page.split("分派给")[1].split("</select>")[0]
    r = client.post(reverse("applications:assign", args=[app.number]), {"assignee": w["clerk"].pk})
    assert r.status_code == 422 and "无权办理当前环节" in r.content.decode()
    r = client.post(reverse("applications:assign", args=[app.number]), {"assignee": w["rev"].pk, "reason": "熟悉租房"})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).assignee_id == w["rev"].pk
    row = AuditRecord.objects.get(action="applications.application.assign")
    assert row.after is not None and row.after["assignee"] == "rev1"


def test_one_person_cannot_act_at_two_levels_through_the_screen(q, client):
    w = q
    app = _filed(w, amount=6_000_000, accept=True)  # 60,000 元: 初审 and 复审 (approvals.approve)
    assert app.stages_required == [0, 1]
    client.force_login(w["rev"])  # a 复核员 holds both applications.review and approvals.approve
    r = client.post(reverse("applications:act", args=[app.number]), {"action": "review", "decision": "pass",
                                                                       "reason": "材料齐全"})
    assert r.status_code == 302
    assert Application.objects.get(pk=app.pk).stage == 1
    r = client.post(reverse("applications:act", args=[app.number]), {"action": "review", "decision": "pass"})
    assert r.status_code == 409 and "APPLICATION_REVIEW_OTHER_LEVEL" in r.content.decode()
    assert Application.objects.get(pk=app.pk).state == State.UNDER_REVIEW
    # nor can that person claim the next level, or be assigned to it
    with pytest.raises(DomainError):
        services.application_claim(application=app, actor=w["rev"], business_date=MON)
    client.force_login(w["rev2"])
    r = client.post(reverse("applications:act", args=[app.number]), {"action": "review", "decision": "pass"})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).state == State.APPROVED
    client.force_login(w["clerk"])
    r = client.post(reverse("applications:act", args=[app.number]), {"action": "execute"})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).state == State.COMPLETED


def test_a_refusal_shows_its_code_and_writes_nothing(q, client):
    w = q
    app = _filed(w)
    client.force_login(w["clerk"])
    r = client.post(reverse("applications:act", args=[app.number]), {"action": "not_accept", "reasons": " \n "})
    assert r.status_code == 400 and "APPLICATION_REASON_REQUIRED" in r.content.decode()
    assert Application.objects.get(pk=app.pk).state == State.SUBMITTED
    r = client.post(reverse("applications:act", args=[app.number]),
                    {"action": "correction", "problems": "租赁合同未签字\n缺少租房发票"})
    assert r.status_code == 302
    got = Application.objects.get(pk=app.pk)
    assert got.state == State.CORRECTION and got.problems == ["租赁合同未签字", "缺少租房发票"]


def test_the_review_screen_shows_payload_materials_rules_and_timeline_and_is_audited(q, client):
    w = q
    app = _filed(w, accept=True)
    client.force_login(w["rev"])
    r = client.get(reverse("applications:detail", args=[app.number]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "3,000.00" in body and "lease_start" in body and "已受理" in body and "初审" in body
    assert AuditRecord.objects.filter(action="applications.application.view").count() == 1
    material = app.materials.first()
    got = client.get(reverse("applications:material", args=[material.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="applications.material.view").count() == 1


def test_a_clerk_of_another_center_gets_404(q, client):
    w = q
    app = _filed(w)
    from openhpf.core.services import center_create

    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=MON, actor=SystemActor("test"),
                          city="宁波")
    stranger = _staff(other, "nb_clerk", "teller", "leader")
    client.force_login(stranger)
    assert client.get(reverse("applications:detail", args=[app.number])).status_code == 404
    assert client.post(reverse("applications:claim", args=[app.number])).status_code == 404
    assert client.post(reverse("applications:act", args=[app.number]), {"action": "accept"}).status_code == 404
    assert client.get(reverse("applications:material", args=[app.materials.first().pk])).status_code == 404
    assert client.get(reverse("applications:queue")).context["page"].total == 0
    assert Application.objects.get(pk=app.pk).state == State.SUBMITTED


def test_todo_counts_equal_the_list_totals(q, client):
    w = q
    _filed(w)
    _filed(w)
    mine = _filed(w, accept=True)
    services.application_claim(application=mine, actor=w["rev"], business_date=MON)
    late = _filed(w, accept=True)
    Application.objects.filter(pk=late.pk).update(promised_due=MON.replace(day=1))
    center = Center.objects.get(pk=w["center"].pk)
    for key, user in (("applications.to_accept", w["clerk"]), ("applications.mine", w["rev"]),
                      ("applications.amber", w["rev"]), ("applications.red", w["rev"])):
        counted = todo_count(key, user, center)
        from openhpf.core.todo import todo_get

        client.force_login(user)
        r = client.get(todo_get(key).url(counted.query))
        assert r.status_code == 200 and r.context["page"].total == counted.n, key
    assert todo_count("applications.to_accept", w["clerk"], center).n == 2
    assert todo_count("applications.red", w["rev"], center).n == 1


# ---------------------------------------------------------------- counter intake


class RentForm(forms.Form):
    amount = forms.IntegerField(label="提取金额（分）", min_value=1)
    lease_start = forms.DateField(label="租赁起始日期")
    months = forms.IntegerField(label="连续缴存月数", min_value=0)


def _describe(p: dict[str, Any]) -> list[tuple[str, str]]:
    return [("提取金额", f"{p['amount'] / 100:,.2f} 元"), ("租赁起始日期", str(p["lease_start"]))]


@pytest.fixture
def rent_form_handler(q):
    with handler_swapped(Handler(item_code=ITEM, validate=_validate, rule_inputs=_inputs, execute=_execute,
                                 amount=lambda p: p.get("amount"), form=RentForm, describe=_describe)):
        yield q


def test_counter_intake_files_submits_and_accepts_in_one_go(rent_form_handler, client):
    w = rent_form_handler
    client.force_login(w["clerk"])
    items = client.get(reverse("applications:intake_items")).content.decode()
    assert f"?item={ITEM}" in items
    url = reverse("applications:intake") + f"?item={ITEM}"
    page = client.get(url)
    token = page.context["token"]
    data = {"_token": token, "_step": "review", "account_no": w["a"].account_no, "p_amount": "250000",
            "p_lease_start": "2026-01-01", "p_months": "8",
            "m_id_card": SimpleUploadedFile("id.pdf", b"%PDF-1.4 id"),
            "m_bank_card": SimpleUploadedFile("card.pdf", b"%PDF-1.4 card")}
    r = client.post(url, data)
    assert r.status_code == 200, r.content.decode()[:2000]
    body = r.content.decode()
    assert "2,500.00 元" in body and "提交并受理" in body
    assert not Application.objects.exists()  # 核对 writes nothing
    confirm = {k: v for k, v in data.items() if not k.startswith("m_")} | {"_step": "confirm"}
    r = client.post(url, confirm)
    assert r.status_code == 302, r.content.decode().split("<main")[-1][:3000]
    app = Application.objects.get()
    assert app.state == State.UNDER_REVIEW and app.channel == "counter" and app.amount == 250_000
    assert sorted(app.materials.values_list("material_code", flat=True)) == ["bank_card", "id_card"]
    assert app.accepted_on == w["center"].business_date and app.promised_due is not None
    # a form missing a required scan is refused on its field, nothing written
    page = client.get(url)
    r = client.post(url, {**{k: v for k, v in data.items() if not k.startswith("m_")}, "_token": page.context["token"]})
    assert r.status_code == 400 and "请扫描上传" in r.content.decode()
    assert Application.objects.count() == 1


def test_counter_intake_asks_for_the_centers_local_materials(rent_form_handler, client):
    """The center's 实施清单 adds a required 居住证明: the counter's form asks for its scan (refused on the field
    without it, nothing written), and the application is filed with it."""
    w = rent_form_handler
    implementation_make(center=w["center"], code=ITEM, effective_from=w["center"].business_date,
                        actor=SystemActor("test"), reason="本地增补",
                        spec={**implementation_spec_of(None, item_latest(ITEM)),
                              "extra_materials": [{"code": "residence", "name": "居住证明", "required": True}]})
    client.force_login(w["clerk"])
    url = reverse("applications:intake") + f"?item={ITEM}"
    page = client.get(url)
    assert "居住证明（扫描件）" in page.content.decode()
    data = {"_token": page.context["token"], "_step": "review", "account_no": w["a"].account_no,
            "p_amount": "250000", "p_lease_start": "2026-01-01", "p_months": "8"}

    def scans() -> dict[str, Any]:
        return {"m_id_card": SimpleUploadedFile("id.pdf", b"%PDF-1.4 id"),
                "m_bank_card": SimpleUploadedFile("card.pdf", b"%PDF-1.4 card")}

    r = client.post(url, {**data, **scans()})
    assert r.status_code == 400 and "请扫描上传：居住证明" in r.content.decode()
    r = client.post(url, {**data, **scans(), "m_residence": SimpleUploadedFile("home.pdf", b"%PDF-1.4 home")})
    assert r.status_code == 200, r.content.decode().split("<main")[-1][:2000]
    assert "居住证明：home.pdf" in r.content.decode()
    r = client.post(url, {**data, "_step": "confirm"})
    assert r.status_code == 302, r.content.decode().split("<main")[-1][:3000]
    app = Application.objects.get()
    assert sorted(app.materials.values_list("material_code", flat=True)) == ["bank_card", "id_card", "residence"]
