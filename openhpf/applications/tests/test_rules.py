"""Decision rules as data: checked when submitted, changed through maker-checker, effective-dated, every evaluation
stored and replayable."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.applications import services
from openhpf.applications.models import RuleSet, State
from openhpf.applications.rules import (
    Rule,
    evaluate_rules,
    evaluation_replay,
    outcome_of,
    rule_set_for,
    rule_set_make,
    rules_check,
)
from openhpf.approvals.registry import summary_of
from openhpf.approvals.services import command_approve, command_submit
from openhpf.catalog.models import IdentityLevel
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError

from .conftest import ITEM, store

pytestmark = pytest.mark.django_db
TODAY, NEXT_MONTH = date(2026, 11, 30), date(2026, 12, 1)


def _rules(months: int) -> list[dict]:
    return [{"code": "R-MONTHS", "expression": f"months_continuous >= {months}", "severity": "block",
             "message": f"连续足额缴存不满 {months} 个月", "inputs": {"months_continuous": "number"}},
            {"code": "R-HOME", "expression": "not has_home", "severity": "block", "message": "本人及配偶在本市有自有住房",
             "inputs": {"has_home": "flag"}}]


def _apply(w, on: date, months: int):
    app = services.application_create(
        center=w["center"], item_code=ITEM, channel="counter", identity_level=IdentityLevel.COUNTER_CHECK,
        actor=w["teller"], business_date=on, member_id=w["a"].member_id,
        payload={"amount": 100_000, "lease_start": "2026-01-01", "months": months, "has_home": False})
    for code in ("id_card", "bank_card"):
        services.application_attach(application=app, material_code=code, document=store(w["center"], w["teller"], code),
                                    actor=w["teller"], business_date=on)
    services.application_submit(application=app, actor=w["teller"], business_date=on)
    return services.application_accept(application=app, actor=w["teller"], business_date=on)


def test_a_rule_edit_approved_today_for_next_month_changes_decisions_from_then_only(world, rent_handler,
                                                                                    django_user_model):
    w = world
    leader = grant_role(django_user_model.objects.create_user("leader1", is_staff=True), "leader", center=w["center"])
    leader2 = grant_role(django_user_model.objects.create_user("leader2", is_staff=True), "leader", center=w["center"])
    # in force since January: 3 months of continuous contribution
    first = command_submit(name="applications.rule_set_change", actor=leader, center=w["center"],
                           business_date=date(2026, 1, 1),
                           params={"item_code": ITEM, "rules": _rules(3), "effective_from": "2026-01-01",
                                   "reason": "租房提取条件（2015 年通知）"})
    command_approve(command=first, actor=leader2, business_date=date(2026, 1, 1))
    # today: the center tightens it to 6 months from next month, approved today
    cmd = command_submit(name="applications.rule_set_change", actor=leader, center=w["center"], business_date=TODAY,
                         params={"item_code": ITEM, "rules": _rules(6), "effective_from": NEXT_MONTH.isoformat(),
                                 "reason": "本中心调整租房提取连续缴存月数"})
    assert "R-MONTHS" in " ".join(f.label for f in summary_of(cmd, leader2).facts)
    command_approve(command=cmd, actor=leader2, business_date=TODAY)
    assert list(RuleSet.objects.filter(item_code=ITEM).values_list("version", "effective_from")) == [
        (1, date(2026, 1, 1)), (2, NEXT_MONTH)]

    today_app = _apply(w, TODAY, months=4)  # decided today: version 1, 4 ≥ 3 passes
    assert today_app.rule_outcome == "pass" and today_app.state == State.UNDER_REVIEW
    later_app = _apply(w, NEXT_MONTH, months=4)  # decided next month: version 2, 4 < 6 blocks
    assert later_app.rule_outcome == "block" and later_app.state == State.REJECTED
    assert later_app.problems == ["连续足额缴存不满 6 个月"]

    old = today_app.evaluations.get()
    assert old.rule_set.version == 1 and old.inputs == {"months_continuous": 4, "has_home": False, "amount": 100_000}
    assert old.results == [{"code": "R-MONTHS", "holds": True, "severity": "block", "message": "连续足额缴存不满 3 个月"},
                           {"code": "R-HOME", "holds": True, "severity": "block", "message": "本人及配偶在本市有自有住房"}]
    # replayed after the change, the old decision comes out the same (its own version and snapshot)
    assert evaluation_replay(old) == old.results
    assert evaluation_replay(later_app.evaluations.get()) == later_app.evaluations.get().results


def test_bad_rules_are_refused_when_submitted(center, django_user_model):
    leader = grant_role(django_user_model.objects.create_user("leader3", is_staff=True), "leader", center=center)

    def submit(rules):
        with pytest.raises(DomainError) as exc:
            command_submit(name="applications.rule_set_change", actor=leader, center=center,
                           business_date=TODAY, params={"item_code": ITEM, "rules": rules, "reason": "x"})
        return exc.value

    undeclared = submit([{"code": "A", "expression": "salary > 1", "message": "m", "severity": "block",
                          "inputs": {"months": "number"}}])
    assert undeclared.code == "RULE_INVALID" and "salary" in undeclared.message and undeclared.field == "rules.0.expression"
    syntax = submit([{"code": "A", "expression": "months >", "message": "m", "severity": "block",
                      "inputs": {"months": "number"}}])
    assert syntax.code == "RULE_INVALID"
    typed = submit([{"code": "A", "expression": "months > 'x'", "message": "m", "severity": "block",
                     "inputs": {"months": "number"}}])
    assert typed.code == "RULE_INVALID"
    severity = submit([{"code": "A", "expression": "months > 1", "message": "m", "severity": "fatal",
                        "inputs": {"months": "number"}}])
    assert severity.field == "rules.0.severity"
    host = submit([{"code": "A", "expression": "__import__('os')", "message": "m", "severity": "block",
                    "inputs": {"months": "number"}}])
    assert host.code == "RULE_INVALID"


def test_every_failing_rule_is_reported_and_missing_inputs_never_pass():
    rules = rules_check([
        {"code": "A", "expression": "n >= 3", "message": "不满 3", "severity": "block", "inputs": {"n": "number"}},
        {"code": "B", "expression": "d >= d'2026-01-01'", "message": "早于 2026 年", "severity": "manual",
         "inputs": {"d": "date"}},
        {"code": "C", "expression": "city in cities", "message": "不在名单", "severity": "warn",
         "inputs": {"city": "text", "cities": "list"}},
    ])
    results = evaluate_rules(rules, {"n": 1, "d": "2025-06-30", "city": "BJ", "cities": ["SH"]})
    assert [(r.code, r.holds) for r in results] == [("A", False), ("B", False), ("C", False)]
    assert outcome_of(results) == "block"
    missing = evaluate_rules([Rule(code="N-MIN", expression="n >= 3", message="不满 3", severity="warn", inputs={"n": "number"})], {})
    assert not missing[0].holds and "缺少核验数据" in missing[0].message
    assert outcome_of(evaluate_rules(rules[1:], {"d": "2026-02-01", "city": "BJ", "cities": ["BJ"]})) == "pass"


def test_rule_sets_are_versioned_per_item():
    RuleSet.objects.filter(item_code=ITEM).delete()  # the item's seeded rules (withdrawals): this test makes its own
    rule_set_make(item_code=ITEM, rules=rules_check(_rules(3)), effective_from=date(2026, 1, 1),
                  actor=SystemActor("test"))
    rule_set_make(item_code=ITEM, rules=rules_check(_rules(6)), effective_from=NEXT_MONTH, actor=SystemActor("test"))
    assert rule_set_for(ITEM, TODAY).version == 1 and rule_set_for(ITEM, NEXT_MONTH).version == 2
    assert rule_set_for(ITEM, date(2025, 12, 31)) is None and rule_set_for("OTHER", TODAY) is None
