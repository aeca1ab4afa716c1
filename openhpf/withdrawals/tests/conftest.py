"""A member with 100,000.00 元 paid in from 7/1, a verified card of its own, the clerks of a withdrawal (counter,
two reviewers, finance) and, for the money tests, the center's 专户 at the bank simulator (settlement's fixtures)."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.models import PaidMonths
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.applications import services as engine
from openhpf.catalog.models import IdentityLevel
from openhpf.conftest import finance_clerk, grant_role
from openhpf.core.codes import RetentionClass
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.tests.conftest import bank, sim  # noqa: F401 — the simulator and the center's 专户
from openhpf.withdrawals.cards import card_add, card_verify

CARD = "6217000000001234"
BALANCE = 10_000_000  # 100,000.00 元, value date 7/1


@pytest.fixture
def world(center, django_user_model):
    emp = make_employer(center, 1)
    acct = make_account(center, emp, 1)
    deposit(center, acct.sub, BALANCE, value_date=date(2026, 7, 1))
    PaidMonths.objects.create(account=acct, year=2026, months=0b11110000000, back=0)  # 2026-08 … 2026-11
    teller = grant_role(django_user_model.objects.create_user("wd_teller", is_staff=True), "teller", center=center)
    r1 = grant_role(django_user_model.objects.create_user("wd_rev1", is_staff=True), "reviewer", center=center)
    r2 = grant_role(django_user_model.objects.create_user("wd_rev2", is_staff=True), "reviewer", center=center)
    return {"center": center, "acct": acct, "member": acct.member, "teller": teller, "r1": r1, "r2": r2,
            "fin": finance_clerk()}


def verified_card(w, number: str = CARD, member=None):
    member = member or w["member"]
    card = card_add(member=member, card_no=number, bank_code="ICBC", bank_name="工商银行",
                    holder_name=member.name, actor=w["teller"], business_date=w["center"].business_date)
    return card_verify(card=card, actor=w["r1"], business_date=w["center"].business_date)


def file(w, item: str, payload: dict, materials=("id_card", "bank_card"), *, member=None, branch_id=None):
    """A clerk files and submits the application at the counter, materials attached; then 受理."""
    c, bd = w["center"], w["center"].business_date
    app = engine.application_create(center=c, item_code=item, channel="counter",
                                    identity_level=IdentityLevel.COUNTER_CHECK, actor=w["teller"], business_date=bd,
                                    payload=payload, member_id=(member or w["member"]).pk, branch_id=branch_id)
    for code in materials:
        doc = document_store(center=c, content=b"%PDF-1.4 " + code.encode(), original_name=f"{code}.pdf",
                             doc_type=DocType.ID_PROOF, retention=RetentionClass.LONG_30Y, actor=w["teller"],
                             business_date=bd)
        engine.application_attach(application=app, material_code=code, document=doc, actor=w["teller"],
                                  business_date=bd)
    app = engine.application_submit(application=app, actor=w["teller"], business_date=bd)
    return engine.application_accept(application=app, actor=w["teller"], business_date=bd)
