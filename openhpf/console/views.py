"""业务系统控制台: sign-in (password, TOTP second factor, forced password change), the home page. Views stay
thin; the rules are in iam.services."""

from __future__ import annotations

import time
from importlib import import_module
from typing import TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from openhpf.access.decorators import staff_required
from openhpf.access.selectors import has_permission
from openhpf.core.authz import permission_required, staff_center, staff_center_required
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen, format_ratio
from openhpf.core.todo import todos_for
from openhpf.finance.cockpit import cockpit
from openhpf.iam import policy, ratelimit
from openhpf.iam.middleware import SESSION_2FA_PENDING, SESSION_LAST_SEEN
from openhpf.iam.models import StaffSecurity
from openhpf.iam.services import (
    LoginResult,
    staff_login_complete,
    staff_login_password,
    staff_login_totp,
    staff_password_change,
    staff_password_expired,
    staff_password_reset_complete,
    staff_session_remember,
    staff_totp_enrol_begin,
    staff_totp_enrol_confirm,
    totp_required,
)

from .forms import PasswordChangeForm, PasswordResetForm, StaffLoginForm, TotpForm
from .nav import url_or_none

F = TypeVar("F", bound=forms.Form)

PENDING_SECONDS = 300  # the password step is good for this long while the TOTP code is asked for


class StaffRequest(HttpRequest):
    """The request a @staff_required view gets: its user is signed in (django-stubs' pattern for this)."""

    user: User


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _sign_in(request: HttpRequest, result: LoginResult, *, next_url: str, second_factor: bool) -> HttpResponse:
    """Open the session and record it; a previous session of the user ends when single sessions are enforced."""
    user = result.user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_LAST_SEEN] = int(time.time())
    request.session.save()
    with transaction.atomic(durable=True):
        previous = staff_login_complete(user=user, session_key=request.session.session_key,
                                        ip=ratelimit.client_ip(request), second_factor=second_factor)
    if previous and policy.value("SINGLE_SESSION"):
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=previous).delete()
    if result.code == "ENROL_TOTP":
        return redirect("console:totp_enrol")
    if result.must_change_password:
        return redirect("console:password_change")
    return redirect(next_url)


def _too_many(request: HttpRequest, username: str) -> bool:
    ip = ratelimit.client_ip(request)
    return not (ratelimit.hit("login_ip", ip) and ratelimit.hit("login", ip, "staff", username))


def _posted_form(request: HttpRequest, form_class: type[F], throttled: str) -> tuple[F, str | None, int]:
    """The shared start of the sign-in and password-reset pages: the form bound to what was posted, and the user
    name to act on. None with status 429 (and `throttled` on the form) when this source and name tried too
    often; None with status 200 when nothing valid was posted."""
    form = form_class(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None, 200
    username = form.cleaned_data["username"]
    if _too_many(request, username):
        form.add_error(None, throttled)
        return form, None, 429
    return form, username, 200


def login_view(request: HttpRequest) -> HttpResponse:
    """业务人员登录, step 1: user name and password."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated and request.user.is_staff:
        return redirect(next_url)
    form, username, status = _posted_form(request, StaffLoginForm, "登录尝试过于频繁，请稍后再试。")
    if username is not None:
        with transaction.atomic(durable=True):
            result = staff_login_password(username=username, password=form.cleaned_data["password"],
                                          ip=ratelimit.client_ip(request))
        if result.code == "NEED_TOTP":
            request.session[SESSION_2FA_PENDING] = {"uid": result.user.pk, "next": next_url,
                                                    "at": int(time.time())}
            return redirect("console:login_totp")
        if result.ok:
            return _sign_in(request, result, next_url=next_url, second_factor=False)
        form.add_error(None, result.message)
        status = 429 if result.code == "RATE_LIMITED" else status  # the source waits (iam/lockout.py)
    elif request.method == "POST" and status == 200:
        form.add_error(None, "请输入用户名和密码。")
    notice = ""
    if request.GET.get("timeout"):
        notice = "长时间未操作，已自动退出，请重新登录。"
    elif request.GET.get("replaced"):
        notice = "您的账号已在其他地方登录，本会话已结束。"
    return render(request, "console/login.html", {"form": form, "next": next_url, "notice": notice}, status=status)


def login_totp(request: HttpRequest) -> HttpResponse:
    """业务人员登录, step 2: the 6-digit code of the authenticator app."""
    pending = request.session.get(SESSION_2FA_PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(SESSION_2FA_PENDING, None)
        return redirect("console:login")
    user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        return redirect("console:login")
    form = TotpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many(request, user.get_username()):
            form.add_error(None, "尝试过于频繁，请稍后再试。")
            status = 429
        else:
            with transaction.atomic(durable=True):
                result = staff_login_totp(user=user, code=form.cleaned_data["code"], ip=ratelimit.client_ip(request))
            if result.ok:
                request.session.pop(SESSION_2FA_PENDING, None)
                return _sign_in(request, result, next_url=pending.get("next") or "/", second_factor=True)
            if result.code == "LOCKED":
                request.session.pop(SESSION_2FA_PENDING, None)
            form.add_error(None, result.message)
            status = 429 if result.code == "RATE_LIMITED" else status
    return render(request, "console/login_totp.html", {"form": form, "username": user.get_username()},
                  status=status)


@staff_required
def password_change(request: StaffRequest) -> HttpResponse:
    """修改密码 (also where an expired or reset password leads)."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                staff_password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                      new_password=form.cleaned_data["new_password"], actor=request.user)
        except DomainError as e:
            form.add_error("old_password" if e.field == "old_password" else "new_password", e.message)
        else:
            update_session_auth_hash(request, request.user)
            staff_session_remember(user=request.user, session_key=request.session.session_key)
            from django.contrib import messages

            messages.success(request, "密码已修改。")
            return redirect("console:home")
    forced = staff_password_expired(request.user)
    return render(request, "console/password_change.html", {
        "form": form, "forced": forced, "min_length": policy.value("PASSWORD_MIN_LENGTH"),
        "history": policy.value("PASSWORD_HISTORY"), "max_age": policy.value("PASSWORD_MAX_AGE_DAYS"),
    })


@staff_required
def totp_enrol(request: StaffRequest) -> HttpResponse:
    """绑定动态口令: the secret and provisioning URI to type into an authenticator app, then a first code."""
    sec = StaffSecurity.objects.filter(user=request.user).first()
    if sec is not None and sec.totp_confirmed_at:
        return render(request, "console/totp_enrol.html", {"enrolled": True})
    form = TotpForm(request.POST or None)
    with transaction.atomic(durable=True):
        secret, uri = staff_totp_enrol_begin(user=request.user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                staff_totp_enrol_confirm(user=request.user, code=form.cleaned_data["code"], actor=request.user)
        except DomainError as e:
            form.add_error("code", e.message)
        else:
            from django.contrib import messages

            messages.success(request, "动态口令已绑定，以后登录时需输入动态口令。")
            return redirect("console:home")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "console/totp_enrol.html", {
        "form": form, "secret": grouped, "uri": uri, "required": totp_required(request.user, sec)})


# 常用功能 on the home page: (label, URL name, permission), each shown only to whom may open it, so every role
# finds its own work there (a teller the counter, finance the day-end, the auditor the audit log ...).
SHORTCUTS: list[tuple[str, str, str]] = [
    ("单位开户", "accounts:employer_register", "accounts.open"),
    ("个人开户", "accounts:member_open", "accounts.open"),
    ("汇缴", "remit:list", "contributions.remit"),
    ("办件工作台", "applications:queue", "applications.view"),
    ("柜面代为申请", "applications:intake_items", "applications.accept"),
    ("到账待处理", "remit:receipts", "settlement.view"),
    ("日终对账", "reconciliation:dayend", "settlement.view"),
    ("财务报表", "finance:statements", "finance.view"),
    ("流动性", "finance:liquidity", "finance.view"),
    ("领导驾驶舱", "console:cockpit", "cockpit.view"),
    ("待复核", "approvals:pending", "approvals.approve"),
    ("审计日志", "audit:list", "audit.view"),
    ("用户管理", "console:iam_users", "iam.manage_users"),
    ("作业", "jobs:list", "jobs.view"),
]


@staff_required
def home(request: StaffRequest) -> HttpResponse:
    """首页: the user's 待办 (core.todo: only the queues its roles may work), its shortcuts, and the jobs panel
    for the roles that may see jobs (loaded by htmx; a panel that fails says so, see static/js/panels.js)."""
    user = request.user
    center = staff_center(user)
    shortcuts = [(label, url) for label, name, perm in SHORTCUTS
                 if has_permission(user, perm, center=center) and (url := url_or_none(name))]
    can_jobs = has_permission(user, "jobs.view")
    return render(request, "console/home.html", {
        "todos": todos_for(user, center) if center is not None else [],
        "shortcuts": shortcuts,
        "jobs_partial_url": url_or_none("jobs:list_partial") if can_jobs else None,
        "can_jobs": can_jobs,
        "can_manage_users": has_permission(user, "iam.manage_users"),
    })


@permission_required("cockpit.view")
def cockpit_page(request: StaffRequest) -> HttpResponse:
    """领导驾驶舱: the center's key figures of the last 12 months (finance.cockpit), charted with ECharts."""
    center = staff_center_required(request.user, perm="cockpit.view")
    c = cockpit(center=center, user=request.user)
    last = c.last
    cards = [
        ("缴存余额", f"{format_fen(last.balance)} 元", f"{last.label} 月末（截至 {c.on:%Y-%m-%d}）", "cockpit-balance"),
        ("近 12 个月缴存额", f"{format_fen(c.deposits_12m)} 元", f"本月 {format_fen(last.deposits)} 元",
         "cockpit-deposits"),
        ("近 12 个月提取额", f"{format_fen(c.withdrawals_12m)} 元",
         f"本月 {format_fen(last.withdrawals)} 元" if c.withdrawals_12m else "尚未办理提取业务，提取额为 0",
         "cockpit-withdrawals"),
        ("个贷率", format_ratio(last.loan_ratio) if last.loan_ratio is not None else "—",
         "贷款余额 ÷ 缴存余额" if c.has_loans else "尚未发放个人住房贷款，个贷率为 0", "cockpit-loan-ratio"),
        ("欠缴单位", f"{c.arrears_employers} 家",
         f"{c.arrears_month[:4]}-{c.arrears_month[4:]} 催缴清单，欠缴 {format_fen(c.arrears_amount)} 元",
         "cockpit-arrears"),
    ]
    return render(request, "console/cockpit.html", {
        "c": c, "cards": cards, "rows": c.rows(), "chart": c.chart_data(), "load_echarts": True,
        "arrears_url": url_or_none("relief:arrears"),
        "arrears_month": f"{c.arrears_month[:4]}-{c.arrears_month[4:]}", "arrears_amount": format_fen(c.arrears_amount),
        "liquidity_url": url_or_none("finance:liquidity") if has_permission(request.user, "finance.view") else None,
    })


def password_reset(request: HttpRequest) -> HttpResponse:
    """本人凭重置码设置新密码 (no session): after a security admin's reset, the user enters the code sent to the
    own mobile and a new password, then signs in and enrols a new second factor before any business page."""
    form, username, status = _posted_form(request, PasswordResetForm, "尝试过于频繁，请稍后再试。")
    if username is not None:
        try:
            with transaction.atomic(durable=True):
                failure = staff_password_reset_complete(
                    username=username, code=form.cleaned_data["code"],
                    new_password=form.cleaned_data["new_password"], ip=ratelimit.client_ip(request))
        except DomainError as e:
            form.add_error("new_password", e.message)
            status = 422
        else:
            if failure is None:
                return render(request, "console/password_reset.html", {"done": True})
            form.add_error(None, failure.message)
            status = 401
    elif request.method == "POST" and status == 200:
        status = 422
    return render(request, "console/password_reset.html", {"form": form}, status=status)
