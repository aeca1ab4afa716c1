"""Reads of the ledger: trial balance, account balances, member history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db.models import Min, Q, Sum

from openhpf.core.actors import Actor
from openhpf.core.authz import check_permission
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center

from .models import AccountingPeriod, GLAccount, JournalEntry, JournalLine, SubAccount, SubLedgerRow


@dataclass
class TrialBalanceRow:
    code: str
    name: str
    normal_side: str
    opening: int  # signed in the account's normal direction
    debit: int
    credit: int
    closing: int


def _signed(side: str, debit: int, credit: int) -> int:
    return debit - credit if side == "D" else credit - debit


def trial_balance(*, center: Center, year: int, month: int, user: Actor) -> list[TrialBalanceRow]:
    """试算平衡表 for a month: opening, movements and closing per account, parents rolled up from leaves."""
    check_permission(user, "ledger.view", center=center)
    if not (1 <= year <= 9999 and 1 <= month <= 12):  # month 13 or year 0 is no accounting period
        raise DomainError(ErrorCode.MONTH_FORMAT, value=f"{year}-{month}", field="period")
    before = Q(entry__period__year__lt=year) | Q(entry__period__year=year, entry__period__month__lt=month)
    inside = Q(entry__period__year=year, entry__period__month=month)
    agg = {
        r["account_id"]: r
        for r in JournalLine.objects.filter(entry__center=center)
        .values("account_id")
        .annotate(
            od=Sum("debit", filter=before, default=0), oc=Sum("credit", filter=before, default=0),
            d=Sum("debit", filter=inside, default=0), c=Sum("credit", filter=inside, default=0),
        )
    }
    accounts = list(GLAccount.objects.filter(center=center).order_by("code"))
    totals: dict[int, list[int]] = {a.pk: [0, 0, 0, 0] for a in accounts}
    by_id = {a.pk: a for a in accounts}
    for a in accounts:
        r = agg.get(a.pk)
        if not r:
            continue
        node: GLAccount | None = a
        while node is not None:
            t = totals[node.pk]
            t[0] += r["od"]
            t[1] += r["oc"]
            t[2] += r["d"]
            t[3] += r["c"]
            node = by_id.get(node.parent_id) if node.parent_id else None
    out = []
    for a in accounts:
        od, oc, d, c = totals[a.pk]
        opening = _signed(a.normal_side, od, oc)
        out.append(TrialBalanceRow(a.code, a.name, a.normal_side, opening, d, c, opening + _signed(a.normal_side, d, c)))
    return out


def gl_balance(*, center: Center | int, code_prefix: str) -> int:
    """Balance of every account whose code starts with the prefix, as debit − credit."""
    r = JournalLine.objects.filter(entry__center=center, account__code__startswith=code_prefix).aggregate(
        d=Sum("debit", default=0), c=Sum("credit", default=0)
    )
    return r["d"] - r["c"]


def member_history(*, sub_account: SubAccount, limit: int = 200) -> list[SubLedgerRow]:
    return list(SubLedgerRow.objects.filter(sub_account=sub_account).order_by("-id")[:limit])


def open_periods(*, center: Center) -> list[AccountingPeriod]:
    return list(AccountingPeriod.objects.filter(center=center, status=AccountingPeriod.Status.OPEN))


def subaccounts_behind(*, center: Center | int, year_start: date) -> date | None:
    """The earliest interest year (its 7/1) before `year_start` that some sub-account of the center is still in,
    i.e. not settled and rolled; None when every account has reached `year_start`."""
    got = SubAccount.objects.filter(center=center, year_start__lt=year_start).aggregate(m=Min("year_start"))["m"]
    return cast("date | None", got)


def first_period(*, center: Center | int) -> date | None:
    """The first day of the center's earliest accounting period (None before anything was posted)."""
    p = AccountingPeriod.objects.filter(center=center).order_by("year", "month").first()
    return date(p.year, p.month, 1) if p is not None else None


def account_names(*, center: Center | int, codes: list[str] | set[str] | tuple[str, ...]) -> dict[str, str]:
    """科目名称 of the center's chart of accounts by code (codes not in the chart are left out)."""
    return dict(GLAccount.objects.filter(center=center, code__in=list(codes)).values_list("code", "name"))
# ---------------------------------------------------------------- vouchers (记账凭证) as people read them


@dataclass
class VoucherLine:
    line_no: int
    code: str
    name: str
    debit: int
    credit: int
    memo: str
    bank_ref: str


@dataclass
class VoucherMember:
    account_no: str
    amount: int


@dataclass
class Voucher:
    entry: JournalEntry
    lines: list[VoucherLine]
    debit: int
    credit: int
    reversal_of: str | None
    reversed_by: str | None
    period_closed: bool
    members: list[VoucherMember]
    member_rows: int


def voucher_get(*, center: Center, voucher_no: str, user: Actor, member_limit: int = 50) -> Voucher:
    """One 记账凭证 with its lines and account names, what it reverses or is reversed by, and the member accounts
    its sub-ledger rows touch (account numbers only, the first `member_limit`)."""
    check_permission(user, "ledger.view", center=center)
    entry = (JournalEntry.objects.select_related("reversal_of", "period")
             .filter(center=center, voucher_no=(voucher_no or "").strip()).first())
    if entry is None:
        raise DomainError(ErrorCode.ENTRY_NOT_FOUND, f"记账凭证 {voucher_no} 不存在", field="voucher_no")
    lines = [VoucherLine(ln.line_no, ln.account.code, ln.account.name, ln.debit, ln.credit, ln.memo, ln.bank_ref)
             for ln in entry.lines.select_related("account").order_by("line_no")]
    reversed_by = JournalEntry.objects.filter(reversal_of=entry).values_list("voucher_no", flat=True).first()
    rows = SubLedgerRow.objects.filter(entry=entry)
    members = [VoucherMember(r["sub_account__account_no"], r["amount"]) for r in
               rows.order_by("id").values("sub_account__account_no", "amount")[:member_limit]]
    return Voucher(entry=entry, lines=lines, debit=sum(ln.debit for ln in lines), credit=sum(ln.credit for ln in lines),
                   reversal_of=entry.reversal_of.voucher_no if entry.reversal_of else None, reversed_by=reversed_by,
                   period_closed=entry.period.status == AccountingPeriod.Status.CLOSED, members=members,
                   member_rows=rows.count() if len(members) >= member_limit else len(members))


def vouchers_recent(*, center: Center, user: Actor, q: str = "", on: date | None = None,
                    limit: int = 100) -> list[JournalEntry]:
    """The newest vouchers of a center, optionally of one business date or whose number or 摘要 contains `q`."""
    check_permission(user, "ledger.view", center=center)
    qs = JournalEntry.objects.filter(center=center)
    if on is not None:
        qs = qs.filter(business_date=on)
    if q.strip():
        qs = qs.filter(Q(voucher_no__icontains=q.strip()) | Q(description__icontains=q.strip()))
    return list(qs.order_by("-id")[:limit])


@dataclass
class PostableAccount:
    code: str
    name: str
    category: str


def postable_accounts(*, center: Center, exclude: tuple[str, ...] = ()) -> list[PostableAccount]:
    """The leaf accounts a voucher may be posted to, by code (the chart's own order), less `exclude`."""
    return [PostableAccount(a.code, a.name, a.category)
            for a in GLAccount.objects.filter(center=center, is_leaf=True).exclude(code__in=exclude).order_by("code")]

