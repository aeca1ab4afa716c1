"""Reads of iam: the security admin's user and partner lists, the development outbox, and what a signed-in member
or employer agent may see of their own data (always filtered by the principal, so another number is a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from openhpf.accounts import selectors as acc
from openhpf.accounts.models import MemberAccount
from openhpf.core.actors import SystemActor
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask

from .models import EmployerAgent, MemberPrincipal, Outbox, PartnerClient, StaffSecurity

PORTAL_ACTOR = SystemActor("portal")  # the selectors of accounts run for the principal, whose own rows we pick here


@dataclass(frozen=True)
class StaffRow:
    id: int
    username: str
    display_name: str
    center: str
    is_active: bool
    locked: bool
    locked_until: datetime | None
    failed_logins: int
    totp_enrolled: bool
    totp_required: bool
    must_change_password: bool
    last_login: datetime | None


def staff_list(*, q: str = "", limit: int = 200) -> list[StaffRow]:
    """Staff users with their sign-in security state (安全管理员's user list)."""
    user_model = get_user_model()
    qs = user_model.objects.filter(is_staff=True).select_related("staff_profile__center").order_by("username")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(staff_profile__display_name__icontains=q))
    users = list(qs[:limit])
    secs = {s.user_id: s for s in StaffSecurity.objects.filter(user__in=users)}
    now = timezone.now()
    out = []
    for u in users:
        s = secs.get(u.pk)
        profile = getattr(u, "staff_profile", None)
        out.append(StaffRow(
            id=u.pk, username=u.get_username(), display_name=profile.display_name if profile else "",
            center=profile.center.name if profile and profile.center else "", is_active=u.is_active,
            locked=bool(s and s.locked_until and s.locked_until > now), locked_until=s.locked_until if s else None,
            failed_logins=s.failed_logins if s else 0, totp_enrolled=bool(s and s.totp_confirmed_at),
            totp_required=bool(s and s.totp_required), must_change_password=bool(s and s.must_change_password),
            last_login=u.last_login))
    return out


def partner_client_list() -> list[PartnerClient]:
    return list(PartnerClient.objects.order_by("client_id"))


def partner_client_live_tokens(client: PartnerClient) -> int:
    return client.tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


def outbox_list(*, limit: int = 100) -> list[Outbox]:
    return list(Outbox.objects.order_by("-id")[:limit])


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
