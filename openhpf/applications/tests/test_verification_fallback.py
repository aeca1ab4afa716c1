"""The engine and the verification sources: a handler's rule inputs come from a source; a source that times out
sends the application to manual review with the problem listed (not rejected for the missing answer), and the
review screen's 核验结果 section shows each query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from openhpf.applications import registry, services
from openhpf.applications.models import RuleSet, State
from openhpf.applications.registry import Handler, handler_swapped
from openhpf.applications.rules import rule_set_make, rules_check
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import IdentityLevel
from openhpf.core.actors import SystemActor
from openhpf.verification import services as verification
from openhpf.verification.models import PropertyRecord, VerificationQuery

from .conftest import ITEM, store

pytestmark = pytest.mark.django_db
MON = date(2026, 11, 30)


def _validate(payload: dict[str, Any], app: Any) -> tuple[dict[str, Any], list[str]]:
    return payload, [] if payload.get("amount") else ["提取金额应为大于零的金额"]


def _inputs(app: Any) -> dict[str, Any]:
    """The rent item's inputs: whether the member owns a home here comes from 不动产登记 (None when unavailable)."""
    answer = verification.verify("property", subject=app.member.id_number, question={"on": app.accepted_on},
                                 purpose="租房提取：核查本人名下住房")
    return {"has_home": None if answer.unavailable else answer.status == "confirmed",
            "amount": app.payload.get("amount", 0)}


@pytest.fixture
def property_handler(db):
    RuleSet.objects.filter(item_code=ITEM).delete()  # the item's real handler (withdrawals) steps aside, with its rules
    rule_set_make(item_code=ITEM, effective_from=date(2026, 1, 1), actor=SystemActor("test"), reason="测试",
                  rules=rules_check([{"code": "R2", "expression": "not has_home", "message": "本人在本市有自有住房",
                                      "severity": "block", "inputs": {"has_home": "flag"}}]))
    with handler_swapped(Handler(item_code=ITEM, validate=_validate, rule_inputs=_inputs,
                                 execute=lambda app, actor, day: {}, amount=lambda p: p.get("amount"))):
        yield


def _accepted(w):
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel="mobile", identity_level=IdentityLevel.FACE, actor=w["member"],
        business_date=MON, payload={"amount": 100_000, "lease_start": "2026-01-01"})
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=MON)
    services.application_submit(application=app, actor=w["member"], business_date=MON)
    return services.application_accept(application=app, actor=w["teller"], business_date=MON)


@override_settings(HPF_VERIFICATION_SOURCES={"property": {"options": {"delay": 2.0}, "timeout": 0.2}})
def test_a_source_that_times_out_routes_the_application_to_manual_review(world, property_handler):
    w = world
    PropertyRecord.objects.create(subject=w["a"].member.id_number, certificate_no="浙(2020)杭州市不动产权第0000001号",
                                  district="西湖区", area_m2=Decimal("90.00"), registered_on=date(2020, 1, 1))
    app = _accepted(w)
    # the blocking rule could not be checked: not rejected, but reviewed by a person, the problem told
    assert app.state == State.UNDER_REVIEW and app.rule_outcome == "manual" and 0 in app.stages_required
    assert app.problems == ["不动产登记信息核验暂不可用，转人工审核"]
    q = VerificationQuery.objects.get(application_number=app.number)
    assert q.status == "unavailable" and q.requester_label == "user:teller1" and q.center_id == w["center"].pk
    ev = AuditRecord.objects.filter(action="applications.rules.evaluate", object_id=str(app.pk)).get()
    assert ev.after is not None and ev.after["unavailable"] == ["property"] and ev.after["outcome"] == "manual"
    # the reviewer sees the answer in 核验结果 (and the read is audited)
    sections = dict(registry.review_sections(app, w["r1"]))
    (label, text), = sections["核验结果"]
    assert label == "不动产登记信息核验" and text.startswith("暂不可用 · ") and "已转人工审核" in text
    assert AuditRecord.objects.filter(action="verification.query.answers", object_id=str(app.pk)).count() == 1
    assert "核验结果" not in dict(registry.review_sections(app, w["teller"]))  # a clerk without the review permission: not shown
    app = services.application_review(application=app, actor=w["r1"], business_date=MON, decision="pass",
                                      reason="已线下核查不动产登记")
    assert app.state == State.APPROVED


def test_a_healthy_source_decides_by_its_answer(world, property_handler):
    w = world
    PropertyRecord.objects.create(subject=w["a"].member.id_number, certificate_no="浙(2020)杭州市不动产权第0000001号",
                                  district="西湖区", area_m2=Decimal("90.00"), registered_on=date(2020, 1, 1))
    app = _accepted(w)
    assert app.state == State.REJECTED and app.problems == ["本人在本市有自有住房"]
    q = VerificationQuery.objects.get(application_number=app.number)
    assert q.status == "confirmed" and len(q.answer_sm3) == 64
    text = dict(registry.review_sections(app, w["r1"]))["核验结果"][0][1]
    assert text.startswith("核验一致 · ") and "名下住房 1 套：西湖区 90.00㎡" in text


@override_settings(HPF_VERIFICATION_SOURCES={"property": {"options": {"down": True}, "attempts": 1}})
def test_a_blocking_rule_failing_on_data_it_had_still_rejects_while_a_source_is_down(world, property_handler):
    w = world
    rule_set_make(item_code=ITEM, effective_from=date(2026, 1, 2), actor=SystemActor("test"), reason="测试",
                  rules=rules_check([
                      {"code": "R2", "expression": "not has_home", "message": "本人在本市有自有住房", "severity": "block",
                       "inputs": {"has_home": "flag"}},
                      {"code": "R9", "expression": "amount <= 50000", "message": "超过提取上限", "severity": "block",
                       "inputs": {"amount": "number"}}]))
    app = _accepted(w)
    assert app.state == State.REJECTED and "超过提取上限" in app.problems
    assert VerificationQuery.objects.get(application_number=app.number).reason == "连接被拒绝"
