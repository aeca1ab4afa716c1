"""Who owes a past month, and how much a 补缴 line may be (docs/domain.md "Contributions").

- **The roster of month M** follows each account's dates with the employer: an account is on it when it was
  with the employer by the end of M (opened by then, and not moved in later by 启封 or 内部转移) and was not
  sealed before M. Whether the month of sealing is still owed is the policy value
  `contribution.backpay.seal_month_owed` (false: the seal month is not owed). A sealed account stays with the
  employer it left, so it is back-paid for the months it worked there.
- **A 补缴 line of month M** may not take an account's month beyond what is owed: for each side, what was
  already billed for M (draft, confirmed or posted) plus the line is at most base × ratio of the account, its base held
  within the cap and floor in force in M (the center's rounding of M). A full 补缴 takes each base within that
  cap and floor; a 差额补缴 is the difference a base change left (the lines may be derived from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from openhpf.accounts.calculations import monthly_amounts
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.accounts.paidmonths import sql_month_paid
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen, format_ratio
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.core.policy import policy_value

from ..models import Remittance, RemittanceLine
from ..models.remittance import LIVE_STATUSES
from ..months import ym_add, ym_first_day

# the detail-row business types that move an account to another employer (its time there starts anew)
MOVES = (BizType.UNSEAL, BizType.INTERNAL_TRANSFER)
# what a month already carries: remittances not cancelled nor refunded (a draft counts: it bills the month)
_LIVE = LIVE_STATUSES


def _label(month: str) -> str:
    return f"{month[:4]}-{month[4:]}"


def seal_month_owed(*, center: Any, month: str) -> bool:
    return bool(policy_value("contribution.backpay.seal_month_owed", on=ym_first_day(month), center=center))


def month_bounds(month: str) -> tuple[date, date]:
    """The first and the last day of a 'YYYYMM' month."""
    return ym_first_day(month), ym_first_day(ym_add(month, 1)) - timedelta(days=1)


def roster_condition(*, month: str, center: Any, business_date: date, alias: str = "a") -> tuple[str, list[Any]]:
    """SQL (on accounts_v_member_account `alias`, starting with AND) and its params: the account was with its
    employer in `month`. For the current or a later month only the status counts (no account can have been
    opened, moved or sealed after today); for a past month the dates do."""
    first, last = month_bounds(month)
    a = alias
    sealed_from = first if seal_month_owed(center=center, month=month) else last + timedelta(days=1)
    if last >= business_date:
        if sealed_from > last:
            return f" AND {a}.status = %s", [MemberAccountStatus.NORMAL]
        return (f" AND ({a}.status = %s OR ({a}.status = %s AND {a}.sealed_date >= %s))",
                [MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED, sealed_from])
    return (
        f" AND {a}.opened_date <= %s AND ({a}.status = %s OR ({a}.status = %s AND {a}.sealed_date >= %s))"  # noqa: S608 — alias from code; values bound
        f" AND NOT EXISTS (SELECT 1 FROM ledger_v_subledger_row s WHERE s.sub_account_id = {a}.sub_id"
        " AND s.biz_type IN (%s, %s) AND s.business_date > %s)",
        [last, MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED, sealed_from, *MOVES, last])


def joined_after_sql(*, month: str, alias: str = "a") -> str:
    """SQL (on accounts_v_member_account `alias`): the account came to its employer after `month` — opened,
    unsealed there or moved there later — so the month is not its employer's to pay. Dates inlined as ISO
    digits from date objects."""
    _first, last = month_bounds(month)
    a = alias
    return (f"({a}.opened_date > '{last.isoformat()}' OR EXISTS (SELECT 1 FROM ledger_v_subledger_row s "  # noqa: S608 — alias from code, dates from date objects
            f"WHERE s.sub_account_id = {a}.sub_id AND s.biz_type IN ('{MOVES[0]}', '{MOVES[1]}') "
            f"AND s.business_date > '{last.isoformat()}'))")


def employed_in(*, employer: Employer, month: str, business_date: date, accounts: list[int]) -> set[int]:
    """Of `accounts` (a clerk's few lines), those that were with `employer` in `month`."""
    cond, params = roster_condition(month=month, center=employer.center_id, business_date=business_date)
    rows = sql.fetch("SELECT a.sub_id FROM accounts_v_member_account a WHERE a.employer_id = %s" + cond,  # noqa: S608 — condition from code; values bound
                     [employer.pk, *params])
    return {int(r[0]) for r in rows} & set(accounts)


# ---------------------------------------------------------------- what a month is worth


@dataclass(frozen=True)
class MonthDue:
    base: int  # the account's base held within the month's cap and floor
    employer_amount: int
    member_amount: int


def _limits(center: Any, month: str) -> tuple[int, int, str]:
    on = ym_first_day(month)
    return (int(policy_value("contribution.base.floor", on=on, center=center)),
            int(policy_value("contribution.base.cap", on=on, center=center)),
            str(policy_value("contribution.rounding", on=on, center=center)))


def month_due(acct: MemberAccount, month: str) -> MonthDue:
    """One month of an account: base × ratio, each side, with the base within the cap and floor of `month`."""
    floor, cap, rounding = _limits(acct.center_id, month)
    base = min(max(acct.base, floor), cap)
    ea, ma = monthly_amounts(base, Decimal(acct.employer_ratio), Decimal(acct.member_ratio), rounding)
    return MonthDue(base, ea, ma)


def paid_for_month(*, month: str, accounts: list[int], exclude: int | None = None) -> dict[int, tuple[int, int]]:
    """(employer part, member part) already billed for `month` (draft, confirmed or posted), per account."""
    qs = RemittanceLine.objects.filter(account_id__in=accounts, remittance__month=month,
                                       remittance__status__in=_LIVE)
    if exclude is not None:
        qs = qs.exclude(remittance_id=exclude)
    agg = qs.values("account_id").annotate(ea=Sum("employer_amount"), ma=Sum("member_amount"))
    return {r["account_id"]: (int(r["ea"] or 0), int(r["ma"] or 0)) for r in agg}


def clamp_roster_to_month(remittance: Remittance) -> int:
    """A full 补缴 (or late 汇缴) of a past month: lines whose base lies outside that month's cap or floor are
    taken at the cap or floor, their amounts recomputed (one UPDATE per ratio pair found there). Returns the
    lines changed."""
    floor, cap, rounding = _limits(remittance.center_id, remittance.month)
    outside = (RemittanceLine.objects.filter(remittance=remittance).exclude(base__gte=floor, base__lte=cap))
    pairs = set(outside.values_list("employer_ratio_e4", "member_ratio_e4").distinct())
    changed = 0
    for er, mr in pairs:
        for bound, cond in ((cap, {"base__gt": cap}), (floor, {"base__lt": floor})):
            ea, ma = monthly_amounts(bound, Decimal(er) / 10000, Decimal(mr) / 10000, rounding)
            changed += outside.filter(employer_ratio_e4=er, member_ratio_e4=mr, **cond).update(
                base=bound, employer_amount=ea, member_amount=ma)
    return changed


# ---------------------------------------------------------------- the clerk's lines


@dataclass(frozen=True)
class CheckedLine:
    account: MemberAccount
    employer_amount: int
    member_amount: int


def _account_of(accts: dict[str, MemberAccount], no: str, row: int) -> MemberAccount:
    a = accts.get(no)
    if a is None:
        raise DomainError(ErrorCode.ACCOUNT_OTHER_EMPLOYER, f"第 {row} 行：个人账户 {no} 不属于该单位", row=row,
                          field="account_no")
    if a.status not in (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED):
        raise DomainError(ErrorCode.ACCOUNT_NOT_NORMAL, f"第 {row} 行：个人账户 {no} 状态为「"
                          f"{MemberAccountStatus(a.status).label}」，不能补缴", row=row, field="account_no")
    return a


def _period_error(a: MemberAccount, month: str, row: int) -> DomainError:
    until = f"，{a.sealed_date} 封存" if a.sealed_date else ""
    return DomainError(ErrorCode.BACK_PAYMENT_PERIOD,
                       f"第 {row} 行：个人账户 {a.account_no} 在 {_label(month)} 不在本单位的缴存期内（{a.opened_date} 开户{until}）",
                       row=row, field="month")


def _amount_error(a: MemberAccount, month: str, row: int, side: str, given: int, due: MonthDue,
                  paid: int) -> DomainError:
    ratio = a.employer_ratio if side == "employer_amount" else a.member_ratio
    owed = (due.employer_amount if side == "employer_amount" else due.member_amount) - paid
    what = "单位部分" if side == "employer_amount" else "个人部分"
    return DomainError(
        ErrorCode.BACK_PAYMENT_AMOUNT,
        f"第 {row} 行：个人账户 {a.account_no} {_label(month)} {what} {format_fen(given)} 元超过尚欠的 "
        f"{format_fen(max(owed, 0))} 元（基数 {format_fen(due.base)} 元 × {format_ratio(Decimal(ratio))}，"
        f"已缴 {format_fen(paid)} 元）", row=row, field=side)


def check_back_lines(*, employer: Employer, month: str, back_kind: str, business_date: date,
                     lines: list[tuple[str, int, int]]) -> list[CheckedLine]:
    """The clerk's 差额/个别补缴 lines (account_no, employer part, member part), each checked: the account is
    the employer's (normal, or sealed there), `month` lies in its time with the employer, and with what was
    already paid for `month` (and the lines above it) neither side exceeds base × ratio of that month. A
    difference needs the month paid before: by a roster line, or within the account's paid-up-to month (a
    month paid before the cut-over has no line here; what it paid is not known, so only the month's full
    amount bounds its difference). Nothing is written; the first bad line raises, with its row."""
    accts = {a.account_no: a for a in MemberAccount.objects.filter(
        employer=employer, account_no__in=[x[0] for x in lines])}
    for i, (no, ea, ma) in enumerate(lines, 1):
        _account_of(accts, no, i)
        if not (isinstance(ea, int) and isinstance(ma, int)) or isinstance(ea, bool) or isinstance(ma, bool) \
                or ea < 0 or ma < 0 or ea + ma == 0:
            raise DomainError(ErrorCode.AMOUNT_INVALID, f"第 {i} 行：补缴金额应为非负整数分且不全为零", row=i)
    ids = [a.pk for a in accts.values()]
    employed = employed_in(employer=employer, month=month, business_date=business_date, accounts=ids)
    paid = paid_for_month(month=month, accounts=ids)
    out: list[CheckedLine] = []
    for i, (no, ea, ma) in enumerate(lines, 1):
        a = accts[no]
        if a.pk not in employed:
            raise _period_error(a, month, i)
        before = paid.get(a.pk, (0, 0))
        if back_kind == Remittance.BackKind.DIFFERENCE and before == (0, 0) and (a.paid_up_to or "") < month:
            raise DomainError(ErrorCode.BACK_PAYMENT_AMOUNT, f"第 {i} 行：个人账户 {no} {_label(month)} 尚未缴存，"
                              "没有差额可补；请办理全额或个别补缴", row=i, field="back_kind")
        due = month_due(a, month)
        for side, given, done, owed in (("employer_amount", ea, before[0], due.employer_amount),
                                        ("member_amount", ma, before[1], due.member_amount)):
            if done + given > owed:
                raise _amount_error(a, month, i, side, given, due, done)
        paid[a.pk] = (before[0] + ea, before[1] + ma)
        out.append(CheckedLine(a, ea, ma))
    return out


def difference_lines(*, employer: Employer, month: str, business_date: date) -> list[tuple[str, int, int]]:
    """差额补缴 from the base-change path: for each account with the employer in `month` whose month was billed
    (draft, confirmed or posted), what its present base × ratio (within the month's cap and floor) adds to what was
    paid. Accounts whose month is paid in full are left out."""
    cond, params = roster_condition(month=month, center=employer.center_id, business_date=business_date)
    ids = [int(r[0]) for r in sql.fetch(
        "SELECT a.sub_id FROM accounts_v_member_account a WHERE a.employer_id = %s" + cond + " ORDER BY a.sub_id",  # noqa: S608 — condition from code; values bound
        [employer.pk, *params])]
    paid = paid_for_month(month=month, accounts=ids)
    out: list[tuple[str, int, int]] = []
    for a in MemberAccount.objects.filter(pk__in=list(paid)).order_by("pk"):
        due, (pe, pm) = month_due(a, month), paid[a.pk]
        ea, ma = max(due.employer_amount - pe, 0), max(due.member_amount - pm, 0)
        if ea + ma > 0:
            out.append((a.account_no, ea, ma))
    if not out:
        raise DomainError(ErrorCode.LINES_REQUIRED, f"{_label(month)} 没有因基数调整而少缴的人员：请先办理基数调整，"
                          "或列出补缴人员及金额", field="lines")
    return out


# ---------------------------------------------------------------- who may be back-paid (the clerk's choice)


@dataclass(frozen=True)
class Candidate:
    account: MemberAccount
    due: MonthDue
    employer_amount: int  # still owed for the month: due less what is already billed (draft, confirmed, posted)
    member_amount: int


def back_candidates(*, employer: Employer, month: str, business_date: date, limit: int = 200) -> tuple[list[Candidate], int]:
    """补缴 candidates of `month`: the accounts on the employer's roster of that month (roster_condition, sealed
    ones up to their seal month) whose month is not paid (the paid-month store), each with what it still owes
    (base × ratio within the month's cap and floor, less what is already billed). The first `limit` by account
    number, and how many there are."""
    cond, params = roster_condition(month=month, center=employer.center_id, business_date=business_date)
    base = (f"FROM accounts_v_member_account a WHERE a.employer_id = %s AND NOT {sql_month_paid('a.sub_id', month)}"
            + cond)
    total = int(sql.fetch("SELECT COUNT(*) " + base, [employer.pk, *params])[0][0])
    ids = [int(r[0]) for r in sql.fetch("SELECT a.sub_id " + base + " ORDER BY a.account_no LIMIT %s",
                                        [employer.pk, *params, max(1, int(limit))])]
    paid = paid_for_month(month=month, accounts=ids)
    out: list[Candidate] = []
    for a in MemberAccount.objects.filter(pk__in=ids).select_related("member").order_by("account_no"):
        due = month_due(a, month)
        pe, pm = paid.get(a.pk, (0, 0))
        ea, ma = max(due.employer_amount - pe, 0), max(due.member_amount - pm, 0)
        if ea + ma > 0:
            out.append(Candidate(a, due, ea, ma))
    return out, total


def owed_lines(*, employer: Employer, month: str, account_nos: list[str]) -> list[tuple[str, int, int]]:
    """The clerk's chosen accounts with what each still owes for `month` (base × ratio within the month's cap
    and floor, less what is already billed): the lines of an 个别 or 差额补缴, checked then by
    check_back_lines. An account not of the employer, or owing nothing for the month, is refused by row."""
    accts = {a.account_no: a for a in MemberAccount.objects.filter(employer=employer, account_no__in=account_nos)}
    paid = paid_for_month(month=month, accounts=[a.pk for a in accts.values()])
    out: list[tuple[str, int, int]] = []
    for i, no in enumerate(account_nos, 1):
        a = _account_of(accts, no, i)
        due = month_due(a, month)
        pe, pm = paid.get(a.pk, (0, 0))
        ea, ma = max(due.employer_amount - pe, 0), max(due.member_amount - pm, 0)
        if ea + ma == 0:
            raise DomainError(ErrorCode.BACK_PAYMENT_AMOUNT, f"第 {i} 行：个人账户 {no} {_label(month)} 已缴足"
                              f"（基数 {format_fen(due.base)} 元，已缴 {format_fen(pe + pm)} 元），无需补缴", row=i,
                              field="accounts")
        out.append((no, ea, ma))
    return out


@dataclass(frozen=True)
class BackCandidate:
    """One account that may be back-paid for a month (its name masked by the reader's clearance)."""

    account_no: str
    name: str
    status_label: str
    base: int
    employer_ratio: Any
    member_ratio: Any
    employer_amount: int
    member_amount: int

    @property
    def amount(self) -> int:
        return self.employer_amount + self.member_amount


@personal_read(AuditEvent.CONTRIBUTIONS_BACK_PAYMENT_CANDIDATES, obj=lambda kw: kw["employer"])
def back_payment_candidates(*, employer: Employer, month: str, business_date: date, actor: Actor,
                            read: PersonalRead, limit: int = 200) -> tuple[list[BackCandidate], int]:
    """补缴 candidates of an employer's month (backpay.back_candidates: on its roster, month not paid), with what
    each still owes; the first `limit` and how many there are. A personal-data read (names), audited."""
    rows, total = back_candidates(employer=employer, month=month, business_date=business_date, limit=limit)
    read.note(month=month, accounts=[c.account.account_no for c in rows])
    return [BackCandidate(c.account.account_no, read.mask("name", c.account.member.name),
                          MemberAccountStatus(c.account.status).label, c.due.base, c.account.employer_ratio,
                          c.account.member_ratio, c.employer_amount, c.member_amount) for c in rows], total
