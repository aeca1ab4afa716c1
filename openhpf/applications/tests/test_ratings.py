"""好差评: the applicant rates a completed application once on the five levels; a 差评 opens a follow-up due on
the policy's working day; staff close it on the console (audited); satisfaction by item and month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openhpf.applications import services
from openhpf.applications.models import RatingFollowUp
from openhpf.applications.rating_selectors import followup_open_count, satisfaction
from openhpf.applications.ratings import followup_close, followup_due, rating_submit
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import IdentityLevel
from openhpf.conftest import grant_role
from openhpf.core.actors import MemberActor, SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.models import PolicyParameter
from openhpf.core.todo import todo_count
from openhpf.iam.services import member_principal_create, staff_create
from openhpf.iam.tests.test_portal import MEMBER_PW, auth, sign_in

from .conftest import ITEM, store

pytestmark = pytest.mark.django_db
MON = date(2026, 11, 30)
PAYLOAD = {"amount": 300_000, "lease_start": "2026-01-01", "months": 6, "has_home": False}


def _completed(w, day=MON, *, execute=True):
    app = services.application_create(center=w["center"], item_code=ITEM, channel="mobile",
                                      identity_level=IdentityLevel.FACE, actor=w["member"], business_date=day,
                                      payload=dict(PAYLOAD))
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=day)
    services.application_submit(application=app, actor=w["member"], business_date=day)
    app = services.application_accept(application=app, actor=w["teller"], business_date=day)
    app = services.application_review(application=app, actor=w["r1"], business_date=day, decision="pass")
    if execute:
        app = services.application_execute(application=app, actor=w["teller"], business_date=day)
    return app


def test_only_the_applicant_rates_only_a_completed_application_and_only_once(world, rent_handler):
    w = world
    app = _completed(w, execute=False)
    with pytest.raises(DomainError) as exc:
        rating_submit(number=app.number, actor=w["member"], level="satisfied", business_date=MON)
    assert exc.value.code == "RATING_NOT_COMPLETED"
    app = services.application_execute(application=app, actor=w["teller"], business_date=MON)
    # another member, another employer's agent: not found; staff: not the applicant
    other = MemberActor(member_principal_create(member=w["b"].member, password="Member-Pass-2026",
                                                actor=SystemActor("test")))
    for actor in (other, w["agent_b"]):
        with pytest.raises(DomainError) as exc:
            rating_submit(number=app.number, actor=actor, level="satisfied", business_date=MON)
        assert exc.value.code == "APPLICATION_NOT_FOUND"
    with pytest.raises(DomainError) as exc:
        rating_submit(number=app.number, actor=w["teller"], level="satisfied", business_date=MON)
    assert exc.value.code == "RATING_NOT_APPLICANT"
    with pytest.raises(DomainError) as exc:
        rating_submit(number=app.number, actor=w["member"], level="great", business_date=MON)
    assert exc.value.code == "RATING_LEVEL"
    r = rating_submit(number=app.number, actor=w["member"], level="basic", comment=" 等候稍久 ", business_date=MON)
    assert (r.level, r.comment, r.month, r.rater_kind) == ("basic", "等候稍久", "202611", "member")
    assert not RatingFollowUp.objects.exists()  # 基本满意 is no 差评
    with pytest.raises(DomainError) as exc:
        rating_submit(number=app.number, actor=w["member"], level="satisfied", business_date=MON)
    assert exc.value.code == "RATING_EXISTS"
    assert AuditRecord.objects.filter(action="applications.rating.submit").count() == 1


def test_a_bad_rating_opens_a_follow_up_due_on_the_policys_working_day(world, rent_handler):
    w = world
    wed = date(2026, 2, 11)
    app = _completed(w, wed)
    # rated on 2026-02-12: 5 working days → 2/13, 2/14 (调休上班), then 春节 until 2/23, 2/24, 2/25, 2/26
    r = rating_submit(number=app.number, actor=w["member"], level="very_dissatisfied", comment="材料反复补交",
                      business_date=date(2026, 2, 12))
    f = r.followup
    assert (f.status, f.opened_on, f.due_on) == ("open", date(2026, 2, 12), date(2026, 2, 26))
    assert (AuditRecord.objects.get(action="applications.followup.open").after or {})["due_on"] == "2026-02-26"
    # the limit is an effective-dated policy value: a center's own 3 days from 2026-03-01 count from then only
    PolicyParameter.objects.create(center=w["center"], key="service.rating_followup_days", value_type="int", value=3,
                                   effective_from=date(2026, 3, 1), approved_by="test")
    # before it: 5 working days from Fri 2/27 → Sat 2/28 (调休上班), 3/2, 3/3, 3/4, 3/5; from it: 3 from Tue 3/3
    assert followup_due(w["center"], date(2026, 2, 27)) == date(2026, 3, 5)
    assert followup_due(w["center"], date(2026, 3, 3)) == date(2026, 3, 6)


def test_staff_close_a_follow_up_on_the_console_and_the_todo_counts_it(client, world, rent_handler):
    w = world
    app = _completed(w)
    rating_submit(number=app.number, actor=w["member"], level="dissatisfied", comment="窗口态度差",
                  business_date=MON)
    f = RatingFollowUp.objects.get()
    assert todo_count("applications.followups", w["r1"], w["center"]).n == 1
    assert followup_open_count(w["center"], w["teller"]) == 0  # a teller holds no applications.followup
    staff, _ = staff_create(username="kefu1", password="pw-Review-2026", center=w["center"], actor=SystemActor("test"))
    client.force_login(grant_role(staff, "reviewer", center=w["center"]))
    page = client.get("/ratings/followups/").content.decode()
    assert app.number in page and "不满意" in page and "窗口态度差" in page and "共 1 件" in page
    r = client.post(f"/ratings/followups/{f.pk}/", {"result": ""})
    assert r.status_code == 422 and "请填写整改结果" in r.content.decode()
    r = client.post(f"/ratings/followups/{f.pk}/", {"result": "已电话回访，窗口人员批评教育"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert (f.status, f.closed_by, f.closed_on) == ("closed", staff, MON)
    rec = AuditRecord.objects.get(action="applications.followup.close")
    assert rec.after and rec.after["result"] == "已电话回访，窗口人员批评教育" and rec.after["late"] is False
    assert todo_count("applications.followups", w["r1"], w["center"]).n == 0
    with pytest.raises(DomainError) as exc:
        followup_close(followup=f, actor=w["r1"], business_date=MON, result="再次")
    assert exc.value.code == "FOLLOWUP_CLOSED"
    teller, _ = staff_create(username="tel9", password="pw-Teller-2026", center=w["center"], actor=SystemActor("test"))
    client.force_login(grant_role(teller, "teller", center=w["center"]))
    assert client.get("/ratings/followups/").status_code == 403
    lead, _ = staff_create(username="lead9", password="pw-Leader-2026", center=w["center"], actor=SystemActor("test"))
    client.force_login(grant_role(lead, "leader", center=w["center"]))
    assert "已整改" in client.get("/ratings/followups/?status=closed").content.decode()


def test_satisfaction_counts_the_three_upper_levels_by_item_and_month(world, rent_handler):
    w = world
    for level in ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_satisfied"):
        app = _completed(w)
        rating_submit(number=app.number, actor=w["member"], level=level, business_date=MON)
    app = _completed(w)
    rating_submit(number=app.number, actor=w["member"], level="very_dissatisfied", business_date=date(2026, 12, 1))
    rows = satisfaction(center=w["center"], item_code=ITEM)
    assert [(s.month, s.rated, s.satisfied) for s in rows] == [("202611", 5, 4), ("202612", 1, 0)]
    assert rows[0].rate == Decimal("0.8") and rows[0].counts["very_satisfied"] == 2 and rows[1].rate == 0
    assert satisfaction(center=w["center"], month="202612")[0].counts["very_dissatisfied"] == 1


def test_a_member_rates_through_the_api(client, world, rent_handler):
    w = world
    app = _completed(w)
    token = sign_in(client, "member", w["a"].account_no, MEMBER_PW, "13900000001")
    url = f"/api/v1/member/applications/{app.number}/rating"
    r = client.post(url, {"level": "satisfied", "comment": "很快"}, content_type="application/json", **auth(token))
    assert r.status_code == 201 and r.json()["level_label"] == "满意"
    r = client.post(url, {"level": "satisfied"}, content_type="application/json", **auth(token))
    assert r.status_code == 409 and r.json()["code"] == "RATING_EXISTS"
    r = client.post("/api/v1/member/applications/SQ2026113099999999/rating", {"level": "satisfied"},
                    content_type="application/json", **auth(token))
    assert r.status_code == 404
