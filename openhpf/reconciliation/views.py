"""Console pages of 日终对账: the home (专户 × last days), one day's 银行存款余额调节表, the work queue of open items
(filters swapped by htmx, explain in place, resolve a selection), and running a day."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.access.services import export_watermark
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.models import Center
from openhpf.core.money import format_fen, parse_yuan
from openhpf.core.paging import paginate
from openhpf.documents.exports import XLSX, export_audit
from openhpf.documents.pdf import content_disposition
from openhpf.documents.receipts import operator_name
from openhpf.iam.services import console_center
from openhpf.jobs import dayend
from openhpf.jobs.models import Job
from openhpf.settlement import services as settlement_services

from . import prints, selectors, services
from .fileload import statement_load_file
from .models import BankStatement, ReconItem, ReconMatch

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".ndjson", ".jsonl")
ITEMS_PAGE_SIZE = 50  # the work queue's page (core.paging: the true total, past the end → the last page)

VIEW, OPERATE = selectors.VIEW, services.PERMISSION
log = logging.getLogger(__name__)


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
    gate = selectors.reconciliation_gate(center=center, on=bd)
    return render(request, "reconciliation/home.html", {
        "rows": rows, "business_date": bd, "gate": gate,
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


@require_http_methods(["GET", "POST"])
@permission_required(VIEW)
def detail_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The 银行存款余额调节表 of one reconciliation as a PDF (GET, format=pdf, default) or a spreadsheet (POST,
    format=xlsx, with its 用途: watermarked like every export — who, when, why — and audited)."""
    center = _center(request)
    fmt = request.POST.get("format") or request.GET.get("format") or "pdf"
    try:
        if fmt not in ("pdf", "xlsx"):
            raise DomainError(ErrorCode.EXPORT_FORMAT, f"导出格式应为 xlsx 或 pdf：{fmt}", field="format")
        recon = selectors.reconciliation_get(center=center, pk=pk, user=request.user)
        table = selectors.adjustment_table(recon=recon, user=request.user)
    except DomainError as e:
        return render(request, "reconciliation/detail.html", {"error": e.message}, status=404)
    name = f"银行存款余额调节表_{recon.bank_account.account_no}_{recon.recon_date:%Y%m%d}.{fmt}"
    if fmt == "pdf":
        data = prints.adjustment_pdf(table, center_name=center.name, printed_on=center.business_date,
                                     preparer=operator_name(request.user))
        resp = HttpResponse(data, content_type="application/pdf")
        resp["Content-Disposition"] = content_disposition(name)
        return resp
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    try:
        mark = export_watermark(request.user, reason)
        with transaction.atomic(durable=True):
            export_audit(actor=request.user, event=AuditEvent.RECONCILIATION_ADJUSTMENT_EXPORT, center=center,
                         reason=reason, rows=sum(len(items) for _, items in prints.adjustment_groups(table)),
                         filters={"account": recon.bank_account.account_no, "date": recon.recon_date}, obj=recon)
    except DomainError as e:
        messages.error(request, f"未能导出：{e.message}")
        return redirect(reverse("reconciliation:detail", args=[recon.pk]))
    resp = HttpResponse(prints.adjustment_xlsx(table, center_name=center.name, printed_on=center.business_date,
                                               preparer=operator_name(request.user), watermark=mark),
                        content_type=XLSX)
    resp["Content-Disposition"] = content_disposition(name)
    resp["X-HPF-Watermark"] = mark.encode("utf-8").decode("latin-1")
    return resp


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
        page = paginate(selectors.item_query(center=center, user=request.user, bank_account=acct,
                                             reason=f["reason"] or None, state=f["state"]),
                        request.GET.get("page"), ITEMS_PAGE_SIZE)
        ctx["rows"] = selectors.item_views(page.items, user=request.user, center=center)
    except DomainError as e:
        ctx["error"], ctx["rows"], page = e.message, [], paginate([], 1)
    ctx["page"] = page
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


# ---------------------------------------------------------------- bank statements: fetch (BDC113) or upload


def _day(request: HttpRequest, center: Center) -> date:
    raw = (request.POST.get("date") or "").strip()
    try:
        return date.fromisoformat(raw) if raw else center.business_date
    except ValueError:
        raise DomainError(ErrorCode.DATE_FORMAT, f"对账单日期格式不正确：{raw}（应如 2026-11-30）", field="date") from None


def _statement_done(request: HttpRequest, stmt: BankStatement, how: str) -> None:
    messages.success(request, f"{how} {stmt.bank_account.bank_name} {stmt.bank_account.account_no} {stmt.stmt_date} 对账单："
                              f"{stmt.line_count} 笔，收入 {format_fen(stmt.total_in)} 元，支出 {format_fen(stmt.total_out)} 元，"
                              f"期初 {format_fen(stmt.opening_balance)} 元，期末 {format_fen(stmt.closing_balance)} 元")


@require_POST
@permission_required(OPERATE)
def statement_fetch(request: HttpRequest) -> HttpResponse:
    """下载对账单: the bank's 账户明细 (BDC113) of one day of one 专户, as day-end fetches it."""
    center = _center(request)
    try:
        acct = selectors.bank_account_get(center=center, account_no=request.POST.get("account_no", ""),
                                          user=request.user)
        on = _day(request, center)
        with transaction.atomic(durable=True):
            stmt = settlement_services.statement_fetch(bank_account=acct, on=on, actor=request.user,
                                                       business_date=center.business_date)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("reconciliation:home")
    _statement_done(request, stmt, "已下载")
    return redirect("reconciliation:home")


def _yuan_or_none(request: HttpRequest, name: str, label: str) -> int | None:
    raw = (request.POST.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_yuan(raw, field=name)
    except DomainError:
        raise DomainError(ErrorCode.AMOUNT_FEN, f"{label}格式不正确：{raw}（单位：元，最多两位小数）", field=name) from None


@require_POST
@permission_required(OPERATE)
def statement_upload(request: HttpRequest) -> HttpResponse:
    """上传对账单: a statement file the bank sent (CSV, Excel or NDJSON; see fileload); the opening and closing
    balances in 元 when the file does not give them. A file with errors is refused whole, every error listed."""
    center = _center(request)
    upload = request.FILES.get("file")
    try:
        acct = selectors.bank_account_get(center=center, account_no=request.POST.get("account_no", ""),
                                          user=request.user)
        on = _day(request, center)
        opening = _yuan_or_none(request, "opening", "期初余额")
        closing = _yuan_or_none(request, "closing", "期末余额")
        if upload is None or not upload.name:
            raise DomainError(ErrorCode.FILE_MISSING, "请选择对账单文件", field="file")
        suffix = Path(upload.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise DomainError(ErrorCode.FILE_TYPE, f"对账单文件应为 CSV、Excel 或 NDJSON：{upload.name}", field="file")
        with tempfile.TemporaryDirectory(prefix="hpf-stmt-") as tmp:
            path = Path(tmp) / f"statement{suffix}"
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            with transaction.atomic(durable=True):
                stmt = statement_load_file(bank_account=acct, path=path, stmt_date=on, actor=request.user,
                                           business_date=center.business_date, opening_balance=opening,
                                           closing_balance=closing)
    except ValidationReport as r:
        messages.error(request, "对账单未载入：" + "；".join(
            (f"第 {e.row} 行 " if e.row else "") + e.message for e in r.errors[:10]))
        return redirect("reconciliation:home")
    except DomainError as e:
        messages.error(request, "对账单未载入：" + e.message)
        return redirect("reconciliation:home")
    _statement_done(request, stmt, "已载入")
    return redirect("reconciliation:home")


# ---------------------------------------------------------------- 日终 (day-end) on screen


def _steps(job: Job | None) -> list[dict[str, Any]]:
    """The day-end plan with each step's state in `job` (all waiting before it starts)."""
    rows = {s.name: s for s in job.steps.all()} if job is not None else {}
    out = []
    for s in dayend.plan():
        row = rows.get(s.name)
        out.append({"name": s.name, "label": s.label, "status": row.status if row else "pending",
                    "status_label": row.get_status_display() if row else "等待",
                    "done": row.done if row else 0, "total": row.total if row else None})
    return out


def _dayend_context(center: Center, on: date, *, watch: int = 0, since: float = 0.0) -> dict[str, Any]:
    """The steps panel of the day-end of `on`. With `watch` (a start clicked at `since`), the panel keeps polling
    until the job has finished after that moment (or gives up after a minute without seeing it)."""
    job = dayend.dayend_job(center=center, on=on)
    running = job is not None and job.status in (Job.Status.PENDING, Job.Status.RUNNING) and not job.is_stale()
    waiting = 0 < watch <= 60 and (job is None or job.finished_at is None or job.finished_at.timestamp() < since)
    return {"on": on, "job": job, "steps": _steps(job), "running": running, "poll": running or waiting,
            "watch": watch + 1 if watch else 0, "since": since}


@require_GET
@permission_required(VIEW)
def dayend_page(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    bd = center.business_date
    return render(request, "reconciliation/dayend.html", {
        **_dayend_context(center, bd), "business_date": bd, "next_date": bd + timedelta(days=1),
        "gate": selectors.reconciliation_gate(center=center, on=bd), "jobs": dayend.dayend_jobs(center=center),
        "can_operate": has_permission(request.user, OPERATE, center=center)})


@require_GET
@permission_required(VIEW)
def dayend_progress(request: HttpRequest) -> HttpResponse:
    """The steps of the day-end of `on` (default: the business date), polled by htmx while it runs."""
    center = _center(request)
    try:
        on = date.fromisoformat(request.GET.get("on") or "") if request.GET.get("on") else center.business_date
        watch, since = int(request.GET.get("watch") or 0), float(request.GET.get("since") or 0)
    except ValueError:
        on, watch, since = center.business_date, 0, 0.0
    return render(request, "reconciliation/_dayend_steps.html", _dayend_context(center, on, watch=watch, since=since))


@require_POST
@permission_required(OPERATE)
def dayend_run(request: HttpRequest) -> HttpResponse:
    """运行日终 (or 重新运行 a failed one: it continues from the failed step). Step "start" (the form, with its
    confirmation box) answers an htmx request with the live panel, whose "run" request runs the day-end while
    the panel polls its steps; without htmx the day-end runs at once and the page shows the outcome."""
    center = _center(request)
    bd = center.business_date
    if request.POST.get("step") != "run":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "请勾选确认后再运行日终")
            return redirect("reconciliation:dayend")
        if _is_partial(request):
            return render(request, "reconciliation/_dayend_live.html", _dayend_context(center, bd, watch=1,
                                                                                       since=time.time()))
    outcome = _dayend_outcome(request, center, bd)
    if _is_partial(request):
        return render(request, "reconciliation/_dayend_outcome.html", outcome)
    (messages.success if outcome["ok"] else messages.error)(request, outcome["message"])
    return redirect("reconciliation:dayend")


def _dayend_outcome(request: HttpRequest, center: Center, bd: date) -> dict[str, Any]:
    try:
        done = dayend.dayend_run(center=center, actor=request.user)
    except DomainError as e:
        return {"ok": False, "job": dayend.dayend_job(center=center, on=bd),
                "message": f"日终 {bd} 未完成：[{e.code}] {e.message}"}
    except Exception:  # the job has recorded the failure (shown with its steps); the trace goes to the log
        log.exception("day-end %s of %s failed", bd, center.code)
        job = dayend.dayend_job(center=center, on=bd)
        return {"ok": False, "job": job,
                "message": f"日终 {bd} 未完成：{job.error if job is not None and job.error else '系统错误，请查看作业日志'}"}
    return {"ok": True, "job": done, "message": f"日终 {bd} 完成，业务日期已推进到 {bd + timedelta(days=1)}"}
