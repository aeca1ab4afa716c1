"""Ledger invariants for `hpf verify` (docs/architecture.md "Invariants" 1–3), all set-based SQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType
from openhpf.core.money import format_fen
from openhpf.core.verify import CheckResult, full_run, register

from . import sql
from .calculations import sql_jishu_days
from .chart import MEMBER_CONTROL
from .digests import digest_breaches
from .models import AccountingPeriod


@register("ledger.balanced")
def check_balanced() -> CheckResult:
    """1. Every journal entry balances, and its stored total equals its lines."""
    bad = sql.fetch(
        "SELECT e.voucher_no, e.total, COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0) "
        "FROM ledger_journalentry e LEFT JOIN ledger_journalline l ON l.entry_id = e.id "
        "GROUP BY e.id, e.voucher_no, e.total "
        "HAVING COALESCE(SUM(l.debit), 0) <> COALESCE(SUM(l.credit), 0) OR COALESCE(SUM(l.debit), 0) <> e.total "
        "OR COUNT(l.id) < 2 LIMIT 50"
    )
    n = sql.fetch("SELECT COUNT(*) FROM ledger_journalentry")[0][0]
    return CheckResult("ledger.balanced", not bad, f"记账凭证 {n} 张借贷平衡",
                       [f"凭证 {v}：合计 {t}，借 {d}，贷 {c}" for v, t, d, c in bad])


@register("ledger.member_control")
def check_member_control() -> CheckResult:
    """2. Control account 201 equals the sum of member balances, per center."""
    gl = dict(sql.fetch(
        "SELECT e.center_id, SUM(l.credit) - SUM(l.debit) FROM ledger_journalline l "  # noqa: S608 — 积数 SQL from dates (date objects); values bound
        "JOIN ledger_journalentry e ON e.id = l.entry_id JOIN ledger_glaccount g ON g.id = l.account_id "
        f"WHERE g.code LIKE '{MEMBER_CONTROL}%%' GROUP BY e.center_id"
    ))
    sub = dict(sql.fetch(
        "SELECT center_id, SUM(balance_current + balance_carried) FROM ledger_subaccount GROUP BY center_id"
    ))
    breaches = [f"中心 {c}：201 科目余额 {format_fen(int(gl.get(c) or 0))} 元 ≠ 个人账户余额合计 {format_fen(int(sub.get(c) or 0))} 元"
                for c in sorted(set(gl) | set(sub)) if (gl.get(c) or 0) != (sub.get(c) or 0)]
    total = sum(v or 0 for v in sub.values())
    return CheckResult("ledger.member_control", not breaches, f"201 住房公积金 = 个人账户余额合计（{format_fen(int(total))} 元）", breaches)


_LOAN_OUTSTANDING: list[Callable[[], dict[int, int]]] = []


def register_loan_outstanding(source: Callable[[], dict[int, int]]) -> None:
    """A loans app registers its principal outstanding by center (fen) for the 121 + 122 control check."""
    if source not in _LOAN_OUTSTANDING:
        _LOAN_OUTSTANDING.append(source)


@register("ledger.loan_control")
def check_loan_control() -> CheckResult:
    """2. 121 + 122 equal the principal outstanding of all loans (no loans app registered: both are zero)."""
    loans: dict[int, int] = {}
    for source in _LOAN_OUTSTANDING:
        for c, amount in source().items():
            loans[c] = loans.get(c, 0) + amount
    gl = dict(sql.fetch(
        "SELECT e.center_id, SUM(l.debit) - SUM(l.credit) FROM ledger_journalline l "
        "JOIN ledger_journalentry e ON e.id = l.entry_id JOIN ledger_glaccount g ON g.id = l.account_id "
        "WHERE g.code LIKE '121%%' OR g.code LIKE '122%%' GROUP BY e.center_id"
    ))
    breaches = [f"中心 {c}：委托贷款+逾期贷款 {format_fen(int(gl.get(c) or 0))} 元 ≠ 贷款本金余额 {format_fen(int(loans.get(c) or 0))} 元"
                for c in sorted(set(gl) | set(loans)) if (gl.get(c) or 0) != (loans.get(c) or 0)]
    return CheckResult("ledger.loan_control", not breaches, "121+122 = 贷款本金余额", breaches)


@register("ledger.subledger")
def check_subledger() -> CheckResult:
    """Each account's balances equal the sum of its detail rows, and its last running balance."""
    bad = sql.fetch(
        "SELECT a.account_no, a.balance_current, a.balance_carried, g.c, g.k, g.last_id FROM ledger_subaccount a "
        "LEFT JOIN (SELECT sub_account_id, SUM(amount_current) AS c, SUM(amount_carried) AS k, MAX(id) AS last_id "
        "FROM ledger_subledgerrow GROUP BY sub_account_id) g ON g.sub_account_id = a.id "
        "WHERE a.balance_current <> COALESCE(g.c, 0) OR a.balance_carried <> COALESCE(g.k, 0) LIMIT 50"
    )
    bad_running = sql.fetch(
        "SELECT a.account_no, r.balance_after, a.balance_current + a.balance_carried FROM ledger_subaccount a "
        "JOIN (SELECT sub_account_id, MAX(id) AS last_id FROM ledger_subledgerrow GROUP BY sub_account_id) m "
        "ON m.sub_account_id = a.id JOIN ledger_subledgerrow r ON r.id = m.last_id "
        "WHERE r.balance_after <> a.balance_current + a.balance_carried LIMIT 50"
    )
    # the sub-ledger has no database FKs (bulk speed), so orphans are looked for here
    orphans = sql.fetch(
        "SELECT r.id FROM ledger_subledgerrow r LEFT JOIN ledger_subaccount a ON a.id = r.sub_account_id "
        "LEFT JOIN ledger_journalentry e ON e.id = r.entry_id "
        "WHERE a.id IS NULL OR (r.entry_id IS NOT NULL AND e.id IS NULL) LIMIT 50"
    )
    breaches = [f"账户 {no}：余额 {bc}/{bk} ≠ 明细合计 {c}/{k}" for no, bc, bk, c, k, _ in bad]
    breaches += [f"明细 {r[0]} 的账户或凭证不存在" for r in orphans]
    breaches += [f"账户 {no}：最后一笔明细余额 {ra} ≠ 账户余额 {b}" for no, ra, b in bad_running]
    return CheckResult("ledger.subledger", not breaches, "个人账户余额 = 明细账合计 = 最后一笔明细余额", breaches)


@register("ledger.available")
def check_available() -> CheckResult:
    """3. No available balance (balance − frozen − holds) is negative, nor any sub-balance."""
    bad = sql.fetch(
        "SELECT account_no FROM ledger_subaccount WHERE balance_current < 0 OR balance_carried < 0 "
        "OR balance_current + balance_carried - frozen_amount - hold_amount < 0 LIMIT 50"
    )
    return CheckResult("ledger.available", not bad, "可用余额均不为负", [f"账户 {r[0]} 可用余额为负" for r in bad])


@register("ledger.jishu")
def check_jishu() -> CheckResult:
    """The projected year 积数 equals the 积数 recomputed from the sub-ledger, per interest year."""
    breaches: list[str] = []
    years = [y for (y,) in sql.fetch("SELECT DISTINCT year_start FROM ledger_subaccount")]
    checked = 0
    for y in years:
        ys = y if isinstance(y, date) else date.fromisoformat(str(y))
        ys, ye = interest_year(ys)
        days = sql_jishu_days(sql.vendor(), "r.value_date", ys, ye)
        bad = sql.fetch(
            "SELECT a.account_no, a.jishu_current, a.jishu_base_current + COALESCE(g.jc, 0), "  # noqa: S608 — 积数 SQL from dates (date objects); values bound
            "a.jishu_carried, a.jishu_base_carried + COALESCE(g.jk, 0) FROM ledger_subaccount a "
            f"LEFT JOIN (SELECT r.sub_account_id, SUM(r.amount_current * {days}) AS jc, "
            f"SUM(r.amount_carried * {days}) AS jk FROM ledger_subledgerrow r WHERE r.business_date >= %s "
            # a settlement posted late (after 7/1, value date 6/30) belongs to the year it settled
            "AND (r.value_date >= %s OR r.biz_type <> %s) "
            "GROUP BY r.sub_account_id) g ON g.sub_account_id = a.id WHERE a.year_start = %s AND "
            "(a.jishu_current <> a.jishu_base_current + COALESCE(g.jc, 0) OR "
            "a.jishu_carried <> a.jishu_base_carried + COALESCE(g.jk, 0)) LIMIT 50",
            [ys, ys, BizType.INTEREST, ys],
        )
        checked += 1
        breaches += [f"账户 {no}：积数 {jc}/{jk} ≠ 重算 {rc}/{rk}" for no, jc, rc, jk, rk in bad]
    return CheckResult("ledger.jishu", not breaches, f"预计年度积数与明细重算一致（{checked} 个计息年度）", breaches)


@register("ledger.closed_periods")
def check_closed_periods() -> CheckResult:
    """No entry was added to a period after it closed."""
    bad = sql.fetch(
        "SELECT e.voucher_no FROM ledger_journalentry e JOIN ledger_accountingperiod p ON p.id = e.period_id "
        "WHERE p.status = %s AND e.created_at > p.closed_at LIMIT 50", [AccountingPeriod.Status.CLOSED]
    )
    return CheckResult("ledger.closed_periods", not bad, "已结账期间无新增凭证", [f"凭证 {r[0]} 记入已结账期间" for r in bad])


@register("ledger.digests")
def check_digests() -> CheckResult:
    """Rows sealed into the audit chain (per-entry SM3 digests) are still what was sealed; every entry past the
    seal interval has a digest. Since the last verified batch; `hpf verify --full` from the first."""
    detail, breaches = digest_breaches(full=full_run.get())
    return CheckResult("ledger.digests", not breaches, detail, breaches)
