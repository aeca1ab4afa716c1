"""Arrears (欠缴) and the reminder list (催缴清单), set-based.

An employer is in arrears for month M when the deadline for M has passed — its payday in M plus
`contribution.deadline.days` days counted as `contribution.deadline.counting` says (条例 Art19: within 5 days of
payday; by default calendar days, a last day on a rest day or holiday moved to the next working day of
core.calendar) — and its 缴至年月 is before M. Months owed run from the month after its 缴至年月 (or the
month after its opening when it never paid) to M; an employer none of whose accounts owes is not listed. Each normal account of such an employer owes the months after its
own 缴至年月 (a new hire starts the month after opening, Art17) at its current monthly amount; the employer owes
the sum. Employers in 缓缴 (their months are deferral arrears, hardship.deferral_arrears), sealed or closed, and
the virtual employer of flexible contributors are not listed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.calendar import deadline_after
from openhpf.core.codes import EmployerStatus, MemberAccountStatus
from openhpf.core.models import Center
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.core.policy import policy_value

from ..models import FlexibleEmployer
from ..months import ym_index, ym_parse


@dataclass(frozen=True)
class MemberArrears:
    employer_no: str
    account_no: str
    name: str
    paid_up_to: str
    months: int
    monthly_amount: int
    amount: int


@dataclass(frozen=True)
class EmployerArrears:
    account_no: str
    name: str
    payday: int
    deadline: date
    paid_up_to: str
    months: int
    members: int
    amount: int


@dataclass
class ArrearsReport:
    month: str
    on: date
    employers: list[EmployerArrears] = field(default_factory=list)
    members: list[MemberArrears] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(e.amount for e in self.employers)


def payment_deadline(*, month: str, payday: int, center: Center | int | None = None) -> date:
    """The last day to remit month `month` (YYYYMM) for an employer paying wages on `payday`."""
    y, m = int(month[:4]), int(month[4:])
    pay = date(y, m, min(payday, calendar.monthrange(y, m)[1]))
    n = int(policy_value("contribution.deadline.days", on=pay, center=center))
    return deadline_after(pay, n, str(policy_value("contribution.deadline.counting", on=pay, center=center)))


def _month_idx_sql(text_col: str, date_col: str, offset: int) -> str:
    """SQL: month index of a YYYYMM text column, or of a date column plus `offset` months when the text is empty."""
    from_date = sql.month_index(date_col, offset)
    return (f"(CASE WHEN {text_col} = '' THEN {from_date} ELSE "
            f"CAST(SUBSTR({text_col}, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR({text_col}, 5, 2) AS INTEGER) - 1 END)")


def arrears_list(*, center: Center, month: str, user: Actor, on: date | None = None, with_members: bool = True,
                 employer: Employer | None = None, member_limit: int | None = None) -> ArrearsReport:
    """催缴清单 for month `month` as of business date `on` (default: the center's)."""
    check_permission(user, "accounts.view", center=center)
    m = ym_parse(month)
    on = on or center.business_date
    report = ArrearsReport(month=m, on=on)
    paydays = [p for (p,) in sql.fetch("SELECT DISTINCT payday FROM accounts_v_employer WHERE center_id = %s",
                                       [center.pk])]
    deadlines = {p: payment_deadline(month=m, payday=p, center=center) for p in paydays}
    due = sorted(p for p, d in deadlines.items() if d < on)
    if not due:
        return report
    mi = ym_index(m)
    emp_idx = _month_idx_sql("e.paid_up_to", "e.opened_date", 0)
    acc_idx = _month_idx_sql("a.paid_up_to", "a.opened_date", 0)
    flex = FlexibleEmployer._meta.db_table
    where = (f"e.center_id = %s AND e.status = '{EmployerStatus.NORMAL}' AND e.payday IN ({', '.join(map(str, due))}) "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
             f"AND {emp_idx} < %s AND e.id NOT IN (SELECT employer_id FROM {flex})")
    params: list[Any] = [center.pk, mi]
    if employer is not None:
        where += " AND e.id = %s"
        params.append(employer.pk)
    member_rows = (f"SELECT a.employer_id, a.account_no, a.member_id, a.paid_up_to, %s - {acc_idx} AS months, "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
                   "a.employer_amount + a.member_amount AS monthly "
                   f"FROM accounts_v_member_account a JOIN accounts_v_employer e ON e.id = a.employer_id "
                   f"WHERE {where} AND a.status = '{MemberAccountStatus.NORMAL}' AND {acc_idx} < %s")
    member_params = [mi, *params, mi]
    employers = sql.fetch(
        f"SELECT e.id, e.account_no, e.name, e.payday, e.paid_up_to, %s - {emp_idx} AS months, "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
        "COUNT(x.account_no), COALESCE(SUM(x.months * x.monthly), 0) "
        f"FROM accounts_v_employer e LEFT JOIN ({member_rows}) x ON x.employer_id = e.id "
        f"WHERE {where} GROUP BY e.id, e.account_no, e.name, e.payday, e.paid_up_to, e.opened_date "
        "HAVING COUNT(x.account_no) > 0 ORDER BY e.account_no", [mi, *member_params, *params])
    report.employers = [
        EmployerArrears(account_no=no, name=name, payday=p, deadline=deadlines[p], paid_up_to=paid or "",
                        months=int(months), members=int(n), amount=int(amount))
        for _id, no, name, p, paid, months, n, amount in employers
    ]
    if with_members:
        report.members = _arrears_members(center=center, month=m, actor=user, member_rows=member_rows,
                                          member_params=member_params, member_limit=member_limit)
    return report


@personal_read(AuditEvent.CONTRIBUTIONS_ARREARS_MEMBERS, obj=lambda kw: ("contributions.arrears", kw["month"]))
def _arrears_members(*, center: Center, month: str, actor: Actor, read: PersonalRead, member_rows: str,
                     member_params: list[Any], member_limit: int | None) -> list[MemberArrears]:
    """The members in arrears (names masked): the personal part of the 催缴清单, audited."""
    limit = f" LIMIT {int(member_limit)}" if member_limit else ""
    rows = sql.fetch(
        f"SELECT e.account_no, x.account_no, mb.name, x.paid_up_to, x.months, x.monthly FROM ({member_rows}) x "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
        "JOIN accounts_v_employer e ON e.id = x.employer_id JOIN accounts_v_member mb ON mb.id = x.member_id "
        f"ORDER BY e.account_no, x.account_no{limit}", member_params)
    members = [
        MemberArrears(employer_no=eno, account_no=ano, name=read.mask("name", name),
                      paid_up_to=paid or "", months=int(months), monthly_amount=int(monthly),
                      amount=int(months) * int(monthly))
        for eno, ano, name, paid, months, monthly in rows
    ]
    read.note(month=month, members=len(members))
    return members
