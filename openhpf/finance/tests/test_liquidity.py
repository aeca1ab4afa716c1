"""Liquidity: 个贷率 against an independent calculation, available funds, warnings at the policy thresholds, the
outflow registry, the daily snapshot (idempotent per day) and the forecast method."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.finance.liquidity import (
    forecast,
    forecast_series,
    liquidity_forecast,
    liquidity_position,
    liquidity_snapshot,
    position,
    register_outflow_source,
    unregister_outflow_source,
)
from openhpf.finance.models import LiquiditySnapshot

from .builders import set_policy

BD = date(2026, 11, 30)


@pytest.fixture
def sources():
    """Register outflow sources for one test; removed afterwards."""
    names: list[str] = []

    def add(name, fn):
        register_outflow_source(name, fn)
        names.append(name)

    yield add
    for n in names:
        unregister_outflow_source(n)


def test_loan_ratio_equals_an_independent_calculation(center, ledger, fin_user):
    postings = [  # (date, kind, amount): what this test posts, summed below in plain Python
        (date(2025, 10, 8), "contribute", 9_000_000), (date(2025, 11, 3), "disburse", 4_100_000),
        (date(2025, 12, 1), "withdraw", 700_000), (date(2025, 12, 20), "repay", 150_000),
        (date(2026, 2, 2), "contribute", 3_333_333), (date(2026, 5, 9), "disburse", 2_222_222),
        (date(2026, 8, 8), "overdue", 90_000), (date(2026, 11, 29), "repay", 11_111),
        (date(2026, 12, 1), "disburse", 999_999),  # after the day asked about: not counted
    ]
    for d, kind, amount in postings:
        getattr(ledger, kind)(d, amount)

    def independent(on: date) -> Fraction:
        deposits = sum(a for d, k, a in postings if d <= on and k == "contribute") - sum(
            a for d, k, a in postings if d <= on and k == "withdraw")
        loans = sum(a for d, k, a in postings if d <= on and k == "disburse") - sum(
            a for d, k, a in postings if d <= on and k == "repay")  # a transfer to 逾期 keeps 121 + 122
        return Fraction(loans, deposits)

    pos = liquidity_position(center=center, on=BD, user=fin_user)
    assert pos.loan_ratio == independent(BD)
    assert pos.loan_total == 4_100_000 - 150_000 + 2_222_222 - 11_111
    assert pos.year_end == date(2025, 12, 31) and pos.year_end_ratio == independent(date(2025, 12, 31))
    assert position(center, date(2025, 12, 31)).loan_ratio == pos.year_end_ratio
    snap = liquidity_snapshot(center=center, on=BD, actor=fin_user)
    r = independent(BD)
    want = (Decimal(r.numerator) / Decimal(r.denominator)).quantize(Decimal("0.000001"))
    assert snap.loan_ratio == want


def test_available_funds_and_reserve(center, ledger):
    ledger.contribute(date(2026, 11, 2), 10_000_000)
    ledger.withdraw_in_transit(date(2026, 11, 20), 300_000)
    ledger.income(date(2026, 11, 21), 12_345)
    pos = position(center, BD)
    # 101 = 10,012,345; 21903 in transit 300,000; reserve = 201 (9,700,000) × 3% = 291,000
    assert (pos.fund_deposits, pos.in_transit, pos.min_reserve) == (10_012_345, 300_000, 291_000)
    assert pos.available == 10_012_345 - 300_000 - 291_000
    set_policy(center, "liquidity.reserve.min_amount", 500_000, "int")
    set_policy(center, "liquidity.reserve.ratio", "0.0333335", "decimal")
    pos = position(center, BD)
    assert pos.min_reserve == 500_000  # the floor beats 9,700,000 × 3.33335% = 323,334.95 → 323,335
    set_policy(center, "liquidity.reserve.min_amount", 0, "int", date(2026, 1, 1))
    assert position(center, BD).min_reserve == 323_335
    assert position(center, BD).level == "ok"


def test_warnings_at_the_thresholds(center, ledger):
    ledger.contribute(date(2026, 1, 5), 1_000_000)
    ledger.contribute(date(2026, 1, 6), 10_000_000)  # to keep the bank balance positive while lending
    ledger.withdraw(date(2026, 1, 7), 10_000_000)
    ledger.disburse(date(2026, 2, 1), 849_999)
    assert position(center, BD).level == "ok"
    ledger.disburse(date(2026, 2, 2), 1)  # exactly 85%
    pos = position(center, BD)
    assert pos.loan_ratio == Fraction(85, 100) and pos.level == "warning"
    assert [a.code for a in pos.alerts] == ["LOAN_RATIO_WARNING"] and "85%" in pos.alerts[0].message
    ledger.disburse(date(2026, 2, 3), 100_000)  # 95%
    pos = position(center, BD)
    assert pos.level == "critical" and pos.alerts[0].code == "LOAN_RATIO_CRITICAL"
    set_policy(center, "liquidity.loan_ratio.critical", "0.96", "decimal")
    assert position(center, BD).alerts[0].code == "LOAN_RATIO_WARNING"


def test_expected_outflows_registry(center, ledger, sources):
    ledger.contribute(date(2026, 11, 2), 1_000_000)
    seen = []

    def payments(c, start, end):
        seen.append((c.pk, start, end))
        return [(start + timedelta(days=2), 400_000, "批量提取"), (end, 100_000, "单笔付款")]

    sources("test.payments", payments)
    with pytest.raises(ValueError):
        register_outflow_source("test.payments", lambda c, s, e: [])
    pos = position(center, BD)
    assert seen == [(center.pk, date(2026, 12, 1), date(2026, 12, 30))]  # horizon: 30 days after the day
    assert [(o.on, o.amount, o.source) for o in pos.outflows] == [
        (date(2026, 12, 3), 400_000, "test.payments"), (date(2026, 12, 30), 100_000, "test.payments")]
    assert pos.outflows_total == 500_000 and pos.level == "ok"
    # available = 1,000,000 − 3% reserve 30,000 = 970,000: a third payment makes it short
    sources("test.more", lambda c, s, e: [(s, 470_001, "大额")])
    pos = position(center, BD)
    assert pos.outflows_total == 970_001 and pos.level == "critical" and pos.alerts[-1].code == "FUNDS_SHORT"


def test_a_failing_or_invalid_source_is_an_alert(center, ledger, sources):
    ledger.contribute(date(2026, 11, 2), 1_000_000)

    def broken(c, s, e):
        raise RuntimeError("银行接口超时")

    sources("test.broken", broken)
    sources("test.invalid", lambda c, s, e: [(s, 12.5, "浮点金额"), (e + timedelta(days=9), 1, "超出期间"), (s, 7, "ok")])
    pos = position(center, BD)
    codes = [a.code for a in pos.alerts]
    assert codes.count("OUTFLOW_SOURCE_FAILED") == 1 and codes.count("OUTFLOW_SOURCE_INVALID") == 2
    assert pos.outflows_total == 7 and pos.level == "critical"


def test_snapshot_is_idempotent_per_day(center, ledger, fin_user, teller_user):
    ledger.contribute(date(2026, 11, 2), 1_000_000)
    ledger.disburse(date(2026, 11, 3), 400_000)
    s1 = liquidity_snapshot(center=center, on=BD, actor=SystemActor("day_end"))
    audits = AuditRecord.objects.filter(action="finance.liquidity.snapshot").count()
    s2 = liquidity_snapshot(center=center, on=BD, actor=SystemActor("day_end"))
    assert s1.pk == s2.pk and LiquiditySnapshot.objects.count() == 1
    assert AuditRecord.objects.filter(action="finance.liquidity.snapshot").count() == audits == 1
    assert (s2.deposit_total, s2.loan_total, s2.loan_ratio) == (1_000_000, 400_000, Decimal("0.4"))
    ledger.repay(date(2026, 11, 30), 100_000)
    s3 = liquidity_snapshot(center=center, on=BD, actor=fin_user)
    assert s3.pk == s1.pk and s3.loan_total == 300_000 and LiquiditySnapshot.objects.count() == 1
    assert AuditRecord.objects.filter(action="finance.liquidity.snapshot").count() == 2
    other = liquidity_snapshot(center=center, on=BD - timedelta(days=1), actor=SystemActor("day_end"))
    assert other.loan_total == 400_000 and LiquiditySnapshot.objects.count() == 2
    with pytest.raises(DomainError) as e:
        liquidity_snapshot(center=center, on=BD + timedelta(days=1), actor=SystemActor("day_end"))
    assert e.value.code == "FUTURE_DATE"
    with pytest.raises(PermissionDenied) as denied:
        liquidity_snapshot(center=center, on=BD, actor=teller_user)
    assert denied.value.code == "FORBIDDEN"


def _months(first: date, n: int) -> list[date]:
    out, y, m = [], first.year, first.month
    for _ in range(n):
        out.append(date(y, m, 10))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_forecast_same_month_last_year_times_trend(center, ledger, fin_user):
    months = _months(date(2024, 11, 1), 24)  # 2024-11 … 2026-10: the 24 complete months before 2026-11
    for i, d in enumerate(months):
        amount = 100_000 if i < 12 else (150_000 if i == 12 else 120_000)
        ledger.contribute(d, amount)
        ledger.withdraw(d + timedelta(days=1), 30_000)
    ledger.contribute(date(2026, 11, 5), 1)  # the current month is not history
    f = liquidity_forecast(center=center, on=BD, user=fin_user)
    assert f.method == "seasonal_trend" and f.n_history == 24
    assert f.months[:2] == ["2024-11", "2024-12"] and f.months[24:] == [
        "2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04"]
    # trend = (150,000 + 11 × 120,000) / (12 × 100,000) = 1.225
    assert f.trend["contributions"] == "1.2250" and f.trend["withdrawals"] == "1.0000"
    assert f.series["contributions"][24:] == [183_750] + [147_000] * 5
    assert f.series["withdrawals"][24:] == [30_000] * 6
    assert f.inflow[24] == 183_750 and f.outflow[24] == 30_000 and f.net[24] == 153_750
    assert f.projected_funds[0] == position(center, BD).available + 153_750
    assert f.projected_funds[5] == f.projected_funds[0] + 5 * (147_000 - 30_000)
    data = f.chart_data()
    assert data["projected"][:24] == [None] * 24 and len(data["inflow"]) == 30


def test_forecast_with_short_histories(center, ledger):
    for i, d in enumerate(_months(date(2026, 6, 1), 5)):
        ledger.contribute(d, 100_000 * (i + 1))
    f = forecast(center, BD)
    assert f.method == "average" and f.series["contributions"][24:] == [300_000] * 6
    for d in _months(date(2025, 6, 1), 5):
        ledger.contribute(d, 77_000)
    f = forecast(center, BD)  # 17 months since 2025-06: same month last year, no trend
    assert f.method == "seasonal" and f.series["contributions"][24:] == [0] * 6
    ledger.contribute(date(2025, 11, 20), 5_000)
    assert forecast(center, BD).series["contributions"][24] == 5_000


def test_forecast_series_rules():
    flat = [100] * 12 + [1000] * 12
    ahead, trend = forecast_series(flat, 24, 3)
    assert trend == 2 and ahead == [2000] * 3  # the trend is capped at 2
    ahead, trend = forecast_series([0] * 12 + [5] * 12, 24, 2)
    assert trend == 1 and ahead == [5, 5]  # nothing to compare with: no trend
    ahead, trend = forecast_series([0] * 21 + [1, 2, 2], 3, 2)
    assert trend is None and ahead == [2, 2]  # mean 5/3 → 2 (HALF_UP)
    assert forecast_series([0] * 24, 0, 4) == ([0] * 4, None)
