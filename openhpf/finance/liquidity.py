"""Liquidity (资金流动性监测, guidance 四(二) and 六(一)): the daily 个贷率, the funds available against the
expected outflows of the next days, warnings at the policy thresholds, the daily snapshot the day-end job
writes, and a forecast of the next six months' inflows and outflows from the ledger history.

Definitions (docs/domain.md "Service and supervision"):
- 个贷率 (indicator) = year-end loan balance / year-end deposit balance = (121 + 122) / 201 at 12/31. The daily
  figure is the same ratio on the day's closing balances; both are shown. Warning at
  `liquidity.loan_ratio.warning` (85%), alert at `liquidity.loan_ratio.critical` (95%).
- Available funds = 101 住房公积金存款 + 102 增值收益存款 − 21903 在途资金 (sent, not yet confirmed by the bank)
  − the minimum reserve, max(`liquidity.reserve.min_amount`, 201 × `liquidity.reserve.ratio`).
- Expected outflows: what the registered sources say will be paid in the next `liquidity.outflow.horizon_days`
  days. The settlement app registers its pending payment instructions; withdrawals and loans register their
  approved payments when they exist:

      from openhpf.finance.liquidity import register_outflow_source
      register_outflow_source("settlement.instructions", fn)   # fn(center, start, end) -> [(date, fen, label)]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from openhpf.access.selectors import check_permission, is_system_actor
from openhpf.audit.services import actor_label, audit_log
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import div_half_up, format_fen, mul_half_up
from openhpf.core.policy import policy_value
from openhpf.ledger.models import JournalLine
from openhpf.ledger.selectors import first_period

from .models import LiquiditySnapshot
from .selectors import CONTRIBUTION_TYPES, WITHDRAWAL_TYPES, percent_text, ratio_text

log = logging.getLogger(__name__)

OutflowFn = Callable[[Center, date, date], Iterable[tuple[date, int, str]]]
_SOURCES: dict[str, OutflowFn] = {}

LEVELS = {"ok": 0, "warning": 1, "critical": 2}


def register_outflow_source(name: str, fn: OutflowFn) -> None:
    """Register `fn(center, start, end) -> [(date, amount_fen, label)]`: payments expected in [start, end]."""
    existing = _SOURCES.get(name)
    if existing is not None and existing is not fn:
        raise ValueError(f"outflow source {name!r} registered twice")
    _SOURCES[name] = fn


def unregister_outflow_source(name: str) -> None:
    _SOURCES.pop(name, None)


def outflow_sources() -> list[str]:
    return sorted(_SOURCES)


@dataclass(frozen=True)
class Outflow:
    on: date
    amount: int
    label: str
    source: str


@dataclass(frozen=True)
class Alert:
    level: str  # warning | critical
    code: str
    message: str


def expected_outflows(center: Center, start: date, end: date) -> tuple[list[Outflow], list[Alert]]:
    """Every registered source's payments in [start, end]. A source that fails or answers nonsense is an alert
    (its outflows are unknown, so the figure is incomplete), never silently zero."""
    out: list[Outflow] = []
    alerts: list[Alert] = []
    for name in sorted(_SOURCES):
        try:
            items = list(_SOURCES[name](center, start, end))
        except Exception as exc:  # any failure of a source is reported, not hidden
            log.exception("outflow source %s failed", name)
            alerts.append(Alert("critical", "OUTFLOW_SOURCE_FAILED", f"预计支出来源 {name} 读取失败：{exc}"))
            continue
        for item in items:
            try:
                d, amount, label = item
            except (TypeError, ValueError):
                d, amount, label = None, None, ""
            if (not isinstance(d, date) or isinstance(amount, bool) or not isinstance(amount, int) or amount < 0
                    or not start <= d <= end):
                alerts.append(Alert("critical", "OUTFLOW_SOURCE_INVALID", f"预计支出来源 {name} 返回的数据无效：{item!r}"))
                continue
            out.append(Outflow(d, amount, str(label)[:200], name))
    out.sort(key=lambda o: (o.on, o.source, -o.amount))
    return out, alerts


# ---------------------------------------------------------------- the position on a day


@dataclass
class Position:
    on: date
    deposit_total: int  # 201
    loan_total: int  # 121 + 122
    loan_ratio: Fraction | None
    year_end: date
    year_end_deposit: int
    year_end_loans: int
    year_end_ratio: Fraction | None
    fund_deposits: int  # 101
    value_added_deposits: int  # 102
    in_transit: int  # 21903
    reserve_ratio: str
    min_reserve: int
    available: int
    horizon_days: int
    outflows: list[Outflow]
    outflows_total: int
    warning_threshold: str
    critical_threshold: str
    alerts: list[Alert] = field(default_factory=list)

    @property
    def level(self) -> str:
        return max((a.level for a in self.alerts), key=LEVELS.__getitem__, default="ok")

    @property
    def loan_ratio_text(self) -> str:
        return percent_text(self.loan_ratio)

    @property
    def year_end_ratio_text(self) -> str:
        return percent_text(self.year_end_ratio)


_PREFIXES = {"201": "201", "121": "121", "122": "122", "101": "101", "102": "102", "21903": "21903"}


def balances_on(center: Center | int, on: date) -> dict[str, int]:
    """Debit − credit of 201, 121, 122, 101, 102 and 21903 at the end of `on`, in one aggregate query."""
    agg: dict[str, Any] = {}
    for key, prefix in _PREFIXES.items():
        q = Q(account__code__startswith=prefix)
        agg[f"d{key}"] = Sum("debit", filter=q, default=0)
        agg[f"c{key}"] = Sum("credit", filter=q, default=0)
    r = JournalLine.objects.filter(entry__center=center, entry__business_date__lte=on).aggregate(**agg)
    return {key: int(r[f"d{key}"]) - int(r[f"c{key}"]) for key in _PREFIXES}


def _ratio(n: int, d: int) -> Fraction | None:
    return Fraction(n, d) if d else None


def position(center: Center, on: date) -> Position:
    """The liquidity figures at the end of business day `on` (no permission check: callers check)."""
    b = balances_on(center, on)
    year_end = on if (on.month, on.day) == (12, 31) else date(on.year - 1, 12, 31)
    ye = balances_on(center, year_end)
    deposit, loans = -b["201"], b["121"] + b["122"]
    ye_deposit, ye_loans = -ye["201"], ye["121"] + ye["122"]
    reserve_ratio = policy_value("liquidity.reserve.ratio", on=on, center=center)
    min_amount = int(policy_value("liquidity.reserve.min_amount", on=on, center=center))
    min_reserve = max(min_amount, mul_half_up(max(deposit, 0), reserve_ratio))
    horizon = int(policy_value("liquidity.outflow.horizon_days", on=on, center=center))
    warn = policy_value("liquidity.loan_ratio.warning", on=on, center=center)
    crit = policy_value("liquidity.loan_ratio.critical", on=on, center=center)
    in_transit = -b["21903"]
    available = b["101"] + b["102"] - in_transit - min_reserve
    outflows, alerts = expected_outflows(center, on + timedelta(days=1), on + timedelta(days=horizon))
    total = sum(o.amount for o in outflows)
    pos = Position(on=on, deposit_total=deposit, loan_total=loans, loan_ratio=_ratio(loans, deposit),
                   year_end=year_end, year_end_deposit=ye_deposit, year_end_loans=ye_loans,
                   year_end_ratio=_ratio(ye_loans, ye_deposit), fund_deposits=b["101"], value_added_deposits=b["102"],
                   in_transit=in_transit, reserve_ratio=str(reserve_ratio), min_reserve=min_reserve,
                   available=available, horizon_days=horizon, outflows=outflows, outflows_total=total,
                   warning_threshold=str(warn), critical_threshold=str(crit), alerts=alerts)
    r = pos.loan_ratio
    if r is not None and r >= Fraction(crit):
        pos.alerts.insert(0, Alert("critical", "LOAN_RATIO_CRITICAL",
                                   f"个贷率 {percent_text(r)} 已达到 {percent_text(Fraction(crit))}，资金紧张"))
    elif r is not None and r >= Fraction(warn):
        pos.alerts.insert(0, Alert("warning", "LOAN_RATIO_WARNING",
                                   f"个贷率 {percent_text(r)} 已达到预警线 {percent_text(Fraction(warn))}"))
    if available < total:
        pos.alerts.append(Alert("critical", "FUNDS_SHORT",
                                f"可用资金 {format_fen(available)} 元不足以支付未来 {horizon} 天预计支出 {format_fen(total)} 元"))
    elif available < 0:
        pos.alerts.append(Alert("critical", "FUNDS_NEGATIVE", f"可用资金为 {format_fen(available)} 元（低于最低备付金）"))
    return pos


def liquidity_date_check(*, center: Center, on: date) -> None:
    """A day the center has data for: not after its business date, not before its first accounting period (a
    center without any posting yet has only its business date). A day outside is refused, never replaced."""
    if on > center.business_date:
        raise DomainError(ErrorCode.FUTURE_DATE, f"{on} 晚于业务日期 {center.business_date}，没有该日的数据，请另选日期",
                          field="on")
    first = first_period(center=center)
    if first is not None and on < first:
        raise DomainError(ErrorCode.DATE_BEFORE_DATA, f"{on} 早于本中心最早的账务数据（{first}），没有该日的数据，请另选日期",
                          field="on")


def liquidity_position(*, center: Center, on: date, user: Actor) -> Position:
    check_permission(user, "finance.view", center=center)
    liquidity_date_check(center=center, on=on)
    return position(center, on)


def liquidity_snapshot(*, center: Center, on: date, actor: Actor) -> LiquiditySnapshot:
    """流动性日报 of business day `on` (the day-end job calls it). One row per center and day: a re-run
    recomputes the figures and replaces them, so running it twice leaves one row with the same values."""
    if not is_system_actor(actor):
        check_permission(actor, "finance.manage", center=center)
    if on > center.business_date:
        raise DomainError(ErrorCode.FUTURE_DATE, f"{on} 晚于业务日期 {center.business_date}，不能生成流动性日报", field="on")
    pos = position(center, on)
    figures = {
        "deposit_total": pos.deposit_total, "loan_total": pos.loan_total,
        "loan_ratio": None if pos.loan_ratio is None else ratio_text(pos.loan_ratio),
        "fund_deposits": pos.fund_deposits, "value_added_deposits": pos.value_added_deposits,
        "in_transit": pos.in_transit, "min_reserve": pos.min_reserve, "available": pos.available,
        "horizon_days": pos.horizon_days, "outflows_total": pos.outflows_total,
        "outflows": [{**asdict(o), "on": o.on.isoformat()} for o in pos.outflows],
        "warnings": [asdict(a) for a in pos.alerts], "level": pos.level,
    }
    with transaction.atomic():
        snap = LiquiditySnapshot.objects.select_for_update().filter(center=center, on=on).first()
        before = None
        if snap is None:
            snap = LiquiditySnapshot(center=center, on=on)
        else:
            before = {k: _jsonable(getattr(snap, k)) for k in figures}
        for k, v in figures.items():
            setattr(snap, k, v)
        snap.created_by = actor_label(actor)[0]
        snap.save()
        snap.refresh_from_db()
        after = {k: _jsonable(getattr(snap, k)) for k in figures}
        if before != after:
            audit_log(actor=actor, action=AuditEvent.FINANCE_LIQUIDITY_SNAPSHOT, obj=snap, center=center, business_date=on,
                      before=before, after=after)
        return snap


def _jsonable(v: Any) -> Any:
    return str(v) if v is not None and not isinstance(v, (int, str, list, dict, bool)) else v


def liquidity_snapshots(*, center: Center, user: Actor, limit: int = 60) -> list[LiquiditySnapshot]:
    check_permission(user, "finance.view", center=center)
    return list(LiquiditySnapshot.objects.filter(center=center).order_by("-on")[:limit])


# ---------------------------------------------------------------- forecast of the next months

FORECAST_EXPLANATION = (
    "预测方法：按资金流分别预测——缴存流入（201 贷方：汇缴、补缴、外部转入，扣除其冲正）、提取流出（201 借方：部分提取、"
    "销户提取、外部转出）、贷款发放与回收（121+122 按凭证净额）。历史满 24 个月时，预测值 = 上年同月实际值 × 趋势系数，"
    "趋势系数 = 最近 12 个月合计 ÷ 此前 12 个月合计（限定在 0.5 至 2 之间）；历史 12 至 23 个月时，预测值 = 上年同月实际值；"
    "不足 12 个月时，取已有月份的月平均值。当月尚未结束，按全月预测。预计可用资金 = 当日可用资金 + 逐月累计的预测净流入。"
)
SERIES = {"contributions": "缴存流入", "repayments": "贷款回收", "withdrawals": "提取流出", "disbursements": "贷款发放"}
TREND_MIN, TREND_MAX = Fraction(1, 2), Fraction(2)


@dataclass
class Forecast:
    on: date
    months: list[str]  # YYYY-MM: the history months, then the forecast months
    n_history: int
    series: dict[str, list[int]]
    inflow: list[int]
    outflow: list[int]
    net: list[int]
    projected_funds: list[int]  # per forecast month
    method: str  # seasonal_trend | seasonal | average | none
    trend: dict[str, str]
    available: int
    alerts: list[Alert]
    explanation: str = FORECAST_EXPLANATION

    def chart_data(self) -> dict[str, Any]:
        """What the console chart draws (fen; the chart shows 万元)."""
        return {"months": self.months, "history": self.n_history, "inflow": self.inflow, "outflow": self.outflow,
                "net": self.net, "projected": [None] * self.n_history + self.projected_funds,
                "labels": {"inflow": "流入", "outflow": "流出", "net": "净流入", "projected": "预计可用资金"}}


def _month_key(d: date) -> str:
    """The canonical month key, as core.db.month_key gives it in SQL: 'YYYYMM'."""
    return f"{d.year:04d}{d.month:02d}"


def _month_label(key: str) -> str:
    return f"{key[:4]}-{key[4:]}"


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def monthly_flows(center: Center | int, start: date, end: date) -> dict[str, dict[str, int]]:
    """Per month (key YYYYMM) in [start, end]: contributions, withdrawals (201 by business type, net of their
    reversals) and loan disbursements/repayments (121+122 net per entry). Two GROUP BY queries."""
    cid = center.pk if isinstance(center, Center) else center
    month = sql.month_key("e.business_date")
    out: dict[str, dict[str, int]] = {}

    def bucket(m: str) -> dict[str, int]:
        return out.setdefault(m, dict.fromkeys(SERIES, 0))

    rows = sql.fetch(
        f"SELECT {month} AS m, e.biz_type, COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0) "  # noqa: S608 — month-key SQL from core.db; values bound
        "FROM ledger_v_journal_line l JOIN ledger_v_journal_entry e ON e.id = l.entry_id "
        "JOIN ledger_v_gl_account g ON g.id = l.account_id "
        "WHERE e.center_id = %s AND e.business_date >= %s AND e.business_date <= %s AND g.code LIKE '201%%' "
        f"GROUP BY {month}, e.biz_type", [cid, start, end])
    contrib, withdraw = {str(t) for t in CONTRIBUTION_TYPES}, {str(t) for t in WITHDRAWAL_TYPES}
    for m, biz, d, c in rows:
        if biz in contrib:
            bucket(m)["contributions"] += int(c) - int(d)
        elif biz in withdraw:
            bucket(m)["withdrawals"] += int(d) - int(c)
    loan_rows = sql.fetch(
        "SELECT t.m, COALESCE(SUM(CASE WHEN t.net > 0 THEN t.net ELSE 0 END), 0), "  # noqa: S608 — month-key SQL from core.db; values bound
        "COALESCE(SUM(CASE WHEN t.net < 0 THEN -t.net ELSE 0 END), 0) FROM ("
        f"SELECT {month} AS m, l.entry_id, SUM(l.debit - l.credit) AS net FROM ledger_v_journal_line l "
        "JOIN ledger_v_journal_entry e ON e.id = l.entry_id JOIN ledger_v_gl_account g ON g.id = l.account_id "
        "WHERE e.center_id = %s AND e.business_date >= %s AND e.business_date <= %s "
        f"AND (g.code LIKE '121%%' OR g.code LIKE '122%%') GROUP BY l.entry_id, {month}) t GROUP BY t.m",
        [cid, start, end])
    for m, out_amount, in_amount in loan_rows:
        bucket(m)["disbursements"] += int(out_amount)
        bucket(m)["repayments"] += int(in_amount)
    return out


def forecast_series(history: list[int], n_avail: int, ahead: int) -> tuple[list[int], Fraction | None]:
    """The documented method for one monthly series (`history` oldest first, its last `n_avail` months real):
    same month last year × trend with ≥ 24 months, same month last year with 12–23, the mean below 12."""
    h = len(history)
    if n_avail <= 0:
        return [0] * ahead, None
    if n_avail >= 12 and h >= 12 and ahead <= 12:
        trend = Fraction(1)
        if n_avail >= 24 and h >= 24:
            prev, last = sum(history[h - 24:h - 12]), sum(history[h - 12:])
            trend = min(max(Fraction(last, prev), TREND_MIN), TREND_MAX) if prev > 0 else Fraction(1)
        return [div_half_up(history[h - 12 + k] * trend.numerator, trend.denominator) for k in range(ahead)], trend
    avail = history[h - n_avail:]
    mean = div_half_up(sum(avail), len(avail))
    return [mean] * ahead, None


def forecast(center: Center, on: date, *, months: int = 6, history: int = 24) -> Forecast:
    first = _add_months(date(on.year, on.month, 1), -history)
    last_hist_end = date(on.year, on.month, 1) - timedelta(days=1)
    flows = monthly_flows(center, first, last_hist_end)
    hist_keys = [_month_key(_add_months(first, i)) for i in range(history)]
    fut_keys = [_month_key(_add_months(date(on.year, on.month, 1), k)) for k in range(months)]
    active = [i for i, k in enumerate(hist_keys) if any(flows.get(k, {}).values())]
    n_avail = history - active[0] if active else 0
    method = ("seasonal_trend" if n_avail >= 24 else "seasonal" if n_avail >= 12 else "average" if n_avail else "none")
    series: dict[str, list[int]] = {}
    trend: dict[str, str] = {}
    for name in SERIES:
        past = [flows.get(k, {}).get(name, 0) for k in hist_keys]
        ahead, t = forecast_series(past, n_avail, months)
        series[name] = past + ahead
        if t is not None:
            trend[name] = ratio_text(t, 4) or "1"
    n = history + months
    inflow = [series["contributions"][i] + series["repayments"][i] for i in range(n)]
    outflow = [series["withdrawals"][i] + series["disbursements"][i] for i in range(n)]
    net = [inflow[i] - outflow[i] for i in range(n)]
    pos = position(center, on)
    projected, running = [], pos.available
    alerts: list[Alert] = []
    for i in range(history, n):
        running += net[i]
        projected.append(running)
    for k, v in zip(fut_keys, projected, strict=True):
        if v < 0:
            alerts.append(Alert("warning", "FORECAST_SHORT",
                                f"按预测，{_month_label(k)} 月末可用资金将降至 {format_fen(v)} 元"))
            break
    return Forecast(on=on, months=[_month_label(k) for k in hist_keys + fut_keys], n_history=history, series=series, inflow=inflow,
                    outflow=outflow, net=net, projected_funds=projected, method=method, trend=trend,
                    available=pos.available, alerts=alerts)


def liquidity_forecast(*, center: Center, on: date, user: Actor, months: int = 6, history: int = 24) -> Forecast:
    check_permission(user, "finance.view", center=center)
    liquidity_date_check(center=center, on=on)
    if not 1 <= months <= 12 or not 12 <= history <= 60:
        raise DomainError(ErrorCode.FORECAST_RANGE, "预测月数应为 1–12，历史月数应为 12–60", field="months")
    return forecast(center, on, months=months, history=history)
