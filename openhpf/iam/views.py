"""安全管理 console screens: staff users (lock, unlock, password reset, TOTP reset and switch), partner clients
(create with a shown-once secret, revoke tokens, stop), and the outbox of the development message channel.
All of them require iam.manage_users (安全管理员)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from openhpf.core.authz import permission_required
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_phone

from . import policy
from .models import Outbox, PartnerClient
from .selectors import outbox_list, partner_client_list, partner_client_live_tokens, staff_list
from .services import (
    partner_client_create,
    partner_client_set_active,
    partner_tokens_revoke,
    staff_lock,
    staff_password_reset,
    staff_totp_require,
    staff_totp_reset,
    staff_unlock,
)

MANAGE = "iam.manage_users"
DIGIT_RUN = re.compile(r"\d{4,}")


@permission_required(MANAGE)
def users(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    return render(request, "iam/users.html", {"rows": staff_list(q=q), "q": q,
                                              "totp_all": policy.value("TOTP_REQUIRED_ALL")})


# 安全管理 actions on a staff user: (confirmation page title, what it does), asked before anything is done
USER_ACTIONS: dict[str, tuple[str, str]] = {
    "lock": ("锁定用户", "锁定后该用户不能登录，直到解锁。"),
    "unlock": ("解锁用户", "解锁后该用户可以重新登录，失败次数清零。"),
    "password-reset": ("重置密码", "重置码将发送到本人登记的手机，本人凭重置码设置新密码；原密码立即失效。"),
    "totp-reset": ("重置动态口令", "原动态口令失效，本人下次登录时须重新绑定。"),
    "totp-on": ("强制动态口令", "该用户以后登录须输入动态口令。"),
    "totp-off": ("取消强制动态口令", "该用户登录不再强制要求动态口令（系统设置要求全员使用时除外）。"),
}


def _confirm(request: HttpRequest, *, title: str, question: str, lines: list[str], back: str) -> HttpResponse:
    return render(request, "iam/confirm.html", {"title": title, "question": question, "lines": lines,
                                                "action": request.path, "hidden": {}, "button": f"确认{title}",
                                                "back": back})


@require_POST
@permission_required(MANAGE)
def user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    """An action on a staff user: first a confirmation page (what it does, to whom), then the action."""
    user = get_object_or_404(get_user_model(), pk=user_id, is_staff=True)
    name = user.get_username()
    if action not in USER_ACTIONS:
        messages.error(request, "未知操作")
        return redirect("console:iam_users")
    if request.POST.get("confirm") != "1":
        title, effect = USER_ACTIONS[action]
        display = getattr(getattr(user, "staff_profile", None), "display_name", "") or ""
        return _confirm(request, title=title, question=f"确定{title}「{name}{'（' + display + '）' if display else ''}」吗？",
                        lines=[effect], back=reverse("console:iam_users"))
    try:
        with transaction.atomic(durable=True):
            if action == "lock":
                staff_lock(user=user, actor=request.user)
                messages.success(request, f"已锁定 {name}")
            elif action == "unlock":
                staff_unlock(user=user, actor=request.user)
                messages.success(request, f"已解锁 {name}")
            elif action == "totp-reset":
                staff_totp_reset(user=user, actor=request.user)
                messages.success(request, f"已重置 {name} 的动态口令，下次登录需重新绑定")
            elif action in ("totp-on", "totp-off"):
                staff_totp_require(user=user, required=action == "totp-on", actor=request.user)
                messages.success(request, f"已{'开启' if action == 'totp-on' else '关闭'} {name} 的强制动态口令")
            elif action == "password-reset":
                # the admin sees where the code went, masked, never a credential (三员分立)
                sent_to = staff_password_reset(user=user, actor=request.user)
                return render(request, "iam/password_reset_done.html", {"username": name, "sent_to": sent_to})
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("console:iam_users")


PARTNER_ACTIONS: dict[str, tuple[str, str]] = {
    "revoke": ("吊销令牌", "该机构已签发的全部访问令牌立即失效，须重新申请。"),
    "deactivate": ("停用合作机构", "停用后该机构不能再申请令牌，已签发的令牌失效。"),
    "activate": ("启用合作机构", "启用后该机构可以重新申请令牌。"),
}


@permission_required(MANAGE)
def partners(request: HttpRequest) -> HttpResponse:
    form = {"name": "", "scopes": [], "purposes": "", "ip_allowlist": ""}
    error = ""
    if request.method == "POST":
        name, scopes = request.POST.get("name", ""), request.POST.getlist("scopes")
        purposes, ip_allowlist = request.POST.get("purposes", ""), request.POST.get("ip_allowlist", "")
        form = {"name": name, "scopes": scopes, "purposes": purposes, "ip_allowlist": ip_allowlist}
        try:
            with transaction.atomic(durable=True):
                secret, client = partner_client_create(
                    name=name, scopes=scopes, purposes=purposes.replace("，", ",").split(","),
                    ip_allowlist=ip_allowlist.split(), actor=request.user)
        except DomainError as e:
            error = e.message
        else:
            return render(request, "iam/partner_created.html", {"client": client, "secret": secret})
    clients = [(c, partner_client_live_tokens(c)) for c in partner_client_list()]
    return render(request, "iam/partners.html", {
        "clients": clients, "scopes": policy.PARTNER_SCOPES.items(), "form": form, "error": error},
        status=422 if error else 200)


@require_POST
@permission_required(MANAGE)
def partner_action(request: HttpRequest, client_id: int, action: str) -> HttpResponse:
    client = get_object_or_404(PartnerClient, pk=client_id)
    if action not in PARTNER_ACTIONS:
        messages.error(request, "未知操作")
        return redirect("console:iam_partners")
    if request.POST.get("confirm") != "1":
        title, effect = PARTNER_ACTIONS[action]
        return _confirm(request, title=title, question=f"确定{title}「{client.name}」（{client.client_id}）吗？",
                        lines=[effect], back=reverse("console:iam_partners"))
    with transaction.atomic(durable=True):
        if action == "revoke":
            n = partner_tokens_revoke(client=client, actor=request.user)
            messages.success(request, f"已吊销 {client.name} 的 {n} 个令牌")
        else:
            partner_client_set_active(client=client, active=action == "activate", actor=request.user)
            messages.success(request, f"已{'启用' if action == 'activate' else '停用'} {client.name}")
    return redirect("console:iam_partners")


def _masked(row: Outbox) -> dict[str, object]:
    return {"created_at": row.created_at, "recipient": mask_phone(row.recipient or ""), "purpose": row.purpose,
            "body": DIGIT_RUN.sub(lambda m: "*" * len(m.group(0)), row.body or "")}


@permission_required(MANAGE)
def outbox(request: HttpRequest) -> HttpResponse:
    """The outbox as a security admin sees it: phones masked, every run of 4+ digits (a login or reset code)
    starred, so that nobody reading it can sign in as someone else."""
    rows = [_masked(r) for r in outbox_list(actor=request.user)]
    return render(request, "iam/outbox.html", {"rows": rows, "dev": settings.HPF_DEV_OUTBOX})


@permission_required(MANAGE)
def outbox_dev(request: HttpRequest) -> HttpResponse:
    """开发用发件箱: the messages in clear (phones, live codes), for a developer signing in on a development
    machine. Only with HPF_DEV_OUTBOX (dev settings); 404 otherwise, and production refuses the setting."""
    if not settings.HPF_DEV_OUTBOX:
        raise Http404("开发用发件箱未开启")
    return render(request, "iam/outbox.html", {"rows": outbox_list(actor=request.user), "clear": True})
