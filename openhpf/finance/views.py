"""Console pages of finance (财务): the home page, the statements with their period picker and downloads, the
year-end 增值收益 (transfer, distribution through maker-checker) and liquidity (个贷率, available funds,
expected outflows, the forecast chart). Views parse, call one selector or service, and render."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.access.services import export_watermark
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.documents.exports import XLSX, export_audit
from openhpf.documents.pdf import content_disposition
from openhpf.documents.receipts import operator_name
from openhpf.iam.services import staff_center_required

from . import ledger_detail, liquidity, selectors, services
from .periods import Period, parse_period, parse_year
from .reports import FORMATS, attachment_header, export


def _center(request: HttpRequest) -> Center:
    return staff_center_required(request.user)


def _statement_ctx(st: selectors.Statement) -> dict[str, Any]:
    return {
        "title": st.title, "kind": st.kind, "balanced": st.balanced, "notes": st.notes,
        "checks": st.checks,
        "sections": [{"title": s.title, "columns": s.columns,
                      "rows": [{"label": r.label, "code": r.code, "level": r.level, "total": r.total,
                                "cells": [selectors.cell_text(v, r.fmt_of(i)) for i, v in enumerate(r.values)]}
                               for r in s.rows]} for s in st.sections],
    }


def _quick_periods(bd: date) -> list[tuple[str, str]]:
    q = (bd.month - 1) // 3 + 1
    prev_month = f"{bd.year - 1}-12" if bd.month == 1 else f"{bd.year}-{bd.month - 1:02d}"
    return [(f"{bd:%Y-%m}", "本月"), (prev_month, "上月"), (f"{bd.year}-Q{q}", "本季度"), (f"{bd.year}", "本年"),
            (f"{bd.year - 1}", "上年"), (bd.isoformat(), "截至今日")]


@require_GET
@permission_required("finance.view")
def home(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    bd = center.business_date
    pos, error = None, None
    try:
        pos = liquidity.liquidity_position(center=center, on=bd, user=request.user)
    except DomainError as e:
        error = e.message
    ctx = {"pos": pos, "error": error, "kinds": selectors.KINDS.items(), "period": f"{bd:%Y-%m}",
           "years": [(y.year, y.get_status_display(), format_fen(y.revenue - y.expense))
                     for y in selectors.value_added_years(center=center, user=request.user)[:5]],
           "available": format_fen(pos.available) if pos else "—"}
    return render(request, "finance/home.html", ctx)


@require_GET
@permission_required("finance.view")
def statements(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    bd = center.business_date
    kind = request.GET.get("kind") or "balance_sheet"
    text = request.GET.get("period", "").strip()
    st, error = None, None
    period: Period | None = None
    try:
        period = parse_period(text, default=bd)
        st = selectors.statement(kind, center=center, period=period, user=request.user)
    except DomainError as e:
        error = e.message
    ctx = {"kinds": selectors.KINDS.items(), "kind": kind, "period": period.code if period else text,
           "period_label": period.label if period else "", "error": error,
           "st": _statement_ctx(st) if st else None, "quick": _quick_periods(bd), "formats": list(FORMATS)}
    return render(request, "finance/statements.html", ctx, status=200 if error is None else 422)


@require_GET
@permission_required("finance.view")
def statement_export(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    kind = request.GET.get("kind") or "balance_sheet"
    text = request.GET.get("period", "")
    try:
        period = parse_period(text, default=center.business_date)
        st = selectors.statement(kind, center=center, period=period, user=request.user)
        data, content_type, filename = export(st, request.GET.get("format") or "xlsx", printed_on=center.business_date,
                                              preparer=operator_name(request.user))
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(f"{reverse('finance:statements')}?kind={kind}")
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = attachment_header(filename)
    return resp


def _default_year(bd: date) -> int:
    return bd.year if (bd.month, bd.day) == (12, 31) else bd.year - 1


@require_GET
@permission_required("finance.view")
def value_added(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    bd = center.business_date
    error = None
    try:
        year = parse_year(request.GET.get("year") or _default_year(bd))
    except DomainError as e:
        error, year = e.message, _default_year(bd)
    ov = selectors.value_added_overview(center=center, year=year, user=request.user)
    plan = ov["plan"]
    ctx = {
        "year": year, "years": list(range(bd.year, max(bd.year - 6, 1990), -1)), "ov": ov, "error": error,
        "record": ov["record"], "plan": plan,
        "can_manage": has_permission(request.user, services.MANAGE, center=center),
        "unclosed_revenue": format_fen(ov["unclosed_revenue"]), "unclosed_expense": format_fen(ov["unclosed_expense"]),
        "unclosed_value": format_fen(ov["unclosed_revenue"] - ov["unclosed_expense"]),
        "plan_rows": [(label, format_fen(v)) for label, v in (
            ("可供分配的增值收益", plan.distributable), ("提取贷款风险准备金（→301）", plan.risk_reserve),
            ("提取管理费用（→21904 应付管理费用）", plan.management_fee),
            ("提取廉租住房补充资金（→214）", plan.lowrent_fund))] if plan else [],
        "plan_loans": format_fen(plan.loans_outstanding) if plan else "",
        "plan_reserve": format_fen(plan.reserve_before) if plan else "",
        "plan_budget": format_fen(plan.management_fee_budget) if plan else "",
        "record_rows": [], "dist_rows": [],
    }
    if ctx["record"] is not None:
        r = ctx["record"]
        ctx["record_rows"] = [(label, format_fen(v)) for label, v in (
            ("已结转业务收入", r.revenue), ("已结转业务支出", r.expense), ("已结转增值收益（收入−支出）", r.revenue - r.expense))]
        ctx["dist_rows"] = [(label, format_fen(v)) for label, v in (
            ("可供分配的增值收益", r.distributable), ("贷款风险准备金", r.risk_reserve), ("管理费用", r.management_fee),
            ("廉租住房补充资金", r.lowrent_fund))]
    return render(request, "finance/value_added.html", ctx)


@require_GET
@permission_required("finance.view")
def liquidity_page(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    bd = center.business_date
    error = None
    on: date | None = bd
    typed = request.GET.get("on", "").strip()
    if typed:
        try:
            on = date.fromisoformat(typed)
        except ValueError:
            on, error = None, f"日期格式不正确（应为 YYYY-MM-DD）：{typed}"
    pos = fc = None
    if on is not None:  # a day outside the data is refused with its reason, never replaced by another day
        try:
            pos = liquidity.liquidity_position(center=center, on=on, user=request.user)
            fc = liquidity.liquidity_forecast(center=center, on=on, user=request.user)
        except DomainError as e:
            pos = fc = None
            error = e.message
    forecast_rows = []
    if fc is not None:
        for i in range(fc.n_history, len(fc.months)):
            forecast_rows.append({"month": fc.months[i], "inflow": format_fen(fc.inflow[i]),
                                  "outflow": format_fen(fc.outflow[i]), "net": format_fen(fc.net[i]),
                                  "projected": format_fen(fc.projected_funds[i - fc.n_history])})
    ctx: dict[str, Any] = {
        "on": on.isoformat() if on is not None else typed, "pos": pos, "fc": fc, "error": error, "fmt": format_fen,
        "load_echarts": True, "min_on": liquidity.first_period(center=center), "max_on": bd,
        "chart": fc.chart_data() if fc else None, "forecast_rows": forecast_rows,
        "method": dict(seasonal_trend="上年同月 × 趋势系数", seasonal="上年同月", average="月平均",
                       none="无历史数据").get(fc.method if fc else "none"),
        "snapshots": [{"on": s.on, "available": format_fen(s.available), "outflows": format_fen(s.outflows_total),
                       "level": s.get_level_display(),
                       "ratio": selectors.percent_text(Fraction(s.loan_ratio)) if s.loan_ratio is not None else "—"}
                      for s in liquidity.liquidity_snapshots(center=center, user=request.user, limit=30)],
        "outflow_rows": [{"on": o.on, "source": o.source, "label": o.label, "amount": format_fen(o.amount)}
                         for o in (pos.outflows if pos else [])],
        "can_manage": has_permission(request.user, services.MANAGE, center=center),
        "trend_rows": [(liquidity.SERIES[k], v) for k, v in (fc.trend.items() if fc else [])],
    }
    if pos is not None:
        ctx["cards"] = [
            ("当日个贷率", pos.loan_ratio_text, f"个贷余额 {format_fen(pos.loan_total)} ÷ 缴存余额 {format_fen(pos.deposit_total)}",
             "loan-ratio"),
            (f"{pos.year_end.year} 年末个贷率", pos.year_end_ratio_text,
             f"年末个贷余额 {format_fen(pos.year_end_loans)} ÷ 年末缴存余额 {format_fen(pos.year_end_deposit)}", "year-end-ratio"),
            ("可用资金", format_fen(pos.available),
             f"101 {format_fen(pos.fund_deposits)} + 102 {format_fen(pos.value_added_deposits)} − 在途 "
             f"{format_fen(pos.in_transit)} − 最低备付金 {format_fen(pos.min_reserve)}", "available"),
            (f"未来 {pos.horizon_days} 天预计支出", format_fen(pos.outflows_total), f"{len(pos.outflows)} 笔", "outflows"),
        ]
    return render(request, "finance/liquidity.html", ctx)


@require_POST
@permission_required("finance.manage")
def liquidity_snapshot(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    try:
        with transaction.atomic(durable=True):
            snap = liquidity.liquidity_snapshot(center=center, on=center.business_date, actor=request.user)
        messages.success(request, f"{snap.on} 流动性日报已生成（{snap.get_level_display()}）")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("finance:liquidity")


# ---------------------------------------------------------------- 明细账 (ledger detail) and its .xlsx

LEDGER_SCREEN_ROWS = 300


def _ledger_params(request: HttpRequest, center: Center) -> tuple[str, str, str]:
    bd, q = center.business_date, (request.POST if request.method == "POST" else request.GET)
    return (q.get("account", "").strip() or "201", q.get("date_from", "").strip() or f"{bd:%Y-%m}-01",
            q.get("date_to", "").strip() or bd.isoformat())


def _ledger(request: HttpRequest, center: Center) -> ledger_detail.LedgerDetail:
    code, lo, hi = _ledger_params(request, center)
    try:
        date_from, date_to = date.fromisoformat(lo), date.fromisoformat(hi)
    except ValueError:
        raise DomainError(ErrorCode.DATE_FORMAT, f"日期格式不正确（应为 YYYY-MM-DD）：{lo} / {hi}",
                          field="date_from") from None
    return ledger_detail.ledger_detail(center=center, code=code, date_from=date_from, date_to=date_to,
                                       user=request.user)


@require_GET
@permission_required("ledger.view")
def ledger_page(request: HttpRequest) -> HttpResponse:
    """明细账 of an account for a date range: the first lines on screen, the whole as .xlsx."""
    center = _center(request)
    code, lo, hi = _ledger_params(request, center)
    d, error, lines = None, None, []
    try:
        d = _ledger(request, center)
        lines = [{"on": ln.business_date, "voucher_no": ln.voucher_no, "memo": ln.memo, "code": ln.code,
                  "debit": format_fen(ln.debit) if ln.debit else "", "credit": format_fen(ln.credit) if ln.credit else "",
                  "balance": format_fen(ln.balance)} for ln in d.lines(limit=LEDGER_SCREEN_ROWS)]
    except DomainError as e:
        error = e.message
    ctx = {"accounts": ledger_detail.ledger_accounts(center=center), "code": code, "date_from": lo, "date_to": hi,
           "d": d, "error": error, "lines": lines, "more": d.count - len(lines) if d else 0,
           "money": {k: format_fen(getattr(d, k)) for k in ("opening", "debit", "credit", "closing")} if d else {}}
    return render(request, "finance/ledger.html", ctx, status=200 if error is None else 422)


@require_POST
@permission_required("ledger.view")
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    """The 明细账 as .xlsx, streamed from a temporary file: POSTed from the 明细账 page with its 用途, watermarked
    like every export (who, when, why) and audited."""
    center = _center(request)
    reason = request.POST.get("reason", "")
    try:
        d = _ledger(request, center)
        mark = export_watermark(request.user, reason)
        with transaction.atomic(durable=True):
            export_audit(actor=request.user, event=AuditEvent.FINANCE_LEDGER_EXPORT, center=center, reason=reason,
                         rows=d.count, filters={"account": d.code, "date_from": d.date_from, "date_to": d.date_to},
                         obj=("ledger.glaccount", d.code))
    except DomainError as e:
        messages.error(request, f"未能导出：{e.message}")
        code, lo, hi = _ledger_params(request, center)
        return redirect(f"{reverse('finance:ledger')}?{urlencode({'account': code, 'date_from': lo, 'date_to': hi})}")
    fh = ledger_detail.ledger_xlsx(d, printed_on=center.business_date, preparer=operator_name(request.user),
                                   watermark=mark)
    resp = FileResponse(fh, content_type=XLSX)
    resp["Content-Disposition"] = content_disposition(
        f"明细账_{d.code}_{d.date_from:%Y%m%d}-{d.date_to:%Y%m%d}.xlsx")
    resp["X-HPF-Watermark"] = mark.encode("utf-8").decode("latin-1")
    return resp
