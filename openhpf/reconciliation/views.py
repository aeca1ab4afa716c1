"""Console pages of 日终对账: the home (专户 × last days), one day's 银行存款余额调节表, the work queue of open items
(filters swapped by htmx, explain in place, resolve a selection), and running a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.iam.services import console_center

from . import selectors, services
from .models import ReconItem, ReconMatch

VIEW, OPERATE = selectors.VIEW, services.PERMISSION


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


def _is_partial(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _back(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


@require_GET
@permission_required(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    rows = selectors.home_rows(center=center, user=request.user, days=7)
    bd = center.business_date
    ok, problems = selectors.reconciliation_day_ok(center=center, on=bd)
    return render(request, "reconciliation/home.html", {
        "rows": rows, "business_date": bd, "gate_ok": ok, "gate_problems": problems,
        "can_operate": has_permission(request.user, OPERATE, center=center)})


@require_GET
@permission_required(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    try:
        recon = selectors.reconciliation_get(center=center, pk=pk, user=request.user)
    except DomainError as e:
        return render(request, "reconciliation/detail.html", {"error": e.message}, status=404)
    table = selectors.adjustment_table(recon=recon, user=request.user)
    rules = [(label, getattr(recon, f)) for label, f in (
        (ReconMatch.Rule.KEY.label, "matched_by_key"), (ReconMatch.Rule.SUM.label, "matched_by_sum"),
        (ReconMatch.Rule.CANCEL.label, "cancelled"), (ReconMatch.Rule.AMOUNT.label, "matched_by_amount"))]
    return render(request, "reconciliation/detail.html", {
        "r": recon, "t": table, "rules": rules, "can_operate": has_permission(request.user, OPERATE, center=center),
        "groups": [("银行已收单位未收", table.bank_in), ("银行已付单位未付", table.bank_out),
                   ("单位已收银行未收", table.book_in), ("单位已付银行未付", table.book_out)]})


@require_GET
@permission_required(VIEW)
@vary_on_headers("HX-Request")
def items(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    f = {k: (request.GET.get(k) or "").strip() for k in ("account", "reason", "state")}
    f["state"] = f["state"] if f["state"] in selectors.ITEM_STATES else "open"
    ctx: dict[str, Any] = {"f": f, "accounts": selectors.bank_accounts(center=center, user=request.user),
                           "reasons": ReconItem.Reason.choices, "states": selectors.ITEM_STATES.items(),
                           "can_operate": has_permission(request.user, OPERATE, center=center)}
    try:
        acct = (selectors.bank_account_get(center=center, account_no=f["account"], user=request.user)
                if f["account"] else None)
        found = selectors.item_list(center=center, user=request.user, bank_account=acct, reason=f["reason"] or None,
                                    state=f["state"], limit=500)
        ctx["rows"] = selectors.item_views(found, user=request.user, center=center)
    except DomainError as e:
        ctx["error"], ctx["rows"] = e.message, []
    ctx["next"] = request.get_full_path()
    return render(request, "reconciliation/_items.html" if _is_partial(request) else "reconciliation/items.html", ctx)


@require_POST
@permission_required(OPERATE)
def item_explain(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    try:
        item = selectors.item_get(center=center, pk=pk, user=request.user)
    except DomainError as e:
        return HttpResponse(e.message, status=404)
    error = None
    try:
        with transaction.atomic(durable=True):
            item = services.recon_item_explain(item=item, note=request.POST.get("note", ""), actor=request.user,
                                               business_date=center.business_date)
    except DomainError as e:
        error = e.message
    if _is_partial(request):
        row = selectors.item_view_get(center=center, pk=pk, user=request.user)
        return render(request, "reconciliation/_item_row.html", {"v": row, "can_operate": True, "row_error": error},
                      status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"差异 {pk} 已说明")
    return redirect(_back(request, reverse("reconciliation:items")))


@require_POST
@permission_required(OPERATE)
def items_resolve(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    try:
        pks = [int(v) for v in request.POST.getlist("ids")]
        chosen = selectors.items_get(center=center, pks=pks, user=request.user)
        with transaction.atomic(durable=True):
            done = services.recon_items_resolve(items=chosen, note=request.POST.get("note", ""), actor=request.user,
                                                business_date=center.business_date)
        messages.success(request, f"已核销 {len(done)} 笔差异")
    except ValueError:
        messages.error(request, "差异编号不正确")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect(_back(request, reverse("reconciliation:items")))


@require_POST
@permission_required(OPERATE)
def run(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    try:
        on = date.fromisoformat((request.POST.get("date") or "").strip() or center.business_date.isoformat())
    except ValueError:
        messages.error(request, "对账日期格式应为 YYYY-MM-DD")
        return redirect("reconciliation:home")
    try:
        acct = selectors.bank_account_get(center=center, account_no=request.POST.get("account_no", ""),
                                          user=request.user)
        with transaction.atomic(durable=True):
            recon = services.reconcile(bank_account=acct, on=on, actor=request.user,
                                       business_date=center.business_date)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("reconciliation:home")
    messages.success(request, f"{acct.bank_name} {on} 对账完成：{recon.get_status_display()}")
    return redirect("reconciliation:detail", pk=recon.pk)
