"""Console pages of remittances: the 汇缴单 list (filters, true paging), the detail with its roster, the roster
upload (预览 with every error by row and column, then 确认 with its 业务回单) and its template, confirming a draft,
and the 到账待处理 queue. The 汇缴 and 补缴 counter transactions are in counter.py."""

from __future__ import annotations

import io
import secrets
import shutil
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.access.services import export_watermark
from openhpf.accounts.models import Employer
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError
from openhpf.core.ingest import Limits, upload_spool
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.paging import paginate
from openhpf.documents import receipts
from openhpf.documents.counter import Line
from openhpf.documents.exports import export_audit, xlsx_response, yuan_text
from openhpf.iam.services import console_center
from openhpf.jobs.models import Job
from openhpf.settlement import selectors as settlement_selectors
from openhpf.settlement.models import Notice

from .. import selectors
from ..models import Receipt, Remittance, RemittanceImport
from ..months import ym, ym_parse
from . import services
from .fileimport import COLUMN_HELP, COLUMNS, ImportResult, remittance_import, template_write


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


def _month_filter(value: str, field: str) -> str:
    return ym_parse(value, field=field) if (value or "").strip() else ""


def _month_input(v: str) -> str:
    """'YYYYMM' → the value of an <input type=month> ('YYYY-MM')."""
    return f"{v[:4]}-{v[4:]}" if v else ""


def _remittance_filter(g: Any) -> selectors.RemittanceFilter:
    """The 汇缴单 list's filters from the request (months as 'YYYY-MM' from <input type=month> or 'YYYYMM')."""
    return selectors.RemittanceFilter(employer_no=g.get("employer", "").strip()[:20],
                                      month_from=_month_filter(g.get("from", ""), "from"),
                                      month_to=_month_filter(g.get("to", ""), "to"),
                                      biz_type=g.get("type", ""), status=g.get("status", ""))


def _remittance_query(f: selectors.RemittanceFilter) -> dict[str, str]:
    """The filters as the list's GET parameters."""
    return {k: v for k, v in (("employer", f.employer_no), ("from", _month_input(f.month_from)),
                              ("to", _month_input(f.month_to)), ("type", f.biz_type), ("status", f.status)) if v}


@require_GET
@permission_required("accounts.view")
def remittance_list(request: HttpRequest) -> HttpResponse:
    """汇缴单 list: filters (单位账号, 所属年月 from/to, 类型 汇缴/补缴, 状态), newest first, paged with the true total."""
    center = _center(request)
    g = request.GET
    ctx: dict = {"statuses": Remittance.Status.choices, "types": [(BizType.REMITTANCE, "汇缴"), (BizType.BACK_PAYMENT, "补缴")],
                 "employer": g.get("employer", "").strip(), "status": g.get("status", ""), "biz_type": g.get("type", ""),
                 "from_value": g.get("from", ""), "to_value": g.get("to", ""), "page": None,
                 "can_export": has_permission(request.user, "accounts.export", center=center)}
    try:
        f = _remittance_filter(g)
        ctx["page"] = selectors.remittance_page(center=center, user=request.user, employer_no=f.employer_no,
                                                month_from=f.month_from, month_to=f.month_to, biz_type=f.biz_type,
                                                status=f.status, page=g.get("page"))
    except DomainError as e:
        ctx["error"] = e.message
    else:
        ctx["from_value"], ctx["to_value"] = _month_input(f.month_from), _month_input(f.month_to)
        ctx["keep"] = sorted(_remittance_query(f).items())
    return render(request, "contributions/remit/list.html", ctx)


REMITTANCE_HEADER = ["编号", "单位账号", "单位名称", "所属年月", "类型", "人数", "合计（元）", "状态", "业务日期", "到账日期"]


@require_POST
@permission_required("accounts.export")
def remittance_export(request: HttpRequest) -> HttpResponseBase:
    """汇缴单 list as filtered, as .xlsx with its totals (张数, 人数, 金额); watermarked and audited (no personal data)."""
    center = _center(request)
    reason = request.POST.get("reason", "")
    try:
        f = _remittance_filter(request.POST)
        mark = export_watermark(request.user, reason)
        totals, rows = selectors.remittance_export_rows(center=center, user=request.user, filters=f)
        with transaction.atomic(durable=True):
            export_audit(actor=request.user, event=AuditEvent.CONTRIBUTIONS_REMITTANCE_EXPORT, center=center,
                         reason=reason, rows=totals.count, filters=f.as_dict())
    except DomainError as e:
        messages.error(request, f"未能导出：{e.message}")
        keep = {k: request.POST.get(k, "") for k in ("employer", "from", "to", "type", "status") if request.POST.get(k)}
        return redirect(f"{reverse('remit:list')}?{urlencode(keep)}")
    return xlsx_response(
        filename="汇缴单.xlsx", title="汇缴单列表", header=REMITTANCE_HEADER, watermark=mark,
        rows=([r.pk, r.employer.account_no, r.employer.name, _month_input(r.month), _remittance_kind(r), r.lines,
               yuan_text(r.total), r.get_status_display(), r.business_date, r.value_date] for r in rows),
        totals=["合计", f"{totals.count} 张", "", "", "", totals.lines, yuan_text(totals.amount), "", "", ""],
        widths=[10, 16, 30, 10, 14, 8, 16, 10, 12, 12])


def _remittance_kind(r: Remittance) -> str:
    if not r.is_back_payment:
        return "汇缴"
    return f"补缴（{r.get_back_kind_display()}）" if r.back_kind else "补缴"


@require_GET
@permission_required("accounts.view")
def remittance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    try:
        r = selectors.remittance_get(center=center, pk=pk, user=request.user)
    except DomainError as e:
        return render(request, "contributions/remit/detail.html", {"error": e.message}, status=404)
    page = selectors.remittance_lines_page(remittance=r, actor=request.user, page=request.GET.get("page"))
    return render(request, "contributions/remit/detail.html", {"r": r, "lines": page.items, "page": page})


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


PREVIEW_KEEP = timedelta(days=1)  # an upload previewed but never confirmed is removed after this


def _preview_dir() -> Path:
    return Path(settings.VAR_DIR) / "remit" / "previews"


def _keep_upload(src: Path) -> Path:
    """A copy of the spooled upload kept for its 确认 (the spool is removed when the request ends); copies of
    previews never confirmed are swept after PREVIEW_KEEP."""
    d = _preview_dir()
    d.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PREVIEW_KEEP.total_seconds()
    for old in d.iterdir():
        with suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    dest = d / f"{secrets.token_hex(12)}{src.suffix.lower()}"
    shutil.copyfile(src, dest)
    return dest


def _kept_file(imp: RemittanceImport) -> Path | None:
    job = Job.objects.filter(pk=imp.job_id).first() if imp.job_id else None
    path = Path(str((job.params or {}).get("file") or "")) if job is not None else None
    if path is None or path.parent.resolve() != _preview_dir().resolve() or not path.is_file():
        return None
    return path


def _upload_ctx(center: Center) -> dict:
    bd = center.business_date
    return {"month": f"{ym(bd)[:4]}-{ym(bd)[4:]}", "columns": [(h, req, COLUMN_HELP[h]) for h, _, req in COLUMNS]}


@require_http_methods(["GET", "POST"])
@permission_required("contributions.remit")
def remittance_upload(request: HttpRequest) -> HttpResponse:
    """上传缴存清册: the file is read and validated first (预览: every error by row and column, or the totals of
    what it would create), nothing is created; 确认 then imports the kept copy and issues the 业务回单."""
    center = _center(request)
    bd = center.business_date
    ctx = _upload_ctx(center)
    if request.method == "POST" and request.POST.get("_step") == "confirm":
        return _upload_confirm(request, center, ctx)
    ctx["month"] = request.POST.get("month") or ctx["month"]
    ctx["exclude"] = bool(request.POST.get("exclude"))
    f = request.FILES.get("file")
    if request.method == "POST" and f is not None:
        limits = Limits.for_upload(on=bd, center=center)
        try:
            with upload_spool(f, limits=limits) as spooled:  # bounded, and removed however the request ends
                kept = _keep_upload(spooled)
            try:
                result = remittance_import(center=center, path=kept, month=ctx["month"], actor=request.user,
                                           business_date=bd, exclude_rejected=ctx["exclude"], limits=limits,
                                           preview=True, file_name=f.name or "")
            except DomainError:
                kept.unlink(missing_ok=True)
                raise
            ctx["result"] = result
            if not result.previewed:
                kept.unlink(missing_ok=True)
        except DomainError as e:
            ctx["error"] = e.message
    elif request.method == "POST":
        ctx["error"] = "请选择清册文件（.xlsx 或 .csv）"
    return render(request, "contributions/remit/upload.html", ctx)


def _upload_confirm(request: HttpRequest, center: Center, ctx: dict) -> HttpResponse:
    """确认 of a previewed upload: a double submission lands on the first 回单; else the kept copy is imported
    (the rules run again: what changed since the preview is refused) and the 回单 issued."""
    pk = request.POST.get("import", "")
    imp = RemittanceImport.objects.filter(center=center, pk=int(pk) if pk.isdigit() else 0).first()
    if imp is None:
        ctx["error"] = "清册预览不存在，请重新上传"
        return render(request, "contributions/remit/upload.html", ctx, status=404)
    token = f"remit-upload-{imp.pk}"
    done = receipts.receipt_for_token(center, token)
    if done is not None:
        return redirect("documents:receipt", done.number)
    path = _kept_file(imp)
    if imp.status != RemittanceImport.Status.PREVIEWED or path is None:
        ctx["error"] = "该清册预览已失效，请重新上传"
        return render(request, "contributions/remit/upload.html", ctx, status=409)
    if request.POST.get("_ack") != "1":
        ctx.update(result=_preview_result(imp), error="请勾选「已与客户核对人数和金额」后再确认")
        return render(request, "contributions/remit/upload.html", ctx, status=422)
    bd = center.business_date
    try:
        result = remittance_import(center=center, path=path, month=imp.month, actor=request.user, business_date=bd,
                                   exclude_rejected=imp.exclude_rejected,
                                   limits=Limits.for_upload(on=bd, center=center), file_name=imp.file_name)
    except DomainError as e:
        ctx["error"] = e.message
        return render(request, "contributions/remit/upload.html", ctx, status=422)
    if not result.accepted:
        ctx.update(result=result, error="清册在预览后发生变化，重新校验未通过，未生成任何汇缴单")
        return render(request, "contributions/remit/upload.html", ctx, status=422)
    path.unlink(missing_ok=True)  # the preview is used up: its record stays 已校验待确认, the import's is 已生成汇缴单
    rows = Remittance.objects.filter(pk__in=result.remittance_ids).select_related("employer").order_by("pk")
    lines = [Line("缴存年月", f"{imp.month[:4]}-{imp.month[4:]}"), Line("清册文件", imp.file_name),
             Line("汇缴单", "、".join(f"{r.pk}（{r.employer.account_no} {r.employer.name}）" for r in rows[:20])
                  + (f" 等 {len(result.remittance_ids)} 张" if len(result.remittance_ids) > 20 else "")),
             Line("人数", str(result.accepted_rows)),
             Line("合计", f"{format_fen(result.total)} 元")]
    with transaction.atomic(durable=True):
        rc = receipts.receipt_issue(center=center, kind="contributions.remit.upload", title="缴存清册导入（汇缴）",
                                    lines=lines, actor=request.user, business_date=bd, token=token,
                                    object=rows[0] if rows else None,
                                    back_url=reverse("remit:list") + "?status=confirmed", amount_fen=result.total)
    return redirect("documents:receipt", rc.number)


def _preview_result(imp: RemittanceImport) -> ImportResult:
    return ImportResult(import_id=imp.pk, status=imp.status, rows=imp.rows, accepted_rows=imp.accepted_rows,
                        rejected_rows=imp.rejected_rows, errors=imp.errors, total=imp.total)


@require_GET
@permission_required("contributions.remit")
def upload_template(request: HttpRequest) -> FileResponse:
    """The blank roster template (.xlsx) with its 填写说明 sheet."""
    buf = io.BytesIO()
    template_write(buf)
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename="缴存清册模板.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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
        "queue": paginate(settlement_selectors.notices(center=center, user=request.user, status=Notice.Status.QUEUE),
                          1, 20),
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
