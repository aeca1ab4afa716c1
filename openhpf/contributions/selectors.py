"""Reads of remittances, receipts and suspense, scoped to the user's centers (access rules); and the history
reads: a member account's transaction history (个人明细, filtered and paged) and an employer's remittance
history (汇缴/补缴 by month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.ledger.models import SubLedgerRow
from openhpf.settlement import selectors as settlement_selectors

from .models import Receipt, Remittance, RemittanceImport, RemittanceLine, SuspenseMove

MAX_PAGE = 200


def remittance_list(*, center: Any, user: Actor, status: str | None = None, employer_no: str | None = None,
                    limit: int = 50) -> list[Remittance]:
    check_permission(user, "accounts.view", center=center)
    qs: QuerySet[Remittance] = Remittance.objects.filter(center=center).select_related("employer")
    if status:
        qs = qs.filter(status=status)
    if employer_no:
        qs = qs.filter(employer__account_no=employer_no)
    return list(qs.order_by("-pk")[: max(1, min(limit, 500))])


def remittance_get(*, center: Any, pk: int, user: Actor) -> Remittance:
    check_permission(user, "accounts.view", center=center)
    r = Remittance.objects.select_related("employer", "receipt", "source_import").filter(center=center, pk=pk).first()
    if r is None:
        raise DomainError(ErrorCode.REMITTANCE_UNKNOWN, f"汇缴单 {pk} 不存在", field="remittance")
    return r


@personal_read(AuditEvent.CONTRIBUTIONS_REMITTANCE_LINES, center=lambda kw: kw["remittance"].center_id)
def remittance_lines(*, remittance: Remittance, actor: Actor, read: PersonalRead,
                     limit: int = 200) -> list[RemittanceLine]:
    """The lines of one 汇缴单 (each member's account, base and amounts): a personal-data read, audited."""
    lines = list(RemittanceLine.objects.filter(remittance=remittance).select_related("account__member")
                 .order_by("seq")[: max(1, min(limit, 2000))])
    read.about(remittance)
    read.note(lines=len(lines))
    return lines


def receipt_list(*, center: Any, user: Actor, status: str | None = None, limit: int = 50) -> list[Receipt]:
    check_permission(user, "accounts.view", center=center)
    qs = Receipt.objects.filter(center=center).select_related("employer")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-pk")[: max(1, min(limit, 500))])


@dataclass(frozen=True)
class SuspenseReceipt:
    """One 暂收 (payer unknown) as its reader may see it: a person's name masked by clearance; the center's own
    bank or account (bank interest, a transfer between 专户) in clear."""

    id: int
    value_date: date
    bank_ref: str
    payer_account: str
    payer_name: str
    amount: int


@personal_read(AuditEvent.CONTRIBUTIONS_RECEIPT_QUEUE, perm="settlement.view",
               obj=lambda _: ("contributions.receipt", "unknown_suspense"))
def unknown_receipts(*, center: Any, actor: Actor, read: PersonalRead, page: Any = None,
                     pk: int | None = None) -> tuple[Any, list[SuspenseReceipt]]:
    """暂收款（付款人未明）waiting to be assigned, newest first, 50 a page: (the page, its rows); `pk`: that one."""
    own_accounts, own_names = settlement_selectors.own_parties(center=center)
    qs = Receipt.objects.filter(center=center, status=Receipt.Status.UNKNOWN_SUSPENSE).order_by("-pk")
    got = Paginator(qs.filter(pk=pk) if pk is not None else qs, 50).get_page(page)
    rows = [SuspenseReceipt(id=r.pk, value_date=r.value_date, bank_ref=r.bank_ref, payer_account=r.payer_account,
                            payer_name=r.payer_name if (r.payer_account in own_accounts or r.payer_name.strip() in own_names)
                            else read.mask("name", r.payer_name), amount=r.amount)
            for r in got.object_list]
    read.note(rows=len(rows))
    return got, rows


def receipts_assigned(*, center: Any, user: Actor, limit: int = 10) -> list[Any]:
    """The latest 暂收认领 (SuspenseMove ASSIGN rows): the money, the employer it went to, its voucher."""
    check_permission(user, "settlement.view", center=center)
    return list(SuspenseMove.objects.filter(center=center, kind=SuspenseMove.Kind.ASSIGN)
                .select_related("employer", "receipt", "entry").order_by("-pk")[:limit])


def import_get(*, center: Any, pk: int, user: Actor) -> RemittanceImport:
    check_permission(user, "accounts.view", center=center)
    imp = RemittanceImport.objects.filter(center=center, pk=pk).first()
    if imp is None:
        raise DomainError(ErrorCode.IMPORT_UNKNOWN, f"导入批次 {pk} 不存在", field="import")
    return imp


# ---------------------------------------------------------------- transaction history


@dataclass(frozen=True)
class Movement:
    id: int
    business_date: date
    value_date: date
    biz_type: str
    biz_label: str
    amount: int
    balance_after: int
    reference: str


@dataclass(frozen=True)
class HistoryPage:
    items: list[Movement]
    total: int
    page: int
    page_size: int


def movement_of(r: SubLedgerRow) -> Movement:
    return Movement(r.pk, r.business_date, r.value_date, r.biz_type, BizType(r.biz_type).label, r.amount,
                    r.balance_after, r.reference)


@personal_read(AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_TRANSACTIONS, obj=lambda kw: kw["account"])
def transaction_history(*, account: MemberAccount, actor: Actor, read: PersonalRead, date_from: date | None = None,
                        date_to: date | None = None, biz_types: list[str] | None = None, page: int = 1,
                        page_size: int = 50) -> HistoryPage:
    """个人明细查询: the account's detail rows in a business-date range and of some business types, in order."""
    if date_from and date_to and date_from > date_to:
        raise DomainError(ErrorCode.DATE_RANGE, "起始日期不能晚于终止日期", field="date_from")
    bad = [t for t in biz_types or [] if t not in BizType.values]
    if bad:
        raise DomainError(ErrorCode.BIZ_TYPE_UNKNOWN, f"业务类型代码不正确：{'、'.join(bad)}", field="biz_type")
    qs = SubLedgerRow.objects.filter(sub_account_id=account.pk)
    if date_from:
        qs = qs.filter(business_date__gte=date_from)
    if date_to:
        qs = qs.filter(business_date__lte=date_to)
    if biz_types:
        qs = qs.filter(biz_type__in=biz_types)
    page_size = max(1, min(int(page_size), MAX_PAGE))
    page = max(1, int(page))
    total = qs.count()
    rows = qs.order_by("id")[(page - 1) * page_size: page * page_size]
    read.note(page=page, **{k: str(v) for k, v in (("date_from", date_from), ("date_to", date_to)) if v},
              **({"biz_types": biz_types} if biz_types else {}))
    return HistoryPage([movement_of(r) for r in rows], total, page, page_size)



# ---------------------------------------------------------------- employer remittance history


@dataclass(frozen=True)
class RemittanceMonth:
    month: str
    biz_type: str
    biz_label: str
    members: int
    rows: int
    amount: int


def employer_remittance_history(*, employer: Employer, user: Actor, date_from: date | None = None,
                                date_to: date | None = None) -> list[RemittanceMonth]:
    """单位缴存历史: the detail rows of type 01 汇缴 and 02 补缴 of the employer's accounts, grouped by business
    month and type (newest first). Accounts are taken by their current employer."""
    check_permission(user, "accounts.view", center=employer.center_id)
    month = sql.month_key("r.business_date")
    cond, params = "", [employer.pk, BizType.REMITTANCE, BizType.BACK_PAYMENT]
    if date_from:
        cond += " AND r.business_date >= %s"
        params.append(date_from)
    if date_to:
        cond += " AND r.business_date <= %s"
        params.append(date_to)
    rows = sql.fetch(
        f"SELECT {month} AS m, r.biz_type, COUNT(DISTINCT r.sub_account_id), COUNT(*), SUM(r.amount) "  # noqa: S608 — month-key SQL from core.db, conditions from code; values bound
        "FROM ledger_v_subledger_row r JOIN accounts_v_member_account a ON a.sub_id = r.sub_account_id "
        f"WHERE a.employer_id = %s AND r.biz_type IN (%s, %s){cond} GROUP BY {month}, r.biz_type "
        "ORDER BY m DESC, r.biz_type", params)
    return [RemittanceMonth(m, t, BizType(t).label, int(n), int(c), int(s)) for m, t, n, c, s in rows]
