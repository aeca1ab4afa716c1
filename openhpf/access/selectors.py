"""The access query API every app uses: has_permission / check_permission, data scope, masking clearance.

Actors (openhpf.core.actors):
- staff, an active authenticated user: the union of the permissions of its roles assigned at the center asked
  about (an assignment without a center counts for every center); `center=None` asks "at any center";
- a superuser without roles counts as a system administrator (catalogue.SUPERUSER_ROLE): no business data,
  no audit log — give it roles to do more;
- a SystemActor (a batch, a command, cut-over, the bank's push): every permission of batch work at every
  center, but never the maker or the checker of a money movement (core.actors.money_actor_check);
- a member, an employer's agent or a partner: only the narrow permissions of its kind (catalogue.KIND_PERMISSIONS,
  a partner's token scopes), never a staff permission, and only its own member's or employer's rows;
- anything else (a string, None, anonymous, inactive): nothing. A string is never an actor.

Results are cached on the user object for the request; role_assign/role_revoke clear the cache."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, TypeGuard

from django.db.models import Q, QuerySet

from openhpf.core.actors import (
    Actor,
    AgentActor,
    MemberActor,
    PartnerActor,
    is_staff_user,
    is_system,
)
from openhpf.core.errors import PermissionDenied

from .catalogue import KIND_PERMISSIONS, PERMISSIONS, PRINCIPAL_PERMISSIONS, SUPERUSER_ROLE, canonical
from .models import Role, RoleAssignment

log = logging.getLogger(__name__)

_CACHE = "_hpf_access_cache"


def is_system_actor(actor: Actor) -> bool:
    """Named trusted code: a core.actors.SystemActor. A string is not (it holds nothing)."""
    return is_system(actor)


def _is_user(user: Actor) -> bool:
    return is_staff_user(user)


def _is_principal(actor: Actor) -> TypeGuard[MemberActor | AgentActor | PartnerActor]:
    return isinstance(actor, MemberActor | AgentActor | PartnerActor)


def _principal_permissions(actor: MemberActor | AgentActor | PartnerActor) -> frozenset[str]:
    if isinstance(actor, PartnerActor):  # its token's scopes, a staff permission never among them
        return frozenset(actor.scopes) - frozenset(PERMISSIONS) - frozenset(PRINCIPAL_PERMISSIONS)
    return KIND_PERMISSIONS.get(actor.kind, frozenset())


def _refuse_string(actor: Actor) -> None:
    if isinstance(actor, str):
        log.warning("refused the string actor %r: pass a typed actor (openhpf.core.actors)", actor)


def _grants(user: Any) -> list[tuple[int | None, int | None, str, int, frozenset[str]]]:
    """(center_id, branch_id, role code, clearance, permissions) of every assignment of the user, cached."""
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    rows = list(RoleAssignment.objects.filter(user_id=user.pk).select_related("role")
                .prefetch_related("role__permissions"))
    grants = [(a.center_id, a.branch_id, a.role.code, a.role.clearance,
               frozenset(p.code for p in a.role.permissions.all())) for a in rows]
    if not grants and getattr(user, "is_superuser", False):
        role = Role.objects.filter(code=SUPERUSER_ROLE).prefetch_related("permissions").first()
        if role is not None:
            grants = [(None, None, role.code, role.clearance, frozenset(p.code for p in role.permissions.all()))]
    with contextlib.suppress(AttributeError):  # a user type that refuses attributes is simply not cached
        setattr(user, _CACHE, grants)
    return grants


def access_cache_clear(user: Any) -> None:
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def _center_id(center: Any) -> int | None:
    return getattr(center, "pk", center)


def _applies(grant_center: int | None, center: Any) -> bool:
    return center is None or grant_center is None or grant_center == _center_id(center)


def user_permissions(user: Actor, *, center: Any = None) -> frozenset[str]:
    """Every permission the actor holds at `center` (any center when None): all of batch work for a system
    actor, the narrow set of its kind for a member, agent or partner."""
    if is_system_actor(user):
        return frozenset(PERMISSIONS)
    if _is_principal(user):
        return _principal_permissions(user)
    if not _is_user(user):
        _refuse_string(user)
        return frozenset()
    out: set[str] = set()
    for c, _b, _r, _cl, perms in _grants(user):
        if _applies(c, center):
            out |= perms
    return frozenset(out)


def user_roles(user: Actor, *, center: Any = None) -> list[str]:
    """The role codes the user holds at `center` (any center when None)."""
    if not _is_user(user):
        return []
    return sorted({r for c, _b, r, _cl, _p in _grants(user) if _applies(c, center)})


def has_permission(user: Actor, perm: str, *, center: Any = None) -> bool:
    """Whether the actor holds `perm` at `center` (any center when None)."""
    perm = canonical(perm)
    if _is_principal(user):
        return perm in _principal_permissions(user)
    if perm not in PERMISSIONS:
        if perm not in PRINCIPAL_PERMISSIONS:
            log.warning("unknown permission %r asked for; refused", perm)
        return False
    return perm in user_permissions(user, center=center)


def check_permission(user: Actor, perm: str, *, center: Any = None) -> None:
    """Raise PermissionDenied (code FORBIDDEN, HTTP 403) unless the actor holds `perm` at `center`."""
    if not has_permission(user, perm, center=center):
        perm = canonical(perm)
        label = PERMISSIONS.get(perm) or PRINCIPAL_PERMISSIONS.get(perm) or perm
        raise PermissionDenied(f"无权限：{label}", details={"permission": perm})


def user_clearance(user: Actor, *, center: Any = None) -> int:
    """The highest masking grade the user sees in clear by default (0: everything personal masked)."""
    if not _is_user(user):  # system actors too: code that needs clear values asks for them explicitly
        return 0
    return max((cl for c, _b, _r, cl, _p in _grants(user) if _applies(c, center)), default=0)


def _principal_scope(actor: Actor, qs: QuerySet) -> QuerySet:
    """A member's rows are those of its member (the member itself, or rows with a `member`); an agent's those of
    its employer; a partner reads no rows through the staff scope."""
    meta = qs.model._meta
    names = {f.name for f in meta.get_fields()}
    if isinstance(actor, MemberActor):
        if meta.label_lower == "accounts.member":
            return qs.filter(pk=actor.member_id)
        if "member" in names:
            return qs.filter(member_id=actor.member_id)
    if isinstance(actor, AgentActor):
        if meta.label_lower == "accounts.employer":
            return qs.filter(pk=actor.employer_id)
        if "employer" in names:
            return qs.filter(employer_id=actor.employer_id)
    return qs.none()


def scope_queryset(user: Actor, qs: QuerySet, center_field: str = "center", branch_field: str | None = "branch",
                   *, perm: str | None = None) -> QuerySet:
    """Rows of the centers (and branches) where the user holds a role (with `perm`, when given); none for a
    user without one. A grant at a branch narrows to that branch when the model has `branch_field`. A member
    or an agent sees only its own member's or employer's rows (with `perm` of its kind, when given)."""
    if is_system_actor(user):
        return qs
    if _is_principal(user):
        if perm is not None and not has_permission(user, perm):
            return qs.none()
        return _principal_scope(user, qs)
    if not _is_user(user):
        _refuse_string(user)
        return qs.none()
    perm = canonical(perm) if perm else None
    model_fields = {f.name for f in qs.model._meta.get_fields()}
    use_branch = branch_field is not None and branch_field.split("__")[0] in model_fields | {"pk"}
    cond = Q(pk__in=[])
    for c, b, _r, _cl, perms in _grants(user):
        if perm is not None and perm not in perms:
            continue
        if c is None:
            return qs
        term = Q(**{center_field: c})
        if b is not None and use_branch and branch_field is not None:
            term &= Q(**{branch_field: b})
        cond |= term
    return qs.filter(cond)


def can_see_center(user: Actor, center: Any, *, perm: str | None = None) -> bool:
    """Whether the user holds any role (with `perm`) at `center`; a member, agent or partner sees no center."""
    if is_system_actor(user):
        return True
    return any(_applies(c, center) and (perm is None or canonical(perm) in p)
               for c, _b, _r, _cl, p in (_grants(user) if _is_user(user) else []))
