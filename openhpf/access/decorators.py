"""Console view decorators: a permission at the staff member's center, else HTTP 403.

A core.errors.PermissionDenied raised by a service or selector inside a view is a Django PermissionDenied too:
Django's 403 handler renders templates/403.html with its message, the one place the console handles it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from openhpf.core.errors import PermissionDenied

from .catalogue import PERMISSIONS, canonical
from .selectors import has_permission


def console_center(request: HttpRequest):
    from openhpf.iam.services import staff_center

    return staff_center(request.user)


def permission_required(perm: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Staff only (console.views.staff_required), holding `perm` at their center (any center when they have
    none)."""
    if canonical(perm) not in PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")

    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        from openhpf.console.views import staff_required

        @staff_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_permission(request.user, perm, center=console_center(request)):
                raise PermissionDenied(f"无权限：{PERMISSIONS[canonical(perm)]}",
                                       details={"permission": canonical(perm)})
            return view(request, *args, **kwargs)

        wrapped.hpf_permission = canonical(perm)  # type: ignore[attr-defined]
        return wrapped

    return deco
