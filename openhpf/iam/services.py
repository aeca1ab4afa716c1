"""Writes of iam: staff accounts and their center, API token issue/revoke/authenticate."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from openhpf.audit.services import audit_log
from openhpf.core.errors import DomainError
from openhpf.core.models import Branch, Center

from .models import ApiToken, StaffProfile

TOKEN_PREFIX = "hpf_"  # noqa: S105 (a public marker, not a secret)
TOKEN_MAX_DAYS = 366


def token_hash(plaintext: str) -> str:
    """SM3 (GB/T 32905) of the token; the only form in which a token is stored."""
    return hashlib.new("sm3", plaintext.encode()).hexdigest()


def api_token_issue(*, user: Any, name: str, days: int = 30, actor: Any) -> tuple[str, ApiToken]:
    """Issue a bearer token for a staff user. Returns the plaintext (shown once) and the stored row."""
    if not getattr(user, "is_staff", False) or not user.is_active:
        raise DomainError("TOKEN_NOT_STAFF", "只能为在岗业务人员签发令牌", field="user")
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise DomainError("TOKEN_DAYS", f"令牌有效期应为 1 至 {TOKEN_MAX_DAYS} 天", field="days")
    name = (name or "").strip()
    if not name:
        raise DomainError("TOKEN_NAME", "请填写令牌用途", field="name")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], key_hash=token_hash(plaintext), prefix=plaintext[:8],
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_log(actor=actor, action="iam.token.issue", obj=token, center=staff_center(user),
                  after={"user": user.get_username(), "name": token.name, "prefix": token.prefix,
                         "expires_at": token.expires_at})
    return plaintext, token


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token now. Revoking an already revoked token is a no-op (nothing audited twice)."""
    with transaction.atomic():
        t = ApiToken.objects.select_for_update().get(pk=token.pk)
        if t.revoked_at is None:
            t.revoked_at = timezone.now()
            t.save(update_fields=["revoked_at"])
            audit_log(actor=actor, action="iam.token.revoke", obj=t, center=staff_center(t.user),
                      before={"revoked_at": None}, after={"revoked_at": t.revoked_at})
        return t


def api_token_authenticate(plaintext: str) -> Any:
    """The user behind a valid token (active staff, not expired, not revoked), or None."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(plaintext), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active or not token.user.is_staff:
        return None
    # last_used_at is bookkeeping, not a business change: a plain UPDATE, at most once a minute.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def staff_center(user: Any) -> Center | None:
    """The 管理中心 a staff member belongs to (None if the user has no profile or no center)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        profile = user.staff_profile
    except StaffProfile.DoesNotExist:
        return None
    return profile.center


def staff_create(
    *, username: str, password: str, actor: Any, center: Center | None = None, branch: Branch | None = None,
    display_name: str = "", superuser: bool = False,
) -> tuple[Any, bool]:
    """Create a staff user with a profile, or update the password/center of an existing one.
    Returns (user, created)."""
    user_model = get_user_model()
    if not username.strip():
        raise DomainError("STAFF_USERNAME", "请填写用户名", field="username")
    if len(password) < 8:
        raise DomainError("STAFF_PASSWORD", "密码至少 8 位", field="password")
    if branch is not None and center is not None and branch.center_id != center.pk:
        raise DomainError("STAFF_BRANCH", "网点不属于该管理中心", field="branch")
    with transaction.atomic():
        user = user_model.objects.filter(username=username).first()
        created = user is None
        if user is None:
            user = user_model(username=username)
        user.is_staff = True
        user.is_active = True
        if superuser:
            user.is_superuser = True
        user.set_password(password)
        user.save()
        profile, _ = StaffProfile.objects.get_or_create(user=user)
        if center is not None:
            profile.center = center
        if branch is not None:
            profile.branch = branch
        if display_name:
            profile.display_name = display_name
        profile.save()
        audit_log(actor=actor, action="iam.staff.create" if created else "iam.staff.update", obj=user,
                  center=profile.center, business_date=profile.center.business_date if profile.center else None,
                  after={"username": username, "center": profile.center.code if profile.center else None,
                         "superuser": user.is_superuser})
    return user, created
