"""Login security policy values (密码策略、锁定、会话、验证码), read from settings with the defaults below."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "PASSWORD_MIN_LENGTH": 12,
    "PASSWORD_MIN_CLASSES": 3,  # of: lower case, upper case, digits, other characters
    "PASSWORD_HISTORY": 5,  # the new password may not be one of the last N
    "PASSWORD_MAX_AGE_DAYS": 90,
    "LOCKOUT_THRESHOLD": 5,  # consecutive failures
    "LOCKOUT_MINUTES": 30,
    # the progressive delay per source (client IP) of failed sign-ins (iam/lockout.py)
    "SOURCE_FREE_FAILURES": 5,  # failures from one source before it has to wait
    "SOURCE_DELAY_SECONDS": 30,  # the first wait, doubling with each further failure
    "SOURCE_DELAY_MAX_SECONDS": 3600,
    "SOURCE_WINDOW_SECONDS": 24 * 3600,  # a source's count lapses this long after its last failure
    "SESSION_IDLE_SECONDS": 30 * 60,
    "SINGLE_SESSION": False,  # a new staff login ends the user's previous session
    "TOTP_REQUIRED_ALL": False,  # every staff user must use the TOTP second factor
    "TOTP_ISSUER": "OpenHPF",
    "OTP_TTL_SECONDS": 5 * 60,
    "OTP_MAX_ATTEMPTS": 5,
    "PORTAL_TOKEN_MINUTES": 30,
    "ECARD_TOKEN_SECONDS": 120,  # the electronic HPF card's QR code is good for this long, then the page renews it
    "PARTNER_TOKEN_SECONDS": 3600,
}


def value(key: str) -> Any:
    """`HPF_SECURITY[key]` from settings, else the default above."""
    return getattr(settings, "HPF_SECURITY", {}).get(key, DEFAULTS[key])


def password_problems(password: str) -> list[str]:
    """What is wrong with a new staff password under the policy (empty: acceptable)."""
    problems = []
    min_len = value("PASSWORD_MIN_LENGTH")
    if len(password) < min_len:
        problems.append(f"密码至少 {min_len} 位")
    classes = sum([
        any(c.islower() for c in password), any(c.isupper() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ])
    need = value("PASSWORD_MIN_CLASSES")
    if classes < need:
        problems.append(f"密码须包含大写字母、小写字母、数字、符号中的至少 {need} 类")
    return problems


# Scopes a partner client can be granted (per-purpose data sharing grows this list).
PARTNER_SCOPES: dict[str, str] = {
    "verify.member": "缴存核验",
    "verify.loan": "贷款核验",
    "stats.read": "统计数据",
    "registry.push": "不动产登记状态推送（抵押登记）",
}
