"""The access query API every app uses: has_permission / check_permission, data scope, masking clearance.

Actors:
- a string such as "system:day_end" is trusted code (batches, cut-over, migrations): always allowed;
- an active authenticated user: the union of the permissions of its roles assigned at the center asked
  about (an assignment without a center counts for every center); `center=None` asks "at any center";
- a superuser without roles counts as a system administrator (catalogue.SUPERUSER_ROLE): no business data,
  no audit log — give it roles to do more;
- anything else (None, anonymous, inactive): nothing.

Results are cached on the user object for the request; role_assign/role_revoke clear the cache."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.db.models import Q, QuerySet

from openhpf.core.errors import PermissionDenied

from .catalogue import PERMISSIONS, SUPERUSER_ROLE, canonical

log = logging.getLogger(__name__)

_CACHE = "_hpf_access_cache"


def is_system_actor(actor: Any) -> bool:
    """A string actor ("system:day_end", "system:cutover") is trusted code: commands, batches, migrations.
    Requests never pass strings (the console and the API pass request.user), so a string cannot be forged."""
    return isinstance(actor, str)


def _is_user(user: Any) -> bool:
    return (user is not None and not isinstance(user, str) and getattr(user, "is_authenticated", False)
            and getattr(user, "is_active", False) and getattr(user, "pk", None) is not None)


def _grants(user: Any) -> list[tuple[int | None, int | None, str, int, frozenset[str]]]:
    """(center_id, branch_id, role code, clearance, permissions) of every assignment of the user, cached."""
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    from .models import RoleAssignment

    rows = list(RoleAssignment.objects.filter(user_id=user.pk).select_related("role")
                .prefetch_related("role__permissions"))
    grants = [(a.center_id, a.branch_id, a.role.code, a.role.clearance,
               frozenset(p.code for p in a.role.permissions.all())) for a in rows]
    if not grants and getattr(user, "is_superuser", False):
        from .models import Role

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


def user_permissions(user: Any, *, center: Any = None) -> frozenset[str]:
    """Every permission the user holds at `center` (any center when None); all of them for a system actor."""
    if is_system_actor(user):
        return frozenset(PERMISSIONS)
    if not _is_user(user):
        return frozenset()
    out: set[str] = set()
    for c, _b, _r, _cl, perms in _grants(user):
        if _applies(c, center):
            out |= perms
    return frozenset(out)


def user_roles(user: Any, *, center: Any = None) -> list[str]:
    """The role codes the user holds at `center` (any center when None)."""
    if not _is_user(user):
        return []
    return sorted({r for c, _b, r, _cl, _p in _grants(user) if _applies(c, center)})


def has_permission(user: Any, perm: str, *, center: Any = None) -> bool:
    """Whether `user` (a user or a "system:…" actor) holds `perm` at `center` (any center when None)."""
    perm = canonical(perm)
    if perm not in PERMISSIONS:
        log.warning("unknown permission %r asked for; refused", perm)
        return False
    return perm in user_permissions(user, center=center)


def check_permission(user: Any, perm: str, *, center: Any = None) -> None:
    """Raise PermissionDenied (code FORBIDDEN, HTTP 403) unless `user` holds `perm` at `center`."""
    if not has_permission(user, perm, center=center):
        label = PERMISSIONS.get(canonical(perm), perm)
        raise PermissionDenied(f"无权限：{label}", details={"permission": canonical(perm)})


def user_clearance(user: Any, *, center: Any = None) -> int:
    """The highest masking grade the user sees in clear by default (0: everything personal masked)."""
    if not _is_user(user):  # system actors too: code that needs clear values asks for them explicitly
        return 0
    return max((cl for c, _b, _r, cl, _p in _grants(user) if _applies(c, center)), default=0)


def scope_queryset(user: Any, qs: QuerySet, center_field: str = "center", branch_field: str | None = "branch",
                   *, perm: str | None = None) -> QuerySet:
    """Rows of the centers (and branches) where the user holds a role (with `perm`, when given); none for a
    user without one. A grant at a branch narrows to that branch when the model has `branch_field`."""
    if is_system_actor(user):
        return qs
    if not _is_user(user):
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
        if b is not None and use_branch:
            term &= Q(**{branch_field: b})
        cond |= term
    return qs.filter(cond)


def can_see_center(user: Any, center: Any, *, perm: str | None = None) -> bool:
    """Whether the user holds any role (with `perm`) at `center`."""
    if is_system_actor(user):
        return True
    return any(_applies(c, center) and (perm is None or canonical(perm) in p)
               for c, _b, _r, _cl, p in (_grants(user) if _is_user(user) else []))
