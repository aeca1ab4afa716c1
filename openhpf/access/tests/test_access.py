"""Roles, separation of duties (三员分立), permissions by center, data scope, clearance."""

from __future__ import annotations

import pytest

from openhpf.access.catalogue import PERMISSIONS, ROLES
from openhpf.access.models import Role, RoleAssignment
from openhpf.access.services import (
    check_permission,
    has_permission,
    role_assign,
    role_revoke,
    scope_queryset,
    user_clearance,
)
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.core.services import center_create


@pytest.fixture
def center_b(db):
    return center_create(code="330200", name="宁波住房公积金管理中心", business_date=__import__(
        "openhpf.conftest", fromlist=["BUSINESS_DATE"]).BUSINESS_DATE, actor=SystemActor("test"), city="宁波")


@pytest.fixture
def user(django_user_model, db):
    def make(name: str, *roles: str, center=None, superuser: bool = False):
        u = django_user_model.objects.create_user(name, password="pw-Test-2026", is_staff=True,
                                                  is_superuser=superuser)
        return grant_role(u, *roles, center=center)

    return make


def _code(fn, *a, **kw) -> str:
    with pytest.raises((DomainError, PermissionDenied)) as e:
        fn(*a, **kw)
    return e.value.code


def test_catalogue_seeded(db):
    assert set(Role.objects.values_list("code", flat=True)) == {r.code for r in ROLES}
    for spec in ROLES:
        role = Role.objects.get(code=spec.code)
        assert set(role.permissions.values_list("code", flat=True)) == set(spec.permissions)
        assert set(spec.permissions) <= set(PERMISSIONS)


def test_permissions_by_center(center, center_b, user):
    t = user("t1", "teller", center=center)
    assert has_permission(t, "accounts.view", center=center)
    assert has_permission(t, "accounts.view")  # at any center
    assert not has_permission(t, "accounts.view", center=center_b)
    assert not has_permission(t, "ledger.post_manual", center=center)
    assert _code(check_permission, t, "audit.view", center=center) == "FORBIDDEN"
    assert has_permission(SystemActor("test"), "ledger.post_manual", center=center)
    assert not has_permission("system:test", "ledger.post_manual", center=center)  # a string is not an actor
    assert not has_permission(None, "accounts.view")
    assert not has_permission(t, "no.such.permission")
    assert has_permission(user("f1", "finance", center=center), "ledger.entry.manual", center=center)  # alias


def test_separation_of_three_administrators(center, user):
    sa = user("sa", "sysadmin")
    sec = user("sec", "secadmin")
    aud = user("aud", "secauditor")
    for u in (sa, sec):
        assert not has_permission(u, "accounts.view", center=center)
        assert not has_permission(u, "audit.view", center=center)
    assert has_permission(aud, "audit.view", center=center)
    assert not has_permission(aud, "accounts.view", center=center)
    assert has_permission(sec, "iam.manage_roles", center=center)
    assert not has_permission(sa, "iam.manage_roles", center=center)
    # incompatible combinations are refused
    assert _code(role_assign, user=sa, role="secauditor", center=None, actor=sec) == "ROLE_INCOMPATIBLE"
    assert _code(role_assign, user=sa, role="teller", center=center, actor=sec) == "ROLE_INCOMPATIBLE"
    t = user("t2", "teller", center=center)
    assert _code(role_assign, user=t, role="sysadmin", center=None, actor=sec) == "ROLE_INCOMPATIBLE"
    # 不相容岗位 (经办与复核): not refused, but a person granting it must give a reason, kept in the audit row
    assert _code(role_assign, user=t, role="reviewer", center=center, actor=sec) == "ROLE_DUTY_CONFLICT"
    role_assign(user=t, role="reviewer", center=center, actor=sec, reason="网点仅两人，经中心批准临时兼任")
    rec = AuditRecord.objects.filter(action="access.role.assign").latest("id")
    assert rec.after is not None and rec.after["conflict"] == ["teller"]
    assert rec.after["reason"] == "网点仅两人，经中心批准临时兼任"
    role_assign(user=t, role="inspector", center=center, actor=sec)  # two compatible business roles are fine


def test_only_secadmin_assigns_and_never_to_self(center, user):
    sec = user("sec", "secadmin")
    sec2 = user("sec2", "secadmin")
    sa = user("sa", "sysadmin")
    t = user("t3")
    assert _code(role_assign, user=t, role="teller", center=center, actor=sa) == "FORBIDDEN"
    assert _code(role_assign, user=sec, role="secadmin", center=center, actor=sec) == "SELF_GRANT"
    a = role_assign(user=t, role="teller", center=center, actor=sec)
    assert has_permission(t, "accounts.open", center=center)
    rec = AuditRecord.objects.filter(action="access.role.assign").latest("id")
    assert rec.after is not None and rec.actor == "user:sec" and rec.after["role"] == "teller"
    assert rec.object_id == str(a.pk)
    assert _code(role_assign, user=t, role="teller", center=center, actor=sec) == "ROLE_HELD"
    assert _code(role_revoke, user=sec2, role="secadmin", center=None, actor=sec2) == "SELF_GRANT"
    role_revoke(user=t, role="teller", center=center, actor=sec)
    assert not has_permission(t, "accounts.open", center=center)
    assert AuditRecord.objects.filter(action="access.role.revoke").count() == 1
    assert not RoleAssignment.objects.filter(user=t).exists()


def test_superuser_without_roles_is_a_system_administrator(center, user):
    root = user("root", superuser=True)
    assert has_permission(root, "jobs.run")
    assert not has_permission(root, "accounts.view", center=center)
    assert not has_permission(root, "audit.view", center=center)


def test_scope_queryset_by_center_and_branch(center, center_b, user):
    from openhpf.core.models import Branch

    t = user("t4", "teller", center=center)
    qs = scope_queryset(t, Center.objects.all(), center_field="pk")
    assert list(qs) == [center]
    b1 = Branch.objects.filter(center=center).first() or Branch.objects.create(center=center, code="01", name="一")
    b2 = Branch.objects.create(center=center, code="99", name="九九")
    narrow = user("t5")
    role_assign(user=narrow, role="teller", center=center, branch=b1, actor=SystemActor("test"))
    assert list(scope_queryset(narrow, Branch.objects.all(), center_field="center", branch_field="pk")) == [b1]
    assert b2 not in scope_queryset(narrow, Branch.objects.all(), branch_field="pk")
    assert not scope_queryset(user("nobody"), Center.objects.all(), center_field="pk").exists()
    assert scope_queryset(SystemActor("x"), Center.objects.all(), center_field="pk").count() == 2
    assert not scope_queryset("system:x", Center.objects.all(), center_field="pk").exists()


def test_clearance(center, user):
    assert user_clearance(user("t6", "teller", center=center), center=center) == 1
    assert user_clearance(user("a6", "secauditor")) == 0
    assert user_clearance(None) == 0
