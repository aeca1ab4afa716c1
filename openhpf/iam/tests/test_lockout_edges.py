"""Issue 13 item 9 (lockout): the answer to a refused sign-in said whether the login name existed (only real
accounts ever answered "已锁定", and a locked one answered without any hashing), and an unauthenticated attacker
could keep a staff member out for good (one wrong password after each lock relocked the account at once). Now:
the same answers and work for every name, a lock that ends and counts afresh, a progressive delay per source,
and the owner told of a lock (iam/lockout.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher

from openhpf.iam import lockout
from openhpf.iam.models import StaffSecurity
from openhpf.iam.services import portal_login_password, staff_login_password, staff_security
from openhpf.notifications.models import Notification

from .conftest import CLERK_MOBILE, PASSWORD
from .test_portal import members  # noqa: F401 (the fixture)


def _answers(login: str, n: int, ip_base: str = "10.1.0.") -> list[tuple[str, str]]:
    out = []
    for i in range(n):  # each attempt from another source: the per-source delay is not what is compared here
        r = staff_login_password(username=login, password="wrong-password", ip=f"{ip_base}{i}")
        out.append((r.code, r.message))
    return out


def test_a_missing_login_name_answers_exactly_like_a_real_one(clerk):
    real = _answers("secclerk", 7)
    ghost = _answers("no-such-user", 7, "10.2.0.")
    assert real == ghost
    assert [c for c, _ in real] == ["INVALID"] * 4 + ["LOCKED"] * 3
    # the right password of the real account does not help while locked, and says the same
    locked = staff_login_password(username="secclerk", password=PASSWORD, ip="10.3.0.1")
    assert (locked.code, locked.message) == real[-1]


def test_every_refusal_does_the_same_hashing_work(clerk, monkeypatch):
    calls: list[int] = []
    original = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(1)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)

    def cost(login: str, ip: str) -> int:
        before = len(calls)
        staff_login_password(username=login, password="wrong-password", ip=ip)
        return len(calls) - before

    real = [cost("secclerk", f"10.4.0.{i}") for i in range(7)]  # failures, then locked
    ghost = [cost("nobody-here", f"10.5.0.{i}") for i in range(7)]
    assert real == ghost and min(real) >= 1


def test_portal_answers_do_not_reveal_a_login_either(members):  # noqa: F811
    a = members["a"]

    def answers(login: str, base: str) -> list[tuple[str, str]]:
        return [(r.code, r.message) for r in (
            portal_login_password(kind="member", login=login, password="wrong-password", ip=f"{base}{i}")
            for i in range(7))]

    assert answers(a.account_no, "10.6.0.") == answers("999999999999", "10.7.0.")


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.t

    def time(self) -> float:
        return self.t.timestamp()

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr("openhpf.iam.lockout.time.time", c.time)
    monkeypatch.setattr("openhpf.iam.services.timezone.now", c.now)
    return c


def test_a_source_that_keeps_failing_waits_longer_each_time_and_does_not_count_meanwhile(clerk, clock):
    ip = "203.0.113.7"
    for i in range(5):  # the free failures, against other names
        assert staff_login_password(username=f"guess{i}", password="x", ip=ip).code == "INVALID"
    assert lockout.source_wait(ip) == 0
    assert staff_login_password(username="secclerk", password="wrong", ip=ip).code == "INVALID"
    assert lockout.source_wait(ip) == 30  # the first delay
    r = staff_login_password(username="secclerk", password="wrong", ip=ip)
    assert r.code == "RATE_LIMITED" and "秒后再试" in r.message
    assert StaffSecurity.objects.get(user=clerk).failed_logins == 1  # not counted while the source waits
    # the owner from elsewhere is not held up
    assert staff_login_password(username="secclerk", password=PASSWORD, ip="198.51.100.1").ok
    clock.advance(31)
    assert staff_login_password(username="secclerk", password="wrong", ip=ip).code == "INVALID"
    assert lockout.source_wait(ip) == 60  # doubled


def test_a_lock_that_ended_counts_afresh(clerk, clock):
    sec = staff_security(clerk)
    sec.failed_logins, sec.locked_until = 5, clock.now() - timedelta(seconds=1)
    sec.save()
    r = staff_login_password(username="secclerk", password="wrong", ip="10.8.0.1")
    assert r.code == "INVALID"  # before: the sixth failure relocked the account at once
    sec.refresh_from_db()
    assert sec.failed_logins == 1 and sec.locked_until is None


def test_one_source_cannot_keep_a_staff_member_locked_out(clerk, clock):
    """An attacker at one address tries a wrong password as often as it is let through, for two days. The
    account is locked a few times, then ever more rarely: in the second day it is open almost all the time."""
    ip, end = "203.0.113.66", clock.now() + timedelta(days=2)
    locked_seconds_day2 = 0.0
    step = 60.0
    while clock.now() < end:
        wait = lockout.source_wait(ip)
        if not wait:
            staff_login_password(username="secclerk", password="wrong-password", ip=ip)
        sec = StaffSecurity.objects.get(user=clerk)
        locked = bool(sec.locked_until and sec.locked_until > clock.now())
        if clock.now() >= end - timedelta(days=1) and locked:
            locked_seconds_day2 += step
        clock.advance(step)
    assert locked_seconds_day2 <= 0.1 * 86400, locked_seconds_day2
    assert staff_login_password(username="secclerk", password=PASSWORD, ip="198.51.100.2").ok


def test_the_owner_is_told_of_the_lock(clerk):
    for i in range(5):
        staff_login_password(username="secclerk", password="wrong", ip=f"10.9.0.{i}")
    (n,) = Notification.objects.filter(kind=lockout.ACCOUNT_LOCKED)
    assert n.recipient == CLERK_MOBILE and "锁定 30 分钟" in n.body  # to the staff mobile on file
    assert not Notification.objects.filter(kind=lockout.ACCOUNT_LOCKED).exclude(pk=n.pk).exists()
    _answers("no-such-user", 6)  # a phantom lock tells no one
    assert Notification.objects.filter(kind=lockout.ACCOUNT_LOCKED).count() == 1


def test_a_lock_notice_goes_to_the_staff_mobile_when_there_is_one(clerk):
    clerk.staff_profile.mobile = "13912345678"  # as the staff-mobile change records it
    assert lockout.staff_address(clerk) == "13912345678"
    clerk.staff_profile.mobile = ""  # none on file
    assert lockout.staff_address(clerk) == "staff:secclerk"
