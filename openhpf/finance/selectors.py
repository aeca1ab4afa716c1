"""Reads of the finance app: the financial statements (试算平衡表, 资产负债表, 增值收益表, 增值收益分配表,
住房公积金业务状况表) of any period, and the 增值收益 year overview. Every figure is derived from the ledger with
a few aggregate queries (one GROUP BY per question, never a query per row); nothing is stored.

Closing entries of the finance app are recognised by their source: "finance.pl_close:Y" (损益结转, Dr 401xx /
Cr 311 and Dr 311 / Cr 411xx), "finance.va_distribute:Y" (分配, Dr 321xx / Cr 301, 21904, 214) and
"finance.va_carry:Y" (年末结平 311 与 321). Income statements leave out the 损益结转 so a closed year still shows
its 收入 and 支出; the balance sheet of an open year shows the 损益 not yet transferred inside 增值收益."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Sum

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.approvals.models import PendingCommand
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.codes import BizType, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio, mul_half_up
from openhpf.core.policy import policy_value
from openhpf.ledger.models import GLAccount, JournalLine, SubLedgerRow
from openhpf.ledger.selectors import trial_balance

from .models import ValueAddedYear
from .periods import Period

PERMISSION = "finance.view"

CLOSE_SOURCE = "finance.pl_close"
DISTRIBUTE_SOURCE = "finance.va_distribute"
CARRY_SOURCE = "finance.va_carry"
DISTRIBUTE_COMMAND = "finance.value_added_distribute"  # the approvals command that posts a distribution

ASSETS = ("101", "102", "111", "119", "121", "122", "124")
LIABILITIES = ("201", "211", "214", "219")
LOANS = ("121", "122")
# 201 movements by business type: money in from members' employers, money out to members
CONTRIBUTION_TYPES = (BizType.REMITTANCE, BizType.BACK_PAYMENT, BizType.TRANSFER_IN)
WITHDRAWAL_TYPES = (BizType.PARTIAL_WITHDRAWAL, BizType.CLOSING_WITHDRAWAL, BizType.TRANSFER_OUT)

SIDE_TEXT = {"D": "借", "C": "贷"}  # an account's balance side (科目方向), as the trial balance's 方向 column shows it
KINDS: dict[str, str] = {
    "balance_sheet": "资产负债表",
    "income": "增值收益表",
    "distribution": "增值收益分配表",
    "business": "住房公积金业务状况表",
    "trial_balance": "试算平衡表",
}


# ---------------------------------------------------------------- the statement as data


@dataclass
class Row:
    label: str
    values: list[Any]  # int fen / int count / Fraction ratio / None (blank), one per column
    code: str = ""
    fmt: str | tuple[str, ...] = "money"  # money | count | ratio, per row or per column
    level: int = 0  # indentation
    total: bool = False

    def fmt_of(self, i: int) -> str:
        return self.fmt if isinstance(self.fmt, str) else self.fmt[i]


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[Row]


@dataclass
class Check:
    label: str
    ok: bool
    detail: str = ""


@dataclass
class Statement:
    kind: str
    title: str
    center_name: str
    period: Period
    sections: list[Section]
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: money in fen (integers), counts as integers, ratios as decimal strings (6 places)."""
        def enc(v: Any) -> Any:
            return ratio_text(v) if isinstance(v, Fraction) else v

        return {
            "kind": self.kind, "title": self.title, "center": self.center_name, "period": self.period.code,
            "period_label": self.period.label, "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(), "unit": "分",
            "sections": [{"title": s.title, "columns": s.columns,
                          "rows": [{"label": r.label, "code": r.code, "total": r.total, "level": r.level,
                                    "formats": [r.fmt_of(i) for i in range(len(r.values))],
                                    "values": [enc(v) for v in r.values]} for r in s.rows]}
                         for s in self.sections],
            "checks": [{"label": c.label, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "balanced": self.balanced, "notes": self.notes,
        }


def ratio_text(r: Fraction | None, places: int = 6) -> str | None:
    if r is None:
        return None
    q = Decimal(1).scaleb(-places)
    return str((Decimal(r.numerator) / Decimal(r.denominator)).quantize(q, rounding=ROUND_HALF_UP))


def percent_text(r: Fraction | None) -> str:
    """0.843215 → '84.32%', 0.85 → '85%' (core.money.format_ratio); None (no denominator) → '—'."""
    return format_ratio(r)


def cell_text(v: Any, fmt: str) -> str:
    if v is None:
        return ""
    if fmt == "ratio":
        return percent_text(v)
    if fmt == "count":
        return f"{v:,}"
    if fmt == "text":
        return str(v)
    return format_fen(v)


def ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


# ---------------------------------------------------------------- ledger sums (set-based)


Sums = dict[str, tuple[int, int]]  # leaf code → (Σdebit, Σcredit)


def leaf_sums(center: Center | int, *, upto: date | None = None, start: date | None = None,
              exclude_sources: Iterable[str] = (), only_source: str | None = None) -> Sums:
    """Σdebit and Σcredit per posted account, in one GROUP BY: entries with business date in [start, upto]
    (open ends when None), leaving out entries whose source starts with any of `exclude_sources` (or keeping
    only those whose source starts with `only_source`)."""
    qs = JournalLine.objects.filter(entry__center=center)
    if upto is not None:
        qs = qs.filter(entry__business_date__lte=upto)
    if start is not None:
        qs = qs.filter(entry__business_date__gte=start)
    for prefix in exclude_sources:
        qs = qs.exclude(entry__source__startswith=prefix)
    if only_source is not None:
        qs = qs.filter(entry__source__startswith=only_source)
    return {r["account__code"]: (r["d"], r["c"])
            for r in qs.values("account__code").annotate(d=Sum("debit", default=0), c=Sum("credit", default=0))}


def dr(sums: Sums, *prefixes: str) -> int:
    """Σ(debit − credit) over the accounts under the prefixes (a debit-side balance or movement)."""
    return sum(d - c for code, (d, c) in sums.items() if code.startswith(prefixes))


def cr(sums: Sums, *prefixes: str) -> int:
    return -dr(sums, *prefixes)


def _chart(center: Center) -> dict[str, GLAccount]:
    return {a.code: a for a in GLAccount.objects.filter(center=center).order_by("code")}


def _pl_prefixes(chart: dict[str, GLAccount]) -> tuple[str, ...]:
    """The top-level 损益类 accounts (401 业务收入, 411 业务支出, and any a center added)."""
    return tuple(c for c, a in chart.items() if len(c) == 3 and a.category == "4")


def _leaves_under(chart: dict[str, GLAccount], top: str) -> list[GLAccount]:
    return [a for c, a in chart.items() if c.startswith(top) and a.is_leaf]


# ---------------------------------------------------------------- statements


StatementBuilder = Callable[[Center, Period, Actor], Statement]
_REGISTERED: dict[str, StatementBuilder] = {}


def register_statement(kind: str, title: str, builder: StatementBuilder) -> None:
    """A report of an app above finance (withdrawals' 提取情况表 …), registered from its AppConfig.ready(): it is
    listed with the statements (KINDS), shown by the statements page and exported by the same xlsx / PDF code.
    `builder(center, period, user)` returns a Statement, reading its own app's data set-based."""
    existing = _REGISTERED.get(kind)
    if (kind in KINDS and existing is None) or (existing is not None and existing is not builder):
        raise ValueError(f"a statement {kind!r} is registered already")
    KINDS[kind] = title
    _REGISTERED[kind] = builder


def statement(kind: str, *, center: Center, period: Period, user: Actor) -> Statement:
    """The statement `kind` (KINDS) of the center for the period."""
    check_permission(user, PERMISSION, center=center)
    builders = {"balance_sheet": _balance_sheet, "income": _income, "distribution": _distribution,
                "business": _business, "trial_balance": _trial_balance, **_REGISTERED}
    if kind not in builders:
        raise DomainError(ErrorCode.STATEMENT_KIND, f"未知的报表：{kind}（可选：{'、'.join(KINDS)}）", field="kind")
    return builders[kind](center, period, user)


def _balance_sheet(center: Center, period: Period, user: Actor) -> Statement:
    """资产负债表 as of the period end, with the year's opening (年初数) beside it."""
    chart = _chart(center)
    cols = [leaf_sums(center, upto=date(period.end.year - 1, 12, 31)), leaf_sums(center, upto=period.end)]
    pl = _pl_prefixes(chart)
    tops = {c: a for c, a in chart.items() if len(c) == 3}

    def extra(category: str, known: Iterable[str]) -> list[str]:
        return [c for c, a in tops.items() if a.category == category and c not in known]

    asset_codes = [*ASSETS, *extra("1", ASSETS)]
    liab_codes = [*LIABILITIES, *extra("2", LIABILITIES)]
    equity_extra = extra("3", ("301", "311", "321"))

    def name(code: str) -> str:
        return tops[code].name if code in tops else code

    assets = [Row(name(c), [dr(s, c) for s in cols], code=c, level=1) for c in asset_codes]
    asset_total = [sum(r.values[i] for r in assets) for i in range(2)]
    liabs = [Row(name(c), [cr(s, c) for s in cols], code=c, level=1) for c in liab_codes]
    liab_total = [sum(r.values[i] for r in liabs) for i in range(2)]
    unclosed = [cr(s, *pl) for s in cols] if pl else [0, 0]
    value_added = [cr(s, "311") + u for s, u in zip(cols, unclosed, strict=True)]
    distributed = [dr(s, "321") for s in cols]
    equity = [
        Row(name("301"), [cr(s, "301") for s in cols], code="301", level=1),
        Row("增值收益", value_added, code="311", level=1),
        Row("减：增值收益分配", distributed, code="321", level=1),
        *[Row(name(c), [cr(s, c) for s in cols], code=c, level=1) for c in equity_extra],
    ]
    equity_total = [sum(r.values[i] * (-1 if r.code == "321" else 1) for r in equity) for i in range(2)]
    right_total = [liab_total[i] + equity_total[i] for i in range(2)]
    columns = ["年初数", "期末数"]
    sections = [
        Section("资产", columns, [*assets, Row("资产总计", asset_total, total=True)]),
        Section("负债和净资产", columns, [
            *liabs, Row("负债合计", liab_total, total=True), *equity, Row("净资产合计", equity_total, total=True),
            Row("负债和净资产总计", right_total, total=True)]),
    ]
    checks = [Check(f"{c}：资产总计 = 负债和净资产总计", asset_total[i] == right_total[i],
                    f"{format_fen(asset_total[i])} / {format_fen(right_total[i])}")
              for i, c in enumerate(columns)]
    notes = [f"期末数为 {period.end:%Y-%m-%d} 日终余额，年初数为上年末余额；单位：元。"]
    if any(unclosed):
        notes.append(f"增值收益含尚未结转的本年损益（业务收入−业务支出）：年初 {format_fen(unclosed[0])}，"
                     f"期末 {format_fen(unclosed[1])}。")
    return Statement("balance_sheet", KINDS["balance_sheet"], center.name, period, sections, checks, notes)


def _income(center: Center, period: Period, user: Actor) -> Statement:
    """增值收益表: 业务收入 (401xx) − 业务支出 (411xx) = 增值收益, for the period and the year to its end."""
    chart = _chart(center)
    excl = (CLOSE_SOURCE,)
    cols = [leaf_sums(center, start=period.start, upto=period.end, exclude_sources=excl),
            leaf_sums(center, start=period.year_start, upto=period.end, exclude_sources=excl)]
    revenue = [Row(a.name, [cr(s, a.code) for s in cols], code=a.code, level=1) for a in _leaves_under(chart, "401")]
    expense = [Row(a.name, [dr(s, a.code) for s in cols], code=a.code, level=1) for a in _leaves_under(chart, "411")]
    rev_total = [cr(s, "401") for s in cols]
    exp_total = [dr(s, "411") for s in cols]
    va = [rev_total[i] - exp_total[i] for i in range(2)]
    columns = ["本期数", "本年累计数"]
    rows = [Row("一、业务收入", rev_total, code="401", total=True), *revenue,
            Row("二、业务支出", exp_total, code="411", total=True), *expense,
            Row("三、增值收益", va, total=True)]
    # tie to 311: what the year-end transfer moved into 增值收益 plus what is still in the 损益 accounts
    year_all = leaf_sums(center, start=period.year_start, upto=period.end)
    transferred = cr(leaf_sums(center, start=period.year_start, upto=period.end, only_source=CLOSE_SOURCE), "311")
    unclosed = cr(year_all, "401") - dr(year_all, "411")
    checks = [Check("本年累计增值收益 = 已结转入311的金额 + 尚未结转的损益", va[1] == transferred + unclosed,
                    f"{format_fen(va[1])} = {format_fen(transferred)} + {format_fen(unclosed)}")]
    notes = ["不含年末损益结转凭证；单位：元。"]
    return Statement("income", KINDS["income"], center.name, period, [Section("增值收益", columns, rows)], checks,
                     notes)


def _distribution_column(center: Center, chart: dict[str, GLAccount], start: date, end: date,
                         before: Sums) -> tuple[list[int], int]:
    pl = _pl_prefixes(chart)
    moves = leaf_sums(center, start=start, upto=end, exclude_sources=(CLOSE_SOURCE, CARRY_SOURCE))
    earned = cr(moves, *pl) + cr(moves, "311") if pl else cr(moves, "311")
    opening = (cr(before, *pl) if pl else 0) + cr(before, "311") - dr(before, "321")
    dist = [dr(moves, c) for c in ("32101", "32102", "32103")]
    available = earned + opening
    closing = available - sum(dist)
    ends = leaf_sums(center, upto=end)
    ledger_closing = (cr(ends, *pl) if pl else 0) + cr(ends, "311") - dr(ends, "321")
    return [earned, opening, available, *dist, closing], ledger_closing


def _distribution(center: Center, period: Period, user: Actor) -> Statement:
    """增值收益分配表 (321xx): the period's 增值收益, what was distributed, what is left to distribute."""
    chart = _chart(center)
    a, tie_a = _distribution_column(center, chart, period.start, period.end, leaf_sums(center, upto=period.before_start))
    b, tie_b = _distribution_column(center, chart, period.year_start, period.end,
                                    leaf_sums(center, upto=date(period.end.year - 1, 12, 31)))
    labels = [("一、本期增值收益", "311", True), ("加：期初待分配增值收益", "", False), ("二、可供分配的增值收益", "", True),
              ("减：提取贷款风险准备金", "32101", False), ("提取管理费用", "32102", False),
              ("提取廉租住房补充资金", "32103", False), ("三、期末待分配增值收益", "32104", True)]
    rows = [Row(lab, [a[i], b[i]], code=code, total=tot, level=0 if tot else 1)
            for i, (lab, code, tot) in enumerate(labels)]
    checks = [Check("期末待分配增值收益与账面（311 + 未结转损益 − 321）一致", a[-1] == tie_a and b[-1] == tie_b,
                    f"{format_fen(a[-1])} / 账面 {format_fen(tie_a)}")]
    notes = ["分配按增值收益分配方案经复核后记账（借 321xx，贷 301 贷款风险准备、21904 应付管理费用、214 专项应付款）；单位：元。"]
    return Statement("distribution", KINDS["distribution"], center.name, period,
                     [Section("增值收益分配", ["本期数", "本年累计数"], rows)], checks, notes)


def _biz_sums(center: Center, start: date, end: date) -> dict[str, tuple[int, int]]:
    """201 住房公积金 Σdebit/Σcredit per business type of the entry, in one GROUP BY."""
    qs = (JournalLine.objects.filter(entry__center=center, account__code__startswith="201",
                                     entry__business_date__gte=start, entry__business_date__lte=end)
          .values("entry__biz_type").annotate(d=Sum("debit", default=0), c=Sum("credit", default=0)))
    return {r["entry__biz_type"] or "": (r["d"], r["c"]) for r in qs}


def _people(center: Center, start: date, end: date) -> dict[str, int]:
    """Distinct member accounts with a detail row of each business type in the period (人数)."""
    qs = (SubLedgerRow.objects.filter(entry__center=center, entry__business_date__gte=start,
                                      entry__business_date__lte=end)
          .values("biz_type").annotate(n=Count("sub_account_id", distinct=True)))
    return {r["biz_type"]: r["n"] for r in qs}


def loan_flows(center: Center | int, start: date, end: date) -> tuple[int, int]:
    """(发放, 回收) of 121 + 122 in the period: per entry, a net debit is a disbursement and a net credit a
    repayment; a transfer to 逾期 (Dr 122 / Cr 121) nets to zero inside its entry. One query."""
    cid = center.pk if isinstance(center, Center) else center
    row = sql.fetch(
        "SELECT COALESCE(SUM(CASE WHEN t.net > 0 THEN t.net ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN t.net < 0 THEN -t.net ELSE 0 END), 0) FROM ("
        "SELECT l.entry_id, SUM(l.debit - l.credit) AS net FROM ledger_v_journal_line l "
        "JOIN ledger_v_journal_entry e ON e.id = l.entry_id JOIN ledger_v_gl_account g ON g.id = l.account_id "
        "WHERE e.center_id = %s AND e.business_date >= %s AND e.business_date <= %s "
        "AND (g.code LIKE '121%%' OR g.code LIKE '122%%') GROUP BY l.entry_id) t", [cid, start, end])[0]
    return int(row[0]), int(row[1])


def _type_rows(t: str, labels: dict[str, str], biz: list[dict[str, tuple[int, int]]]) -> list[Row]:
    """The 201 rows of one business type: its net increase; for a contribution type (汇缴, 补缴, 转入) the
    money paid in, and its 退缴 (the debits of those entries: refunds reverse them) on a row of its own."""
    label = labels.get(t, "未分类")
    if t not in CONTRIBUTION_TYPES:
        return [Row(f"{label}（{t or '—'}）净增加", [b.get(t, (0, 0))[1] - b.get(t, (0, 0))[0] for b in biz],
                    code=t, level=1)]
    rows = [Row(f"{label}（{t}）", [b.get(t, (0, 0))[1] for b in biz], code=t, level=1)]
    if any(b.get(t, (0, 0))[0] for b in biz):
        rows.append(Row(f"退缴（冲回{label}，{t}）", [-b.get(t, (0, 0))[0] for b in biz], level=1))
    return rows


def _business(center: Center, period: Period, user: Actor) -> Statement:
    """住房公积金业务状况表: 归集 and 提取 (201 by business type), members and employers, loans."""
    ranges = [(period.start, period.before_start), (period.year_start, date(period.end.year - 1, 12, 31))]
    columns = ["本期", "本年累计"]
    bal_end = leaf_sums(center, upto=period.end)
    openings = [leaf_sums(center, upto=before) for _, before in ranges]
    biz = [_biz_sums(center, start, period.end) for start, _ in ranges]
    labels = dict(BizType.choices)

    # 一、归集与提取: 201 movements by business type
    types = sorted(set(biz[0]) | set(biz[1]))
    dep_open = [cr(o, "201") for o in openings]
    dep_end = cr(bal_end, "201")
    inflow = [sum(b.get(t, (0, 0))[1] for t in CONTRIBUTION_TYPES) for b in biz]
    refunds = [sum(b.get(t, (0, 0))[0] for t in CONTRIBUTION_TYPES) for b in biz]
    outflow = [sum(b.get(t, (0, 0))[0] - b.get(t, (0, 0))[1] for t in WITHDRAWAL_TYPES) for b in biz]
    by_type = [row for t in types for row in _type_rows(t, labels, biz)]
    net = [sum(r.values[i] for r in by_type) for i in range(2)]
    fund_rows = [
        Row("期初缴存余额", dep_open, code="201"),
        *by_type,
        Row("本期净增加合计", net, total=True),
        Row("期末缴存余额", [dep_end, dep_end], code="201", total=True),
        Row("缴存额（汇缴、补缴、转入）", inflow),
        Row("退缴额", refunds),
        Row("提取额（部分提取、销户提取、转出）", outflow),
        Row("提取率（提取额 / 缴存额）", [ratio(outflow[i], inflow[i] - refunds[i]) for i in range(2)], fmt="ratio"),
    ]
    checks = [Check(f"{c}：期初 + 各业务类型净增加 = 期末缴存余额（201）", dep_open[i] + net[i] == dep_end,
                    f"{format_fen(dep_open[i] + net[i])} / {format_fen(dep_end)}") for i, c in enumerate(columns)]

    # 二、缴存单位与职工
    people = [_people(center, start, period.end) for start, _ in ranges]
    paying = [_paying(center, start, period.end) for start, _ in ranges]
    end = period.end
    emp_live = Employer.objects.filter(center=center, opened_date__lte=end).exclude(closed_date__lte=end)
    acc_live = MemberAccount.objects.filter(center=center, opened_date__lte=end).exclude(closed_date__lte=end)
    sealed = acc_live.filter(status=MemberAccountStatus.SEALED, sealed_date__lte=end).count()
    opened = [(Employer.objects.filter(center=center, opened_date__gte=s, opened_date__lte=end).count(),
               MemberAccount.objects.filter(center=center, opened_date__gte=s, opened_date__lte=end).count(),
               MemberAccount.objects.filter(center=center, closed_date__gte=s, closed_date__lte=end).count())
              for s, _ in ranges]
    n_emp, n_acc = emp_live.count(), acc_live.count()
    count_rows = [
        Row("期末单位账户数", [n_emp, n_emp], fmt="count"),
        Row("期末个人账户数", [n_acc, n_acc], fmt="count"),
        Row("其中：封存账户数", [sealed, sealed], fmt="count", level=1),
        Row("实缴单位数", [p[0] for p in paying], fmt="count"),
        Row("实缴职工数", [p[1] for p in paying], fmt="count"),
        Row("新开单位账户数", [o[0] for o in opened], fmt="count"),
        Row("新开个人账户数", [o[1] for o in opened], fmt="count"),
        Row("销户个人账户数", [o[2] for o in opened], fmt="count"),
    ]

    # 三、提取 by type: amount and people
    withdraw_rows = []
    for t in WITHDRAWAL_TYPES:
        withdraw_rows.append(Row(f"{labels[t]}（{t}）", [biz[0].get(t, (0, 0))[0] - biz[0].get(t, (0, 0))[1],
                                                       people[0].get(t, 0),
                                                       biz[1].get(t, (0, 0))[0] - biz[1].get(t, (0, 0))[1],
                                                       people[1].get(t, 0)],
                                 code=t, fmt=("money", "count", "money", "count")))

    # 四、贷款
    flows = [loan_flows(center, start, period.end) for start, _ in ranges]
    loan_open = [dr(o, *LOANS) for o in openings]
    loan_end = dr(bal_end, *LOANS)
    overdue = dr(bal_end, "122")
    loan_rows = [
        Row("期初个贷余额", loan_open, code="121+122"),
        Row("发放额", [f[0] for f in flows]),
        Row("回收额", [f[1] for f in flows]),
        Row("期末个贷余额", [loan_end, loan_end], code="121+122", total=True),
        Row("其中：逾期贷款", [overdue, overdue], code="122", level=1),
        Row("个贷率（期末个贷余额 / 期末缴存余额）", [ratio(loan_end, dep_end)] * 2, fmt="ratio"),
        Row("个贷逾期率（逾期贷款 / 个贷余额）", [ratio(overdue, loan_end)] * 2, fmt="ratio"),
    ]
    checks += [Check(f"{c}：期初个贷余额 + 发放 − 回收 = 期末个贷余额（121+122）",
                     loan_open[i] + flows[i][0] - flows[i][1] == loan_end,
                     f"{format_fen(loan_open[i] + flows[i][0] - flows[i][1])} / {format_fen(loan_end)}")
               for i, c in enumerate(columns)]
    # 五、资金
    money_rows = [Row("住房公积金存款（101）", [dr(bal_end, "101")], code="101"),
                  Row("增值收益存款（102）", [dr(bal_end, "102")], code="102"),
                  Row("在途资金（21903）", [cr(bal_end, "21903")], code="21903")]
    sections = [
        Section("一、归集与提取（住房公积金 201，按业务类型）", columns, fund_rows),
        Section("二、缴存单位与职工", columns, count_rows),
        Section("三、提取", ["本期金额", "本期人数", "本年累计金额", "本年累计人数"], withdraw_rows),
        Section("四、个人住房贷款（121 委托贷款 + 122 逾期贷款）", columns, loan_rows),
        Section("五、资金（期末）", ["期末余额"], money_rows),
    ]
    notes = ["金额单位：元；账户数为期末数（按开户、销户、封存日期），实缴单位数与职工数为有汇缴或补缴入账的单位与职工。"]
    return Statement("business", KINDS["business"], center.name, period, sections, checks, notes)


def _paying(center: Center, start: date, end: date) -> tuple[int, int]:
    """(实缴单位数, 实缴职工数): employers and members with a 汇缴/补缴 detail row posted in the period."""
    rows = SubLedgerRow.objects.filter(entry__center=center, entry__business_date__gte=start,
                                       entry__business_date__lte=end,
                                       biz_type__in=[BizType.REMITTANCE, BizType.BACK_PAYMENT])
    members = rows.values("sub_account_id").distinct().count()
    employers = (MemberAccount.objects.filter(sub_id__in=rows.values("sub_account_id"))
                 .values("employer_id").distinct().count())
    return employers, members


def _trial_balance(center: Center, period: Period, user: Actor) -> Statement:
    """试算平衡表 through the ledger's own selector, month by month (a quarter or a year sums its months;
    an as-of date counts its whole month)."""
    months = period.months
    per_month = [trial_balance(center=center, year=y, month=m, user=user) for y, m in months]
    first, last = per_month[0], per_month[-1]
    rows = []
    tb_fmt = ("text", "money", "money", "money", "money")
    for i, r in enumerate(first):
        debit = sum(tb[i].debit for tb in per_month)
        credit = sum(tb[i].credit for tb in per_month)
        if not (r.opening or debit or credit or last[i].closing):
            continue
        rows.append(Row(f"{r.code} {r.name}", [SIDE_TEXT[r.normal_side], r.opening, debit, credit, last[i].closing],
                        code=r.code, fmt=tb_fmt, level=(len(r.code) - 3) // 2, total=len(r.code) == 3))
    top = [r for r in rows if len(r.code) == 3]
    d_total, c_total = sum(r.values[2] for r in top), sum(r.values[3] for r in top)
    sides = {r.code: r.normal_side for r in first}
    close_d = sum(r.values[4] for r in top if sides[r.code] == "D")
    close_c = sum(r.values[4] for r in top if sides[r.code] == "C")
    rows.append(Row("合计（一级科目）", [None, None, d_total, c_total, None], fmt=tb_fmt, total=True))
    checks = [Check("本期借方合计 = 贷方合计", d_total == c_total, f"{format_fen(d_total)} / {format_fen(c_total)}"),
              Check("期末借方余额 = 贷方余额", close_d == close_c, f"{format_fen(close_d)} / {format_fen(close_c)}")]
    label = f"{months[0][0]}-{months[0][1]:02d}" + (f" 至 {months[-1][0]}-{months[-1][1]:02d}" if len(months) > 1 else "")
    notes = [f"会计期间 {label}；余额按科目方向（借方科目借方为正，贷方科目贷方为正）；单位：元。"]
    return Statement("trial_balance", KINDS["trial_balance"], center.name, period,
                     [Section("试算平衡表", ["方向", "期初余额", "本期借方", "本期贷方", "期末余额"], rows)], checks, notes)


# ---------------------------------------------------------------- 增值收益 year overview


def pl_balances(center: Center | int, upto: date) -> dict[str, int]:
    """Signed balance (debit − credit) of every 损益类 leaf posted up to `upto`."""
    qs = (JournalLine.objects.filter(entry__center=center, entry__business_date__lte=upto,
                                     account__category="4")
          .values("account__code").annotate(d=Sum("debit", default=0), c=Sum("credit", default=0)))
    return {r["account__code"]: r["d"] - r["c"] for r in qs}


# ---------------------------------------------------------------- the distribution plan (a read: what would post)


@dataclass(frozen=True)
class DistributionPlan:
    year: int
    distributable: int  # 可供分配增值收益 at 12/31: 311 (+ 损益 not transferred) − 321
    risk_reserve: int
    management_fee: int
    lowrent_fund: int
    loans_outstanding: int  # 121 + 122 at 12/31
    reserve_before: int  # 301 at 12/31, before this distribution
    method: str
    income_ratio: str
    loan_ratio: str
    management_fee_budget: int

    def amounts(self) -> dict[str, int]:
        return {"distributable": self.distributable, "risk_reserve": self.risk_reserve,
                "management_fee": self.management_fee, "lowrent_fund": self.lowrent_fund}

    def rules(self) -> dict[str, Any]:
        return {"method": self.method, "income_ratio": self.income_ratio, "loan_ratio": self.loan_ratio,
                "management_fee_budget": self.management_fee_budget, "loans_outstanding": self.loans_outstanding,
                "reserve_before": self.reserve_before}


def distribution_plan(*, center: Center, year: int) -> DistributionPlan:
    """What the distribution of `year` would post now, by the policy in force on 12/31 of the year."""
    ye = date(year, 12, 31)
    record = ValueAddedYear.objects.filter(center=center, year=year).first()
    if record is None or any(pl_balances(center, ye).values()):
        raise DomainError(ErrorCode.YEAR_NOT_CLOSED, f"{year} 年度损益尚未结转至增值收益，请先执行年末结转", field="year")
    if record.status == ValueAddedYear.Status.DISTRIBUTED:
        raise DomainError(ErrorCode.YEAR_DISTRIBUTED, f"{year} 年度增值收益已分配", field="year")
    sums = leaf_sums(center, upto=ye)
    distributable = cr(sums, "311") - dr(sums, "321")
    if distributable <= 0:
        raise DomainError(ErrorCode.NOTHING_TO_DISTRIBUTE, f"{year} 年度可供分配的增值收益为 {format_fen(distributable)} 元，无可分配",
                          field="year")
    loans, reserve = dr(sums, *LOANS), cr(sums, "301")
    method = str(policy_value("value_added.risk_reserve.method", on=ye, center=center))
    income_ratio = policy_value("value_added.risk_reserve.income_ratio", on=ye, center=center)
    loan_ratio = policy_value("value_added.risk_reserve.loan_ratio", on=ye, center=center)
    budget = int(policy_value("value_added.management_fee.amount", on=ye, center=center))
    if method == "income_ratio":
        rr = mul_half_up(distributable, income_ratio)
    elif method == "loan_balance":
        rr = max(0, mul_half_up(loans, loan_ratio) - reserve)
    else:
        raise DomainError(ErrorCode.POLICY_VALUE, f"贷款风险准备金提取方式应为 income_ratio 或 loan_balance：{method}",
                          field="value_added.risk_reserve.method")
    rr = min(max(rr, 0), distributable)
    fee = min(max(budget, 0), distributable - rr)
    return DistributionPlan(year=year, distributable=distributable, risk_reserve=rr, management_fee=fee,
                            lowrent_fund=distributable - rr - fee, loans_outstanding=loans, reserve_before=reserve,
                            method=method, income_ratio=str(income_ratio), loan_ratio=str(loan_ratio),
                            management_fee_budget=budget)


def value_added_overview(*, center: Center, year: int, user: Actor) -> dict[str, Any]:
    """The 增值收益 of a year: its record, the 损益 still to transfer, the distribution plan (or why there is
    none yet) and any distribution waiting for a checker."""
    check_permission(user, PERMISSION, center=center)
    ye = date(year, 12, 31)
    record = ValueAddedYear.objects.filter(center=center, year=year).first()
    pl = pl_balances(center, ye)
    revenue = -sum(v for c, v in pl.items() if c.startswith("401"))
    expense = sum(v for c, v in pl.items() if c.startswith("411"))
    plan, plan_error = None, None
    try:
        plan = distribution_plan(center=center, year=year)
    except DomainError as e:
        plan_error = e.message
    pending = list(PendingCommand.objects.filter(center=center, name=DISTRIBUTE_COMMAND,
                                                 status=PendingCommand.Status.PENDING, params__year=year))
    pending_close = list(PendingCommand.objects.filter(center=center, name=CLOSE_COMMAND,
                                                       status=PendingCommand.Status.PENDING, params__year=year))
    return {"year": year, "record": record, "unclosed_revenue": revenue, "unclosed_expense": expense,
            "unclosed": any(pl.values()), "plan": plan, "plan_error": plan_error, "pending": pending,
            "pending_close": pending_close,
            "year_ended": center.business_date >= ye}


def value_added_years(*, center: Center, user: Actor) -> list[Any]:
    check_permission(user, PERMISSION, center=center)
    return list(ValueAddedYear.objects.filter(center=center).order_by("-year"))


# ---------------------------------------------------------------- where a voucher came from (凭证来源)

MANUAL_COMMANDS = ("ledger.entry_post", "ledger.entry_reverse")
CLOSE_COMMAND = "finance.value_added_close"  # the approvals command that posts the year-end 损益 transfer
SOURCE_LABELS = {
    "manual": "手工记账", CLOSE_SOURCE: "年末损益结转", DISTRIBUTE_SOURCE: "增值收益分配", CARRY_SOURCE: "增值收益年末结转",
    "settlement": "银行结算", "deposit.open": "定期/通知存款存入", "deposit.withdraw": "定期/通知存款支取",
    "value_added.transfer": "划转增值收益", "cutover": "数据迁移", "interest.opening": "迁移期初应计利息",
    "interest.accrue": "利息计提", "interest.trueup": "结息调整", "batch": "批量记账", "contributions": "缴存",
}


@dataclass
class VoucherOrigin:
    source_label: str
    maker: Any = None          # the user who made the command behind the voucher (None: see entry.created_by)
    checker: Any = None
    command_id: int | None = None
    year: int | None = None    # a year-end voucher: the 增值收益 year it belongs to


def voucher_origin(*, center: Center, voucher_no: str, source: str, reversal: bool = False) -> VoucherOrigin:
    """What a voucher's source means and, when a checker approved it, the command with its maker and checker."""
    head, _, tail = source.partition(":")
    label = SOURCE_LABELS.get(source) or SOURCE_LABELS.get(head) or source
    year = int(tail) if head in (CLOSE_SOURCE, DISTRIBUTE_SOURCE, CARRY_SOURCE) and tail.isdigit() else None
    cmd: PendingCommand | None = None
    base = PendingCommand.objects.select_related("maker", "maker__staff_profile", "checker", "checker__staff_profile")
    if head == "manual" or reversal:
        cmd = base.filter(center=center, name__in=MANUAL_COMMANDS, status=PendingCommand.Status.APPLIED,
                          result__voucher_no=voucher_no).first()
    elif year is not None:
        if head == CLOSE_SOURCE:
            cmd = base.filter(center=center, name=CLOSE_COMMAND, status=PendingCommand.Status.APPLIED,
                              params__year=year).order_by("-pk").first()
        else:
            rec = ValueAddedYear.objects.filter(center=center, year=year).first()
            cmd = base.filter(pk=rec.command_id).first() if rec is not None and rec.command_id else None
    if cmd is None:
        return VoucherOrigin(label, year=year)
    return VoucherOrigin(label, maker=cmd.maker, checker=cmd.checker, command_id=cmd.pk, year=year)
