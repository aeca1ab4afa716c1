"""The collateral of an approved loan application: the LTV cap, registration moving only forward, and the
condition for paying by the property's kind (期房: 预告登记 with the developer's 阶段性担保, or 抵押登记)."""

from __future__ import annotations

import pytest

from openhpf.applications.models import Application, State
from openhpf.loans.collateral import disbursement_condition

from .conftest import application_body

pytestmark = pytest.mark.django_db


def _post(client, url, headers, body=None):
    return client.post(url, body or {}, content_type="application/json", **headers)


def _approved_off_plan(client, w) -> str:
    body = application_body(w, amount=30_000_000)  # 300,000.00 元: 初审 and 复审 only
    body["property"].update(kind="off_plan", payee_name="杭州某某置业有限公司", payee_account="3301000000009999")
    r = _post(client, "/api/v1/loans/applications", w["teller_h"], body)
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    for who in ("r1", "r2"):
        r = _post(client, f"/api/v1/applications/{number}/review", w[f"{who}_h"], {"decision": "pass"})
    assert r.json()["state"] == State.APPROVED
    return number


def test_off_plan_needs_the_developers_guarantee_until_the_mortgage_is_registered(client, world):
    w = world
    number = _approved_off_plan(client, w)
    app = Application.objects.get(number=number)
    url = f"/api/v1/loans/applications/{number}/collateral"
    assert disbursement_condition(app, w["center"].business_date) == ["尚未登记抵押物"]
    r = _post(client, url, w["teller_h"], {"certificate_no": "YG-1", "appraised_value": 30_000_000,
                                           "registration": "preliminary", "preliminary_no": "YG-1"})
    assert r.status_code == 422 and r.json()["code"] == "LOAN_COLLATERAL_INVALID"  # LTV 100% > 80%
    assert "抵押率 100.00% 超过上限 80.00%" in r.json()["message"]
    r = _post(client, url, w["teller_h"], {"certificate_no": "YG-1", "appraised_value": 50_000_000,
                                           "registration": "preliminary", "preliminary_no": "YG-1"})
    assert r.status_code == 200 and r.json()["ltv"] == "0.6000"
    assert disbursement_condition(app, w["center"].business_date) == [
        "期房在抵押登记前须由开发企业提供阶段性担保（担保人与担保合同编号）"]
    r = _post(client, url, w["teller_h"], {"certificate_no": "YG-1", "appraised_value": 50_000_000,
                                           "registration": "preliminary", "preliminary_no": "YG-1",
                                           "guarantor": "杭州某某置业有限公司", "guarantee_no": "DB-2026-7",
                                           "guarantee_until": "至抵押登记办妥"})
    assert r.status_code == 200
    assert disbursement_condition(app, w["center"].business_date) == []
    r = _post(client, url, w["teller_h"], {"certificate_no": "YG-1", "appraised_value": 50_000_000,
                                           "registration": "none"})
    assert r.status_code == 422 and "不能从「抵押预告登记」退回「未登记」" in r.json()["message"]


def test_collateral_only_after_approval_and_with_the_permission(client, world):
    w = world
    r = _post(client, "/api/v1/loans/applications", w["teller_h"], application_body(w, amount=30_000_000))
    number = r.json()["number"]
    body = {"certificate_no": "X", "appraised_value": 50_000_000, "registration": "registered",
            "registration_no": "DY-1"}
    r = _post(client, f"/api/v1/loans/applications/{number}/collateral", w["teller_h"], body)
    assert r.status_code == 409 and r.json()["code"] == "LOAN_NOT_APPROVED"
    r = _post(client, f"/api/v1/loans/applications/{number}/collateral", w["r1_h"], body)
    assert r.status_code == 403  # a reviewer does not hold loans.operate
    r = _post(client, f"/api/v1/loans/applications/{number}/contract", w["teller_h"])
    assert r.status_code == 409 and r.json()["code"] == "LOAN_NOT_APPROVED"
