"""Writes of iam: staff accounts and their center, API token issue/revoke/authenticate, and (below) staff sign-in
security (password policy, lockout, TOTP, sessions), member and employer-agent sign-in with one-time codes, and
partner client credentials."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

import pyotp
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from openhpf.audit.services import actor_label, audit_log
from openhpf.core import authz
from openhpf.core.actors import Actor, AgentActor, AnonymousCaller, MemberActor, PartnerActor, SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.channels import message_template
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_phone
from openhpf.core.models import Branch, Center
from openhpf.notifications.services import notify

from . import lockout, policy
from .models import (
    ApiToken,
    EmployerAgent,
    MemberPrincipal,
    OneTimeCode,
    PartnerClient,
    PartnerToken,
    PasswordHistory,
    PortalToken,
    PrincipalKind,
    StaffProfile,
    StaffSecurity,
)

TOKEN_PREFIX = "hpf_"  # noqa: S105 (a public marker, not a secret)
TOKEN_MAX_DAYS = 366


def token_hash(plaintext: str) -> str:
    """SM3 (GB/T 32905) of the token; the only form in which a token is stored."""
    return hashlib.new("sm3", plaintext.encode()).hexdigest()


def api_token_issue(*, user: Any, name: str, days: int = 30, actor: Actor) -> tuple[str, ApiToken]:
    """Issue a bearer token for a staff user. Returns the plaintext (shown once) and the stored row."""
    if not getattr(user, "is_staff", False) or not user.is_active:
        raise DomainError(ErrorCode.TOKEN_NOT_STAFF, "只能为在岗业务人员签发令牌", field="user")
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise DomainError(ErrorCode.TOKEN_DAYS, f"令牌有效期应为 1 至 {TOKEN_MAX_DAYS} 天", field="days")
    name = (name or "").strip()
    if not name:
        raise DomainError(ErrorCode.TOKEN_NAME, "请填写令牌用途", field="name")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], key_hash=token_hash(plaintext), prefix=plaintext[:8],
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_log(actor=actor, action=AuditEvent.IAM_TOKEN_ISSUE, obj=token, center=staff_center(user),
                  after={"user": user.get_username(), "name": token.name, "prefix": token.prefix,
                         "expires_at": token.expires_at})
    return plaintext, token


def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Revoke a token now. Revoking an already revoked token is a no-op (nothing audited twice)."""
    with transaction.atomic():
        t = ApiToken.objects.select_for_update().get(pk=token.pk)
        if t.revoked_at is None:
            t.revoked_at = timezone.now()
            t.save(update_fields=["revoked_at"])
            audit_log(actor=actor, action=AuditEvent.IAM_TOKEN_REVOKE, obj=t, center=staff_center(t.user),
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


def console_center(user: Any) -> Center:
    """The staff member's center for console pages: without one the page is refused (HTTP 403)."""
    from django.core.exceptions import PermissionDenied

    center = staff_center(user)
    if center is None:
        raise PermissionDenied("当前用户未归属任何管理中心")
    return center


staff_center_required = authz.staff_center_required  # one definition, in the platform's interface


def _mobile(value: str) -> str:
    mobile = (value or "").strip()
    if not (mobile.isdigit() and len(mobile) == 11 and mobile.startswith("1")):
        raise DomainError(ErrorCode.STAFF_MOBILE, field="mobile")
    return mobile


def staff_create(
    *, username: str, password: str, actor: Actor, center: Center | None = None, branch: Branch | None = None,
    display_name: str = "", superuser: bool = False, mobile: str = "",
) -> tuple[Any, bool]:
    """Create a staff user with a profile, or update the password/center of an existing one.
    `mobile` (where password-reset codes go) is set when the profile has none yet; a registered number is
    changed only by the user (staff_mobile_change_begin / _confirm), never by an administrator.
    Returns (user, created)."""
    user_model = get_user_model()
    if not username.strip():
        raise DomainError(ErrorCode.STAFF_USERNAME, "请填写用户名", field="username")
    _check_password_policy(password)
    mobile = _mobile(mobile) if mobile else ""
    if branch is not None and center is not None and branch.center_id != center.pk:
        raise DomainError(ErrorCode.STAFF_BRANCH, "网点不属于该管理中心", field="branch")
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
        _password_recorded(user, must_change=False)
        profile, _ = StaffProfile.objects.get_or_create(user=user)
        if center is not None:
            profile.center = center
        if branch is not None:
            profile.branch = branch
        if display_name:
            profile.display_name = display_name
        if mobile and profile.mobile and profile.mobile != mobile:
            # an administrator who could repoint the number would receive the user's reset codes
            raise DomainError(ErrorCode.STAFF_MOBILE_CHANGE, field="mobile")
        if mobile:
            profile.mobile = mobile
        profile.save()
        audit_log(actor=actor, action=AuditEvent.IAM_STAFF_CREATE if created else AuditEvent.IAM_STAFF_UPDATE, obj=user,
                  center=profile.center, business_date=profile.center.business_date if profile.center else None,
                  after={"username": username, "center": profile.center.code if profile.center else None,
                         "superuser": user.is_superuser, "mobile": profile.mobile or None})
    return user, created


# ---------------------------------------------------------------------------------------------------------------
# Staff sign-in security: password policy and history, lockout, TOTP second factor, single session.
# Sign-in functions return a result instead of raising, so that a failed attempt's bookkeeping (failure count,
# lock, audit row) commits with the entry point's transaction.
# ---------------------------------------------------------------------------------------------------------------

TOTP_STEP = 30


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    code: str = ""  # OK, NEED_TOTP, ENROL_TOTP, INVALID, LOCKED, INACTIVE, NOT_STAFF, TOTP_INVALID, RATE_LIMITED
    message: str = ""
    user: Any = None
    must_change_password: bool = False


def _check_password_policy(password: str) -> None:
    problems = policy.password_problems(password or "")
    if problems:
        raise DomainError(ErrorCode.PASSWORD_POLICY, "；".join(problems), field="password")


def staff_security(user: Any, *, lock: bool = False) -> StaffSecurity:
    """The user's StaffSecurity row, created on first use (lock: SELECT … FOR UPDATE)."""
    sec, _ = StaffSecurity.objects.get_or_create(user=user)
    if lock:
        sec = StaffSecurity.objects.select_for_update().get(pk=sec.pk)
    return sec


def _password_recorded(user: Any, *, must_change: bool) -> None:
    """After user.set_password + save: remember the hash, the time, and whether it must be changed."""
    now = timezone.now()
    PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
    keep = list(PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
                .values_list("pk", flat=True)[: policy.value("PASSWORD_HISTORY")])
    PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()
    sec = staff_security(user, lock=True)
    sec.password_changed_at = now
    sec.must_change_password = must_change
    sec.save(update_fields=["password_changed_at", "must_change_password"])


def _password_reused(user: Any, password: str) -> bool:
    n = policy.value("PASSWORD_HISTORY")
    hashes = list(PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
                  .values_list("password", flat=True)[:n])
    if user.password and user.password not in hashes:
        hashes.insert(0, user.password)
    return any(check_password(password, h) for h in hashes[:n])


def staff_password_expired(user: Any, sec: StaffSecurity | None = None) -> bool:
    """Whether the user must change the password now (reset by an admin, or older than the maximum age)."""
    sec = sec if sec is not None else StaffSecurity.objects.filter(user=user).first()
    if sec is None:
        return False
    if sec.must_change_password:
        return True
    if sec.password_changed_at is None:
        return False
    return timezone.now() - sec.password_changed_at > timedelta(days=policy.value("PASSWORD_MAX_AGE_DAYS"))


def staff_password_change(*, user: Any, old_password: str, new_password: str, actor: Actor) -> None:
    """修改密码: the old password, the policy, and none of the last N passwords."""
    if not user.check_password(old_password or ""):
        raise DomainError(ErrorCode.PASSWORD_OLD, "原密码不正确", field="old_password")
    _check_password_policy(new_password)
    if _password_reused(user, new_password):
        raise DomainError(ErrorCode.PASSWORD_REUSED, f"新密码不能与最近 {policy.value('PASSWORD_HISTORY')} 次使用过的密码相同",
                          field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _password_recorded(user, must_change=False)
        audit_log(actor=actor, action=AuditEvent.IAM_PASSWORD_CHANGE, obj=user, center=staff_center(user),
                  after={"username": user.get_username()})


RESET_CODE = message_template(
    "iam.password_reset_code",
    "【住房公积金】您的业务系统密码重置码为 {code}，{minutes} 分钟内有效。请在登录页“凭重置码设置新密码”中使用，勿告诉他人（包括管理员）。")
MOBILE_CODE = message_template(
    "iam.mobile_change_code", "【住房公积金】您正在修改业务系统登记的手机号码，验证码为 {code}，{minutes} 分钟内有效。")
RESET_CODE_MINUTES = 30
RESET_CODE_ATTEMPTS = 5


def _code_digest(user: Any, code: str) -> str:
    """SM3 over the user and the code: the code itself is never stored."""
    return hashlib.new("sm3", f"{user.pk}:{code}".encode()).hexdigest()


def _one_time_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def staff_password_reset(*, user: Any, actor: Actor) -> str:
    """重置密码 by a security admin, who never sees a usable credential (三员分立): the password stops working,
    the second factor is cleared and required again, and a one-time reset code goes to the user's own
    registered mobile through the message channel. The user then sets a new password with the code
    (staff_password_reset_complete) and enrols a new second factor at the first sign-in, before any business
    page. Returns the masked number the code was sent to."""
    if getattr(actor, "pk", None) is not None and getattr(actor, "pk", None) == user.pk:
        raise DomainError(ErrorCode.SELF_RESET, "不能重置自己的密码，请使用修改密码", field="user")
    profile = StaffProfile.objects.filter(user=user).first()
    mobile = profile.mobile if profile else ""
    if not mobile:
        raise DomainError(ErrorCode.STAFF_NO_MOBILE, username=user.get_username(), field="user")
    code = _one_time_code()
    now = timezone.now()
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        sec = staff_security(user, lock=True)
        sec.failed_logins, sec.locked_until = 0, None
        sec.reset_code_hash, sec.reset_attempts = _code_digest(user, code), 0
        sec.reset_expires_at = now + timedelta(minutes=RESET_CODE_MINUTES)
        # a new second factor on first use: whoever held the old one cannot use it with the new password
        sec.totp_secret, sec.totp_confirmed_at, sec.totp_last_step, sec.totp_required = "", None, None, True
        sec.must_change_password, sec.session_key = False, ""
        sec.save()
        notify(channel="sms", recipient=mobile, kind=RESET_CODE, payload={"code": code, "minutes": RESET_CODE_MINUTES},
               center=staff_center(user), expires_at=sec.reset_expires_at)
        audit_log(actor=actor, action=AuditEvent.IAM_PASSWORD_RESET, obj=user, center=staff_center(user),
                  after={"username": user.get_username(), "sent_to": mask_phone(mobile), "totp_required": True})
    return mask_phone(mobile)


def staff_password_reset_complete(*, username: str, code: str, new_password: str, ip: str) -> DomainError | None:
    """本人凭重置码设置新密码: the code sent to the user's mobile, within its lifetime and tries; the new password
    meets the policy (raises otherwise, nothing spent). A wrong or spent code is returned, not raised, so that
    its bookkeeping (tries, audit row) commits with the entry point; it says only that the username or code is
    wrong. None: the new password is set."""
    _check_password_policy(new_password)
    user = get_user_model().objects.filter(username=(username or "").strip(), is_staff=True).first()
    sec = StaffSecurity.objects.select_for_update().filter(user=user).first() if user is not None else None
    now = timezone.now()
    if user is None or sec is None or not sec.reset_code_hash:
        return DomainError(ErrorCode.RESET_CODE_INVALID, field="code")
    good = hmac.compare_digest(sec.reset_code_hash, _code_digest(user, (code or "").strip()))
    if not good or sec.reset_expires_at is None or sec.reset_expires_at <= now \
            or sec.reset_attempts >= RESET_CODE_ATTEMPTS:
        sec.reset_attempts += 1
        if sec.reset_attempts >= RESET_CODE_ATTEMPTS:
            sec.reset_code_hash = ""  # spent: a new reset is needed
        sec.save(update_fields=["reset_attempts", "reset_code_hash"])
        audit_log(actor=AnonymousCaller(user.get_username()), action=AuditEvent.IAM_PASSWORD_RESET_FAILURE, obj=user,
                  center=staff_center(user), after={"ip": ip, "attempts": sec.reset_attempts})
        return DomainError(ErrorCode.RESET_CODE_INVALID, field="code")
    if _password_reused(user, new_password):
        raise DomainError(ErrorCode.PASSWORD_REUSED, count=policy.value("PASSWORD_HISTORY"), field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _password_recorded(user, must_change=False)
    sec.refresh_from_db()
    sec.reset_code_hash, sec.reset_expires_at, sec.reset_attempts = "", None, 0
    sec.save(update_fields=["reset_code_hash", "reset_expires_at", "reset_attempts"])
    audit_log(actor=user, action=AuditEvent.IAM_PASSWORD_RESET_COMPLETE, obj=user, center=staff_center(user),
              after={"username": user.get_username(), "ip": ip})
    return None


def staff_mobile_change_begin(*, user: Any, mobile: str, actor: Actor) -> str:
    """修改本人手机号码, step 1: only the user (signed in, so password and second factor) asks; a code goes to
    the new number, which takes effect when the user enters it (staff_mobile_change_confirm). Returns the
    masked new number."""
    if getattr(actor, "pk", None) != user.pk:
        raise DomainError(ErrorCode.STAFF_MOBILE_CHANGE, field="mobile")
    mobile = _mobile(mobile)
    code = _one_time_code()
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        sec.pending_mobile, sec.pending_mobile_code_hash = mobile, _code_digest(user, code)
        sec.pending_mobile_expires_at = timezone.now() + timedelta(minutes=RESET_CODE_MINUTES)
        sec.save(update_fields=["pending_mobile", "pending_mobile_code_hash", "pending_mobile_expires_at"])
        notify(channel="sms", recipient=mobile, kind=MOBILE_CODE, payload={"code": code, "minutes": RESET_CODE_MINUTES},
               center=staff_center(user), expires_at=sec.pending_mobile_expires_at)
        audit_log(actor=actor, action=AuditEvent.IAM_MOBILE_CHANGE_BEGIN, obj=user, center=staff_center(user),
                  after={"mobile": mobile})
    return mask_phone(mobile)


def staff_mobile_change_confirm(*, user: Any, code: str, actor: Actor) -> None:
    """修改本人手机号码, step 2: the code sent to the new number makes it the registered one."""
    if getattr(actor, "pk", None) != user.pk:
        raise DomainError(ErrorCode.STAFF_MOBILE_CHANGE, field="mobile")
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        ok = bool(sec.pending_mobile_code_hash) and hmac.compare_digest(
            sec.pending_mobile_code_hash, _code_digest(user, (code or "").strip()))
        if not ok or sec.pending_mobile_expires_at is None or sec.pending_mobile_expires_at <= timezone.now():
            sec.pending_mobile_code_hash = ""  # one try: a wrong code needs a new request
            sec.save(update_fields=["pending_mobile_code_hash"])
            raise DomainError(ErrorCode.MOBILE_CODE_INVALID, field="code")
        profile, _ = StaffProfile.objects.get_or_create(user=user)
        before = profile.mobile
        profile.mobile = sec.pending_mobile
        profile.save(update_fields=["mobile"])
        sec.pending_mobile, sec.pending_mobile_code_hash, sec.pending_mobile_expires_at = "", "", None
        sec.save(update_fields=["pending_mobile", "pending_mobile_code_hash", "pending_mobile_expires_at"])
        audit_log(actor=actor, action=AuditEvent.IAM_MOBILE_CHANGE, obj=user, center=staff_center(user),
                  before={"mobile": before or None}, after={"mobile": profile.mobile})


def staff_is_locked(user: Any) -> bool:
    sec = StaffSecurity.objects.filter(user=user).first()
    return bool(sec and sec.locked_until and sec.locked_until > timezone.now())


def staff_lock(*, user: Any, actor: Actor, minutes: int | None = None) -> StaffSecurity:
    """锁定 by a security admin (default: for a long time, until unlocked)."""
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        sec.locked_until = timezone.now() + timedelta(minutes=minutes or 60 * 24 * 365 * 10)
        sec.save(update_fields=["locked_until"])
        audit_log(actor=actor, action=AuditEvent.IAM_STAFF_LOCK, obj=user, center=staff_center(user),
                  after={"username": user.get_username(), "locked_until": sec.locked_until})
    return sec


def staff_unlock(*, user: Any, actor: Actor) -> StaffSecurity:
    """解锁: clears the lock and the failure count."""
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        before = {"locked_until": sec.locked_until, "failed_logins": sec.failed_logins}
        sec.locked_until, sec.failed_logins = None, 0
        sec.save(update_fields=["locked_until", "failed_logins"])
        audit_log(actor=actor, action=AuditEvent.IAM_STAFF_UNLOCK, obj=user, center=staff_center(user), before=before,
                  after={"username": user.get_username(), "locked_until": None})
    return sec


def _login_audit(action: AuditEvent, *, user: Any, username: str, ip: str, **extra: Any) -> None:
    audit_log(actor=user if user is not None else AnonymousCaller(username[:100]), action=action,
              obj=user, center=staff_center(user) if user is not None else None,
              after={"username": username, "ip": ip, **extra})


def _staff_failure(sec: StaffSecurity, *, user: Any, username: str, ip: str, action: AuditEvent) -> LoginResult:
    now = timezone.now()
    lapsed = lockout.failure_streak_lapsed("staff", str(user.pk))
    if (sec.locked_until and sec.locked_until <= now) or lapsed:  # the lock ended or the streak lapsed: afresh
        sec.failed_logins, sec.locked_until = 0, None
    sec.failed_logins += 1
    threshold = policy.value("LOCKOUT_THRESHOLD")
    locked = sec.failed_logins >= threshold
    until = now + timedelta(minutes=policy.value("LOCKOUT_MINUTES")) if locked else None
    if until is not None:
        sec.locked_until = until
    sec.save(update_fields=["failed_logins", "locked_until"])
    lockout.source_failure(ip)
    _login_audit(action, user=user, username=username, ip=ip, failed_logins=sec.failed_logins)
    if until is not None:
        _login_audit(AuditEvent.IAM_LOGIN_LOCKED, user=user, username=username, ip=ip, locked_until=until.isoformat())
        notify(channel="sms", recipient=lockout.staff_address(user), kind=lockout.ACCOUNT_LOCKED,
               center=staff_center(user), payload=lockout.locked_payload())
        return LoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
    if action == AuditEvent.IAM_LOGIN_TOTP_FAILURE:
        return LoginResult(False, "TOTP_INVALID", "动态口令不正确或已使用")
    return LoginResult(False, "INVALID", lockout.INVALID_MESSAGE)


def _unknown_staff(username: str, password: str, ip: str) -> LoginResult:
    """A login name that does not exist: the same work, count, lock and answer as a real account's."""
    make_password(password or "")  # the same hashing work as a real check: no user enumeration by timing
    if lockout.phantom_locked("staff", username):
        _login_audit(AuditEvent.IAM_LOGIN_LOCKED, user=None, username=username, ip=ip, reason="unknown_user")
        return LoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
    lockout.source_failure(ip)
    _login_audit(AuditEvent.IAM_LOGIN_FAILURE, user=None, username=username, ip=ip, reason="unknown_user")
    if lockout.phantom_failure("staff", username):
        return LoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
    return LoginResult(False, "INVALID", lockout.INVALID_MESSAGE)


def totp_required(user: Any, sec: StaffSecurity | None = None) -> bool:
    if policy.value("TOTP_REQUIRED_ALL"):
        return True
    sec = sec if sec is not None else StaffSecurity.objects.filter(user=user).first()
    return bool(sec and (sec.totp_required or sec.totp_confirmed_at))


def staff_login_password(*, username: str, password: str, ip: str) -> LoginResult:
    """First step of staff sign-in. OK: signed in; NEED_TOTP: ask for the code next; ENROL_TOTP: sign in, then
    enrol (the second factor is required but not yet set up); anything else: refused (audited)."""
    user_model = get_user_model()
    username = (username or "").strip()
    wait = lockout.source_wait(ip)
    if wait:  # this source failed too often: not even looked at, not counted against the account
        return LoginResult(False, "RATE_LIMITED", lockout.throttled_message(wait))
    with transaction.atomic():
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            return _unknown_staff(username, password, ip)
        sec = staff_security(user, lock=True)
        if sec.locked_until and sec.locked_until > timezone.now():
            make_password(password or "")  # the same work as any other refusal
            _login_audit(AuditEvent.IAM_LOGIN_LOCKED, user=user, username=username, ip=ip, reason="still_locked")
            return LoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
        if not user.check_password(password or ""):
            return _staff_failure(sec, user=user, username=username, ip=ip, action=AuditEvent.IAM_LOGIN_FAILURE)
        if not user.is_active:
            _login_audit(AuditEvent.IAM_LOGIN_FAILURE, user=user, username=username, ip=ip, reason="inactive")
            return LoginResult(False, "INACTIVE", "该账号已停用。")
        if not user.is_staff:
            _login_audit(AuditEvent.IAM_LOGIN_FAILURE, user=user, username=username, ip=ip, reason="not_staff")
            return LoginResult(False, "NOT_STAFF", "该账号不是业务人员账号，不能登录业务系统。")
        if sec.totp_confirmed_at and sec.totp_secret:
            return LoginResult(False, "NEED_TOTP", "请输入动态口令", user=user)
        if totp_required(user, sec):
            return LoginResult(True, "ENROL_TOTP", "请先绑定动态口令", user=user)
        return LoginResult(True, "OK", user=user, must_change_password=staff_password_expired(user))


def _totp_match(secret: str, code: str, *, at: float) -> int | None:
    """The time step whose code equals `code` (the current one, or one step either side for clock skew)."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    now_step = int(at // TOTP_STEP)
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def staff_login_totp(*, user: Any, code: str, ip: str, at: float | None = None) -> LoginResult:
    """Second step: the TOTP code. A code of a step already used (replay) is refused; failures count toward
    the lockout like wrong passwords."""
    at = time.time() if at is None else at
    username = user.get_username()
    wait = lockout.source_wait(ip)
    if wait:
        return LoginResult(False, "RATE_LIMITED", lockout.throttled_message(wait))
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        if sec.locked_until and sec.locked_until > timezone.now():
            _login_audit(AuditEvent.IAM_LOGIN_LOCKED, user=user, username=username, ip=ip, reason="still_locked")
            return LoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
        step = _totp_match(sec.totp_secret, code, at=at) if sec.totp_secret else None
        if step is None or (sec.totp_last_step is not None and step <= sec.totp_last_step):
            return _staff_failure(sec, user=user, username=username, ip=ip, action=AuditEvent.IAM_LOGIN_TOTP_FAILURE)
        sec.totp_last_step = step
        sec.save(update_fields=["totp_last_step"])
    return LoginResult(True, "OK", user=user, must_change_password=staff_password_expired(user))


def staff_login_complete(*, user: Any, session_key: str | None, ip: str, second_factor: bool) -> str:
    """After django.contrib.auth.login: reset the failure count, remember this session (returning the key of the
    previous one, which the caller ends when single sessions are enforced), audit the success."""
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        previous = sec.session_key
        sec.failed_logins, sec.locked_until = 0, None
        sec.session_key, sec.last_login_ip = session_key or "", ip or None
        sec.save(update_fields=["failed_logins", "locked_until", "session_key", "last_login_ip"])
        _login_audit(AuditEvent.IAM_LOGIN_SUCCESS, user=user, username=user.get_username(), ip=ip,
                     second_factor=second_factor)
    return previous if previous != session_key else ""


def staff_totp_enrol_begin(*, user: Any, actor: Actor) -> tuple[str, str]:
    """Start TOTP enrolment: a secret not in force until confirmed (the pending one again if there is one).
    Returns (secret, provisioning URI) for the authenticator app."""
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        if sec.totp_confirmed_at:
            raise DomainError(ErrorCode.TOTP_ENROLLED, "已绑定动态口令；如需更换请联系安全管理员重置", field="totp")
        if not sec.totp_secret:
            sec.totp_secret = pyotp.random_base32()
            sec.save(update_fields=["totp_secret"])
            audit_log(actor=actor, action=AuditEvent.IAM_TOTP_ENROL_BEGIN, obj=user, center=staff_center(user),
                      after={"username": user.get_username()})
    return sec.totp_secret, totp_provisioning_uri(user=user, secret=sec.totp_secret)


def staff_session_remember(*, user: Any, session_key: str | None) -> None:
    """The session key changed (password change cycles it): keep it as the user's current session."""
    StaffSecurity.objects.filter(user=user).update(session_key=session_key or "")


def totp_provisioning_uri(*, user: Any, secret: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(
        name=user.get_username(), issuer_name=policy.value("TOTP_ISSUER"))


def staff_totp_enrol_confirm(*, user: Any, code: str, actor: Actor, at: float | None = None) -> None:
    """Confirm enrolment with a first code from the authenticator; from now on sign-in asks for a code."""
    at = time.time() if at is None else at
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        if not sec.totp_secret or sec.totp_confirmed_at:
            raise DomainError(ErrorCode.TOTP_STATE, "没有待确认的动态口令绑定", field="totp")
        step = _totp_match(sec.totp_secret, code, at=at)
        if step is None:
            raise DomainError(ErrorCode.TOTP_INVALID, "动态口令不正确", field="code")
        sec.totp_confirmed_at, sec.totp_last_step = timezone.now(), step
        sec.save(update_fields=["totp_confirmed_at", "totp_last_step"])
        audit_log(actor=actor, action=AuditEvent.IAM_TOTP_ENROL, obj=user, center=staff_center(user),
                  after={"username": user.get_username()})


def staff_totp_reset(*, user: Any, actor: Actor) -> None:
    """重置动态口令 (lost phone): the secret is removed; the user enrols again at the next sign-in if required."""
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        sec.totp_secret, sec.totp_confirmed_at, sec.totp_last_step = "", None, None
        sec.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        audit_log(actor=actor, action=AuditEvent.IAM_TOTP_RESET, obj=user, center=staff_center(user),
                  after={"username": user.get_username()})


def staff_totp_require(*, user: Any, required: bool, actor: Actor) -> None:
    """Switch the second factor on or off for one user (the global switch is HPF_SECURITY TOTP_REQUIRED_ALL)."""
    with transaction.atomic():
        sec = staff_security(user, lock=True)
        before = sec.totp_required
        sec.totp_required = required
        sec.save(update_fields=["totp_required"])
        audit_log(actor=actor, action=AuditEvent.IAM_TOTP_REQUIRE, obj=user, center=staff_center(user),
                  before={"totp_required": before}, after={"totp_required": required})


# ---------------------------------------------------------------------------------------------------------------
# Members (缴存职工) and employer agents (单位经办人): password, then a one-time code through the message channel.
# ---------------------------------------------------------------------------------------------------------------

PORTAL_TOKEN_PREFIX = "hpm_"  # noqa: S105 (a public marker)
LOGIN_CODE = message_template("iam.login_code", "【住房公积金】您的登录验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。")
PARTNER_TOKEN_PREFIX = "hpp_"  # noqa: S105


@dataclass(frozen=True)
class PortalLoginResult:
    ok: bool
    code: str  # OTP_SENT, OK, INVALID, LOCKED, OTP_INVALID, OTP_EXPIRED, OTP_ATTEMPTS
    message: str = ""
    challenge: str = ""  # after the password step: what the client sends back with the code
    phone_hint: str = ""
    token: str = ""  # after the code step
    expires_at: Any = None


def member_principal_create(*, member: Any, password: str, actor: Actor) -> MemberPrincipal:
    """开通网厅登录 for a member (or set a new password)."""
    _check_password_policy(password)
    with transaction.atomic():
        p, created = MemberPrincipal.objects.get_or_create(member=member, defaults={"password": make_password(password)})
        if not created:
            p.password, p.failed_logins, p.locked_until = make_password(password), 0, None
            p.save(update_fields=["password", "failed_logins", "locked_until"])
        audit_log(actor=actor, action=AuditEvent.IAM_MEMBER_PRINCIPAL_CREATE if created else AuditEvent.IAM_MEMBER_PRINCIPAL_PASSWORD,
                  obj=p, center=member.center_id, after={"member": member.pk})
    return p


def employer_agent_create(*, employer: Any, login_id: str, name: str, phone: str, password: str,
                          actor: Actor) -> EmployerAgent:
    """登记单位经办人 with a login for the employer's online service."""
    login_id = (login_id or "").strip()
    if not login_id or len(login_id) > 40:
        raise DomainError(ErrorCode.AGENT_LOGIN, "请填写登录名（不超过 40 个字符）", field="login_id")
    phone = (phone or "").strip()
    if not (phone.isdigit() and len(phone) == 11):
        raise DomainError(ErrorCode.AGENT_PHONE, "请填写 11 位手机号码", field="phone")
    _check_password_policy(password)
    with transaction.atomic():
        if EmployerAgent.objects.filter(login_id=login_id).exists():
            raise DomainError(ErrorCode.AGENT_EXISTS, f"登录名 {login_id} 已被使用", field="login_id")
        a = EmployerAgent.objects.create(employer=employer, login_id=login_id, name=(name or "").strip()[:60],
                                         phone=phone, password=make_password(password))
        audit_log(actor=actor, action=AuditEvent.IAM_AGENT_CREATE, obj=a, center=employer.center_id,
                  after={"employer": employer.account_no, "login_id": login_id})
    return a


_MEMBER_LOOKUP: list[Callable[[str], Any]] = []


def register_member_lookup(lookup: Callable[[str], Any]) -> None:
    """The accounts app registers how a sign-in name (个人账号 or 证件号码) finds its member."""
    _MEMBER_LOOKUP[:] = [lookup]


def _member_by_login(login: str) -> Any:
    """The member signing in with 个人账号 or 证件号码 (the lookup the accounts app registered)."""
    return _MEMBER_LOOKUP[0](login) if _MEMBER_LOOKUP else None


class _PortalLoginEvents(NamedTuple):
    """The audit events of one kind of portal login (members, employers' agents)."""

    failure: AuditEvent
    locked: AuditEvent
    password_ok: AuditEvent
    otp_expired: AuditEvent
    otp_failure: AuditEvent
    success: AuditEvent


_PORTAL_LOGIN_EVENTS: dict[str, _PortalLoginEvents] = {
    PrincipalKind.MEMBER: _PortalLoginEvents(
        failure=AuditEvent.IAM_MEMBER_LOGIN_FAILURE, locked=AuditEvent.IAM_MEMBER_LOGIN_LOCKED,
        password_ok=AuditEvent.IAM_MEMBER_LOGIN_PASSWORD_OK, otp_expired=AuditEvent.IAM_MEMBER_LOGIN_OTP_EXPIRED,
        otp_failure=AuditEvent.IAM_MEMBER_LOGIN_OTP_FAILURE, success=AuditEvent.IAM_MEMBER_LOGIN_SUCCESS),
    PrincipalKind.AGENT: _PortalLoginEvents(
        failure=AuditEvent.IAM_AGENT_LOGIN_FAILURE, locked=AuditEvent.IAM_AGENT_LOGIN_LOCKED,
        password_ok=AuditEvent.IAM_AGENT_LOGIN_PASSWORD_OK, otp_expired=AuditEvent.IAM_AGENT_LOGIN_OTP_EXPIRED,
        otp_failure=AuditEvent.IAM_AGENT_LOGIN_OTP_FAILURE, success=AuditEvent.IAM_AGENT_LOGIN_SUCCESS),
}


def _portal_principal(kind: str, login: str) -> tuple[Any, str, Any]:
    """(principal, phone, center id) for a login name, or (None, "", None)."""
    if kind == PrincipalKind.MEMBER:
        member = _member_by_login(login)
        p = MemberPrincipal.objects.select_related("member").filter(member=member).first() if member else None
        return (p, p.member.phone, p.member.center_id) if p else (None, "", None)
    a = EmployerAgent.objects.select_related("employer").filter(login_id=login).first()
    return (a, a.phone, a.employer.center_id) if a else (None, "", None)


def _portal_actor(kind: str, p: Any) -> MemberActor | AgentActor:
    return MemberActor(p) if kind == PrincipalKind.MEMBER else AgentActor(p)


def _code_hash(challenge: str, code: str) -> str:
    return token_hash(challenge + ":" + code)


def _unknown_portal(kind: str, login: str, password: str, ip: str) -> PortalLoginResult:
    """A login that does not exist: the same work, count, lock and answer as a real one's (iam/lockout.py)."""
    make_password(password or "")
    if lockout.phantom_locked(kind, login):
        return PortalLoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
    lockout.source_failure(ip)
    audit_log(actor=AnonymousCaller(f"{kind}:{login}"), action=_PORTAL_LOGIN_EVENTS[kind].failure,
              after={"login": login, "ip": ip, "reason": "unknown"})
    if lockout.phantom_failure(kind, login):
        return PortalLoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
    return PortalLoginResult(False, "INVALID", lockout.INVALID_MESSAGE)


def _portal_failure(kind: str, p: Any, *, actor: Actor, phone: str, center_id: Any, ip: str,
                    now: Any) -> PortalLoginResult:
    """A wrong password (or an inactive account): counted, locked at the threshold with the owner told."""
    lapsed = lockout.failure_streak_lapsed(kind, str(p.pk))
    if (p.locked_until and p.locked_until <= now) or lapsed:  # the lock ended or the streak lapsed: afresh
        p.failed_logins, p.locked_until = 0, None
    p.failed_logins += 1
    locked = p.failed_logins >= policy.value("LOCKOUT_THRESHOLD")
    if locked:
        p.locked_until = now + timedelta(minutes=policy.value("LOCKOUT_MINUTES"))
    p.save(update_fields=["failed_logins", "locked_until"])
    lockout.source_failure(ip)
    audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].failure, obj=p, center=center_id,
              after={"ip": ip, "failed_logins": p.failed_logins})
    if not locked:
        return PortalLoginResult(False, "INVALID", lockout.INVALID_MESSAGE)
    audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].locked, obj=p, center=center_id,
              after={"ip": ip, "locked_until": p.locked_until})
    if phone:
        notify(channel="sms", recipient=phone, kind=lockout.ACCOUNT_LOCKED, center=center_id,
               payload=lockout.locked_payload())
    return PortalLoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)


def portal_login_password(*, kind: str, login: str, password: str, ip: str) -> PortalLoginResult:
    """First step for members and agents: the password; on success a one-time code goes to the phone on file
    and the result carries the challenge to send back with it."""
    login = (login or "").strip()[:64]
    wait = lockout.source_wait(ip)
    if wait:  # this source failed too often (iam/lockout.py)
        return PortalLoginResult(False, "RATE_LIMITED", lockout.throttled_message(wait))
    with transaction.atomic():
        p, phone, center_id = _portal_principal(kind, login)
        if p is None:
            return _unknown_portal(kind, login, password, ip)
        p = type(p).objects.select_for_update().get(pk=p.pk)
        actor = _portal_actor(kind, p)
        now = timezone.now()
        if p.locked_until and p.locked_until > now:
            make_password(password or "")  # the same work as any other refusal
            audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].locked, obj=p, center=center_id, after={"ip": ip})
            return PortalLoginResult(False, "LOCKED", lockout.LOCKED_MESSAGE)
        if not p.is_active or not check_password(password or "", p.password):
            return _portal_failure(kind, p, actor=actor, phone=phone, center_id=center_id, ip=ip, now=now)
        if not phone:
            return PortalLoginResult(False, "NO_PHONE", "未登记手机号码，无法发送验证码，请到柜台办理")
        challenge = secrets.token_urlsafe(24)
        code = f"{secrets.randbelow(1_000_000):06d}"
        otp = OneTimeCode.objects.create(
            kind=kind, member=p if kind == PrincipalKind.MEMBER else None,
            agent=p if kind == PrincipalKind.AGENT else None, challenge_hash=token_hash(challenge),
            code_hash=_code_hash(challenge, code), created_at=now,
            expires_at=now + timedelta(seconds=policy.value("OTP_TTL_SECONDS")))
        audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].password_ok, obj=p, center=center_id, after={"ip": ip})
        # sent when the entry point's transaction commits, before the response goes out
        notify(channel="sms", recipient=phone, kind=LOGIN_CODE, center=center_id, expires_at=otp.expires_at,
               payload={"code": code, "minutes": policy.value("OTP_TTL_SECONDS") // 60})

    return PortalLoginResult(True, "OTP_SENT", "验证码已发送", challenge=challenge, phone_hint=mask_phone(phone))


def portal_login_otp(*, kind: str, challenge: str, code: str, ip: str) -> PortalLoginResult:
    """Second step: the one-time code (5 minutes, at most 5 tries, used once). Returns a bearer token."""
    with transaction.atomic():
        otp = (OneTimeCode.objects.select_for_update(of=("self",)).select_related("member__member", "agent__employer")
               .filter(challenge_hash=token_hash(challenge or ""), kind=kind).first())
        if otp is None or otp.used_at is not None:
            return PortalLoginResult(False, "OTP_INVALID", "验证码无效，请重新登录")
        p = otp.member if kind == PrincipalKind.MEMBER else otp.agent
        if p is None:  # a code of its kind always names its principal
            return PortalLoginResult(False, "OTP_INVALID", "验证码无效，请重新登录")
        center_id = p.member.center_id if isinstance(p, MemberPrincipal) else p.employer.center_id
        actor = _portal_actor(kind, p)
        now = timezone.now()
        if otp.expires_at <= now:
            audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].otp_expired, obj=p, center=center_id, after={"ip": ip})
            return PortalLoginResult(False, "OTP_EXPIRED", "验证码已过期，请重新登录")
        if otp.attempts >= policy.value("OTP_MAX_ATTEMPTS"):
            return PortalLoginResult(False, "OTP_ATTEMPTS", "验证码错误次数过多，请重新登录")
        if not hmac.compare_digest(otp.code_hash, _code_hash(challenge, (code or "").strip())):
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
            audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].otp_failure, obj=p, center=center_id,
                      after={"ip": ip, "attempts": otp.attempts})
            left = policy.value("OTP_MAX_ATTEMPTS") - otp.attempts
            if left <= 0:
                return PortalLoginResult(False, "OTP_ATTEMPTS", "验证码错误次数过多，请重新登录")
            return PortalLoginResult(False, "OTP_INVALID", f"验证码不正确，还可尝试 {left} 次")
        otp.used_at = now
        otp.save(update_fields=["used_at"])
        type(p).objects.filter(pk=p.pk).update(failed_logins=0, locked_until=None, last_login_at=now)
        plaintext = PORTAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = now + timedelta(minutes=policy.value("PORTAL_TOKEN_MINUTES"))
        PortalToken.objects.create(kind=kind, member=otp.member, agent=otp.agent, key_hash=token_hash(plaintext),
                                   created_at=now, expires_at=expires)
        audit_log(actor=actor, action=_PORTAL_LOGIN_EVENTS[kind].success, obj=p, center=center_id, after={"ip": ip})
    return PortalLoginResult(True, "OK", token=plaintext, expires_at=expires)


def portal_token_authenticate(plaintext: str, *, kind: str) -> Any:
    """The MemberPrincipal or EmployerAgent behind a valid portal token of that kind, or None."""
    if not plaintext or not plaintext.startswith(PORTAL_TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    t = (PortalToken.objects.select_related("member__member", "agent__employer")
         .filter(key_hash=token_hash(plaintext), kind=kind, revoked_at__isnull=True, expires_at__gt=timezone.now())
         .first())
    if t is None:
        return None
    p = t.member if kind == PrincipalKind.MEMBER else t.agent
    return p if p is not None and p.is_active else None


def portal_token_revoke(*, plaintext: str) -> None:
    """Sign out: the token stops working."""
    PortalToken.objects.filter(key_hash=token_hash(plaintext or ""), revoked_at__isnull=True).update(
        revoked_at=timezone.now())


# ---------------------------------------------------------------------------------------------------------------
# Partner systems: client credentials → bearer tokens with scopes, checked against the client's IP allow-list.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerTokenResult:
    ok: bool
    error: str = ""  # OAuth error code: invalid_client, invalid_scope, invalid_request, access_denied
    message: str = ""
    token: str = ""
    scopes: tuple[str, ...] = ()
    expires_in: int = 0


def _normalise_networks(entries: list[str]) -> list[str]:
    out = []
    for e in entries:
        e = (e or "").strip()
        if not e:
            continue
        try:
            out.append(str(ipaddress.ip_network(e, strict=False)))
        except ValueError:
            raise DomainError(ErrorCode.PARTNER_IP, f"IP 地址或网段格式不正确：{e}", field="ip_allowlist") from None
    return out


def ip_allowed(ip: str, allowlist: list[str]) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(addr in ipaddress.ip_network(n, strict=False) for n in allowlist)


def partner_client_create(*, name: str, scopes: list[str], purposes: list[str], ip_allowlist: list[str],
                          actor: Actor, center: Center | None = None, client_id: str = "") -> tuple[str, PartnerClient]:
    """登记合作机构客户端. Returns the client secret (shown once; only its salted hash is kept) and the row."""
    name = (name or "").strip()
    if not name:
        raise DomainError(ErrorCode.PARTNER_NAME, "请填写合作机构名称", field="name")
    unknown = sorted(set(scopes) - set(policy.PARTNER_SCOPES))
    if unknown or not scopes:
        raise DomainError(ErrorCode.PARTNER_SCOPE, f"授权范围不正确：{'、'.join(unknown) or '未选择'}", field="scopes")
    nets = _normalise_networks(ip_allowlist)
    client_id = (client_id or "").strip() or "pc_" + secrets.token_hex(8)
    secret = "hps_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        if PartnerClient.objects.filter(client_id=client_id).exists():
            raise DomainError(ErrorCode.PARTNER_EXISTS, f"客户端标识 {client_id} 已存在", field="client_id")
        label, _ = actor_label(actor)
        client = PartnerClient.objects.create(
            client_id=client_id, name=name[:100], secret_hash=make_password(secret), scopes=sorted(set(scopes)),
            purposes=sorted({p.strip() for p in purposes if p.strip()}), ip_allowlist=nets, center=center,
            created_by=label)
        audit_log(actor=actor, action=AuditEvent.IAM_PARTNER_CREATE, obj=client, center=center,
                  after={"client_id": client_id, "name": client.name, "scopes": client.scopes,
                         "purposes": client.purposes, "ip_allowlist": nets})
    return secret, client


def partner_client_set_active(*, client: PartnerClient, active: bool, actor: Actor) -> PartnerClient:
    """停用/启用 a partner client; stopping it revokes its tokens."""
    with transaction.atomic():
        c = PartnerClient.objects.select_for_update().get(pk=client.pk)
        c.is_active = active
        c.save(update_fields=["is_active"])
        if not active:
            c.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(actor=actor, action=AuditEvent.IAM_PARTNER_ACTIVATE if active else AuditEvent.IAM_PARTNER_DEACTIVATE, obj=c,
                  center=c.center_id, after={"client_id": c.client_id, "is_active": active})
    return c


def partner_tokens_revoke(*, client: PartnerClient, actor: Actor) -> int:
    """吊销 every live token of the client; returns how many."""
    with transaction.atomic():
        n = client.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(actor=actor, action=AuditEvent.IAM_PARTNER_REVOKE_TOKENS, obj=client, center=client.center_id,
                  after={"client_id": client.client_id, "revoked": n})
    return n


def partner_token_issue(*, client_id: str, client_secret: str, scope: str, ip: str,
                        purpose: str = "") -> PartnerTokenResult:
    """The client-credentials grant (RFC 6749 §4.4): requested scopes must all be granted to the client."""
    with transaction.atomic():
        client = PartnerClient.objects.filter(client_id=(client_id or "")[:64]).first()
        if client is None or not client.is_active or not check_password(client_secret or "", client.secret_hash):
            if client is None:
                make_password(client_secret or "")
            audit_log(actor=AnonymousCaller(f"partner:{(client_id or '')[:64]}"), action=AuditEvent.IAM_PARTNER_TOKEN_REFUSED,
                      obj=client,
                      after={"ip": ip, "reason": "invalid_client"})
            return PartnerTokenResult(False, "invalid_client", "客户端标识或密钥不正确")
        actor = PartnerActor(client)
        if not ip_allowed(ip, client.ip_allowlist):
            audit_log(actor=actor, action=AuditEvent.IAM_PARTNER_TOKEN_REFUSED, obj=client, center=client.center_id,
                      after={"ip": ip, "reason": "ip_not_allowed"})
            return PartnerTokenResult(False, "access_denied", "来源 IP 不在白名单内")
        requested = set((scope or "").split()) or set(client.scopes)
        if not requested <= set(client.scopes):
            audit_log(actor=actor, action=AuditEvent.IAM_PARTNER_TOKEN_REFUSED, obj=client, center=client.center_id,
                      after={"ip": ip, "reason": "invalid_scope", "scope": sorted(requested)})
            return PartnerTokenResult(False, "invalid_scope", "申请的授权范围超出该客户端的授权")
        purpose = (purpose or "").strip()
        if purpose and purpose not in client.purposes:
            return PartnerTokenResult(False, "invalid_request", "用途不在该客户端允许的范围内")
        now = timezone.now()
        ttl = policy.value("PARTNER_TOKEN_SECONDS")
        plaintext = PARTNER_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = PartnerToken.objects.create(client=client, key_hash=token_hash(plaintext), prefix=plaintext[:8],
                                            scopes=sorted(requested), purpose=purpose, created_at=now,
                                            expires_at=now + timedelta(seconds=ttl), issued_ip=ip or None)
        audit_log(actor=actor, action=AuditEvent.IAM_PARTNER_TOKEN_ISSUE, obj=token, center=client.center_id,
                  after={"client_id": client.client_id, "scopes": token.scopes, "purpose": purpose, "ip": ip})
    return PartnerTokenResult(True, token=plaintext, scopes=tuple(token.scopes), expires_in=ttl)


def partner_token_revoke(*, client_id: str, client_secret: str, token: str) -> None:
    """Token revocation (RFC 7009) by the client itself: an unknown token is not an error."""
    client = PartnerClient.objects.filter(client_id=(client_id or "")[:64]).first()
    if client is None or not check_password(client_secret or "", client.secret_hash):
        raise DomainError(ErrorCode.INVALID_CLIENT, "客户端标识或密钥不正确", field="client_id")
    with transaction.atomic():
        n = PartnerToken.objects.filter(client=client, key_hash=token_hash(token or ""),
                                        revoked_at__isnull=True).update(revoked_at=timezone.now())
        if n:
            audit_log(actor=PartnerActor(client), action=AuditEvent.IAM_PARTNER_TOKEN_REVOKE, obj=client,
                      center=client.center_id, after={"client_id": client.client_id})


def partner_token_check(plaintext: str, *, ip: str, scope: str | None) -> tuple[PartnerToken | None, str]:
    """(token, "") when the token is valid for `scope` from `ip`; else (None, reason): "invalid" (→ 401),
    "scope" or "ip" (→ 403)."""
    if not plaintext or not plaintext.startswith(PARTNER_TOKEN_PREFIX) or len(plaintext) > 200:
        return None, "invalid"
    t = (PartnerToken.objects.select_related("client")
         .filter(key_hash=token_hash(plaintext), revoked_at__isnull=True, expires_at__gt=timezone.now()).first())
    if t is None or not t.client.is_active:
        return None, "invalid"
    if not ip_allowed(ip, t.client.ip_allowlist):
        return None, "ip"
    if scope is not None and scope not in t.scopes:
        return None, "scope"
    return t, ""


# ---------------------------------------------------------------------------------------------------------------
# One-time codes for a portal step that is not a sign-in: first-time registration (首次注册) of a member, a change of
# the registered phone (the code goes to the new number). The code is bound to a purpose and a subject (the member
# it is for) through the challenge's hash; the client holds the challenge, never the code.
# ---------------------------------------------------------------------------------------------------------------

REGISTER_CODE = message_template("iam.register_code", "【住房公积金】您正在开通网上服务大厅，验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。")
PHONE_CODE = message_template("iam.portal_phone_code", "【住房公积金】您正在修改登记的手机号码，验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。")
_STEP_TEMPLATES = {"register": REGISTER_CODE, "phone": PHONE_CODE}


def _step_hash(purpose: str, subject: str, challenge: str) -> str:
    return token_hash(f"{purpose}:{subject}:{challenge}")


def portal_step_code_send(*, purpose: str, subject: str, phone: str, center_id: Any) -> str:
    """Send a one-time code for `purpose` ("register", "phone") about `subject` (e.g. "member:12") to `phone`
    (sent when the caller's transaction commits); returns the challenge the client sends back with the code."""
    challenge = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    otp = OneTimeCode.objects.create(kind=PrincipalKind.MEMBER, challenge_hash=_step_hash(purpose, subject, challenge),
                                     code_hash=_code_hash(challenge, code), created_at=now,
                                     expires_at=now + timedelta(seconds=policy.value("OTP_TTL_SECONDS")))
    notify(channel="sms", recipient=phone, kind=_STEP_TEMPLATES[purpose], center=center_id, expires_at=otp.expires_at,
           payload={"code": code, "minutes": policy.value("OTP_TTL_SECONDS") // 60})
    return challenge


def portal_step_code_check(*, purpose: str, subject: str, challenge: str, code: str) -> str:
    """Spend the code of `portal_step_code_send`: "" when right (used once), else the Chinese reason. A wrong code
    counts a try (OTP_MAX_ATTEMPTS, then the code is spent); the count commits with the caller's transaction."""
    otp = (OneTimeCode.objects.select_for_update()
           .filter(challenge_hash=_step_hash(purpose, subject, challenge or ""), member__isnull=True,
                   agent__isnull=True).first())
    if otp is None or otp.used_at is not None:
        return "验证码无效，请重新获取"
    if otp.expires_at <= timezone.now():
        return "验证码已过期，请重新获取"
    if otp.attempts >= policy.value("OTP_MAX_ATTEMPTS"):
        return "验证码错误次数过多，请重新获取"
    if not hmac.compare_digest(otp.code_hash, _code_hash(challenge, (code or "").strip())):
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = policy.value("OTP_MAX_ATTEMPTS") - otp.attempts
        return f"验证码不正确，还可尝试 {left} 次" if left > 0 else "验证码错误次数过多，请重新获取"
    otp.used_at = timezone.now()
    otp.save(update_fields=["used_at"])
    return ""


def member_is_registered(member: Any) -> bool:
    return MemberPrincipal.objects.filter(member=member).exists()


def member_register_begin(*, member: Any, ip: str) -> str:
    """首次注册, step 1 (the caller checked name, ID number, account number and phone against the member's account):
    a code goes to the phone on file. Refused when the member already has a login (sign in, or reset at the
    counter). Returns the challenge."""
    if member_is_registered(member):
        raise DomainError(ErrorCode.PORTAL_ALREADY_REGISTERED, field="account_no")
    challenge = portal_step_code_send(purpose="register", subject=f"member:{member.pk}", phone=member.phone,
                                      center_id=member.center_id)
    audit_log(actor=AnonymousCaller(f"member:{member.pk}"), action=AuditEvent.IAM_MEMBER_REGISTER_BEGIN, obj=member,
              center=member.center_id, after={"ip": ip, "sent_to": mask_phone(member.phone)})
    return challenge


def member_register_complete(*, member: Any, challenge: str, code: str, password: str,
                             ip: str) -> tuple[MemberPrincipal | None, str]:
    """首次注册, step 2: the code sent to the registered phone and a password meeting the policy (raises
    PASSWORD_POLICY first, nothing spent) open the login. A wrong code is returned as its Chinese reason, not
    raised, so that its counted try commits with the entry point: (None, reason)."""
    _check_password_policy(password)
    if member_is_registered(member):
        raise DomainError(ErrorCode.PORTAL_ALREADY_REGISTERED, field="account_no")
    problem = portal_step_code_check(purpose="register", subject=f"member:{member.pk}", challenge=challenge, code=code)
    if problem:
        audit_log(actor=AnonymousCaller(f"member:{member.pk}"), action=AuditEvent.IAM_MEMBER_REGISTER_FAILURE,
                  obj=member, center=member.center_id, after={"ip": ip, "reason": problem})
        return None, problem
    # the member opens its own login: recorded as done by the hall for it (SystemActor, the claimed member named)
    return member_principal_create(member=member, password=password,
                                   actor=SystemActor("servicehall", ref=f"register:member:{member.pk}")), ""


def member_phone_code_send(*, member: Any, phone: str, actor: MemberActor) -> str:
    """修改登记手机号码, step 1 (the member signed in): a code goes to the NEW number, bound to it; returns the
    challenge. The caller changes the number (accounts) once `portal_step_code_check` accepts the code."""
    challenge = portal_step_code_send(purpose="phone", subject=f"member:{member.pk}:{phone}", phone=phone,
                                      center_id=member.center_id)
    audit_log(actor=actor, action=AuditEvent.IAM_MEMBER_PHONE_CODE, obj=member, center=member.center_id,
              after={"sent_to": mask_phone(phone)})
    return challenge
