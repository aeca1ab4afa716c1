"""Arrears (欠缴) and the reminder list (催缴清单), set-based.

An employer is in arrears for month M when the deadline for M has passed — its payday in M plus
`contribution.deadline.days` days counted as `contribution.deadline.counting` says (条例 Art19: within 5 days of
payday; by default calendar days, a last day on a rest day or holiday moved to the next working day of
core.calendar) — and one of its normal accounts has a month up to M unpaid. Each normal account owes the
months from the one after its opening (Art17; after it came to the employer by 启封 or 内部转移) to M that it has
not paid — the paid-month store, so a month missed behind later paid ones stays owed — at its current monthly
amount; the employer owes the sum, and its months are the most any of its accounts owes. Employers in 缓缴
(their months are deferral arrears, hardship.deferral_arrears), sealed or closed, and
the virtual employer of flexible contributors are not listed."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer
from openhpf.accounts.paidmonths import sql_owed_from, sql_paid_count
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.calendar import deadline_after
from openhpf.core.codes import EmployerStatus, MemberAccountStatus
from openhpf.core.models import Center
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.core.policy import policy_value

from ..models import FlexibleEmployer
from ..months import ym, ym_add, ym_index, ym_parse


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

    @property
    def member_count(self) -> int:
        """Every member account in arrears (the true count, whatever page of members was read)."""
        return sum(e.members for e in self.employers)


def payment_deadline(*, month: str, payday: int, center: Center | int | None = None) -> date:
    """The last day to remit month `month` (YYYYMM) for an employer paying wages on `payday`."""
    y, m = int(month[:4]), int(month[4:])
    pay = date(y, m, min(payday, calendar.monthrange(y, m)[1]))
    n = int(policy_value("contribution.deadline.days", on=pay, center=center))
    return deadline_after(pay, n, str(policy_value("contribution.deadline.counting", on=pay, center=center)))


def _member_rows(where: str, params: list[Any], mi: int) -> tuple[str, list[Any]]:
    """SQL of the normal accounts owing months up to month index `mi` (the months from the one after opening,
    Art17, or after the account came to its employer by 启封 or 内部转移, less the months paid: the paid-month
    store), with their monthly amounts."""
    start = sql_owed_from("a.sub_id", "a.opened_date")
    owed = f"({int(mi)} - {start} + 1 - {sql_paid_count('a.sub_id', start, str(int(mi)))})"
    rows = (f"SELECT * FROM (SELECT a.employer_id, a.account_no, a.member_id, a.paid_up_to, {owed} AS months, "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
            "a.employer_amount + a.member_amount AS monthly "
            f"FROM accounts_v_member_account a JOIN accounts_v_employer e ON e.id = a.employer_id "
            f"WHERE {where} AND a.status = '{MemberAccountStatus.NORMAL}' AND {start} <= {int(mi)}) y WHERE y.months > 0")
    return rows, list(params)


def arrears_list(*, center: Center, month: str, user: Actor, on: date | None = None, with_members: bool = True,
                 employer: Employer | None = None, member_limit: int | None = None,
                 member_offset: int = 0) -> ArrearsReport:
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
    flex = FlexibleEmployer._meta.db_table
    where = (f"e.center_id = %s AND e.status = '{EmployerStatus.NORMAL}' AND e.payday IN ({', '.join(map(str, due))}) "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
             f"AND e.id NOT IN (SELECT employer_id FROM {flex})")
    params: list[Any] = [center.pk]
    if employer is not None:
        where += " AND e.id = %s"
        params.append(employer.pk)
    member_rows, member_params = _member_rows(where, params, mi)
    employers = sql.fetch(
        "SELECT e.id, e.account_no, e.name, e.payday, e.paid_up_to, MAX(x.months), "  # noqa: S608 — month-index SQL, statuses and paydays (ints) from code; values bound
        "COUNT(x.account_no), COALESCE(SUM(x.months * x.monthly), 0) "
        f"FROM accounts_v_employer e JOIN ({member_rows}) x ON x.employer_id = e.id "
        f"WHERE {where} GROUP BY e.id, e.account_no, e.name, e.payday, e.paid_up_to "
        "ORDER BY e.account_no", [*member_params, *params])
    report.employers = [
        EmployerArrears(account_no=no, name=name, payday=p, deadline=deadlines[p], paid_up_to=paid or "",
                        months=int(months), members=int(n), amount=int(amount))
        for _id, no, name, p, paid, months, n, amount in employers
    ]
    if with_members:
        report.members = _arrears_members(center=center, month=m, actor=user, member_rows=member_rows,
                                          member_params=member_params, member_limit=member_limit,
                                          member_offset=member_offset)
    return report


DEFAULT_LOOKBACK = 3  # months the arrears list looks back for its default month


def arrears_default_month(*, center: Center, user: Actor, on: date | None = None) -> tuple[str, bool]:
    """The month the 催缴清单 opens on: the latest of the business month and the DEFAULT_LOOKBACK - 1 months
    before it that has arrears (on 12-01, with November's deadline passed and December's not, November), as
    (YYYYMM, True); when none of them has any, the month before the business month, False."""
    on = on or center.business_date
    current = ym(on)
    for back in range(DEFAULT_LOOKBACK):
        m = ym_add(current, -back)
        if arrears_list(center=center, month=m, user=user, on=on, with_members=False).employers:
            return m, True
    return ym_add(current, -1), False


def arrears_latest(*, center: Center, user: Actor, on: date | None = None) -> ArrearsReport:
    """The 催缴清单 (employers only) of the month the list opens on (arrears_default_month): the 待办 count of
    欠缴单位 is the number of its employers, and its link opens the list of that month."""
    month, _ = arrears_default_month(center=center, user=user, on=on)
    return arrears_list(center=center, month=month, user=user, on=on or center.business_date, with_members=False)


@personal_read(AuditEvent.CONTRIBUTIONS_ARREARS_MEMBERS, obj=lambda kw: ("contributions.arrears", kw["month"]))
def _arrears_members(*, center: Center, month: str, actor: Actor, read: PersonalRead, member_rows: str,
                     member_params: list[Any], member_limit: int | None,
                     member_offset: int = 0) -> list[MemberArrears]:
    """The members in arrears (names masked), `member_limit` of them from `member_offset` (a page): the personal
    part of the 催缴清单, audited."""
    limit = f" LIMIT {int(member_limit)}" if member_limit else ""
    if member_offset and member_limit:
        limit += f" OFFSET {int(member_offset)}"
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
    read.note(month=month, members=len(members), **({"offset": int(member_offset)} if member_offset else {}))
    return members
