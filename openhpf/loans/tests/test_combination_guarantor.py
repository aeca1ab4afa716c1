"""Issue 20's remainder: the AGE rule by month with the woman borrower's original retirement age, 组合贷款 (the
commercial part referenced, its payment counted in the capacity cap, shown in the contract), guarantors where the
product says so, the registry's push of 抵押登记 status, the 异地 spouse at the counter."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.tests.factories import make_account, resident_id
from openhpf.applications.models import Application, State
from openhpf.audit.models import AuditRecord
from openhpf.core import db
from openhpf.core.actors import SystemActor
from openhpf.iam.services import partner_client_create, partner_token_issue
from openhpf.ledger.tests.factories import deposit
from openhpf.loans import terms
from openhpf.loans.handlers import unflatten
from openhpf.loans.models import Collateral, LoanContract, LoanGuarantor, LoanProduct

from .conftest import application_body, paid

pytestmark = pytest.mark.django_db
SYS = SystemActor("test")


def _post(client, url, headers, body=None):
    return client.post(url, body or {}, content_type="application/json", **headers)


def _problems(r) -> str:
    assert r.status_code == 422, r.content
    return "\n".join(r.json()["details"]["problems"])


# ---------------------------------------------------------------- retirement by month


@pytest.mark.parametrize(("sex", "birth", "original", "months"), [
    # by hand from the NPCSC table: men 60 from 1965-01, +1 month every 4 birth months; + 5 years (60 months)
    ("1", date(1964, 12, 31), None, 60 * 12 + 60),  # the last birth month before the table: 60 years
    ("1", date(1965, 1, 1), None, 60 * 12 + 1 + 60),  # the first: 60 years 1 month
    ("1", date(1965, 4, 30), None, 60 * 12 + 1 + 60),  # the same step
    ("1", date(1965, 5, 1), None, 60 * 12 + 2 + 60),  # the next step
    # women cadres 55 from 1970-01 (every 4 months); women workers 50 from 1975-01 (every 2 months)
    ("2", date(1969, 12, 15), 55, 55 * 12 + 60),
    ("2", date(1970, 1, 15), 55, 55 * 12 + 1 + 60),
    ("2", date(1975, 2, 28), 50, 50 * 12 + 1 + 60),
    ("2", date(1975, 3, 1), 50, 50 * 12 + 2 + 60),
])
def test_the_age_limit_in_months_from_the_table(center, sex, birth, original, months):
    assert terms.max_end_age_months(sex=sex, birth=birth, center=center, on=center.business_date,
                                    original_age=original) == months


def test_age_in_whole_months():
    assert terms.age_months(date(1965, 1, 15), date(2030, 2, 14)) == 65 * 12
    assert terms.age_months(date(1965, 1, 15), date(2030, 2, 15)) == 65 * 12 + 1
    assert terms.months_text(802) == "66 岁 10 个月" and terms.months_text(780) == "65 岁"


def _woman(center, w, n, birth):
    acct = make_account(center, w["emp"], n, id_number=resident_id(n, sex="2", birth=birth, region="110101"))
    paid(acct)
    deposit(center, acct.sub, 10_000_000, value_date=date(2026, 7, 1))
    return acct


def test_a_woman_cadres_original_age_55_lengthens_the_term_allowed(client, world, center):
    """A woman born 1975-03-01 (business date 2026-11): a worker (50) retires at 50 years 2 months, the limit is
    55 years 2 months = 662 months; a cadre (55, born after 1970-01 at +1 month every 4: 1975-03 is step 16) at
    56 years 4 months, the limit 61 years 4 months = 736 months. At 2026-11 she is 51 years 8 months (620
    months): 60 months end at 680 (> 662, ≤ 736)."""
    w = world
    acct = _woman(center, w, 8, date(1975, 3, 1))
    body = application_body(w, account_no=acct.account_no, amount=30_000_000, months=60, spouse=None)
    text = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"], body))
    assert "贷款到期时 56 岁 8 个月，上限 55 岁 2 个月" in text, text  # the default from policy: 50
    r = _post(client, "/api/v1/loans/applications", w["teller_h"], {**body, "original_age": 55})
    assert r.status_code == 201, r.content
    app = Application.objects.get(number=r.json()["number"])
    ev = app.evaluations.order_by("-id").first()
    assert ev.inputs["end_age_months"] == 680 and ev.inputs["max_end_age_months"] == 736
    assert app.payload["original_age"] == 55
    text = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"], {**body, "original_age": 60}))
    assert "女性借款人的原法定退休年龄应为 50 岁（女工人）或 55 岁（女干部）" in text


# ---------------------------------------------------------------- combination loans and guarantors


COMMERCIAL = {"bank": "中国建设银行杭州分行", "contract_no": "JH-2026-0099", "amount": 50_000_000, "months": 360,
              "payment": 240_000}


def test_combination_loan_counts_the_commercial_payment_and_shows_it_in_the_contract(client, world):
    w = world
    # income 20,000 元 × 50% = 10,000 元; less the commercial 2,400 元 → 7,600 元 a month for the HPF part
    body = application_body(w, product="HPF-COMBO", amount=30_000_000)
    text = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"], body))
    assert "组合贷款须填写商业贷款部分" in text
    text = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"],
                           application_body(w, commercial=COMMERCIAL)))
    assert "只有组合贷款产品可以填写商业贷款部分" in text
    big = application_body(w, product="HPF-COMBO", amount=60_000_000, monthly_income=800_000,
                           commercial=COMMERCIAL)
    # 8,000 元 × 50% − 2,400 = 1,600 元 a month for the HPF part: at 2.6% over 360 months the principal is at most
    # 1,600 × (1 − 1.0021667^−360) / 0.0021667 ≈ 1,600 × 249.8 ≈ 399,7xx 元 (without the commercial payment
    # 4,000 元 a month: ≈ 999,xxx 元, no refusal)
    text = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"], big))
    assert "贷款金额超过还款能力限额：还款能力限额 399," in text, text
    cap = terms.capacity_principal(160_000, terms.rate_for(second_home=False, months=360, center=w["center"],
                                                           on=w["center"].business_date), 360, "01")
    assert 39_900_000 <= cap < 40_000_000
    r = _post(client, "/api/v1/loans/applications", w["teller_h"], {**body, "commercial": COMMERCIAL})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    for who in ("r1", "r2"):
        _post(client, f"/api/v1/applications/{number}/review", w[f"{who}_h"], {"decision": "pass"})
    r = _post(client, f"/api/v1/loans/applications/{number}/contract", w["teller_h"])
    assert r.status_code in (200, 201), r.content
    c = LoanContract.objects.get(application__number=number)
    assert (c.commercial_bank, c.commercial_contract_no, c.commercial_amount, c.commercial_months,
            c.commercial_payment) == ("中国建设银行杭州分行", "JH-2026-0099", 50_000_000, 360, 240_000)
    assert c.principal == 30_000_000  # the HPF part only is booked here


def test_a_product_with_guarantors_requires_one_and_keeps_the_id_encrypted(client, world, center):
    w = world
    LoanProduct.objects.filter(code="HPF").update(guarantor_required=True)
    body = application_body(w, amount=30_000_000)
    text = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"], body))
    assert "须提供保证人（担保方式：保证）" in text
    bad = _problems(_post(client, "/api/v1/loans/applications", w["teller_h"],
                          {**body, "guarantors": [{"name": "赵保证", "id_number": "110101199001011234"}]}))
    assert "第 1 位保证人" in bad
    gid = resident_id(31, birth=date(1980, 6, 6), region="110101")
    r = _post(client, "/api/v1/loans/applications", w["teller_h"],
              {**body, "guarantors": [{"name": "赵保证", "id_number": gid}]})
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    for who in ("r1", "r2"):
        _post(client, f"/api/v1/applications/{number}/review", w[f"{who}_h"], {"decision": "pass"})
    assert _post(client, f"/api/v1/loans/applications/{number}/contract", w["teller_h"]).status_code in (200, 201)
    g = LoanGuarantor.objects.get(application__number=number)
    assert g.name == "赵保证" and g.guarantee_type == "03" and g.id_number == gid
    raw = db.fetch("SELECT id_number FROM loans_loanguarantor WHERE id = %s", [g.pk])[0][0]
    assert gid not in str(raw)  # stored encrypted
    assert LoanGuarantor.objects.filter(id_number=gid).exists()  # found through the blind index


# ---------------------------------------------------------------- the registry's push


def _approved_with_collateral(client, w) -> str:
    body = application_body(w, amount=30_000_000)
    number = _post(client, "/api/v1/loans/applications", w["teller_h"], body).json()["number"]
    for who in ("r1", "r2"):
        _post(client, f"/api/v1/applications/{number}/review", w[f"{who}_h"], {"decision": "pass"})
    assert Application.objects.get(number=number).state == State.APPROVED
    _post(client, f"/api/v1/loans/applications/{number}/contract", w["teller_h"])
    r = _post(client, f"/api/v1/loans/applications/{number}/collateral", w["teller_h"],
              {"certificate_no": "ZH-1", "appraised_value": 50_000_000, "registration": "none"})
    assert r.status_code == 200, r.content
    return LoanContract.objects.get(application__number=number).contract_no


def _partner(scope: str) -> dict:
    secret, c = partner_client_create(name="不动产登记中心", scopes=[scope], purposes=["抵押登记"],
                                      ip_allowlist=["127.0.0.1/32"], actor=SYS)
    t = partner_token_issue(client_id=c.client_id, client_secret=secret, scope=scope, ip="127.0.0.1")
    assert t.ok, t.message
    return {"HTTP_AUTHORIZATION": f"Bearer {t.token}"}


def test_the_registry_pushes_the_registration_once(client, world):
    w = world
    contract_no = _approved_with_collateral(client, w)
    url = "/api/v1/loans/registry/registrations"
    body = {"contract_no": contract_no, "registration": "registered", "registration_no": "DY-2026-1"}
    assert _post(client, url, w["teller_h"], body).status_code in (401, 403)  # a staff token is not the registry
    assert _post(client, url, _partner("verify.loan"), body).status_code == 403  # a partner without the scope
    h = _partner("registry.push")
    r = _post(client, url, h, {**body, "registration_no": ""})
    assert r.status_code == 422 and "抵押登记须填写抵押登记证明号" in r.json()["message"]
    assert _post(client, url, h, {**body, "contract_no": "JK-NONE"}).status_code == 404
    r = _post(client, url, h, body)
    assert r.status_code == 200 and r.json()["changed"] is True and r.json()["registration"] == "registered"
    c = Collateral.objects.get(application__loan_contract__contract_no=contract_no)
    assert c.registration == "registered" and c.registration_no == "DY-2026-1"
    assert c.registered_on == w["center"].business_date
    r = _post(client, url, h, body)  # the same push again: nothing changes
    assert r.status_code == 200 and r.json()["changed"] is False
    r = _post(client, url, h, {"contract_no": contract_no, "registration": "preliminary", "preliminary_no": "YG-9"})
    assert r.json()["changed"] is False and r.json()["registration"] == "registered"  # never backwards
    assert AuditRecord.objects.filter(action="loans.collateral.push").count() == 1


# ---------------------------------------------------------------- the 异地 spouse at the counter


def test_the_counter_form_takes_a_remote_spouse():
    payload = unflatten({"amount": 30_000_000, "months": 240, "method": "01", "monthly_income": 2_000_000,
                         "property_contract_no": "WQ-1", "property_kind": "new", "property_price": 100_000_000,
                         "property_area": "89.5", "payee_name": "某置业", "payee_account": "3301000000009999",
                         "remote_role": "spouse", "remote_name": "王异地", "remote_center": "上海市公积金管理中心",
                         "remote_account_no": "310000123", "remote_certificate_no": "ZM-2026-77",
                         "remote_months_continuous": 24, "remote_balance": 8_000_000, "remote_has_loan": False})
    assert payload["spouse"] == {"name": "王异地", "remote": {
        "center": "上海市公积金管理中心", "account_no": "310000123", "certificate_no": "ZM-2026-77",
        "months_continuous": 24, "balance": 8_000_000, "has_loan": False}}
    assert payload["co_borrowers"] == [] and payload["commercial"] is None and payload["guarantors"] == []
