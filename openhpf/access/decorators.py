"""Console view decorators: a permission at the staff member's center, else HTTP 403.

A core.errors.PermissionDenied raised by a service or selector inside a view is a Django PermissionDenied too:
Django's 403 handler renders templates/403.html with its message, the one place the console handles it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase

from openhpf.core.errors import PermissionDenied
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
    none)."""
    if canonical(perm) not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")

    def deco(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @staff_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not has_permission(request.user, perm, center=console_center(request)):
                raise PermissionDenied(f"无权限：{PERMISSIONS[canonical(perm)]}",
                                       details={"permission": canonical(perm)})
            return view(request, *args, **kwargs)

        wrapped.hpf_permission = canonical(perm)  # type: ignore[attr-defined]
        return wrapped

    return deco
