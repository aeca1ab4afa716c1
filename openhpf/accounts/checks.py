"""Invariant 2 for employers: each center's employer 暂存 balances add up to GL 21901 单位暂存款."""

from openhpf.core import db as sql
from openhpf.core.verify import CheckResult, register
from openhpf.ledger.chart import EMPLOYER_SUSPENSE


@register("accounts.employer_suspense")
def check_employer_suspense() -> CheckResult:
    gl = dict(sql.fetch(
        "SELECT e.center_id, SUM(l.credit) - SUM(l.debit) FROM ledger_v_journal_line l "  # noqa: S608 — constant SQL over published views, values bound
        "JOIN ledger_v_journal_entry e ON e.id = l.entry_id JOIN ledger_v_gl_account g ON g.id = l.account_id "
        f"WHERE g.code = '{EMPLOYER_SUSPENSE}' GROUP BY e.center_id"
    ))
    emp = dict(sql.fetch("SELECT center_id, SUM(suspense_balance) FROM accounts_employer GROUP BY center_id"))
    breaches = [f"中心 {c}：21901 单位暂存款 {gl.get(c) or 0} 分 ≠ 单位暂存余额合计 {emp.get(c) or 0} 分"
                for c in sorted(set(gl) | set(emp)) if (gl.get(c) or 0) != (emp.get(c) or 0)]
    return CheckResult("accounts.employer_suspense", not breaches, "单位暂存款科目 = 各单位暂存余额合计", breaches)
