"""The authorization interface of the platform: permission checks, data scope, masking clearance, the staff
member's center, view guards, and "a maker-checker command is applying".

Lower apps (audit, documents, jobs, ledger) call these functions; `access` (roles and permissions) and `iam`
(staff identity) implement them and register at start-up (their AppConfig.ready), so nothing below them
imports them. Until an implementation is registered every check refuses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .error_codes import ErrorCode
from .errors import DomainError, PermissionDenied

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpResponse

    from .models import Center

View = Callable[..., "HttpResponse"]


@dataclass
class _Backend:
    has_permission: Callable[..., bool] | None = None
    check_permission: Callable[..., None] | None = None
    is_system_actor: Callable[[Any], bool] | None = None
    scope_queryset: Callable[..., QuerySet] | None = None
    user_clearance: Callable[..., int] | None = None
    permission_required: Callable[[str], Callable[[View], View]] | None = None
    staff_required: Callable[[View], View] | None = None
    staff_center: Callable[[Any], Center | None] | None = None


_backend = _Backend()


def register(**impls: Any) -> None:
    """Called by the implementing apps' ready(): register(has_permission=…, scope_queryset=…, …)."""
    for name, fn in impls.items():
        if not hasattr(_backend, name):
            raise TypeError(f"unknown authorization hook {name!r}")
        setattr(_backend, name, fn)


def _need(name: str) -> Any:
    fn = getattr(_backend, name)
    if fn is None:
        raise DomainError(ErrorCode.AUTHZ_NOT_CONFIGURED, "权限服务未启用", details={"hook": name})
    return fn


# ---------------------------------------------------------------- checks


def has_permission(actor: Any, perm: str, *, center: Any = None) -> bool:
    """Whether `actor` holds `perm` at `center` (any center when None)."""
    return bool(_need("has_permission")(actor, perm, center=center))


def is_system_actor(actor: Any) -> bool:
    """Trusted code (a batch, a command), not a person."""
    return bool(_need("is_system_actor")(actor))


def check_permission(actor: Any, perm: str, *, center: Any = None) -> None:
    """Raise the refusal (HTTP 403) unless `actor` holds `perm` at `center`."""
    _need("check_permission")(actor, perm, center=center)


def forbidden(message: str, *, field: str | None = None, **details: Any) -> PermissionDenied:
    """The refusal every check raises (HTTP 403 at the API, the 403 page in the console)."""
    return PermissionDenied(message, field=field, details=details or None)


def scope_queryset(actor: Any, qs: QuerySet, center_field: str = "center", branch_field: str | None = "branch",
                   *, perm: str | None = None) -> QuerySet:
    """The rows of `qs` inside the actor's data scope (centers and branches of its roles)."""
    return _need("scope_queryset")(actor, qs, center_field, branch_field, perm=perm)


def user_clearance(actor: Any, *, center: Any = None) -> int:
    """The highest masking grade the actor sees in clear by default (0: everything personal masked)."""
    return int(_need("user_clearance")(actor, center=center))


def staff_center(user: Any) -> Center | None:
    """The 管理中心 a staff member belongs to (None without one)."""
    return _need("staff_center")(user)


def staff_center_required(user: Any, *, perm: str | None = None) -> Center:
    """The staff member's center for entry points: refused without one, and without `perm` there."""
    center = staff_center(user)
    if center is None:
        raise forbidden("当前用户未归属任何管理中心", field="center")
    if perm is not None:
        check_permission(user, perm, center=center)
    return center


# ---------------------------------------------------------------- view guards


def staff_required(view: View) -> View:
    """Signed in (else the login page) and a staff member (else 403)."""
    return _need("staff_required")(view)


def permission_required(perm: str) -> Callable[[View], View]:
    """Staff holding `perm` at their center (any center when they have none)."""
    return _need("permission_required")(perm)


# ---------------------------------------------------------------- maker-checker


_applying: ContextVar[Any] = ContextVar("authz_applying_command", default=None)


def applying() -> Any:
    """The approved maker-checker command whose apply is running now (None outside an approval)."""
    return _applying.get()


@contextmanager
def command_applying(command: Any) -> Iterator[None]:
    """Set by the approvals app while an approved command applies."""
    token = _applying.set(command)
    try:
        yield
    finally:
        _applying.reset(token)
