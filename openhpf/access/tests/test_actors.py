"""Typed actors at the access layer: a string is no actor, a member, agent or partner holds only the narrow
permissions and rows of its own, a system actor holds batch work's permissions."""

from __future__ import annotations

import pytest

from openhpf.access.catalogue import KIND_PERMISSIONS, PERMISSIONS
from openhpf.access.selectors import (
    can_see_center,
    check_permission,
    has_permission,
    scope_queryset,
    user_clearance,
    user_permissions,
)
from openhpf.accounts import selectors as account_selectors
from openhpf.accounts.models import Employer, Member, MemberAccount
from openhpf.accounts.tests.factories import credit_code, make_account, make_employer
from openhpf.core.actors import AgentActor, MemberActor, PartnerActor, SystemActor
from openhpf.core.errors import PermissionDenied
from openhpf.iam.services import employer_agent_create, member_principal_create


@pytest.fixture
def world(center):
    e1, e2 = make_employer(center, 1), make_employer(center, 2)
    a, b, c = make_account(center, e1, 1), make_account(center, e1, 2), make_account(center, e2, 3)
    return {"e1": e1, "e2": e2, "a": a, "b": b, "c": c}


@pytest.fixture
def member(world):
    p = member_principal_create(member=world["a"].member, password="Member-Pass-2026", actor=SystemActor("test"))
    return MemberActor(p)


@pytest.fixture
def agent(world):
    a = employer_agent_create(employer=world["e1"], login_id="agent1", name="王经办", phone="13700000001",
                              password="Agent-Pass-2026", actor=SystemActor("test"))
    return AgentActor(a)


def test_a_string_actor_is_refused(center):
    for perm in ("accounts.open", "ledger.post_manual", "jobs.run"):
        assert not has_permission("system:x", perm, center=center)
        with pytest.raises(PermissionDenied) as e:
            check_permission("system:x", perm, center=center)
        assert e.value.code == "FORBIDDEN" and e.value.details == {"permission": perm}
    assert user_permissions("system:cli") == frozenset()
    assert not can_see_center("system:x", center)
    assert not scope_queryset("system:x", MemberAccount.objects.all()).exists()
    # …and so is a service called with one: nothing is written
    with pytest.raises(PermissionDenied):
        make_employer(center, 9, actor="system:x")
    assert not Employer.objects.filter(credit_code=credit_code(9)).exists()


def test_a_system_actor_holds_batch_work(center, world):
    sys = SystemActor("dayend")
    assert user_permissions(sys) == frozenset(PERMISSIONS)
    check_permission(sys, "settlement.operate", center=center)
    assert scope_queryset(sys, MemberAccount.objects.all()).count() == 3
    assert user_clearance(sys) == 0  # clear personal data is asked for explicitly, never by default


def test_a_member_holds_only_its_own_account(center, world, member):
    assert user_permissions(member) == KIND_PERMISSIONS["member"]
    assert has_permission(member, "portal.own_account.view")
    for perm in PERMISSIONS:  # never a staff permission
        assert not has_permission(member, perm, center=center)
    assert not can_see_center(member, center) and user_clearance(member, center=center) == 0
    assert list(scope_queryset(member, MemberAccount.objects.all())) == [world["a"]]
    assert list(scope_queryset(member, Member.objects.all())) == [world["a"].member]
    assert not scope_queryset(member, Employer.objects.all()).exists()
    assert not scope_queryset(member, MemberAccount.objects.all(), perm="portal.own_employer.view").exists()


def test_a_member_calling_a_staff_service_is_refused(center, world, member):
    with pytest.raises(PermissionDenied) as e:
        account_selectors.member_account_get(center=center, account_no=world["a"].account_no, user=member)
    assert e.value.code == "FORBIDDEN" and e.value.details == {"permission": "accounts.view"}
    with pytest.raises(PermissionDenied):
        make_employer(center, 8, actor=member)


def test_an_agent_sees_its_own_employer_and_its_members(center, world, agent):
    assert has_permission(agent, "portal.own_employer.view") and not has_permission(agent, "portal.own_account.view")
    assert not has_permission(agent, "accounts.view", center=center)
    assert list(scope_queryset(agent, Employer.objects.all())) == [world["e1"]]
    assert set(scope_queryset(agent, MemberAccount.objects.all())) == {world["a"], world["b"]}
    with pytest.raises(PermissionDenied):
        account_selectors.employer_get(center=center, account_no=world["e1"].account_no, user=agent)


def test_a_partner_holds_its_token_scopes_and_never_a_staff_permission(center):
    client = type("Client", (), {"pk": 5, "client_id": "p1"})()
    partner = PartnerActor(client, scopes=("verify.member", "accounts.view"))
    assert has_permission(partner, "verify.member")
    assert not has_permission(partner, "accounts.view", center=center)  # a scope named like one is no grant
    assert not has_permission(partner, "verify.loan")
    assert not scope_queryset(partner, MemberAccount.objects.all()).exists()
