"""Sign-in lockout that tells an attacker nothing and cannot keep a person out for good (docs/security.md).

Three parts, used by the sign-in services (iam.services: staff, member and employer-agent sign-in):

- **The same answer for every login name.** A login name that does not exist is counted and "locked" exactly like
  a real one (a phantom counter in the cache), and every refusal costs one password hash, so neither the message,
  the code nor the timing says whether the name exists. The messages are `INVALID_MESSAGE` and `LOCKED_MESSAGE`.
- **A per-account lock that ends.** After LOCKOUT_THRESHOLD consecutive failures, each within LOCKOUT_MINUTES of
  the one before, the account is locked for LOCKOUT_MINUTES; when that lock has ended, or the last failure is
  older than LOCKOUT_MINUTES, the count starts again from zero (before, one more wrong password after the lock
  relocked the account at once, so one attempt every half hour kept it locked for ever).
- **A progressive delay per source (client IP).** Each failed attempt from a source beyond SOURCE_FREE_FAILURES
  makes the source wait SOURCE_DELAY_SECONDS · 2^k (k = failures beyond the free ones − 1) up to
  SOURCE_DELAY_MAX_SECONDS before its next attempt is even looked at; attempts while it waits are refused
  (RATE_LIMITED) without counting against any account. The source's count lapses SOURCE_WINDOW_SECONDS after its
  last failure. So one source can lock an account a few times, then only ever more rarely: the owner gets in.
- **The owner is told.** When an account is locked, its owner gets a message through the notification channel
  (`ACCOUNT_LOCKED`): a member or agent at the phone on file; a staff user at the staff mobile when one is on
  file, else addressed to `staff:<username>` (what the development outbox shows; see `staff_address`).

The counters live in Django's cache (a shared database cache in a multi-process deployment, as the rate limiter).
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django.core.cache import cache

from openhpf.core.channels import message_template

from . import policy

INVALID_MESSAGE = "用户名或密码不正确"
LOCKED_MESSAGE = "登录失败次数过多，账号已锁定，请稍后再试或联系安全管理员解锁"
ACCOUNT_LOCKED = message_template(
    "iam.account_locked",
    "【住房公积金】您的账号因连续 {count} 次登录失败已临时锁定 {minutes} 分钟。如非本人操作，请及时联系管理中心。")


def _key(prefix: str, *parts: str) -> str:
    return f"hpf-lock:{prefix}:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


# ---------------------------------------------------------------- the per-source progressive delay


def source_wait(ip: str) -> int:
    """Seconds the source must still wait before its next sign-in attempt is looked at (0: go ahead)."""
    state = cache.get(_key("src", ip))
    if not state:
        return 0
    left = state[1] - time.time()
    return math.ceil(left) if left > 0 else 0


def source_failure(ip: str) -> int:
    """Count a failed attempt from the source; returns the delay (seconds) it now has to wait, 0 for none."""
    key = _key("src", ip)
    failures = (cache.get(key) or (0, 0.0))[0] + 1
    beyond = failures - int(policy.value("SOURCE_FREE_FAILURES"))
    delay = 0
    if beyond > 0:
        delay = min(int(policy.value("SOURCE_DELAY_SECONDS")) * 2 ** min(beyond - 1, 30),
                    int(policy.value("SOURCE_DELAY_MAX_SECONDS")))
    cache.set(key, (failures, time.time() + delay), timeout=int(policy.value("SOURCE_WINDOW_SECONDS")))
    return delay


def throttled_message(wait: int) -> str:
    return f"登录尝试过于频繁，请 {wait} 秒后再试"


# ---------------------------------------------------------------- phantom accounts (login names that do not exist)


def failure_streak_lapsed(kind: str, ident: str) -> bool:
    """Record a failed sign-in of an account now; True when its previous failure is older than LOCKOUT_MINUTES
    (or unknown), so the count of consecutive failures starts afresh."""
    key = _key("last", kind, ident)
    now = time.time()
    last = cache.get(key)
    window = int(policy.value("LOCKOUT_MINUTES")) * 60
    cache.set(key, now, timeout=window)
    return last is None or now - float(last) > window


def phantom_locked(kind: str, login: str) -> bool:
    state = cache.get(_key("ghost", kind, login.lower()))
    return bool(state and state[1] > time.time())


def phantom_failure(kind: str, login: str) -> bool:
    """Count a failure for a login name that does not exist, as for a real account; True when it "locks" now."""
    key = _key("ghost", kind, login.lower())
    now = time.time()
    failures, until = cache.get(key) or (0, 0.0)
    lapsed = failure_streak_lapsed("ghost-" + kind, login.lower())
    if (until and until <= now) or (lapsed and not until):  # a fresh count, as for a real account
        failures, until = 0, 0.0
    failures += 1
    locked = failures >= int(policy.value("LOCKOUT_THRESHOLD"))
    if locked:
        until = now + int(policy.value("LOCKOUT_MINUTES")) * 60
    cache.set(key, (failures, until), timeout=max(int(policy.value("LOCKOUT_MINUTES")) * 60, 86400))
    return locked


# ---------------------------------------------------------------- the owner's message


STAFF_PHONE_FIELDS = ("mobile", "phone")  # where a staff member's mobile number is kept, when it is


def staff_address(user: Any) -> str:
    """Where a staff member's security messages go: the staff mobile when the user has one on file (the staff
    profile or the sign-in security row), else `staff:<username>`, which the notifications record and the
    development outbox shows (no SMS gateway can deliver it: a deployment records staff mobiles)."""
    for holder in (getattr(user, "staff_profile", None), getattr(user, "staff_security", None)):
        for name in STAFF_PHONE_FIELDS:
            value = getattr(holder, name, "") if holder is not None else ""
            if isinstance(value, str) and value.strip():
                return value.strip()
    return f"staff:{user.get_username()}"


def locked_payload() -> dict[str, Any]:
    return {"count": policy.value("LOCKOUT_THRESHOLD"), "minutes": policy.value("LOCKOUT_MINUTES")}
