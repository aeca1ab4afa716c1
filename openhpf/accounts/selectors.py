"""Reads of accounts, scoped by center. The personal-data reads are `@personal_read` selectors (core.personal):
the decorator checks the actor, scopes, gives the masking clearance and writes the read-audit row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, Sum

from openhpf.access.selectors import check_permission, user_clearance
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import (
    BizType,
    EconomicType,
    EmployerStatus,
    FreezeKind,
    Industry,
    MemberAccountStatus,
)
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.paging import PAGE_SIZE, Page, paginate
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.ledger.models import SubAccount, SubLedgerRow

from .models import Employer, Member, MemberAccount

MAX_LIMIT = 100
MEMBER_EXPORT_CAP = 5000  # a member export above this many accounts is refused with the count (narrow the search)


@dataclass(frozen=True)
class MemberAccountSummary:
    account_no: str
    name: str
    id_number: str
    phone: str
    employer_no: str
    employer_name: str
    status: str
    status_label: str


@dataclass(frozen=True)
class MemberAccountDetail:
    account_no: str
    name: str
    id_type: str
    id_number: str
    phone: str
    sex: str
    birth_date: date
    employer_no: str
    employer_name: str
    branch_code: str
    status: str
    status_label: str
    freeze_kind: str
    freeze_label: str
    base: int
    employer_ratio: str
    member_ratio: str
    employer_amount: int
    member_amount: int
    monthly_amount: int
    paid_up_to: str
    opened_date: date
    sealed_date: date | None
    seal_reason: str
    closed_date: date | None
    balance: int
    balance_current: int
    balance_carried: int
    frozen_amount: int
    hold_amount: int
    available: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HistoryRow:
    id: int
    business_date: date
    value_date: date
    biz_type: str
    biz_label: str
    amount: int
    amount_current: int
    amount_carried: int
    balance_after: int
    reference: str
    voucher_no: str
    month: str = ""  # 所属年月 ('YYYYMM') of a 汇缴/补缴/退缴 row, '' for others
    summary: str = ""  # 摘要: the voucher's summary for a money row, '' for an event row


# the reference the remittance postings give their rows: '汇缴' / '补缴' / '退缴' + the month paid (contributions)
_MONTH_REFERENCE = re.compile(r"^(?:汇缴|补缴|退缴)(\d{4})(0[1-9]|1[0-2])$")


def history_month(reference: str) -> str:
    """所属年月 of a detail row: the month a 汇缴, 补缴 or 退缴 row is for ('YYYYMM'), '' for any other row."""
    m = _MONTH_REFERENCE.match(reference or "")
    return f"{m.group(1)}{m.group(2)}" if m else ""


@dataclass(frozen=True)
class EmployerSummary:
    account_no: str
    name: str
    credit_code: str
    status: str
    status_label: str
    economic_type: str = ""
    economic_type_label: str = ""  # the code with its name: '140 国有企业'
    industry: str = ""
    industry_label: str = ""
    paid_up_to: str = ""
    payday: int = 0
    employer_ratio: str = ""
    member_ratio: str = ""
    suspense_balance: int = 0
    opened_date: date | None = None


def code_label(choices: Any, code: str) -> str:
    """A code of a code table with its name ('140 国有企业'); an unknown code alone, an empty one '—'."""
    try:
        return f"{code} {choices(code).label}"
    except ValueError:
        return code or "—"


@dataclass(frozen=True)
class EmployerFilter:
    """The filters of the employer search and list (单位): part of a name or an exact number, and the code tables."""

    q: str = ""
    status: str = ""
    economic_type: str = ""
    industry: str = ""

    def clean(self) -> EmployerFilter:
        """The filter with its codes checked (DomainError INPUT_INVALID naming the field of a code not in its table)."""
        for name, label, choices in (("status", "单位状态", EmployerStatus), ("economic_type", "经济类型", EconomicType),
                                     ("industry", "所属行业", Industry)):
            value = getattr(self, name)
            if value and value not in choices.values:
                raise DomainError(ErrorCode.INPUT_INVALID, f"{label}代码不正确：{value}", field=name)
        return EmployerFilter((self.q or "").strip()[:100], self.status, self.economic_type, self.industry)

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class EmployerDetail:
    account_no: str
    name: str
    credit_code: str
    economic_type: str
    industry: str
    branch_code: str
    payday: int
    employer_ratio: str
    member_ratio: str
    status: str
    status_label: str
    suspense_balance: int
    paid_up_to: str
    contact_name: str
    contact_phone: str
    address: str
    bank_account: str
    opened_date: date
    closed_date: date | None
    members_normal: int
    members_sealed: int
    members_frozen: int
    monthly_amount: int
    counts: dict[str, int] = field(default_factory=dict)
    members: Page | None = None  # a page of its member accounts, when asked for


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def _view(user: Actor, center: Any, clearance: int | None) -> int:
    """Refuse a user without accounts.view at the center; the clearance to mask with (the user's by default)."""
    check_permission(user, "accounts.view", center=center)
    return user_clearance(user, center=center) if clearance is None else clearance


def member_account_get(*, center: Center, account_no: str, user: Actor) -> MemberAccount:
    """The account of this center by number, or DomainError ACCOUNT_UNKNOWN (the API turns it into 404)."""
    _view(user, center, 0)
    acct = (MemberAccount.objects.select_related("member", "employer", "branch")
            .filter(center=center, account_no=(account_no or "").strip()).first())
    if acct is None:
        raise DomainError(ErrorCode.ACCOUNT_UNKNOWN, f"个人账号 {account_no} 不存在", field="account_no")
    return acct


def employer_get(*, center: Center, account_no: str, user: Actor) -> Employer:
    """The employer of this center by number, or DomainError EMPLOYER_UNKNOWN."""
    _view(user, center, 0)
    e = Employer.objects.select_related("branch").filter(center=center, account_no=(account_no or "").strip()).first()
    if e is None:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, f"单位账号 {account_no} 不存在", field="employer_no")
    return e


def _members(read: PersonalRead, q: str) -> Any:
    cond = Q(account_no=q) | Q(member__id_number=q.upper()) | Q(member__phone=q) | Q(member__name__startswith=q)
    return read.scope(MemberAccount.objects.filter(cond)).select_related("member", "employer").order_by(
        "status", "account_no")


def _member_summary(read: PersonalRead, a: MemberAccount) -> MemberAccountSummary:
    return MemberAccountSummary(
        account_no=a.account_no, name=read.mask("name", a.member.name),
        id_number=read.mask("id_number", a.member.id_number),
        phone=read.mask("phone", a.member.phone), employer_no=a.employer.account_no,
        employer_name=a.employer.name, status=a.status, status_label=MemberAccountStatus(a.status).label,
    )


def _search(read: PersonalRead, q: str, limit: int) -> list[MemberAccountSummary]:
    out = [_member_summary(read, a) for a in _members(read, q)[: _limit(limit)]] if q else []
    read.note(q_len=len(q), results=[r.account_no for r in out])
    return out


@personal_read(AuditEvent.ACCOUNTS_MEMBER_SEARCH, obj=lambda _: ("accounts.memberaccount", "search"))
def member_search(*, center: Center, q: str, actor: Actor, read: PersonalRead,
                  limit: int = 20) -> list[MemberAccountSummary]:
    """Accounts by account no, exact ID number, exact phone or name prefix; active accounts first."""
    return _search(read, (q or "").strip(), limit)


@personal_read(AuditEvent.ACCOUNTS_MEMBER_SEARCH, obj=lambda _: ("accounts.memberaccount", "search"))
def member_search_page(*, center: Center, q: str, actor: Actor, read: PersonalRead, page: Any = 1,
                       page_size: int = PAGE_SIZE) -> Page[MemberAccountSummary]:
    """The console's member search, a page at a time with the true total (masked; the page's accounts audited)."""
    q = (q or "").strip()
    p = paginate(_members(read, q) if q else [], page, page_size)
    out = [_member_summary(read, a) for a in p.items]
    read.note(q_len=len(q), page=p.page, total=p.total, results=[r.account_no for r in out])
    return Page(items=out, total=p.total, page=p.page, page_size=p.page_size)


@personal_read(AuditEvent.ACCOUNTS_MEMBER_EXPORT, perm="accounts.export", obj=lambda _: ("accounts.memberaccount", "export"))
def member_export(*, center: Center, q: str, reason: str, actor: Actor, read: PersonalRead,
                  cap: int | None = None) -> list[MemberAccountSummary]:
    """Every account of a member search for an export, masked as on screen; the audit row records the reason and
    the accounts. Above `cap` accounts nothing is read: DomainError EXPORT_TOO_LARGE says how many matched."""
    q, cap = (q or "").strip(), MEMBER_EXPORT_CAP if cap is None else cap
    qs = _members(read, q) if q else MemberAccount.objects.none()
    count = qs.count()
    if count > cap:
        raise DomainError(ErrorCode.EXPORT_TOO_LARGE, ErrorCode.EXPORT_TOO_LARGE.render(count=count, cap=cap),
                          field="q")
    out = [_member_summary(read, a) for a in qs.iterator(chunk_size=2000)]
    read.note(reason=(reason or "").strip()[:100], q_len=len(q), rows=len(out), results=[r.account_no for r in out])
    return out


def member_by_id_number(id_number: str, *, id_type: str | None = None) -> Member | None:
    """The person with this exact ID number (the encrypted column is matched through its blind index), or None.
    For internal lookups (sign-in, account opening); views go through member_search with its permission check."""
    qs = Member.objects.filter(id_number=(id_number or "").strip().upper())
    if id_type:
        qs = qs.filter(id_type=id_type)
    return qs.order_by("pk").first()


def member_by_login(login: str) -> Member | None:
    """The member signing in to the portal with 个人账号 or 证件号码 (registered with iam at start-up)."""
    acct = MemberAccount.objects.select_related("member").filter(account_no=(login or "").strip()).first()
    if acct is not None:
        return acct.member
    return member_by_id_number((login or "").upper())


def employer_search(*, center: Center, q: str, user: Actor, limit: int = 20) -> list[EmployerSummary]:
    """Employers by account no, credit code (exact) or a part of the name (the API's search: the first `limit`)."""
    _view(user, center, 0)
    if not (q or "").strip():
        return []
    return [_employer_summary(e) for e in _employers(center, EmployerFilter(q=q).clean())[: _limit(limit)]]


def _employers(center: Center, f: EmployerFilter) -> Any:
    qs = Employer.objects.filter(center=center)
    if f.q:
        qs = qs.filter(Q(account_no=f.q) | Q(credit_code=f.q.upper()) | Q(name__contains=f.q))
    for name in ("status", "economic_type", "industry"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    return qs.order_by("status", "account_no")


def _employer_summary(e: Employer) -> EmployerSummary:
    return EmployerSummary(
        account_no=e.account_no, name=e.name, credit_code=e.credit_code, status=e.status,
        status_label=EmployerStatus(e.status).label, economic_type=e.economic_type,
        economic_type_label=code_label(EconomicType, e.economic_type), industry=e.industry,
        industry_label=code_label(Industry, e.industry), paid_up_to=e.paid_up_to, payday=e.payday,
        employer_ratio=str(e.employer_ratio), member_ratio=str(e.member_ratio), suspense_balance=e.suspense_balance,
        opened_date=e.opened_date)


def employer_page(*, center: Center, user: Actor, filters: EmployerFilter, page: Any = 1,
                  page_size: int = PAGE_SIZE) -> Page[EmployerSummary]:
    """单位 list: every employer of the center matching the filters (none: all of them), a page at a time with the
    true total; codes with their names."""
    _view(user, center, 0)
    p = paginate(_employers(center, filters.clean()), page, page_size)
    return Page(items=[_employer_summary(e) for e in p.items], total=p.total, page=p.page, page_size=p.page_size)


def employer_export_rows(*, center: Center, user: Actor, filters: EmployerFilter) -> tuple[int, Iterator[EmployerSummary]]:
    """Every employer matching the filters, for the export (accounts.export): (how many, the rows streamed)."""
    check_permission(user, "accounts.export", center=center)
    qs = _employers(center, filters.clean())
    return qs.count(), (_employer_summary(e) for e in qs.iterator(chunk_size=2000))


def _own(read: PersonalRead, *, member_id: int | None = None, employer_id: int | None = None) -> None:
    """A member or an agent asking for a row not its own is told "not found", never "forbidden" (no probing)."""
    if not read.owns(member_id=member_id, employer_id=employer_id):
        raise DomainError(ErrorCode.NOT_FOUND, "未找到该账户", field="account_no")


def _account_detail(account: MemberAccount, read: PersonalRead) -> MemberAccountDetail:
    a = MemberAccount.objects.select_related("member", "employer", "branch").get(pk=account.pk)
    _own(read, member_id=a.member_id, employer_id=a.employer_id)
    sub = SubAccount.objects.get(pk=a.pk)
    m = a.member
    status = MemberAccountStatus.FROZEN if a.freeze_kind == FreezeKind.FULL and a.status == "01" else a.status
    return MemberAccountDetail(
        account_no=a.account_no, name=read.mask("name", m.name), id_type=m.id_type,
        id_number=read.mask("id_number", m.id_number),
        phone=read.mask("phone", m.phone), sex=m.sex, birth_date=m.birth_date,
        employer_no=a.employer.account_no, employer_name=a.employer.name, branch_code=a.branch.code,
        status=a.status, status_label=MemberAccountStatus(status).label, freeze_kind=a.freeze_kind,
        freeze_label=FreezeKind(a.freeze_kind).label, base=a.base, employer_ratio=str(a.employer_ratio),
        member_ratio=str(a.member_ratio), employer_amount=a.employer_amount, member_amount=a.member_amount,
        monthly_amount=a.monthly_amount, paid_up_to=a.paid_up_to, opened_date=a.opened_date,
        sealed_date=a.sealed_date, seal_reason=a.seal_reason, closed_date=a.closed_date, balance=sub.balance,
        balance_current=sub.balance_current, balance_carried=sub.balance_carried, frozen_amount=sub.frozen_amount,
        hold_amount=sub.hold_amount, available=sub.available,
    )


def _history(account: MemberAccount, *, page: int, page_size: int, last_if_past_end: bool,
             date_from: date | None = None, date_to: date | None = None,
             biz_types: tuple[str, ...] = ()) -> Page:
    page_size = _limit(page_size)
    page = max(1, int(page))
    qs = SubLedgerRow.objects.filter(sub_account_id=account.pk)
    if biz_types:
        qs = qs.filter(biz_type__in=biz_types)
    if date_from is not None:
        qs = qs.filter(business_date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(business_date__lte=date_to)
    total = qs.count()
    if last_if_past_end:
        page = min(page, max(1, -(-total // page_size)))
    rows = qs.select_related("entry").order_by("-id")[(page - 1) * page_size: page * page_size]
    items = [
        HistoryRow(id=r.pk, business_date=r.business_date, value_date=r.value_date, biz_type=r.biz_type,
                   biz_label=BizType(r.biz_type).label, amount=r.amount, amount_current=r.amount_current,
                   amount_carried=r.amount_carried, balance_after=r.balance_after, reference=r.reference,
                   voucher_no=r.entry.voucher_no if r.entry else "", month=history_month(r.reference),
                   summary=r.entry.description if r.entry else "")
        for r in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)


def _dates_note(date_from: date | None, date_to: date | None) -> dict[str, str]:
    return {k: v.isoformat() for k, v in (("date_from", date_from), ("date_to", date_to)) if v is not None}


@personal_read(AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_VIEW, portal=True, obj=lambda kw: kw["account"])
def member_account_detail(*, account: MemberAccount, actor: Actor, read: PersonalRead) -> MemberAccountDetail:
    """One account with its balances from the ledger sub-account; name, ID number and phone masked."""
    d = _account_detail(account, read)
    read.note(clearance=read.clearance)
    return d


@personal_read(AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_VIEW, obj=lambda kw: kw["account"])
def member_account_page(*, account: MemberAccount, actor: Actor, read: PersonalRead, history_page: int = 1,
                        history_page_size: int = 20, date_from: date | None = None,
                        date_to: date | None = None) -> tuple[MemberAccountDetail, Page]:
    """The console's account page: the account and one page of its 个人明细账 (past the end: the last page),
    optionally only the rows of business dates `date_from`..`date_to` (inclusive)."""
    d = _account_detail(account, read)
    history = _history(account, page=history_page, page_size=history_page_size, last_if_past_end=True,
                       date_from=date_from, date_to=date_to)
    read.note(clearance=read.clearance, history_page=history.page, **_dates_note(date_from, date_to))
    return d, history


@personal_read(AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_HISTORY, portal=True, obj=lambda kw: kw["account"])
def account_history(*, account: MemberAccount, actor: Actor, read: PersonalRead, page: int = 1, page_size: int = 20,
                    last_if_past_end: bool = False, date_from: date | None = None,
                    date_to: date | None = None, biz_types: tuple[str, ...] = ()) -> Page:
    """The account's detail rows (个人明细账), newest first; optionally of business dates from..to only, and of
    the given 业务类型 only."""
    _own(read, member_id=account.member_id, employer_id=account.employer_id)
    p = _history(account, page=page, page_size=page_size, last_if_past_end=last_if_past_end, date_from=date_from,
                 date_to=date_to, biz_types=biz_types)
    read.note(page=p.page, **_dates_note(date_from, date_to), **({"biz_types": list(biz_types)} if biz_types else {}))
    return p


@personal_read(AuditEvent.ACCOUNTS_EMPLOYER_VIEW, portal=True, obj=lambda kw: kw["employer"])
def employer_detail(*, employer: Employer, actor: Actor, read: PersonalRead,
                    members_page: int | None = None, members_page_size: int = 20) -> EmployerDetail:
    """An employer with its member counts by status (and full freezes), the monthly amount due and, when
    `members_page` is given, that page of its member accounts (names masked)."""
    _own(read, employer_id=employer.pk)
    e = Employer.objects.select_related("branch", "bank_account").get(pk=employer.pk)
    counts = dict(MemberAccount.objects.filter(employer=e).values_list("status").annotate(n=Count("pk")))
    frozen = MemberAccount.objects.filter(employer=e, status__in=["01", "02"]).exclude(
        freeze_kind=FreezeKind.NONE).count()
    monthly = MemberAccount.objects.filter(employer=e, status=MemberAccountStatus.NORMAL).aggregate(
        s=Sum(F("employer_amount") + F("member_amount")))["s"] or 0
    members = None if members_page is None else _employer_members(e, read, members_page, members_page_size,
                                                                   last_if_past_end=True)
    read.note(clearance=read.clearance, **({} if members is None else
                                          {"members": [m.account_no for m in members.items]}))
    return EmployerDetail(
        account_no=e.account_no, name=e.name, credit_code=e.credit_code, economic_type=e.economic_type,
        industry=e.industry, branch_code=e.branch.code, payday=e.payday, employer_ratio=str(e.employer_ratio),
        member_ratio=str(e.member_ratio), status=e.status, status_label=EmployerStatus(e.status).label,
        suspense_balance=e.suspense_balance, paid_up_to=e.paid_up_to, contact_name=read.mask("name", e.contact_name),
        contact_phone=read.mask("phone", e.contact_phone), address=e.address,
        bank_account=e.bank_account.bank_account_no if e.bank_account else "", opened_date=e.opened_date,
        closed_date=e.closed_date, members_normal=counts.get(MemberAccountStatus.NORMAL, 0),
        members_sealed=counts.get(MemberAccountStatus.SEALED, 0), members_frozen=frozen, monthly_amount=int(monthly),
        counts={str(k): v for k, v in counts.items()},
        members=members,
    )


@dataclass(frozen=True)
class EmployeeRow:
    """One member account of an employer's list (names and ID numbers masked)."""

    account_no: str
    name: str
    id_number: str
    status: str
    status_label: str
    base: int
    monthly_amount: int
    paid_up_to: str


def _employer_members(employer: Employer, read: PersonalRead, page: int, page_size: int, *,
                      last_if_past_end: bool) -> Page:
    qs = MemberAccount.objects.filter(employer=employer)
    total = qs.count()
    page, page_size = max(1, int(page)), max(1, min(int(page_size), 200))
    if last_if_past_end:
        page = min(page, max(1, -(-total // page_size)))
    rows = qs.select_related("member").order_by("account_no")[(page - 1) * page_size: page * page_size]
    items = [EmployeeRow(account_no=a.account_no, name=read.mask("name", a.member.name),
                         id_number=read.mask("id_number", a.member.id_number), status=a.status,
                         status_label=MemberAccountStatus(a.status).label, base=a.base,
                         monthly_amount=a.employer_amount + a.member_amount, paid_up_to=a.paid_up_to) for a in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


@personal_read(AuditEvent.ACCOUNTS_EMPLOYER_MEMBERS, portal=True, obj=lambda kw: kw["employer"])
def employer_members(*, employer: Employer, actor: Actor, read: PersonalRead, page: int = 1,
                     page_size: int = 50) -> Page:
    """The employer's member accounts, a page at a time (an agent: its own employer's only)."""
    _own(read, employer_id=employer.pk)
    p = _employer_members(employer, read, page, page_size, last_if_past_end=False)
    read.note(page=p.page, members=[m.account_no for m in p.items])
    return p


def member_for_registration(*, account_no: str, id_number: str, name: str, phone: str) -> Member | None:
    """首次注册 of the online hall: the member whose 个人账号, 证件号码, 姓名 and registered phone all match, or None
    (the caller says only that they do not match: which one is not told, against probing)."""
    a = (MemberAccount.objects.select_related("member").filter(account_no=(account_no or "").strip())
         .exclude(status__in=(MemberAccountStatus.CLOSED_MERGED, MemberAccountStatus.CLOSED_TRANSFERRED)).first())
    if a is None:
        return None
    m = a.member
    same = ((m.id_number or "").strip().upper() == (id_number or "").strip().upper()
            and (m.name or "").strip() == (name or "").strip()
            and re.sub(r"\D", "", m.phone or "") == re.sub(r"\D", "", phone or "") != "")
    return m if same else None


def member_notify_phone(member_id: int) -> str:
    """The phone a member's messages go to (the applications engine's notices): trusted code, not shown to anyone."""
    return Member.objects.filter(pk=member_id).values_list("phone", flat=True).first() or ""


def employer_notify_phone(employer_id: int) -> str:
    """The contact phone an employer's messages go to (the applications engine's notices)."""
    return Employer.objects.filter(pk=employer_id).values_list("contact_phone", flat=True).first() or ""
