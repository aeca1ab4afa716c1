"""A test handler for the 租房提取 item (HPF-P-WD-07): the engine's plug-in contract, used as a real item's handler
would be (registered, not imported by the engine)."""

from __future__ import annotations

from typing import Any

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.applications.models import RuleSet
from openhpf.applications.registry import Handler, handler_swapped
from openhpf.conftest import grant_role
from openhpf.core.actors import AgentActor, MemberActor, SystemActor
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.iam.services import employer_agent_create, member_principal_create

ITEM = "HPF-P-WD-07"
EXECUTION = {"fail": False, "runs": 0}


def _validate(payload: dict[str, Any], app: Any) -> tuple[dict[str, Any], list[str]]:
    problems = []
    amount = payload.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems.append("提取金额应为大于零的金额")
    if not payload.get("lease_start"):
        problems.append("请填写租赁起始日期")
    return payload, problems


def _inputs(app: Any) -> dict[str, Any]:
    return {"months_continuous": app.payload.get("months", 0), "has_home": app.payload.get("has_home", False),
            "amount": app.payload.get("amount", 0)}


def _execute(app: Any, actor: Any, business_date: Any) -> dict[str, Any]:
    EXECUTION["runs"] += 1
    if EXECUTION["fail"]:
        raise DomainError(ErrorCode.BANK_UNAVAILABLE, error="连接超时")
    return {"paid": app.amount}


@pytest.fixture
def rent_handler(db):
    """The test handler in place of the item's real one (withdrawals registers it), with no rules seeded: the
    engine's tests make their own rule sets."""
    EXECUTION.update(fail=False, runs=0)
    RuleSet.objects.filter(item_code=ITEM).delete()
    with handler_swapped(Handler(item_code=ITEM, validate=_validate, rule_inputs=_inputs, execute=_execute,
                                 amount=lambda p: p.get("amount"))):
        yield


@pytest.fixture
def world(center, django_user_model):
    e1, e2 = make_employer(center, 1), make_employer(center, 2)
    a, b = make_account(center, e1, 1), make_account(center, e2, 2)
    teller = grant_role(django_user_model.objects.create_user("teller1", is_staff=True), "teller", center=center)
    r1 = grant_role(django_user_model.objects.create_user("review1", is_staff=True), "reviewer", center=center)
    r2 = grant_role(django_user_model.objects.create_user("review2", is_staff=True), "reviewer", center=center)
    member = MemberActor(member_principal_create(member=a.member, password="Member-Pass-2026",
                                                 actor=SystemActor("test")))
    agent_b = AgentActor(employer_agent_create(employer=e2, login_id="agentb", name="李经办", phone="13700000002",
                                               password="Agent-Pass-2026", actor=SystemActor("test")))
    return {"center": center, "e1": e1, "e2": e2, "a": a, "b": b, "teller": teller, "r1": r1, "r2": r2,
            "member": member, "agent_b": agent_b}


def store(center, teller, name: str = "scan.pdf"):
    return document_store(center=center, content=b"%PDF-1.4 " + name.encode(), original_name=name,
                          doc_type=DocType.ID_PROOF, retention=RetentionClass.LONG_30Y, actor=teller,
                          business_date=center.business_date)
