"""Inline risk checks (withdrawals/risk.py) and the verification sources of 03 and 07: each check fires on its own
case, its result is recorded on the application with its severity from the rule set, the thresholds are policy
values, and a severity changed in the rule set changes the outcome. `hpf verify` runs after each test."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from openhpf.applications.models import Application, State
from openhpf.applications.registry import handled_items
from openhpf.applications.rules import Rule, rule_set_for, rule_set_make, rules_of
from openhpf.catalog.models import ServiceItem
from openhpf.core.actors import SystemActor
from openhpf.core.models import PolicyParameter
from openhpf.verification.models import PropertyRecord, RetirementRecord, VerificationQuery
from openhpf.withdrawals import loanlink
from openhpf.withdrawals import risk as risk_module
from openhpf.withdrawals.config import reason_config
from openhpf.withdrawals.handlers import RENT, RETIREMENT
from openhpf.withdrawals.models import BankCard, Payout
from openhpf.withdrawals.risk import RISK_CODES, property_keys, register_property_history, risk_inputs

from .conftest import BALANCE, file, verified_card

pytestmark = pytest.mark.django_db
RENT_OK = {"amount": 600_000, "months": 3, "no_own_home": True}


def _old_card(w, days: int = 60):
    """A verified card registered `days` ago (not a recent change)."""
    card = verified_card(w)
    BankCard.objects.filter(pk=card.pk).update(created_on=w["center"].business_date - timedelta(days=days))
    return card


def _results(app) -> dict[str, dict]:
    return {r["code"]: r for r in app.evaluations.order_by("-id").first().results}


def _policy(w, key: str, kind: str, value) -> None:
    PolicyParameter.objects.create(center=w["center"], key=key, value_type=kind, value=value,
                                   effective_from=date(2026, 1, 1), approved_by="test", source="test")


def _paid_earlier(w, amount: int, months_ago: int = 2, item: str = RENT) -> Application:
    """An earlier withdrawal of the member (filed as rent, recorded under `item`), paid as the payout records it."""
    app = file(w, RENT, {**RENT_OK, "amount": amount})
    paid_on = w["center"].business_date - timedelta(days=30 * months_ago)
    Application.objects.filter(pk=app.pk).update(state=State.COMPLETED, accepted_on=paid_on, item_code=item)
    Payout.objects.update_or_create(application=app, defaults={
        "center": w["center"], "account": w["acct"], "amount": amount, "state": Payout.State.PAID, "paid_on": paid_on})
    return app


def test_every_withdrawal_reasons_rule_set_carries_every_risk_check(world):
    on = world["center"].business_date
    seeded = set(ServiceItem.objects.values_list("code", flat=True))  # a local reason's handler waits for its item
    items = [code for code in handled_items() if code.startswith("HPF-P-WD-") and code in seeded]
    assert {RENT, RETIREMENT} <= set(items)
    for item in items:  # every reason with a handler, whoever built it
        rs = rule_set_for(item, on)
        assert rs is not None and {r["code"] for r in rs.rules} >= RISK_CODES, item


def test_a_clean_rent_withdrawal_is_approved_at_once_with_every_risk_result_recorded(world):
    w = world
    _old_card(w)
    app = file(w, RENT, RENT_OK)
    assert app.state == State.UNDER_REVIEW and app.rule_outcome == "pass"  # 初审 (every withdrawal)
    results = _results(app)
    assert all(results[c]["holds"] for c in RISK_CODES)
    inputs = app.evaluations.get().inputs
    assert inputs["loan_overdue"] is False and inputs["property_prior"] == 0 and inputs["withdrawals_12m"] == 0
    assert inputs["card_recent_days"] == 30 and inputs["max_per_year"] == 4 and inputs["amount_unusual"] is False
    # the registry was asked, for this application, with its purpose
    q = VerificationQuery.objects.get(application_number=app.number)
    assert q.source == "property" and q.status == "not_found" and q.purpose.startswith("租房提取")


def test_the_card_recent_window_is_a_policy_value(world):
    w = world
    _old_card(w, days=10)
    assert file(w, RENT, RENT_OK).rule_outcome == "manual"  # 10 days < 30 (the default)
    _policy(w, "withdrawal.risk.card_recent_days", "int", 7)
    app = file(w, RENT, RENT_OK)
    assert app.rule_outcome == "pass" and _results(app)["CARD_RECENT"]["holds"]


def test_a_rent_withdrawal_is_refused_when_the_property_registry_shows_a_home(world):
    w = world
    _old_card(w)
    PropertyRecord.objects.create(subject=w["member"].id_number, certificate_no="浙(2021)杭州市不动产权第0000777号",
                                  district="西湖区", area_m2=Decimal("88.00"), registered_on=date(2021, 5, 1))
    app = file(w, RENT, RENT_OK)  # declared no home, the registry says otherwise
    assert app.state == State.REJECTED
    assert app.problems == ["本人或配偶在本市有自有住房，不能租房提取"]
    assert VerificationQuery.objects.get(application_number=app.number).status == "confirmed"
    assert not Payout.objects.filter(application=app).exists()


def test_a_home_sold_before_the_business_date_does_not_count(world):
    w = world
    _old_card(w)
    PropertyRecord.objects.create(subject=w["member"].id_number, certificate_no="浙(2019)杭州市不动产权第0000001号",
                                  district="上城区", area_m2=Decimal("60.00"), registered_on=date(2019, 1, 1),
                                  sold_on=date(2026, 3, 1))
    assert file(w, RENT, RENT_OK).rule_outcome == "pass"


@override_settings(HPF_VERIFICATION_SOURCES={"property": {"options": {"down": True}, "attempts": 1}})
def test_the_registry_down_routes_rent_to_manual_review_on_the_members_declaration(world):
    w = world
    _old_card(w)
    app = file(w, RENT, RENT_OK)
    assert app.state == State.UNDER_REVIEW and app.rule_outcome == "manual"
    assert app.problems == ["不动产登记信息核验暂不可用，转人工审核"]
    assert app.evaluations.get().inputs["own_home"] is None  # the declaration stands; a person reviews it


def test_retirement_proven_by_the_hrss_record(world):
    w = world
    _old_card(w)
    RetirementRecord.objects.create(subject=w["member"].id_number, kind="early", retired_on=date(2026, 10, 1),
                                    approved_by="市人社局")
    app = file(w, RETIREMENT, {"retirement_proof": "hrss", "retirement_date": "2026-10-01"},
               materials=("id_card", "retirement_proof", "bank_card"))
    assert app.state == State.UNDER_REVIEW and _results(app)["RETIRED"]["holds"]
    q = VerificationQuery.objects.get(application_number=app.number)
    assert q.source == "retirement" and q.status == "confirmed" and q.purpose.startswith("离休退休提取")


def test_retirement_denied_by_hrss_is_refused_even_with_a_certificate(world):
    w = world
    _old_card(w)
    RetirementRecord.objects.create(subject=w["member"].id_number, kind="statutory", retired_on=date(2027, 3, 1),
                                    approved_by="市人社局")
    app = file(w, RETIREMENT, {"retirement_proof": "certificate", "retirement_date": "2026-10-31",
                               "certificate_no": "浙退 2026-001"}, materials=("id_card", "retirement_proof", "bank_card"))
    assert app.state == State.REJECTED and "未能核实离休、退休（须人社退休信息或退休证）" in app.problems


def test_retirement_without_a_record_and_without_a_certificate_is_refused(world):
    w = world
    _old_card(w)
    app = file(w, RETIREMENT, {"retirement_proof": "hrss", "retirement_date": "2026-10-31"},
               materials=("id_card", "retirement_proof", "bank_card"))
    assert app.state == State.REJECTED and not _results(app)["RETIRED"]["holds"]


@override_settings(HPF_VERIFICATION_SOURCES={"retirement": {"options": {"down": True}, "attempts": 1}})
def test_hrss_down_falls_back_to_the_certificate_and_routes_to_manual_review(world):
    w = world
    _old_card(w)
    cert = file(w, RETIREMENT, {"retirement_proof": "certificate", "retirement_date": "2026-10-31",
                                "certificate_no": "浙退 2026-001"}, materials=("id_card", "retirement_proof", "bank_card"))
    assert cert.state == State.UNDER_REVIEW and _results(cert)["RETIRED"]["holds"]
    assert cert.problems == ["人社退休信息核验暂不可用，转人工审核"]
    # no certificate: nothing proves it, but the missing answer does not reject — a person decides
    hrss = file(w, RETIREMENT, {"retirement_proof": "hrss", "retirement_date": "2026-10-31"},
                materials=("id_card", "retirement_proof", "bank_card"))
    assert hrss.state == State.UNDER_REVIEW and hrss.rule_outcome == "manual"
    assert hrss.evaluations.get().inputs["retired"] is None


def test_an_overdue_hpf_loan_blocks_the_withdrawal(world, monkeypatch):
    w = world
    _old_card(w)
    member_id = w["member"].pk

    def loans(mid, on):
        return [loanlink.MemberLoan(contract_no="GJJ-2024-001", outstanding_principal=30_000_000,
                                    installments_this_year=2_400_000, next_installment=200_000, next_due=on,
                                    overdue=True, overdue_amount=200_000)] if mid == member_id else []

    monkeypatch.setattr(loanlink, "_SOURCES", [loans])
    app = file(w, RENT, RENT_OK)
    assert app.state == State.REJECTED and app.problems == ["本人住房公积金贷款有逾期未还的本息，不能提取"]
    assert _results(app)["RISK_LOAN_OVERDUE"]["severity"] == "block"


def test_frequency_across_reasons_routes_to_manual_review(world):
    w = world
    _old_card(w)
    _policy(w, "withdrawal.risk.max_per_year", "int", 1)
    _paid_earlier(w, 300_000, months_ago=13)  # more than 12 months ago: does not count
    assert file(w, RENT, RENT_OK).rule_outcome == "pass"
    Application.objects.filter(item_code=RENT).exclude(state=State.COMPLETED).update(state=State.CANCELLED)
    _paid_earlier(w, 300_000, months_ago=2, item="HPF-P-WD-09")  # 大病医疗: not the rent interval, but counted
    app = file(w, RENT, RENT_OK)
    assert app.rule_outcome == "manual" and not _results(app)["RISK_FREQUENCY"]["holds"]
    assert app.evaluations.get().inputs["withdrawals_12m"] == 1


def test_an_unusual_amount_routes_to_manual_review(world):
    w = world
    _old_card(w)
    _paid_earlier(w, 150_000, months_ago=14)  # the member's earlier withdrawals averaged 1,500.00 元
    app = file(w, RENT, RENT_OK)  # 6,000.00 元 > 3 × 1,500.00 元
    assert app.rule_outcome == "manual" and not _results(app)["RISK_AMOUNT"]["holds"]
    assert app.evaluations.get().inputs["amount_avg_prior"] == 150_000
    _policy(w, "withdrawal.risk.amount_multiple", "decimal", "5")
    assert file(w, RENT, RENT_OK).rule_outcome == "pass"  # within 5 ×


def test_an_amount_above_the_share_of_the_balance_is_unusual_but_not_for_a_closing_reason(world):
    w = world
    _old_card(w)
    _policy(w, "withdrawal.risk.amount_share", "decimal", "0.05")  # 5 % of 100,000.00 元 = 5,000.00 元
    assert not _results(file(w, RENT, RENT_OK))["RISK_AMOUNT"]["holds"]
    app = file(w, RETIREMENT, {"retirement_proof": "certificate", "retirement_date": "2026-10-31",
                               "certificate_no": "浙退 2026-001"}, materials=("id_card", "retirement_proof", "bank_card"))
    assert _results(app)["RISK_AMOUNT"]["holds"]  # the whole balance is what a closing reason pays


def test_a_severity_is_data_a_rule_set_change_makes_a_check_a_warning(world):
    w = world
    _old_card(w)
    _policy(w, "withdrawal.risk.amount_share", "decimal", "0.05")
    assert file(w, RENT, RENT_OK).rule_outcome == "manual"
    on = w["center"].business_date
    rules = [Rule(**{**r, "severity": "warn"}) if r["code"] == "RISK_AMOUNT" else Rule(**r)
             for r in rule_set_for(RENT, on).rules]
    rule_set_make(item_code=RENT, rules=rules, effective_from=on + timedelta(days=1), actor=SystemActor("test"),
                  reason="异常金额改为提示")
    assert file(w, RENT, RENT_OK).rule_outcome == "manual"  # in force from tomorrow only
    w["center"].business_date = on + timedelta(days=1)
    w["center"].save(update_fields=["business_date"])
    app = file(w, RENT, RENT_OK)
    assert app.state == State.UNDER_REVIEW and app.rule_outcome == "pass"  # 初审 (every withdrawal)
    assert _results(app)["RISK_AMOUNT"] == {"code": "RISK_AMOUNT", "holds": False, "severity": "warn",
                                            "message": "提取金额明显高于本人以往提取或占余额比例过高，转人工审核"}


def test_the_same_property_used_again_is_found_by_its_keys(world, monkeypatch):
    w = world
    _old_card(w)
    earlier = file(w, RENT, RENT_OK)
    Application.objects.filter(pk=earlier.pk).update(
        payload={**earlier.payload, "contract_no": "HZ-WQ-2026-000123"}, state=State.COMPLETED)
    now = file(w, RENT, RENT_OK)
    on, cfg = w["center"].business_date, reason_config(RENT, w["center"].business_date)
    now.payload = {**now.payload, "contract_no": " hz-wq-2026-000123 "}
    assert property_keys(now.payload) == ["HZ-WQ-2026-000123"]
    assert risk_inputs(now, on=on, cfg=cfg, balance=BALANCE)["property_prior"] == 1
    now.payload = {"cert_no": "HZ-WQ-2026-000123"}  # the same key under the other name
    assert risk_inputs(now, on=on, cfg=cfg, balance=BALANCE)["property_prior"] == 1
    now.payload = {"contract_no": "HZ-WQ-2026-000999"}
    assert risk_inputs(now, on=on, cfg=cfg, balance=BALANCE)["property_prior"] == 0
    # a refused earlier application did not use the property
    Application.objects.filter(pk=earlier.pk).update(state=State.REJECTED)
    now.payload = {"contract_no": "HZ-WQ-2026-000123"}
    assert risk_inputs(now, on=on, cfg=cfg, balance=BALANCE)["property_prior"] == 0
    # the property bookkeeping may answer instead
    monkeypatch.setattr(risk_module, "_PROPERTY_HISTORY", [])
    register_property_history(lambda keys, app: 2 if "HZ-WQ-2026-000123" in keys else 0)
    assert risk_inputs(now, on=on, cfg=cfg, balance=BALANCE)["property_prior"] == 2
    # and the rule set routes it to manual review
    from openhpf.applications.rules import evaluate_rules

    inputs = {**now.evaluations.get().inputs, "property_prior": 2}
    res = {r.code: r for r in evaluate_rules(rules_of(rule_set_for(RENT, on)), inputs)}
    assert not res["RISK_PROPERTY"].holds and res["RISK_PROPERTY"].severity == "manual"
