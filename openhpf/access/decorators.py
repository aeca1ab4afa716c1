"""Console view decorators: a permission at the staff member's center, FORBIDDEN turned into HTTP 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from openhpf.core.errors import DomainError
from openhpf.iam.services import staff_center

from .catalogue import PERMISSIONS, canonical
from .selectors import has_permission


def console_center(request: HttpRequest):
    return staff_center(request.user)


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in (else redirect to the login page) and a staff member (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not request.user.is_staff:
            raise PermissionDenied("不是业务人员账号")
        return view(request, *args, **kwargs)

    return wrapped


def permission_required(perm: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Staff only (staff_required), holding `perm` at their center (any center when they have
    none); a FORBIDDEN DomainError raised by a service or selector inside becomes 403 as well."""
    if canonical(perm) not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")

    def deco(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @staff_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not has_permission(request.user, perm, center=console_center(request)):
                raise PermissionDenied(f"无权限：{PERMISSIONS[canonical(perm)]}")
            try:
                return view(request, *args, **kwargs)
            except DomainError as e:
                if e.code == "FORBIDDEN":
                    raise PermissionDenied(e.message) from None
                raise

        wrapped.hpf_permission = canonical(perm)  # type: ignore[attr-defined]
        return wrapped

    return deco
