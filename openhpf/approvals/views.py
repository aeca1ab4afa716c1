"""Console pages of maker-checker (复核): 待复核 list, a command with 通过/驳回, and 我提交的."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import staff_required
from openhpf.access.services import has_permission
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio
from openhpf.core.policy import KEYS, policy_label, policy_value_text
from openhpf.iam.services import staff_center

from . import policy_forms, registry, selectors, services
from .models import PendingCommand
from .policy_counter import POLICY_PERMISSION


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise PermissionDenied("当前用户未归属任何管理中心")
    return center


def _is_checker(request: HttpRequest, center: Center) -> bool:
    return has_permission(request.user, services.CHECKER_PERMISSION, center=center)


# parameter and result names that hold an amount in fen, or a ratio (a fraction of one): shown in 元 and %
_MONEY_NAMES = frozenset({
    "amount", "total", "debit", "credit", "amount_current", "amount_carried", "principal", "interest", "base",
    "requested_base", "final_base", "distributable", "risk_reserve", "management_fee", "lowrent_fund",
    "loans_outstanding", "reserve_before", "management_fee_budget"})


def _shown(name: str, value: Any, params: dict[str, Any]) -> str:
    """A command's parameter or result value as people read it: amounts in 元, ratios in %."""
    if isinstance(value, dict):
        return "，".join(f"{k} {_shown(k, v, value)}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(_shown(name, v, params) for v in value)
    if name == "value" and "key" in params:
        return policy_value_text(str(params["key"]), value)
    if name in _MONEY_NAMES and isinstance(value, int) and not isinstance(value, bool):
        return f"{format_fen(value)} 元"
    if name.endswith("ratio") and isinstance(value, str | Decimal):
        try:
            return format_ratio(Decimal(str(value)))
        except ArithmeticError:
            return str(value)
    return "" if value is None else str(value)


def _row(cmd: PendingCommand, viewer: Any = None) -> dict[str, Any]:
    rendered = registry.summary_of(cmd, viewer)
    return {
        "id": cmd.pk, "name": cmd.name, "label": registry.label_of(cmd.name), "summary": rendered.headline,
        "rendered": rendered, "status": cmd.status,
        "status_label": cmd.get_status_display(),
        "amount": format_fen(cmd.amount) if cmd.amount is not None else "", "maker": selectors.person_label(cmd.maker),
        "made_at": cmd.made_at, "business_date": cmd.business_date, "checker": selectors.person_label(cmd.checker),
        "decided_at": cmd.decided_at, "reason": cmd.reason, "apply_error": cmd.apply_error,
        "result": {k: _shown(k, v, cmd.params or {}) for k, v in cmd.result.items()} if isinstance(cmd.result, dict)
        else cmd.result,
        "params": {k: _shown(k, v, cmd.params) for k, v in (cmd.params or {}).items()}, "maker_id": cmd.maker_id,
    }


@require_GET
@staff_required
def pending(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    if not _is_checker(request, center):
        raise PermissionDenied("无复核权限")
    others = request.GET.get("others") == "1"  # 待我复核: not the user's own (the home page's 待办 link)
    page = selectors.commands_pending_page(center=center, checker=request.user if others else None,
                                           page=request.GET.get("page"))
    rows = [_row(c, request.user) for c in page.items]
    return render(request, "approvals/pending.html", {"rows": rows, "page": page, "others": others})


@require_GET
@staff_required
def mine(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    page = selectors.commands_of_maker_page(center=center, maker=request.user, page=request.GET.get("page"))
    rows = [_row(c, request.user) for c in page.items]
    return render(request, "approvals/mine.html", {"rows": rows, "page": page})


def _command(request: HttpRequest, pk: int) -> tuple[Center, PendingCommand, bool]:
    center = _center(request)
    try:
        cmd = selectors.command_get(center=center, pk=pk)
    except DomainError:
        raise Http404("复核命令不存在") from None
    checker = _is_checker(request, center)
    if cmd.maker_id != request.user.pk and not checker:
        raise PermissionDenied("无复核权限")
    return center, cmd, checker


@require_GET
@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _, cmd, checker = _command(request, pk)
    own = cmd.maker_id == request.user.pk
    ctx = {"c": _row(cmd, request.user), "can_decide": cmd.status == "pending" and checker and not own,
           "can_withdraw": cmd.status == "pending" and own}
    return render(request, "approvals/detail.html", ctx)


@require_POST
@staff_required
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """通过 / 驳回 in two steps: the first POST shows what will happen and asks for confirmation (nothing written);
    the second, with confirm=1, decides."""
    center, cmd, checker = _command(request, pk)
    reason = request.POST.get("reason", "").strip()
    if request.POST.get("confirm") != "1":
        if action == "reject" and not reason:
            messages.error(request, "驳回必须填写原因")
            return redirect("approvals:detail", pk=pk)
        own = cmd.maker_id == request.user.pk
        if cmd.status != PendingCommand.Status.PENDING or (action == "approve" and (own or not checker)):
            messages.error(request, "该业务不能由您复核" if cmd.status == PendingCommand.Status.PENDING
                           else f"该业务已{cmd.get_status_display()}，不能再次复核")
            return redirect("approvals:detail", pk=pk)
        return render(request, "approvals/confirm.html", {
            "c": _row(cmd, request.user), "action": action, "reason": reason,
            "withdraw": action == "reject" and own})
    try:
        with transaction.atomic(durable=True):
            bd = Center.objects.get(pk=center.pk).business_date
            if action == "approve":
                cmd = services.command_approve(command=cmd, actor=request.user, business_date=bd, reason=reason)
            else:
                cmd = services.command_reject(command=cmd, actor=request.user, reason=reason, business_date=bd)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        if cmd.status == PendingCommand.Status.APPLIED:
            messages.success(request, f"已复核通过并执行：{registry.summary_of(cmd, request.user).headline}")
        elif cmd.status == PendingCommand.Status.FAILED:
            messages.error(request, f"已复核通过，但执行失败，未做任何变更：{cmd.apply_error}")
        else:
            messages.success(request, f"已驳回：{registry.summary_of(cmd, request.user).headline}")
    return redirect("approvals:detail", pk=pk)


# ---------------------------------------------------------------- 政策参数: values in force, history, change form


def _may_see_policy(request: HttpRequest, center: Center) -> bool:
    return (has_permission(request.user, POLICY_PERMISSION, center=center)
            or has_permission(request.user, services.CHECKER_PERMISSION, center=center))


@require_GET
@staff_required
def policies(request: HttpRequest) -> HttpResponse:
    """政策参数: every parameter with the value in force on the business date and the next scheduled change."""
    center = _center(request)
    if not _may_see_policy(request, center):
        raise PermissionDenied("无权查看政策参数")
    rows = policy_forms.overview(center=center, on=center.business_date)
    return render(request, "approvals/policies.html", {"rows": rows, "on": center.business_date})


@require_GET
@staff_required
def policy(request: HttpRequest, key: str) -> HttpResponse:
    center = _center(request)
    if not _may_see_policy(request, center):
        raise PermissionDenied("无权查看政策参数")
    if key not in KEYS:
        raise Http404("没有这个政策参数")
    return render(request, "approvals/policy.html", {
        "key": key, "label": policy_label(key), "on": center.business_date,
        "history": policy_forms.history(center=center, key=key, on=center.business_date),
        "pending": [_row(c, request.user) for c in policy_forms.pending(center=center, key=key)],
        "can_change": has_permission(request.user, POLICY_PERMISSION, center=center),
        "editable": policy_forms.editable(center, key)})
