"""Reads of the online service hall (网上营业厅): what a signed-in member or employer agent may see of their own
data, always filtered by the principal, so another number is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openhpf.accounts import selectors as acc
from openhpf.accounts.models import Member, MemberAccount
from openhpf.accounts.statement import account_statement, statement_pdf
from openhpf.applications.models import Rating, State
from openhpf.applications.selectors import (
    ApplicationFilter,
    application_detail,
    application_get,
    application_page,
)
from openhpf.contributions.relief.hardship import continuity_months
from openhpf.core.actors import AgentActor, MemberActor
from openhpf.core.codes import BizType, MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.paging import Page
from openhpf.loans.selectors import member_loans
from openhpf.notifications.selectors import Notice, notices_to

# ---- member and employer-agent reads (网厅/API): the accounts selectors, run for the typed principal, scope
# its own rows and mask; a principal reading its own data is not audited (core.personal).


@dataclass(frozen=True)
class MyAccount:
    account_no: str
    name: str
    employer_name: str
    status: str
    status_label: str
    balance: int
    available: int
    frozen_amount: int
    monthly_amount: int
    paid_up_to: str
    opened_date: date


def _my_account(a: MemberAccount, actor: MemberActor) -> MyAccount:
    d = acc.member_account_detail(account=a, actor=actor)
    return MyAccount(account_no=d.account_no, name=d.name, employer_name=d.employer_name, status=d.status,
                     status_label=d.status_label, balance=d.balance, available=d.available,
                     frozen_amount=d.frozen_amount, monthly_amount=d.monthly_amount, paid_up_to=d.paid_up_to,
                     opened_date=d.opened_date)


def member_my_accounts(*, actor: MemberActor) -> list[MyAccount]:
    """The member's own accounts (normally one; more after a transfer or a second job), with balances."""
    rows = MemberAccount.objects.filter(member_id=actor.member_id).order_by("opened_date", "account_no")
    return [_my_account(a, actor) for a in rows]


def member_my_account(*, actor: MemberActor, account_no: str) -> MyAccount:
    """One of the member's own accounts; any other number is "not found", never "forbidden" (no probing)."""
    a = MemberAccount.objects.filter(member_id=actor.member_id, account_no=(account_no or "").strip()).first()
    if a is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"个人账号 {account_no} 不存在", field="account_no")
    return _my_account(a, actor)


def agent_employer(*, actor: AgentActor) -> acc.EmployerDetail:
    return acc.employer_detail(employer=actor.agent.employer, actor=actor)


def agent_members(*, actor: AgentActor, page: int = 1, page_size: int = 50) -> acc.Page:
    """The employees' accounts of the agent's own employer (masked), a page at a time."""
    return acc.employer_members(employer=actor.agent.employer, actor=actor, page=page, page_size=page_size)


# ---- the member portal's pages (网上营业厅): home, history, withdrawals, progress, inbox. Reads of the domain
# apps' selectors for the signed-in member only; nothing here computes a business figure of its own.


@dataclass(frozen=True)
class HomeAccount:
    detail: acc.MemberAccountDetail
    continuity: int  # 连续缴存月数 up to 缴至年月 (contributions.relief: months paid, deferrals do not break it)


@dataclass(frozen=True)
class HomeLoan:
    contract_no: str
    role_label: str
    outstanding_principal: int
    next_installment: int
    next_due: date | None
    overdue: bool


ROLE_LABELS = {"borrower": "借款人", "spouse": "借款人配偶", "co_borrower": "共同借款人"}


def _own_rows(actor: MemberActor) -> list[MemberAccount]:
    return list(MemberAccount.objects.filter(member_id=actor.member_id).order_by("opened_date", "account_no"))


def own_account(actor: MemberActor, account_no: str = "") -> MemberAccount | None:
    """One of the member's own account rows: the one numbered `account_no` (None when it is not theirs), or with
    no number the normal one, else the latest."""
    rows = _own_rows(actor)
    if account_no:
        return next((a for a in rows if a.account_no == account_no.strip()), None)
    return next((a for a in rows if a.status == MemberAccountStatus.NORMAL), rows[-1] if rows else None)


def member_home(*, actor: MemberActor) -> tuple[list[HomeAccount], list[HomeLoan]]:
    """The home page: each own account (balance split 当年/上年, monthly amounts, 缴至年月, continuity) and the
    member's active loans with the next installment."""
    on = actor.principal.member.center.business_date
    accounts = []
    for a in _own_rows(actor):
        d = acc.member_account_detail(account=a, actor=actor)
        months = continuity_months(a, d.paid_up_to) if d.paid_up_to else 0
        accounts.append(HomeAccount(detail=d, continuity=months))
    loans = [HomeLoan(contract_no=ln.contract_no, role_label=ROLE_LABELS.get(ln.role, ln.role),
                      outstanding_principal=ln.outstanding_principal, next_installment=ln.next_installment,
                      next_due=ln.next_due, overdue=ln.overdue)
             for ln in member_loans(actor.member_id, on)]
    return accounts, loans


HISTORY_KINDS = {
    "contribution": ("汇缴、补缴", (BizType.REMITTANCE, BizType.BACK_PAYMENT)),
    "withdrawal": ("提取", (BizType.PARTIAL_WITHDRAWAL, BizType.CLOSING_WITHDRAWAL)),
    "interest": ("结息", (BizType.INTEREST,)),
    "transfer": ("转移", (BizType.INTERNAL_TRANSFER, BizType.TRANSFER_IN, BizType.TRANSFER_OUT)),
}


def member_history(*, actor: MemberActor, account: MemberAccount, kind: str, date_from: date | None,
                   date_to: date | None, page: int) -> Page:
    """The account's 明细 for the member: newest first, filtered by dates and kind, a page at a time."""
    types = tuple(str(t) for t in HISTORY_KINDS[kind][1]) if kind in HISTORY_KINDS else ()
    return acc.account_history(account=account, actor=actor, page=page, page_size=20, last_if_past_end=True,
                               date_from=date_from, date_to=date_to, biz_types=types)


def member_annual_statement(*, actor: MemberActor, account: MemberAccount, year: int) -> bytes:
    """年度对账单: the account's statement of calendar year `year` as a PDF (accounts.statement)."""
    st = account_statement(account=account, actor=actor, date_from=date(year, 1, 1), date_to=date(year, 12, 31),
                           purpose="annual_statement")
    center = actor.principal.member.center
    return statement_pdf(st, center_name=center.name, printed_on=center.business_date, printed_by="网上服务大厅")


def member_applications(*, actor: MemberActor, page: int = 1) -> Page:
    return application_page(actor=actor, filters=ApplicationFilter(), page=page, page_size=20)


def member_application(*, actor: MemberActor, number: str) -> dict:
    """One own application with its clocks, timeline and rule results; another's number is not found."""
    d = application_detail(actor=actor, number=number)
    app = application_get(actor, number)
    d["rating"] = Rating.objects.filter(application=app).first()
    d["may_rate"] = app.state == State.COMPLETED and d["rating"] is None
    return d


def member_inbox(*, actor: MemberActor, limit: int = 50) -> list[Notice]:
    """The notices sent to the member's registered phone (deferral ends, repricing, reminders, application
    progress), newest first; one-time codes are never listed."""
    return notices_to(recipient=acc.member_notify_phone(actor.member_id), limit=limit)


def own_rows(actor: MemberActor) -> list[MemberAccount]:
    return _own_rows(actor)


def registering_member(pk: str) -> Member | None:
    """The member a registration in progress is for (the pk the signed cookie holds)."""
    return Member.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
