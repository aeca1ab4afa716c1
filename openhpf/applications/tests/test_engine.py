"""The application (办件) engine: one state machine, audited transitions, stored clocks, 一次告知, review levels,
the handler registry, notifications and scoping."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.applications import selectors, services
from openhpf.applications.models import Application, State
from openhpf.applications.rules import rule_set_make, rules_check
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import IdentityLevel
from openhpf.catalog.selectors import item_latest
from openhpf.catalog.services import item_version_make, spec_of
from openhpf.conftest import business_day
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.notifications.models import Notification

from .conftest import EXECUTION, ITEM, store

pytestmark = pytest.mark.django_db
MON = date(2026, 11, 30)  # a Monday


def _file(w, *, amount=300_000, months=6, payload=None, materials=("id_card", "bank_card")):
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel="mobile", identity_level=IdentityLevel.FACE, actor=w["member"],
        business_date=w["center"].business_date,
        payload=payload or {"amount": amount, "lease_start": "2026-01-01", "months": months, "has_home": False})
    for code in materials:
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=w["center"].business_date)
    return app


def _submitted_and_accepted(w, **kw):
    app = _file(w, **kw)
    services.application_submit(application=app, actor=w["member"], business_date=MON)
    return services.application_accept(application=app, actor=w["teller"], business_date=MON)


def test_a_member_applies_and_the_application_runs_to_completion(world, rent_handler):
    w = world
    app = _submitted_and_accepted(w)
    assert app.state == State.UNDER_REVIEW and app.stages_required == [0]  # 3,000 元: 初审 only
    assert app.accepted_on == MON and app.legal_due == date(2026, 12, 3) and app.promised_due == date(2026, 12, 3)
    app = services.application_review(application=app, actor=w["r1"], business_date=MON, decision="pass")
    assert app.state == State.APPROVED
    app = services.application_execute(application=app, actor=w["teller"], business_date=MON)
    assert app.state == State.COMPLETED and app.result == {"paid": 300_000} and app.completed_on == MON
    states = [(e.from_state, e.to_state) for e in selectors.application_timeline(app)]
    assert states == [("", "draft"), ("draft", "submitted"), ("submitted", "accepted"), ("accepted", "under_review"),
                      ("under_review", "approved"), ("approved", "executing"), ("executing", "completed")]
    audited = list(AuditRecord.objects.filter(object_type="applications.application", object_id=str(app.pk))
                   .values_list("action", flat=True))
    assert "applications.application.accept" in audited and "applications.application.complete" in audited
    assert AuditRecord.objects.filter(action="applications.material.attach").count() == 2
    # the applicant is told of each state change through the outbox (not of the draft)
    assert Notification.objects.filter(kind="applications.state").count() == len(states) - 1
    assert "已办结" in Notification.objects.filter(kind="applications.state").order_by("id").last().body
    assert selectors.application_get(w["member"], app.number).pk == app.pk


def test_the_channel_and_identity_level_of_the_item_are_enforced(world, rent_handler):
    w = world
    with pytest.raises(DomainError) as exc:
        services.application_create(center=w["center"], item_code=ITEM, channel="mobile",
                                    identity_level=IdentityLevel.PASSWORD_CODE, actor=w["member"], business_date=MON)
    assert exc.value.code == "APPLICATION_IDENTITY_LEVEL" and "人脸核验" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.application_create(center=w["center"], item_code=ITEM, channel="hotline",
                                    identity_level=IdentityLevel.CERTIFICATE, actor=w["member"], business_date=MON)
    assert exc.value.code == "APPLICATION_CHANNEL"
    with pytest.raises(DomainError) as exc:  # an item nobody has plugged in yet
        services.application_create(center=w["center"], item_code="HPF-P-TRANSFER", channel="counter",
                                    identity_level=IdentityLevel.COUNTER_CHECK, actor=w["teller"], business_date=MON,
                                    member_id=w["a"].member_id)
    assert exc.value.code == "APPLICATION_HANDLER_MISSING"


def test_a_submission_lists_every_problem_at_once(world, rent_handler):
    w = world
    app = _file(w, payload={"amount": 0}, materials=("id_card",))
    with pytest.raises(DomainError) as exc:
        services.application_submit(application=app, actor=w["member"], business_date=MON)
    assert exc.value.code == "APPLICATION_PROBLEMS"
    assert exc.value.details["problems"] == ["提取金额应为大于零的金额", "请填写租赁起始日期", "缺少申请材料：本人银行借记卡"]
    assert Application.objects.get(pk=app.pk).state == State.DRAFT


def test_correction_during_review_pauses_the_clock_and_lists_every_problem(world, rent_handler):
    w = world
    app = _submitted_and_accepted(w)
    problems = ["租赁合同未备案", "银行卡户名与申请人不一致", "缺少配偶无房证明"]
    with business_day(w["center"], date(2026, 12, 1)):
        app = services.application_review(application=app, actor=w["r1"], business_date=date(2026, 12, 1),
                                          decision="correction", problems=problems)
    assert app.state == State.CORRECTION and app.problems == problems
    assert app.paused_on == date(2026, 12, 1) and app.legal_remaining == 2 and app.promised_remaining == 2
    event = app.events.order_by("-id").first()
    assert event.problems == problems and event.paused and event.actor_label == "user:review1"
    assert "租赁合同未备案；银行卡户名与申请人不一致；缺少配偶无房证明" in Notification.objects.order_by("id").last().body
    # the member hands the corrections in a week later: 2 日 and 2 工作日 left, counted from Tuesday 12/8
    app = services.application_correct(application=app, actor=w["member"], business_date=date(2026, 12, 8))
    assert app.state == State.UNDER_REVIEW and app.paused_on is None
    assert app.legal_due == date(2026, 12, 10) and app.promised_due == date(2026, 12, 10)
    # the level is the same, and the reviewer who asked for the correction decides it
    app = services.application_review(application=app, actor=w["r1"], business_date=date(2026, 12, 8), decision="pass")
    assert app.state == State.APPROVED


def test_one_person_acts_at_one_review_level_only(world, rent_handler):
    w = world
    app = _submitted_and_accepted(w, amount=6_000_000)  # 6 万元: above 复审's 5 万
    assert app.stages_required == [0, 1]
    app = services.application_review(application=app, actor=w["r1"], business_date=MON, decision="pass")
    assert app.state == State.UNDER_REVIEW and app.stage == 1
    with pytest.raises(DomainError) as exc:
        services.application_review(application=app, actor=w["r1"], business_date=MON, decision="pass")
    assert exc.value.code == "APPLICATION_REVIEW_OTHER_LEVEL" and "初审" in exc.value.message
    with pytest.raises(DomainError) as exc:  # a teller holds neither level's permission
        services.application_review(application=app, actor=w["teller"], business_date=MON, decision="pass")
    assert exc.value.code == "APPLICATION_REVIEW_PERMISSION"
    app = services.application_review(application=app, actor=w["r2"], business_date=MON, decision="pass")
    assert app.state == State.APPROVED
    assert [(d.stage_name, d.reviewer.username) for d in app.decisions.all()] == [("初审", "review1"), ("复审", "review2")]


def test_blocking_rules_reject_with_every_failing_message_and_manual_rules_need_a_person(world, rent_handler):
    w = world
    rule_set_make(item_code=ITEM, effective_from=date(2026, 1, 1), actor=SystemActor("test"), reason="测试", rules=rules_check([
        {"code": "R1", "expression": "months_continuous >= 3", "message": "连续足额缴存不满 3 个月", "severity": "block",
         "inputs": {"months_continuous": "number"}},
        {"code": "R2", "expression": "not has_home", "message": "本人及配偶在本市有自有住房", "severity": "block",
         "inputs": {"has_home": "flag"}},
        {"code": "R3", "expression": "amount <= 200000", "message": "超过月租金提取上限，转人工审核", "severity": "manual",
         "inputs": {"amount": "number"}},
    ]))
    app = _submitted_and_accepted(w, months=1, payload={"amount": 100_000, "lease_start": "2026-01-01", "months": 1,
                                                        "has_home": True})
    assert app.state == State.REJECTED and app.rule_outcome == "block"
    assert app.problems == ["连续足额缴存不满 3 个月", "本人及配偶在本市有自有住房"]
    app2 = _submitted_and_accepted(w, amount=300_000)
    assert app2.rule_outcome == "manual" and app2.state == State.UNDER_REVIEW and app2.stages_required == [0]


def test_no_review_level_and_passing_rules_approve_at_once(world, rent_handler):
    w = world
    spec = {**spec_of(item_latest(ITEM)), "review_stages": [{"name": "复审", "permission": "approvals.approve",
                                                              "above": 5_000_000}]}
    item_version_make(code=ITEM, spec=spec, effective_from=MON, actor=SystemActor("test"))
    app = _submitted_and_accepted(w)
    assert app.state == State.APPROVED and app.item_version.version == 2


def test_a_failed_execution_can_run_again_or_be_closed(world, rent_handler):
    w = world
    app = _submitted_and_accepted(w)
    app = services.application_review(application=app, actor=w["r1"], business_date=MON, decision="pass")
    EXECUTION["fail"] = True
    app = services.application_execute(application=app, actor=w["teller"], business_date=MON)
    assert app.state == State.EXECUTION_FAILED and (app.result or {}).get("error") == "BANK_UNAVAILABLE"
    EXECUTION["fail"] = False
    app = services.application_execute(application=app, actor=w["teller"], business_date=MON)
    assert app.state == State.COMPLETED and EXECUTION["runs"] == 2
    with pytest.raises(DomainError) as exc:
        services.application_close(application=app, actor=w["teller"], business_date=MON, reason="x")
    assert exc.value.code == "ILLEGAL_TRANSITION"


def test_refusal_withdrawal_and_cancellation(world, rent_handler):
    w = world
    app = _file(w)
    services.application_submit(application=app, actor=w["member"], business_date=MON)
    with pytest.raises(DomainError) as exc:
        services.application_not_accept(application=app, actor=w["teller"], business_date=MON, reasons=[])
    assert exc.value.code == "APPLICATION_REASON_REQUIRED"
    app = services.application_not_accept(application=app, actor=w["teller"], business_date=MON,
                                          reasons=["非本中心缴存职工", "租赁地不在本市"])
    assert app.state == State.NOT_ACCEPTED and app.problems == ["非本中心缴存职工", "租赁地不在本市"]
    other = _file(w)
    assert services.application_withdraw(application=other, actor=w["member"], business_date=MON).state == State.WITHDRAWN
    third = _file(w)
    with pytest.raises(PermissionDenied):
        services.application_cancel(application=third, actor=w["member"], business_date=MON, reason="x")
    assert services.application_cancel(application=third, actor=w["teller"], business_date=MON,
                                       reason="重复申请").state == State.CANCELLED


def test_an_agent_of_another_employer_cannot_see_or_touch_the_application(world, rent_handler):
    w = world
    app = _file(w)
    with pytest.raises(DomainError) as exc:
        selectors.application_get(w["agent_b"], app.number)
    assert exc.value.code == "APPLICATION_NOT_FOUND"
    assert not selectors.applications_visible(w["agent_b"]).exists()
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=app, actor=w["agent_b"], business_date=MON)
    with pytest.raises(PermissionDenied):
        services.application_submit(application=app, actor=w["agent_b"], business_date=MON)
    assert selectors.applications_visible(w["teller"], w["center"]).filter(pk=app.pk).exists()
