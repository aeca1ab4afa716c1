"""Reads of the hall's employer pages (单位网厅): what a signed-in agent may see of its own employer, always
filtered by the agent's employer, so another employer's number is a 404 (never "forbidden")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from openhpf.accounts.models import MemberAccount
from openhpf.contributions.models import Remittance
from openhpf.core.actors import AgentActor
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_id_number, mask_name
from openhpf.core.paging import Page
from openhpf.iam.models import EmployerAgent
from openhpf.settlement.models import BankAccount


@dataclass(frozen=True)
class RosterRow:
    account_no: str
    name: str
    id_number: str
    status: str
    status_label: str
    base: int
    monthly_amount: int
    paid_up_to: str


def agent_roster(*, actor: AgentActor, q: str = "", page: int = 1, page_size: int = 20) -> Page:
    """The agent's employer's accounts (names and ID numbers masked), searched by 个人账号, 姓名 or 证件号码."""
    qs = MemberAccount.objects.filter(employer_id=actor.employer_id).select_related("member")
    q = (q or "").strip()
    if q:
        cond = Q(account_no=q) | Q(member__name__contains=q)
        if len(q) >= 15:
            cond |= Q(member__id_number=q.upper())
        qs = qs.filter(cond)
    total = qs.count()
    page, page_size = max(1, int(page)), max(1, min(int(page_size), 100))
    rows = qs.order_by("account_no")[(page - 1) * page_size: page * page_size]
    items = [RosterRow(account_no=a.account_no, name=mask_name(a.member.name), id_number=mask_id_number(a.member.id_number),
                       status=a.status, status_label=MemberAccountStatus(a.status).label, base=a.base,
                       monthly_amount=a.employer_amount + a.member_amount, paid_up_to=a.paid_up_to) for a in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


def agent_account(*, actor: AgentActor, account_no: str) -> MemberAccount:
    """One account of the agent's own employer; any other number is "not found"."""
    a = MemberAccount.objects.filter(employer_id=actor.employer_id, account_no=(account_no or "").strip()).first()
    if a is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"本单位没有个人账号 {account_no}", field="account_no")
    return a


def agent_remittances(*, actor: AgentActor) -> QuerySet[Remittance]:
    """The employer's 汇缴/补缴 history, newest first."""
    return Remittance.objects.filter(employer_id=actor.employer_id).order_by("-month", "-pk")


def agent_remittance(*, actor: AgentActor, pk: int | str) -> Remittance:
    r = Remittance.objects.filter(employer_id=actor.employer_id, pk=int(pk) if str(pk).isdigit() else 0).first()
    if r is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"本单位没有汇缴单 {pk}", field="remittance")
    return r


def agent_pay_to(*, actor: AgentActor) -> BankAccount | None:
    """The center's 专户 the employer pays into: its own 受托银行专户, else the center's first active fund account."""
    e = actor.agent.employer
    qs = BankAccount.objects.filter(center_id=e.center_id, status=BankAccount.Status.ACTIVE)
    own = qs.filter(gl_account_id=e.bank_account_id).first() if e.bank_account_id else None
    return own or qs.filter(kind=BankAccount.Kind.FUND).order_by("pk").first()


def agent_colleagues(*, actor: AgentActor) -> QuerySet[EmployerAgent]:
    return EmployerAgent.objects.filter(employer_id=actor.employer_id).order_by("pk")
