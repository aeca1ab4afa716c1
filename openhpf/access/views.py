"""安全管理 console screen of access: a staff user's roles (角色授权). Requires iam.manage_roles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from openhpf.core.errors import DomainError
from openhpf.iam.services import staff_center

from .decorators import permission_required
from .models import Role, RoleAssignment
from .services import role_assign, role_conflicts, role_revoke

ROLES = "iam.manage_roles"


@permission_required(ROLES)
def user_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    """角色授权: a staff user's roles at the security administrator's center; assign and revoke (三员分立 and
    the no-self-grant rule are enforced by access.services). Each change is asked first on a confirmation page;
    a role of 不相容岗位 with one held warns there and needs a reason (kept in the audit row)."""
    user = get_object_or_404(get_user_model(), pk=user_id, is_staff=True)
    center = staff_center(request.user)
    back = reverse("console:iam_user_roles", args=[user.pk])
    if request.method == "POST":
        code = request.POST.get("role", "")
        revoke = request.POST.get("action") == "revoke"
        role = Role.objects.filter(code=code).first()
        if role is None:
            messages.error(request, "请选择要授予或撤销的角色")
            return redirect(back)
        reason = request.POST.get("reason", "").strip()
        conflicts = [] if revoke else role_conflicts(user=user, role=role)
        error = ""
        if request.POST.get("confirm") == "1":
            try:
                with transaction.atomic(durable=True):
                    if revoke:
                        role_revoke(user=user, role=role, center=center, actor=request.user)
                        messages.success(request, f"已撤销 {_who(user)} 的角色「{role.name}」")
                    else:
                        role_assign(user=user, role=role, center=center, actor=request.user, reason=reason)
                        messages.success(request, f"已授予 {_who(user)} 角色「{role.name}」"
                                                  + ("（不相容岗位，已记录授权理由）" if conflicts else ""))
            except DomainError as e:
                if e.field != "reason":
                    messages.error(request, e.message)
                    return redirect(back)
                error = e.message
            else:
                return redirect(back)
        held = "、".join(a.role.name for a in RoleAssignment.objects.filter(user=user).select_related("role")) or "无"
        return render(request, "iam/confirm.html", {
            "title": "确认撤销角色" if revoke else "确认授予角色",
            "question": f"确定{'撤销' if revoke else '授予'} {_who(user)} 的角色「{role.name}」吗？",
            "lines": [f"用户：{_who(user)}", f"角色：{role.name}", f"管理中心：{center or '全部中心'}",
                      f"现有角色：{held}"],
            "warn": [f"「{role.name}」与已有的「{c.name}」：{rule}" for c, rule in conflicts],
            "need_reason": bool(conflicts), "reason": reason, "error": error,
            "action": back, "hidden": {"role": role.code, "action": "revoke" if revoke else "assign"},
            "button": "确认撤销" if revoke else "确认授予", "back": back,
        }, status=422 if error else 200)
    held_rows = RoleAssignment.objects.filter(user=user).select_related("role", "center").order_by("role__code")
    return render(request, "iam/user_roles.html", {
        "subject": user, "held": held_rows, "roles": Role.objects.order_by("code"), "center": center,
    })


def _who(user: Any) -> str:
    profile = getattr(user, "staff_profile", None)
    name = getattr(profile, "display_name", "") or ""
    return f"{user.get_username()}（{name}）" if name else user.get_username()
