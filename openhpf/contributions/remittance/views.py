"""Console pages of remittances (kept small): list, detail with its roster, upload a roster file and see its
errors, confirm a draft."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openhpf.access.decorators import permission_required
from openhpf.accounts.models import Employer
from openhpf.core.errors import DomainError
from openhpf.core.ingest import Limits, upload_spool
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.iam.services import console_center
from openhpf.settlement import selectors as settlement_selectors
from openhpf.settlement.models import Notice

from .. import selectors
from ..models import Receipt, Remittance
from ..months import ym
from . import services
from .fileimport import remittance_import


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


@require_GET
@permission_required("accounts.view")
def remittance_list(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    rows = selectors.remittance_list(center=center, user=request.user, status=request.GET.get("status") or None,
                                     employer_no=request.GET.get("employer") or None, limit=100)
    return render(request, "contributions/remit/list.html", {"rows": rows, "statuses": Remittance.Status.choices,
                                                             "status": request.GET.get("status", "")})


@require_GET
@permission_required("accounts.view")
def remittance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    try:
        r = selectors.remittance_get(center=center, pk=pk, user=request.user)
    except DomainError as e:
        return render(request, "contributions/remit/detail.html", {"error": e.message}, status=404)
    lines = selectors.remittance_lines(remittance=r, actor=request.user, limit=200)
    return render(request, "contributions/remit/detail.html", {"r": r, "lines": lines})


@require_POST
@permission_required("contributions.remit")
def remittance_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    try:
        r = selectors.remittance_get(center=center, pk=pk, user=request.user)
        with transaction.atomic(durable=True):
            services.remittance_confirm(remittance=r, actor=request.user, business_date=center.business_date)
    except DomainError as e:
        return render(request, "contributions/remit/detail.html", {"error": e.message}, status=422)
    return redirect("remit:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required("contributions.remit")
def remittance_upload(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    bd = center.business_date
    ctx: dict = {"month": request.POST.get("month") or f"{ym(bd)[:4]}-{ym(bd)[4:]}"}
    f = request.FILES.get("file")
    if request.method == "POST" and f is not None:
        limits = Limits.for_upload(on=bd, center=center)
        try:
            with upload_spool(f, limits=limits) as path:  # bounded, and removed however the import ends
                ctx["result"] = remittance_import(center=center, path=path, month=ctx["month"], actor=request.user,
                                                  business_date=bd, exclude_rejected=bool(request.POST.get("exclude")),
                                                  limits=limits)
        except DomainError as e:
            ctx["error"] = e.message
    elif request.method == "POST":
        ctx["error"] = "请选择清册文件（.xlsx 或 .csv）"
    return render(request, "contributions/remit/upload.html", ctx)


@require_GET
@permission_required("accounts.view")
def import_errors(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    center = _center(request)
    try:
        imp = selectors.import_get(center=center, pk=pk, user=request.user)
    except DomainError as e:
        return render(request, "contributions/remit/detail.html", {"error": e.message}, status=404)
    if not imp.error_file or not Path(imp.error_file).is_file():
        return render(request, "contributions/remit/detail.html", {"error": "该导入没有错误清单"}, status=404)
    return FileResponse(open(imp.error_file, "rb"), as_attachment=True, filename=f"清册错误-{imp.pk}.xlsx")


def _back_with_error(name: str, error: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'error': error})}")


# ---- 到账待处理 (the settlement console's receipts tab: money waiting for its employer)


@require_GET
@permission_required("settlement.view")
def receipt_queue(request: HttpRequest) -> HttpResponse:
    """到账待处理: money whose payer is unknown (暂收, 21902) waits here to be assigned to an employer (then
    allocated from its 暂存 by the contributions work); the notices finance must book are listed beside it, and
    the latest assignments with the employer each went to."""
    center = _center(request)
    page, rows = selectors.unknown_receipts(center=center, actor=request.user, page=request.GET.get("page"))
    return render(request, "contributions/receipts.html", {
        "page": page, "rows": rows,
        "queue": settlement_selectors.notices(center=center, user=request.user, status=Notice.Status.QUEUE)[:50],
        "assigned": selectors.receipts_assigned(center=center, user=request.user),
        "error": request.GET.get("error", "")})


@require_POST
@permission_required("contributions.remit")
def receipt_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """暂收认领 in two steps: the employer number shows the employer (number and name) and the money, and asks
    for confirmation (nothing written); with confirm=1 the money moves to that employer's 暂存."""
    center = _center(request)
    rc = get_object_or_404(Receipt, pk=pk, center=center)
    employer_no = request.POST.get("employer_no", "").strip()
    employer = Employer.objects.filter(center=center, account_no=employer_no).first() if employer_no else None
    if employer is None:
        return _back_with_error("remit:receipts", f"单位账号 {employer_no} 不存在" if employer_no else "请填写单位账号")
    if rc.status != Receipt.Status.UNKNOWN_SUSPENSE:
        return _back_with_error("remit:receipts", f"到账 {rc.bank_ref} 已不在暂收款中")
    if request.POST.get("confirm") != "1":
        _, rows = selectors.unknown_receipts(center=center, actor=request.user, pk=rc.pk)
        return render(request, "contributions/receipt_assign_confirm.html", {
            "r": rows[0] if rows else None, "employer": employer})
    try:
        with transaction.atomic(durable=True):
            services.receipt_assign(receipt=rc, employer=employer, actor=request.user, business_date=center.business_date)
    except DomainError as e:
        return _back_with_error("remit:receipts", e.message)
    messages.success(request, f"已认领：{format_fen(rc.amount)} 元（银行流水号 {rc.bank_ref}）转入 {employer.name}"
                              f"（单位账号 {employer.account_no}）的暂存款")
    return redirect("remit:receipts")
