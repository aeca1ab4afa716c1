"""Reads of remittances, receipts and suspense, scoped to the user's centers (access rules); and the history
reads: a member account's transaction history (个人明细, filtered and paged) and an employer's remittance
history (汇缴/补缴 by month)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.paging import PAGE_SIZE, Page, mapped, paginate
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


@dataclass(frozen=True)
class RemittanceFilter:
    """The 汇缴单 list's filters: employer (account number), 所属年月 from/to ('YYYYMM'), type (01 汇缴 / 02 补缴),
    status."""

    employer_no: str = ""
    month_from: str = ""
    month_to: str = ""
    biz_type: str = ""
    status: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _remittances(center: Any, f: RemittanceFilter) -> QuerySet[Remittance]:
    if f.month_from and f.month_to and f.month_from > f.month_to:
        raise DomainError(ErrorCode.DATE_RANGE, "起始年月不能晚于终止年月", field="month_from")
    if f.biz_type and f.biz_type not in (BizType.REMITTANCE, BizType.BACK_PAYMENT):
        raise DomainError(ErrorCode.BIZ_TYPE_UNKNOWN, f"业务类型代码不正确：{f.biz_type}", field="biz_type")
    if f.status and f.status not in Remittance.Status.values:
        raise DomainError(ErrorCode.INPUT_INVALID, f"汇缴单状态代码不正确：{f.status}", field="status")
    qs: QuerySet[Remittance] = Remittance.objects.filter(center=center)
    if f.employer_no:
        qs = qs.filter(employer__account_no=f.employer_no)
    if f.month_from:
        qs = qs.filter(month__gte=f.month_from)
    if f.month_to:
        qs = qs.filter(month__lte=f.month_to)
    if f.biz_type:
        qs = qs.filter(biz_type=f.biz_type)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.select_related("employer").order_by("-pk")


def remittance_page(*, center: Any, user: Actor, employer_no: str = "", month_from: str = "", month_to: str = "",
                    biz_type: str = "", status: str = "", page: Any = 1, page_size: int = PAGE_SIZE) -> Page[Remittance]:
    """汇缴单 list of the console: filtered by employer (account number), 所属年月 from/to ('YYYYMM'), type (01 汇缴 /
    02 补缴) and status, newest first, one page at a time with the true total."""
    check_permission(user, "accounts.view", center=center)
    f = RemittanceFilter(employer_no, month_from, month_to, biz_type, status)
    return paginate(_remittances(center, f), page, page_size)


@dataclass(frozen=True)
class RemittanceTotals:
    count: int
    lines: int
    amount: int  # fen


def remittance_export_rows(*, center: Any, user: Actor,
                           filters: RemittanceFilter) -> tuple[RemittanceTotals, Iterator[Remittance]]:
    """Every 汇缴单 the filters find, for the export (accounts.export): their totals (one SQL aggregate) and the rows
    streamed."""
    check_permission(user, "accounts.export", center=center)
    qs = _remittances(center, filters)
    agg = qs.aggregate(n=Count("pk"), lines=Sum("lines"), amount=Sum("total"))
    totals = RemittanceTotals(int(agg["n"] or 0), int(agg["lines"] or 0), int(agg["amount"] or 0))
    return totals, qs.iterator(chunk_size=2000)


def remittance_get(*, center: Any, pk: int, user: Actor) -> Remittance:
    check_permission(user, "accounts.view", center=center)
    r = Remittance.objects.select_related("employer", "receipt", "source_import").filter(center=center, pk=pk).first()
    if r is None:
        raise DomainError(ErrorCode.REMITTANCE_UNKNOWN, f"汇缴单 {pk} 不存在", field="remittance")
    return r


@personal_read(AuditEvent.CONTRIBUTIONS_REMITTANCE_LINES, center=lambda kw: kw["remittance"].center_id)
def remittance_lines_page(*, remittance: Remittance, actor: Actor, read: PersonalRead, page: Any = 1,
                          page_size: int = 100) -> Page[RemittanceLine]:
    """A page of the lines of one 汇缴单 (the detail page), with the true count: a personal-data read, audited."""
    p = paginate(RemittanceLine.objects.filter(remittance=remittance).select_related("account__member")
                 .order_by("seq"), page, page_size)
    read.about(remittance)
    read.note(lines=len(p.items), page=p.page)
    return p


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
                     pk: int | None = None) -> tuple[Page[SuspenseReceipt], list[SuspenseReceipt]]:
    """暂收款（付款人未明）waiting to be assigned, newest first, 50 a page with the true total: (the page, its rows);
    `pk`: that one."""
    own_accounts, own_names = settlement_selectors.own_parties(center=center)
    qs = _unknown_receipts(center).order_by("-pk")
    got = mapped(paginate(qs.filter(pk=pk) if pk is not None else qs, page, PAGE_SIZE), lambda r: SuspenseReceipt(
        id=r.pk, value_date=r.value_date, bank_ref=r.bank_ref, payer_account=r.payer_account,
        payer_name=r.payer_name if (r.payer_account in own_accounts or r.payer_name.strip() in own_names)
        else read.mask("name", r.payer_name), amount=r.amount))
    read.note(rows=len(got.items), page=got.page)
    return got, got.items


def _unknown_receipts(center: Any) -> QuerySet[Receipt]:
    return Receipt.objects.filter(center=center, status=Receipt.Status.UNKNOWN_SUSPENSE)


def unknown_receipts_count(*, center: Any, user: Actor) -> int:
    """How many 暂收款 unknown_receipts lists over all its pages (the 待办 count of 待认领暂收); a count reads no
    personal data."""
    check_permission(user, "settlement.view", center=center)
    return _unknown_receipts(center).count()


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


# ---------------------------------------------------------------- the employer page's panels


@dataclass(frozen=True)
class EmployerRemittance:
    pk: int
    month: str  # 所属年月 YYYYMM
    biz_type: str
    kind_label: str  # 汇缴 / 全额补缴 / 差额补缴 / 个别补缴
    lines: int  # 人数
    total: int  # fen
    status: str
    status_label: str
    paid_on: date | None  # the money's date (起息日) once posted


def employer_remittances(*, employer: Employer, user: Actor, page: Any = 1,
                         page_size: int = 20) -> Page[EmployerRemittance]:
    """单位缴存历史: the employer's 汇缴单 and 补缴单 by 所属年月 (newest first), every status, paged."""
    check_permission(user, "accounts.view", center=employer.center_id)
    qs = Remittance.objects.filter(employer_id=employer.pk).order_by("-month", "-pk")
    return mapped(paginate(qs, page, page_size), lambda r: EmployerRemittance(
        pk=r.pk, month=r.month, biz_type=r.biz_type,
        kind_label=(Remittance.BackKind(r.back_kind).label if r.back_kind else "补缴") if r.is_back_payment else "汇缴",
        lines=r.lines, total=r.total, status=r.status, status_label=Remittance.Status(r.status).label,
        paid_on=(r.value_date or r.business_date) if r.status in (Remittance.Status.POSTED, Remittance.Status.REFUNDED)
        else None))


# the 暂存 movements that take money out of an employer's 暂存 (the others put money in)
SUSPENSE_OUT = (SuspenseMove.Kind.ALLOCATE, SuspenseMove.Kind.PAY_OUT)


@dataclass(frozen=True)
class SuspenseMovement:
    pk: int
    business_date: date
    kind: str
    kind_label: str
    amount_in: int  # fen, 0 when out
    amount_out: int  # fen, 0 when in
    balance_after: int  # fen: the employer's 暂存 right after this movement
    summary: str  # 摘要
    voucher_no: str


def _suspense_summary(m: SuspenseMove) -> str:
    parts = [SuspenseMove.Kind(m.kind).label]
    if m.remittance_id is not None and m.remittance is not None:
        r = m.remittance
        parts.append(f"{'补缴单' if r.is_back_payment else '汇缴单'} #{r.pk}（{r.month[:4]}-{r.month[4:]}）")
    if m.receipt_id is not None and m.receipt is not None:
        parts.append(f"到账 {m.receipt.bank_ref}")
    return " · ".join(parts)


def employer_suspense_moves(*, employer: Employer, user: Actor, page: Any = 1,
                            page_size: int = 20) -> Page[SuspenseMovement]:
    """暂存 movements of the employer (newest first), each with the 暂存 balance right after it: the current
    balance less every later movement."""
    check_permission(user, "accounts.view", center=employer.center_id)
    qs = (SuspenseMove.objects.filter(employer_id=employer.pk)
          .select_related("remittance", "receipt", "entry").order_by("-pk"))
    got = paginate(qs, page, page_size)
    rows = got.items
    balance = Employer.objects.filter(pk=employer.pk).values_list("suspense_balance", flat=True).get()
    if rows:
        later = SuspenseMove.objects.filter(employer_id=employer.pk, pk__gt=rows[0].pk).aggregate(
            i=Sum("amount", filter=~Q(kind__in=SUSPENSE_OUT)), o=Sum("amount", filter=Q(kind__in=SUSPENSE_OUT)))
        balance -= int(later["i"] or 0) - int(later["o"] or 0)
    items = []
    for m in rows:
        out = m.kind in SUSPENSE_OUT
        items.append(SuspenseMovement(
            pk=m.pk, business_date=m.business_date, kind=m.kind, kind_label=SuspenseMove.Kind(m.kind).label,
            amount_in=0 if out else m.amount, amount_out=m.amount if out else 0, balance_after=balance,
            summary=_suspense_summary(m), voucher_no=m.entry.voucher_no if m.entry is not None else ""))
        balance += m.amount if out else -m.amount
    return Page(items=items, total=got.total, page=got.page, page_size=got.page_size)


def employer_allocatable(*, employer: Employer, user: Actor, business_date: date, q: str = "", page: Any = 1,
                         page_size: int = 20) -> Page[EmployerRemittance]:
    """The employer's 汇缴单/补缴单 its 暂存 may pay (暂存分配): confirmed, due by the business month, not matched
    to a receipt; oldest month first, paged with the true total. `q` narrows them as the clerk types: a 单号
    (#123: that one only), a number (a 单号 or the start of a 所属年月: 2026-11, 202611, 2026), 汇缴 or 补缴."""
    check_permission(user, "accounts.view", center=employer.center_id)
    qs = (Remittance.objects.filter(employer_id=employer.pk, status=Remittance.Status.CONFIRMED, receipt__isnull=True,
                                    month__lte=f"{business_date.year:04d}{business_date.month:02d}")
          .order_by("month", "pk"))
    term = q.strip().replace("-", "").replace("年", "").replace("月", "")
    if term.startswith("#") and term[1:].isdigit():  # a 单号 and nothing else
        qs = qs.filter(pk=int(term[1:]))
    elif term in ("汇缴", "补缴"):
        qs = qs.filter(biz_type=BizType.REMITTANCE if term == "汇缴" else BizType.BACK_PAYMENT)
    elif term.isdigit():
        qs = qs.filter(Q(month__startswith=term[:6]) | Q(pk=int(term)))
    elif term:
        qs = qs.none()
    return mapped(paginate(qs, page, page_size), lambda r: EmployerRemittance(
        pk=r.pk, month=r.month, biz_type=r.biz_type,
        kind_label=(Remittance.BackKind(r.back_kind).label if r.back_kind else "补缴") if r.is_back_payment else "汇缴",
        lines=r.lines, total=r.total, status=r.status, status_label=Remittance.Status(r.status).label, paid_on=None))
