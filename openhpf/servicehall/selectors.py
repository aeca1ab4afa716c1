"""Reads of the online service hall (网上营业厅): what a signed-in member or employer agent may see of their own
data, always filtered by the principal, so another number is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openhpf.accounts import selectors as acc
from openhpf.accounts.models import MemberAccount
from openhpf.core.actors import SystemActor
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask
from openhpf.iam.models import EmployerAgent, MemberPrincipal

PORTAL_ACTOR = SystemActor("portal")  # the selectors of accounts run for the principal, whose own rows we pick here


# ---- member and employer-agent reads (网厅/API) ----


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


def _my_account(a: MemberAccount) -> MyAccount:
    d = acc.member_account_detail(account=a, user=PORTAL_ACTOR, clearance=0)
    return MyAccount(account_no=d.account_no, name=d.name, employer_name=d.employer_name, status=d.status,
                     status_label=d.status_label, balance=d.balance, available=d.available,
                     frozen_amount=d.frozen_amount, monthly_amount=d.monthly_amount, paid_up_to=d.paid_up_to,
                     opened_date=d.opened_date)


def member_my_accounts(*, principal: MemberPrincipal) -> list[MyAccount]:
    """The member's own accounts (normally one; more after a transfer or a second job), with balances."""
    rows = MemberAccount.objects.filter(member_id=principal.member_id).order_by("opened_date", "account_no")
    return [_my_account(a) for a in rows]


def member_my_account(*, principal: MemberPrincipal, account_no: str) -> MyAccount:
    """One of the member's own accounts; any other number is "not found", never "forbidden" (no probing)."""
    a = MemberAccount.objects.filter(member_id=principal.member_id, account_no=(account_no or "").strip()).first()
    if a is None:
        raise DomainError("NOT_FOUND", f"个人账号 {account_no} 不存在", field="account_no")
    return _my_account(a)


def agent_employer(*, agent: EmployerAgent) -> acc.EmployerDetail:
    return acc.employer_detail(employer=agent.employer, user=PORTAL_ACTOR, clearance=0)


@dataclass(frozen=True)
class EmployeeRow:
    account_no: str
    name: str
    id_number: str
    status: str
    status_label: str
    base: int
    monthly_amount: int
    paid_up_to: str


def agent_members(*, agent: EmployerAgent, page: int = 1, page_size: int = 50) -> acc.Page:
    """The employees' accounts of the agent's own employer (masked), a page at a time."""
    page_size = max(1, min(int(page_size), 200))
    page = max(1, int(page))
    qs = MemberAccount.objects.filter(employer_id=agent.employer_id)
    total = qs.count()
    rows = qs.select_related("member").order_by("account_no")[(page - 1) * page_size: page * page_size]
    items = [EmployeeRow(account_no=a.account_no, name=mask("name", a.member.name, clearance=0),
                         id_number=mask("id_number", a.member.id_number, clearance=0), status=a.status,
                         status_label=MemberAccountStatus(a.status).label, base=a.base,
                         monthly_amount=a.employer_amount + a.member_amount, paid_up_to=a.paid_up_to) for a in rows]
    return acc.Page(items=items, total=total, page=page, page_size=page_size)
