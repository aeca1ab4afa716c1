"""安全管理 console screen of access: a staff user's roles (角色授权). Requires iam.manage_roles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from openhpf.core.errors import DomainError
from openhpf.iam.services import staff_center

from .decorators import permission_required
from .models import Role, RoleAssignment
from .services import role_assign, role_revoke

ROLES = "iam.manage_roles"


@permission_required(ROLES)
def user_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    """角色授权: a staff user's roles at the security administrator's center; assign and revoke (三员分立 and
    the no-self-grant rule are enforced by access.services)."""
    user = get_object_or_404(get_user_model(), pk=user_id, is_staff=True)
    center = staff_center(request.user)
    if request.method == "POST":
        code = request.POST.get("role", "")
        try:
            with transaction.atomic(durable=True):
                if request.POST.get("action") == "revoke":
                    role_revoke(user=user, role=code, center=center, actor=request.user)
                    messages.success(request, f"已撤销 {user.get_username()} 的角色 {code}")
                else:
                    role_assign(user=user, role=code, center=center, actor=request.user)
                    messages.success(request, f"已授予 {user.get_username()} 角色 {code}")
        except (DomainError, Role.DoesNotExist) as e:
            messages.error(request, getattr(e, "message", "角色不存在"))
        return redirect("console:iam_user_roles", user_id=user.pk)
    held = RoleAssignment.objects.filter(user=user).select_related("role", "center").order_by("role__code")
    return render(request, "iam/user_roles.html", {
        "subject": user, "held": held, "roles": Role.objects.order_by("code"), "center": center,
    })
