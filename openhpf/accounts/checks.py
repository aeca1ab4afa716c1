"""Accounts' invariants for `hpf verify`: each center's employer 暂存 balances add up to GL 21901 单位暂存款
(invariant 2 for employers), and every row of the paid-month store belongs to an account (those tables have no
database FKs, for the cut-over's bulk speed)."""

from openhpf.core import db as sql
from openhpf.core.money import format_fen
from openhpf.core.verify import CheckResult, register
from openhpf.ledger.chart import EMPLOYER_SUSPENSE

from .models import MemberAccount, PaidMonths, PaidMonthsAssumed


@register("accounts.employer_suspense")
def check_employer_suspense() -> CheckResult:
    gl = dict(sql.fetch(
        "SELECT e.center_id, SUM(l.credit) - SUM(l.debit) FROM ledger_v_journal_line l "  # noqa: S608 — constant SQL over published views, values bound
        "JOIN ledger_v_journal_entry e ON e.id = l.entry_id JOIN ledger_v_gl_account g ON g.id = l.account_id "
        f"WHERE g.code = '{EMPLOYER_SUSPENSE}' GROUP BY e.center_id"
    ))
    emp = dict(sql.fetch("SELECT center_id, SUM(suspense_balance) FROM accounts_employer GROUP BY center_id"))
    breaches = [f"中心 {c}：21901 单位暂存款 {format_fen(int(gl.get(c) or 0))} 元 ≠ 单位暂存余额合计 {format_fen(int(emp.get(c) or 0))} 元"
                for c in sorted(set(gl) | set(emp)) if (gl.get(c) or 0) != (emp.get(c) or 0)]
    return CheckResult("accounts.employer_suspense", not breaches, "单位暂存款科目 = 各单位暂存余额合计", breaches)


@register("accounts.paid_months")
def check_paid_months() -> CheckResult:
    """Rows of the paid months (PaidMonths, PaidMonthsAssumed) whose account does not exist: their FKs are not
    database constraints (a cut-over of a million accounts would check each row at commit), so look here."""
    accounts = MemberAccount._meta.db_table
    orphans = sql.fetch(" UNION ALL ".join(
        f"SELECT * FROM (SELECT DISTINCT p.account_id FROM {t} p WHERE NOT EXISTS "  # noqa: S608 — table names from code
        f"(SELECT 1 FROM {accounts} a WHERE a.sub_id = p.account_id) ORDER BY p.account_id LIMIT 50) o{i}"
        for i, t in enumerate((PaidMonths._meta.db_table, PaidMonthsAssumed._meta.db_table))))
    breaches = [f"已缴月份记录的个人账户 {acc} 不存在" for (acc,) in orphans]
    return CheckResult("accounts.paid_months", not breaches, "已缴月份记录均属于存在的个人账户", breaches)
