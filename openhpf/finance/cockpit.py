"""领导驾驶舱: the center's key figures for its leaders, by month for the last 12 months, from the ledger's
published views and the owners' selectors (nothing computed twice):

- 缴存额 and 提取额 per month: `liquidity.monthly_flows` (201 by business type, net of reversals), the same
  figures the 业务状况表 and the liquidity forecast use; 提取额 is zero until withdrawals are booked;
- 缴存余额 (201) and 贷款余额 (121 + 122) at each month end: the balance the day before the first month
  (`liquidity.balances_on`) plus each month's net movement (one GROUP BY over the journal);
- 个贷率 = 贷款余额 / 缴存余额 at each month end (0 while no loan is booked; no ratio without deposits);
- 欠缴: the 催缴清单 of the latest month with arrears (contributions `arrears_latest`, the 待办 count);
- the liquidity position and its warnings on the business date (`liquidity.position`);
- the supervision figures of the apps above (`register_figures`): loans registers its overdue buckets and the ‰
  个贷逾期率; finance does not import them, it shows what is registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from openhpf.access.selectors import check_permission
from openhpf.contributions.relief.arrears import arrears_latest
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio

from .liquidity import Alert, balances_on, monthly_flows, position

MONTHS = 12


@dataclass(frozen=True)
class Figure:
    """One supervision figure (监管指标) as people read it: `value` already in 元, % or ‰; `amount` (fen) and
    `count` for the APIs and charts where the figure has them."""

    key: str
    label: str
    value: str
    detail: str = ""
    amount: int | None = None
    count: int | None = None
    group: str = ""


FigureSource = Callable[[Center, date], list[Figure]]
_FIGURES: dict[str, FigureSource] = {}


def register_figures(name: str, source: FigureSource) -> None:
    """An app above finance adds its figures to the cockpit (and the supervision figures): `source(center, on)`
    returns them, read set-based from its own data. Registered from its AppConfig.ready()."""
    _FIGURES[name] = source


def supervision_figures(center: Center, on: date) -> list[Figure]:
    """Every registered source's figures, in registration order."""
    return [f for source in _FIGURES.values() for f in source(center, on)]


@dataclass(frozen=True)
class Month:
    key: str  # YYYYMM
    deposits: int  # 缴存额, fen
    withdrawals: int  # 提取额, fen
    balance: int  # 缴存余额 at the month end (or the business date in the current month), fen
    loans: int  # 贷款余额 at the month end, fen

    @property
    def label(self) -> str:
        return f"{self.key[:4]}-{self.key[4:]}"

    @property
    def loan_ratio(self) -> Fraction | None:
        return Fraction(self.loans, self.balance) if self.balance > 0 else None


@dataclass
class Cockpit:
    on: date
    months: list[Month]
    arrears_month: str
    arrears_employers: int
    arrears_amount: int
    liquidity_level: str
    alerts: list[Alert] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def last(self) -> Month:
        return self.months[-1]

    @property
    def deposits_12m(self) -> int:
        return sum(m.deposits for m in self.months)

    @property
    def withdrawals_12m(self) -> int:
        return sum(m.withdrawals for m in self.months)

    @property
    def has_loans(self) -> bool:
        return any(m.loans for m in self.months)

    def chart_data(self) -> dict[str, Any]:
        """The figures the page's ECharts read (json_script): amounts in fen, ratios in percent (two places)."""
        def pct(r: Fraction | None) -> float | None:
            return None if r is None else round(float(r * 100), 2)

        return {"months": [m.label for m in self.months], "deposits": [m.deposits for m in self.months],
                "withdrawals": [m.withdrawals for m in self.months], "balance": [m.balance for m in self.months],
                "loan_ratio": [pct(m.loan_ratio) for m in self.months],
                "labels": {"deposits": "缴存额", "withdrawals": "提取额", "balance": "缴存余额", "loan_ratio": "个贷率"}}

    def rows(self) -> list[dict[str, str]]:
        """The same figures as a table (元 and %), newest month first."""
        return [{"month": m.label, "deposits": format_fen(m.deposits), "withdrawals": format_fen(m.withdrawals),
                 "balance": format_fen(m.balance), "loans": format_fen(m.loans),
                 "loan_ratio": format_ratio(m.loan_ratio)} for m in reversed(self.months)]


def _month_start(d: date, back: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - back, 12)
    return date(y, m + 1, 1)


def month_movements(center: Center | int, start: date, end: date) -> dict[str, tuple[int, int]]:
    """Per month (YYYYMM) in [start, end]: the net credit of 201 (缴存余额's change) and the net debit of 121 + 122
    (贷款余额's change), from the ledger's published views in one GROUP BY."""
    cid = center.pk if isinstance(center, Center) else center
    month = sql.month_key("e.business_date")
    rows = sql.fetch(
        f"SELECT {month} AS m, "  # noqa: S608 — month-key SQL from core.db; values bound
        "COALESCE(SUM(CASE WHEN g.code LIKE '201%%' THEN l.credit - l.debit ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN g.code LIKE '121%%' OR g.code LIKE '122%%' THEN l.debit - l.credit ELSE 0 END), 0) "
        "FROM ledger_v_journal_line l JOIN ledger_v_journal_entry e ON e.id = l.entry_id "
        "JOIN ledger_v_gl_account g ON g.id = l.account_id "
        "WHERE e.center_id = %s AND e.business_date >= %s AND e.business_date <= %s "
        f"GROUP BY {month}", [cid, start, end])
    return {str(m): (int(dep), int(loans)) for m, dep, loans in rows}


def cockpit(*, center: Center, user: Actor, on: date | None = None, months: int = MONTHS) -> Cockpit:
    """The cockpit of `center` as of `on` (default: its business date): the last `months` months, this one
    included (up to `on`)."""
    check_permission(user, "cockpit.view", center=center)
    on = on or center.business_date
    first = _month_start(on, months - 1)
    opening = balances_on(center, first - timedelta(days=1))
    flows = monthly_flows(center, first, on)
    moves = month_movements(center, first, on)
    balance, loans = -opening["201"], opening["121"] + opening["122"]
    out = []
    for i in range(months):
        d = _month_start(on, months - 1 - i)
        key = f"{d.year:04d}{d.month:02d}"
        dep, loan = moves.get(key, (0, 0))
        balance, loans = balance + dep, loans + loan
        f = flows.get(key, {})
        out.append(Month(key=key, deposits=int(f.get("contributions", 0)), withdrawals=int(f.get("withdrawals", 0)),
                         balance=balance, loans=loans))
    arrears = arrears_latest(center=center, user=user, on=on)
    pos = position(center, on)
    return Cockpit(on=on, months=out, arrears_month=arrears.month, arrears_employers=len(arrears.employers),
                   arrears_amount=arrears.total, liquidity_level=pos.level, alerts=list(pos.alerts),
                   figures=supervision_figures(center, on))
