"""A borrower with 23 months paid without a gap and 100,000.00 元, a spouse member with 50,000.00 元, the clerks of a
loan (counter, three review levels, finance) with API tokens, and the center's 专户 at the bank simulator."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from openhpf.accounts.models import PaidMonths
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.conftest import finance_clerk, grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.models import StaffProfile
from openhpf.iam.services import api_token_issue
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.tests.conftest import bank, sim  # noqa: F401 — the simulator and the center's 专户

ALL_YEAR = 0b111111111111
UP_TO_NOV = 0b11111111111


def token(user, center):
    StaffProfile.objects.get_or_create(user=user, defaults={"center": center})
    plain, _ = api_token_issue(user=user, name="t", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def paid(acct, *, gap: bool = False):
    PaidMonths.objects.create(account=acct, year=2025, months=ALL_YEAR, back=0)
    # a gap: 2026-09 not paid, so only October and November count back from November
    PaidMonths.objects.create(account=acct, year=2026, months=UP_TO_NOV & ~(1 << 8) if gap else UP_TO_NOV, back=0)


@pytest.fixture
def world(center, django_user_model):
    emp = make_employer(center, 1)
    borrower = make_account(center, emp, 1)
    spouse = make_account(center, emp, 2, id_number=resident_id(2, sex="2", birth=date(1991, 5, 1)))
    deposit(center, borrower.sub, 10_000_000, value_date=date(2026, 7, 1))
    deposit(center, spouse.sub, 5_000_000, value_date=date(2026, 7, 1))
    paid(borrower)
    paid(spouse)
    users = {}
    for name, role in (("ln_teller", "teller"), ("ln_r1", "reviewer"), ("ln_r2", "reviewer"), ("ln_r3", "approver")):
        users[name] = grant_role(django_user_model.objects.create_user(name, is_staff=True), role, center=center)
    fin = finance_clerk()
    w = {"center": center, "emp": emp, "borrower": borrower, "spouse": spouse, "teller": users["ln_teller"],
         "r1": users["ln_r1"], "r2": users["ln_r2"], "r3": users["ln_r3"], "fin": fin}
    for k in ("teller", "r1", "r2", "r3", "fin"):
        w[f"{k}_h"] = token(w[k], center)
    return w


def b64(text: str) -> str:
    return base64.b64encode(f"%PDF-1.4 {text}".encode()).decode()


MATERIALS = [{"code": c, "file_name": f"{c}.pdf", "content_base64": b64(c)}
             for c in ("id_card", "purchase_contract", "marriage_proof", "income_proof", "credit_consent")]


def application_body(w, **over):
    body = {
        "account_no": w["borrower"].account_no, "amount": 60_000_000, "months": 360, "method": "01",
        "monthly_income": 2_000_000, "spouse": {"account_no": w["spouse"].account_no}, "co_borrowers": [],
        "property": {"contract_no": "WQ2026-330106-000123", "price": 100_000_000, "area": "89.50",
                     "kind": "second_hand", "address": "杭州市西湖区文三路 1 号 2-301",
                     "payee_name": "李卖房", "payee_account": "6222000011112222", "payee_bank": "建设银行"},
        "materials": MATERIALS,
    }
    body.update(over)
    return body
