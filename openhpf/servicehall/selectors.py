"""Reads of the online service hall (网上营业厅): what a signed-in member or employer agent may see of their own
data, always filtered by the principal, so another number is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openhpf.accounts import selectors as acc
from openhpf.accounts.models import MemberAccount
from openhpf.core.actors import AgentActor, MemberActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

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
