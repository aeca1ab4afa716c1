"""iam services: token issue/revoke/authenticate, staff accounts and their center, the CLI commands."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.iam.models import ApiToken, StaffProfile
from openhpf.iam.services import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    staff_center,
    staff_create,
)


def test_issue_stores_only_the_sm3_hash_and_audits(staff):
    plaintext, token = api_token_issue(user=staff, name="对账脚本", days=7, actor=SystemActor("test"))
    assert plaintext.startswith("hpf_") and len(plaintext) > 40
    assert token.key_hash == hashlib.new("sm3", plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:8]
    assert plaintext not in str(ApiToken.objects.values_list().get(pk=token.pk))
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    rec = AuditRecord.objects.get(action="iam.token.issue")
    assert plaintext not in str(rec.after)
    assert rec.after is not None and rec.after["prefix"] == token.prefix


def test_issue_refuses_non_staff_and_bad_days(db, django_user_model, staff):
    member = django_user_model.objects.create_user("someone", password="pw-Some-2026")
    with pytest.raises(DomainError) as e:
        api_token_issue(user=member, name="x", actor=SystemActor("test"))
    assert e.value.code == "TOKEN_NOT_STAFF"
    with pytest.raises(DomainError) as e:
        api_token_issue(user=staff, name="x", days=0, actor=SystemActor("test"))
    assert e.value.field == "days"


def test_authenticate_and_revoke(staff):
    plaintext, token = api_token_issue(user=staff, name="x", actor=SystemActor("test"))
    assert api_token_authenticate(plaintext) == staff
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert api_token_authenticate(plaintext + "x") is None
    assert api_token_authenticate("") is None
    api_token_revoke(token=token, actor=SystemActor("test"))
    api_token_revoke(token=token, actor=SystemActor("test"))  # idempotent, audited once
    assert AuditRecord.objects.filter(action="iam.token.revoke").count() == 1
    assert api_token_authenticate(plaintext) is None


def test_expired_token_and_demoted_user_are_refused(staff):
    plaintext, token = api_token_issue(user=staff, name="x", actor=SystemActor("test"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_token_authenticate(plaintext) is None
    plaintext, _ = api_token_issue(user=staff, name="y", actor=SystemActor("test"))
    staff.is_staff = False
    staff.save()
    assert api_token_authenticate(plaintext) is None


def test_staff_create_and_center(center, django_user_model):
    user, created = staff_create(username="clerk9", password="pw-Clerk-2026", center=center,
                                 display_name="王小明", actor=SystemActor("test"))
    assert created and user.is_staff and not user.is_superuser
    assert user.check_password("pw-Clerk-2026")
    assert staff_center(user) == center
    user2, created2 = staff_create(username="clerk9", password="pw-Other-2026", actor=SystemActor("test"))
    assert not created2 and user2.pk == user.pk and staff_center(user2) == center
    assert AuditRecord.objects.filter(action__startswith="iam.staff.").count() == 2
    bare = django_user_model.objects.create_user("bare", password="pw-Bare-2026", is_staff=True)
    assert staff_center(bare) is None  # no profile: tolerated
    StaffProfile.objects.create(user=bare)
    assert staff_center(django_user_model.objects.get(pk=bare.pk)) is None
    with pytest.raises(DomainError):
        staff_create(username="short", password="1234", actor=SystemActor("test"))


def test_commands(center):
    out = StringIO()
    call_command("create_staff", "clerk7", "--password", "pw-Clerk-2026", "--center", center.code, stdout=out)
    assert "已创建" in out.getvalue()
    out = StringIO()
    call_command("api_token", "clerk7", "--days", "3", stdout=out, stderr=StringIO())
    plaintext = out.getvalue().strip()
    user = api_token_authenticate(plaintext)
    assert user is not None and user.username == "clerk7"
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("create_staff", "x1", "--password", "pw-Clerk-2026", "--center", "999999", stdout=StringIO())


def test_create_staff_grants_roles_at_install(center):
    """hpf create_staff … --role R --center C: the first roles without a shell, granted by SystemActor("cli")
    through access.role_assign (audited, 三员分立 checked); re-running grants nothing twice."""
    from django.contrib.auth import get_user_model

    from openhpf.access.models import RoleAssignment
    from openhpf.access.selectors import has_permission
    from openhpf.audit.models import AuditRecord

    out = StringIO()
    call_command("create_staff", "fin7", "--password", "pw-Fin7-2026", "--role", "finance", "--role", "reviewer",
                 "--center", center.code, stdout=out, stderr=StringIO())
    assert "已创建" in out.getvalue() and "finance、reviewer" in out.getvalue()
    user = get_user_model().objects.get(username="fin7")
    assert set(RoleAssignment.objects.filter(user=user, center=center).values_list("role__code", flat=True)) == {
        "finance", "reviewer"}
    assert has_permission(user, "ledger.post_manual", center=center)
    rec = AuditRecord.objects.filter(action="access.role.assign").order_by("id").first()
    assert (rec.actor, rec.actor_kind, rec.actor_id) == ("system:cli", "system", "cli")
    assert rec.after == {"user": "fin7", "role": "finance", "center": center.code, "branch": None}
    assert RoleAssignment.objects.get(user=user, role__code="finance").granted_by == "system:cli"

    # an existing login: roles only, no password needed; a role held already is left as it is
    err = StringIO()
    call_command("create_staff", "fin7", "--role", "finance", "--center", center.code, stdout=StringIO(), stderr=err)
    assert "已持有角色 finance" in err.getvalue()
    assert AuditRecord.objects.filter(action="access.role.assign").count() == 2
    with pytest.raises(CommandError, match="三员分立"):
        call_command("create_staff", "fin7", "--role", "secadmin", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="ROLE_UNKNOWN"):
        call_command("create_staff", "fin7", "--role", "nosuch", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="--password"):
        call_command("create_staff", "new8", "--role", "finance", stdout=StringIO(), stderr=StringIO())
    assert not RoleAssignment.objects.filter(role__code__in=["secadmin", "nosuch"]).exists()


def test_create_staff_can_create_the_center(db):
    call_command("create_staff", "demo", "--password", "pw-Demo-2026", "--center", "110100",
                 "--create-center", "北京住房公积金管理中心", "--superuser", stdout=StringIO(), stderr=StringIO())
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="demo")
    center = staff_center(user)
    assert user.is_superuser and center is not None and center.name == "北京住房公积金管理中心"
