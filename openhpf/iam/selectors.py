"""Reads of iam: the security admin's user and partner lists and the development outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.personal import PersonalRead, personal_read

from .models import Outbox, PartnerClient, StaffSecurity


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


@personal_read(AuditEvent.IAM_OUTBOX_VIEW, perm="iam.manage_users", obj=lambda _: ("iam.outbox", "list"))
def outbox_list(*, actor: Actor, read: PersonalRead, limit: int = 100) -> list[Outbox]:
    """The development channel's sent messages (phone numbers, one-time codes), newest first; the read is audited."""
    rows = list(Outbox.objects.order_by("-id")[:limit])
    read.note(count=len(rows))
    return rows
