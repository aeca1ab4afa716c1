"""JSON API of the finance app (mounted at /api/v1/finance/): statements and their export, liquidity, 增值收益.
Amounts are in fen. Parameters are parsed after the permission check, so a refused caller always gets 403."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.documents.receipts import operator_name
from openhpf.iam.services import staff_center_required

from . import liquidity, selectors, services
from .models import LiquiditySnapshot, ValueAddedYear
from .periods import parse_period, parse_year
from .reports import attachment_header, export

router = Router(tags=["财务"])


def _center(request: HttpRequest, perm: str = "finance.view") -> Center:
    return staff_center_required(request.user, perm=perm)


def _manager(request: HttpRequest, **_: Any) -> Center:
    return _center(request, "finance.manage")


def _date(value: str | None, default: date, field: str = "on") -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(ErrorCode.DATE_FORMAT, f"日期格式不正确（应为 YYYY-MM-DD）：{value}", field=field) from None


@router.get("/statements/{kind}", summary="财务报表（资产负债表、增值收益表、增值收益分配表、业务状况表、试算平衡表；金额单位：分）")
def statement_get(request: HttpRequest, kind: str, period: str = "") -> dict[str, Any]:
    center = _center(request)
    p = parse_period(period, default=center.business_date)
    return selectors.statement(kind, center=center, period=p, user=request.user).as_dict()


@router.get("/statements/{kind}/export", summary="导出财务报表（format=xlsx 或 pdf）")
def statement_export(request: HttpRequest, kind: str, period: str = "", format: str = "xlsx") -> HttpResponse:
    center = _center(request)
    p = parse_period(period, default=center.business_date)
    st = selectors.statement(kind, center=center, period=p, user=request.user)
    data, content_type, filename = export(st, format, printed_on=center.business_date,
                                          preparer=operator_name(request.user))
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = attachment_header(filename)
    return resp


def _position(pos: liquidity.Position) -> dict[str, Any]:
    return {
        "on": pos.on, "deposit_total": pos.deposit_total, "loan_total": pos.loan_total,
        "loan_ratio": selectors.ratio_text(pos.loan_ratio), "year_end": pos.year_end,
        "year_end_deposit": pos.year_end_deposit, "year_end_loans": pos.year_end_loans,
        "year_end_ratio": selectors.ratio_text(pos.year_end_ratio), "fund_deposits": pos.fund_deposits,
        "value_added_deposits": pos.value_added_deposits, "in_transit": pos.in_transit,
        "reserve_ratio": pos.reserve_ratio, "min_reserve": pos.min_reserve, "available": pos.available,
        "horizon_days": pos.horizon_days, "outflows_total": pos.outflows_total,
        "outflows": [{"on": o.on, "amount": o.amount, "label": o.label, "source": o.source} for o in pos.outflows],
        "warning_threshold": pos.warning_threshold, "critical_threshold": pos.critical_threshold,
        "level": pos.level, "warnings": [{"level": a.level, "code": a.code, "message": a.message} for a in pos.alerts],
    }


@router.get("/liquidity", summary="流动性：个贷率、可用资金、预计支出与预警（金额单位：分）")
def liquidity_get(request: HttpRequest, on: str = "") -> dict[str, Any]:
    center = _center(request)
    d = _date(on, center.business_date)
    return _position(liquidity.liquidity_position(center=center, on=d, user=request.user))


@router.get("/liquidity/forecast", summary="未来数月资金流入流出预测（按历史同期与趋势；金额单位：分）")
def forecast_get(request: HttpRequest, on: str = "", months: str = "6") -> dict[str, Any]:
    center = _center(request)
    d = _date(on, center.business_date)
    try:
        n = int(months)
    except ValueError:
        raise DomainError(ErrorCode.FORECAST_RANGE, "预测月数应为 1–12 的整数", field="months") from None
    f = liquidity.liquidity_forecast(center=center, on=d, user=request.user, months=n)
    return {**f.chart_data(), "on": f.on, "series": f.series, "method": f.method, "trend": f.trend,
            "available": f.available, "explanation": f.explanation,
            "warnings": [{"level": a.level, "code": a.code, "message": a.message} for a in f.alerts]}


class SnapshotOut(Schema):
    on: date
    deposit_total: int
    loan_total: int
    loan_ratio: str | None
    fund_deposits: int
    value_added_deposits: int
    in_transit: int
    min_reserve: int
    available: int
    horizon_days: int
    outflows_total: int
    level: str
    warnings: list[dict[str, Any]]


def _snapshot(s: LiquiditySnapshot) -> dict[str, Any]:
    return {**{k: getattr(s, k) for k in SnapshotOut.model_fields if k != "loan_ratio"},
            "loan_ratio": None if s.loan_ratio is None else str(s.loan_ratio)}


@router.get("/liquidity/snapshots", response=list[SnapshotOut], summary="流动性日报（最近 60 日）")
def snapshots_get(request: HttpRequest):
    center = _center(request)
    return [_snapshot(s) for s in liquidity.liquidity_snapshots(center=center, user=request.user)]


class SnapshotIn(Schema):
    on: str | None = None


@router.post("/liquidity/snapshots", response=SnapshotOut, summary="生成当日流动性日报（每日一份，重复生成覆盖）")
def snapshot_post(request: HttpRequest, payload: SnapshotIn):
    center = _center(request, "finance.manage")
    d = _date(payload.on, center.business_date)
    with transaction.atomic(durable=True):
        return _snapshot(liquidity.liquidity_snapshot(center=center, on=d, actor=request.user))


def _record(r: ValueAddedYear | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"year": r.year, "status": r.status, "status_label": r.get_status_display(), "revenue": r.revenue,
            "expense": r.expense, "close_vouchers": r.close_vouchers, "distributable": r.distributable,
            "risk_reserve": r.risk_reserve, "management_fee": r.management_fee, "lowrent_fund": r.lowrent_fund,
            "distribution_vouchers": r.distribution_vouchers, "rules": r.rules}


@router.get("/value-added/{year}", summary="年度增值收益：结转状态、分配方案、待复核分配")
def value_added_get(request: HttpRequest, year: str) -> dict[str, Any]:
    center = _center(request)
    ov = selectors.value_added_overview(center=center, year=parse_year(year), user=request.user)
    plan = ov["plan"]
    return {"year": ov["year"], "record": _record(ov["record"]), "unclosed_revenue": ov["unclosed_revenue"],
            "unclosed_expense": ov["unclosed_expense"], "plan": {**plan.amounts(), **plan.rules()} if plan else None,
            "plan_error": ov["plan_error"], "pending_commands": [c.pk for c in ov["pending"]]}


@router.post("/value-added/{year}/close", summary="提交年末结转复核：业务收入、业务支出转入增值收益（复核通过后记账）")
@idempotent(authorize=_manager, money_moving=True)
def value_added_close(request: HttpRequest, year: str) -> dict[str, Any]:
    center = _center(request, "finance.manage")
    y = parse_year(year)
    with transaction.atomic(durable=True):
        cmd = services.year_end_close_submit(center=center, year=y, actor=request.user,
                                             business_date=center.business_date)
    return {"pending_command": cmd.pk, "status": cmd.status, "summary": cmd.summary, "params": cmd.params}


@router.post("/value-added/{year}/distribution", summary="提交增值收益分配方案复核（复核通过后记账）")
def value_added_submit(request: HttpRequest, year: str) -> dict[str, Any]:
    center = _center(request, "finance.manage")
    y = parse_year(year)
    with transaction.atomic(durable=True):
        cmd = services.value_added_distribution_submit(center=center, year=y, actor=request.user,
                                                       business_date=center.business_date)
    return {"pending_command": cmd.pk, "status": cmd.status, "summary": cmd.summary, "params": cmd.params}
