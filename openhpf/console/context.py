"""Template context for every console page: the staff member's center, business date and menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openhpf.iam.services import staff_center

from .nav import nav_items


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    center = staff_center(user)  # None when the user has no profile or no center yet
    return {
        "hpf_center": center,
        "hpf_business_date": center.business_date if center else None,
        "hpf_nav": nav_items(request.path, user),
    }
