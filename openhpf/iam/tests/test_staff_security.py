"""Staff sign-in security: password policy and history, expiry, lockout and unlock, TOTP (wrong, right, replay),
idle timeout, single session, audit of every attempt, rate limit, security headers."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from django.test import override_settings
from django.utils import timezone

from openhpf.audit.models import AuditRecord
from openhpf.core.errors import DomainError
from openhpf.iam import policy
from openhpf.iam.middleware import SESSION_LAST_SEEN
from openhpf.iam.models import StaffSecurity
from openhpf.iam.services import (
    TOTP_STEP,
    staff_login_password,
    staff_login_totp,
    staff_password_change,
    staff_password_expired,
    staff_security,
    staff_totp_enrol_begin,
    staff_totp_enrol_confirm,
    staff_unlock,
)

from .conftest import PASSWORD


def post_login(client, username="secclerk", password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_password_policy():
    assert policy.password_problems("Abcdefgh1234") == []
    assert policy.password_problems("abc-1234-xyz") == []  # lower, digit, symbol
    assert any("12" in p for p in policy.password_problems("Ab1-short"))
    assert any("3 类" in p for p in policy.password_problems("abcdefghijklmn"))
    assert any("3 类" in p for p in policy.password_problems("abcdefgh12345"))


def test_password_change_policy_and_history(clerk):
    with pytest.raises(DomainError) as e:
        staff_password_change(user=clerk, old_password="wrong", new_password="New-Passw0rd-1", actor=clerk)
    assert e.value.code == "PASSWORD_OLD"
    with pytest.raises(DomainError) as e:
        staff_password_change(user=clerk, old_password=PASSWORD, new_password="short1A", actor=clerk)
    assert e.value.code == "PASSWORD_POLICY"
    with pytest.raises(DomainError) as e:  # the current one is in the history
        staff_password_change(user=clerk, old_password=PASSWORD, new_password=PASSWORD, actor=clerk)
    assert e.value.code == "PASSWORD_REUSED"
    current = PASSWORD
    for i in range(1, 6):
        new = f"Rotate-Pass-{i}x"
        staff_password_change(user=clerk, old_password=current, new_password=new, actor=clerk)
        current = new
    # The last 5 (Rotate 1..5) are refused; the original, six changes ago, is allowed again.
    for i in range(1, 6):
        with pytest.raises(DomainError):
            staff_password_change(user=clerk, old_password=current, new_password=f"Rotate-Pass-{i}x", actor=clerk)
    staff_password_change(user=clerk, old_password=current, new_password=PASSWORD, actor=clerk)
    assert AuditRecord.objects.filter(action="iam.password.change").count() == 6


def test_password_expiry_forces_change_page(client, clerk):
    StaffSecurity.objects.filter(user=clerk).update(password_changed_at=timezone.now() - timedelta(days=91))
    assert staff_password_expired(clerk)
    r = post_login(client)
    assert r.status_code == 302 and r["Location"] == "/password/"
    r = client.get("/")  # every page leads back to the change page until done
    assert r.status_code == 302 and r["Location"] == "/password/"
    r = client.post("/password/", {"old_password": PASSWORD, "new_password": "Fresh-Pass-2027",
                                   "new_password2": "Fresh-Pass-2027"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not staff_password_expired(clerk)


def test_lockout_after_five_failures_and_unlock(client, clerk, secadmin):
    for _i in range(4):
        r = post_login(client, password="wrong-password")
        assert "用户名或密码不正确" in r.content.decode()
    r = post_login(client, password="wrong-password")
    assert "已锁定" in r.content.decode()
    sec = StaffSecurity.objects.get(user=clerk)
    assert sec.failed_logins == 5 and sec.locked_until is not None
    assert sec.locked_until > timezone.now() + timedelta(minutes=29)
    r = post_login(client)  # the right password does not help while locked
    assert "已锁定" in r.content.decode() and "_auth_user_id" not in client.session
    actions = list(AuditRecord.objects.filter(action__startswith="iam.login.").values_list("action", flat=True))
    assert actions.count("iam.login.failure") == 5 and actions.count("iam.login.locked") == 2
    assert all(rec.after is not None and rec.after["ip"] == "127.0.0.1"
               for rec in AuditRecord.objects.filter(action="iam.login.failure"))

    staff_unlock(user=clerk, actor=secadmin)
    r = post_login(client)
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(clerk.pk)
    assert StaffSecurity.objects.get(user=clerk).failed_logins == 0
    assert AuditRecord.objects.filter(action="iam.login.success").count() == 1


def test_lock_expires_after_thirty_minutes(client, clerk):
    sec = staff_security(clerk)
    sec.failed_logins, sec.locked_until = 5, timezone.now() - timedelta(seconds=1)
    sec.save()
    assert post_login(client).status_code == 302


def test_success_resets_the_failure_count(client, clerk):
    for _ in range(4):
        post_login(client, password="wrong-password")
    assert post_login(client).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        post_login(client, password="wrong-password")
    assert not StaffSecurity.objects.get(user=clerk).locked_until


def test_unknown_user_is_audited(client, db):
    r = post_login(client, username="ghost")
    assert "用户名或密码不正确" in r.content.decode()
    rec = AuditRecord.objects.get(action="iam.login.failure")
    assert rec.after is not None and rec.actor == "anonymous:ghost" and rec.after["reason"] == "unknown_user"


def _enrol(user, at=None):
    at = time.time() if at is None else at
    secret, uri = staff_totp_enrol_begin(user=user, actor=user)
    assert uri.startswith("otpauth://totp/") and "secret=" + secret in uri
    staff_totp_enrol_confirm(user=user, code=pyotp.TOTP(secret).at(at - 60), actor=user, at=at - 60)
    return secret


def test_totp_wrong_right_and_replay(clerk):
    now = 1_800_000_000.0
    secret = _enrol(clerk, at=now)
    totp = pyotp.TOTP(secret)
    r = staff_login_password(username="secclerk", password=PASSWORD, ip="10.0.0.1")
    assert r.code == "NEED_TOTP" and not r.ok
    wrong = totp.at(now - 3600)
    assert staff_login_totp(user=clerk, code=wrong, ip="10.0.0.1", at=now).code == "TOTP_INVALID"
    assert staff_login_totp(user=clerk, code="12ab56", ip="10.0.0.1", at=now).code == "TOTP_INVALID"
    ok = staff_login_totp(user=clerk, code=totp.at(now), ip="10.0.0.1", at=now)
    assert ok.ok and ok.code == "OK"
    # The same code again within the same step: a replay, refused.
    assert staff_login_totp(user=clerk, code=totp.at(now), ip="10.0.0.1", at=now + 5).code == "TOTP_INVALID"
    # The previous step's code is not accepted after a later one was used either.
    assert staff_login_totp(user=clerk, code=totp.at(now - TOTP_STEP), ip="10.0.0.1", at=now).code == "TOTP_INVALID"
    assert staff_login_totp(user=clerk, code=totp.at(now + TOTP_STEP), ip="10.0.0.1", at=now + TOTP_STEP).ok
    assert AuditRecord.objects.filter(action="iam.login.totp_failure").count() == 4


def test_totp_failures_lock_the_account(clerk):
    now = 1_800_000_000.0
    secret = _enrol(clerk, at=now)
    wrong = pyotp.TOTP(secret).at(now - 3600)
    results = [staff_login_totp(user=clerk, code=wrong, ip="10.0.0.1", at=now).code for _ in range(5)]
    assert results[-1] == "LOCKED"
    assert staff_login_totp(user=clerk, code=pyotp.TOTP(secret).at(now), ip="10.0.0.1", at=now).code == "LOCKED"


def test_console_login_with_totp(client, clerk):
    secret = _enrol(clerk)
    r = post_login(client, next="/password/")
    assert r.status_code == 302 and r["Location"] == "/login/totp/"
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    assert client.get("/").status_code == 302
    r = client.post("/login/totp/", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert "动态口令不正确" in r.content.decode()
    r = client.post("/login/totp/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r["Location"] == "/password/"
    assert client.session["_auth_user_id"] == str(clerk.pk)
    rec = AuditRecord.objects.get(action="iam.login.success")
    assert rec.after is not None and rec.after["second_factor"] is True


def test_totp_required_forces_enrolment(client, clerk, settings):
    settings.HPF_SECURITY = {**settings.HPF_SECURITY, "TOTP_REQUIRED_ALL": True}
    r = post_login(client)
    assert r.status_code == 302 and r["Location"] == "/totp/"
    assert client.get("/").status_code == 302
    r = client.get("/totp/")
    html = r.content.decode()
    assert r.status_code == 200 and "otpauth://totp/" in html
    secret = StaffSecurity.objects.get(user=clerk).totp_secret
    r = client.post("/totp/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and client.get("/").status_code == 200
    client.post("/logout/")
    assert post_login(client)["Location"] == "/login/totp/"


def test_idle_timeout(client, clerk):
    assert post_login(client).status_code == 302
    assert client.get("/").status_code == 200
    s = client.session
    s[SESSION_LAST_SEEN] = int(time.time()) - 31 * 60
    s.save()
    r = client.get("/")
    assert r.status_code == 302 and "timeout=1" in r["Location"]
    assert client.get("/").status_code == 302  # signed out
    assert "长时间未操作" in client.get(r["Location"]).content.decode()


def test_session_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert policy.value("SESSION_IDLE_SECONDS") == 30 * 60


def test_single_session(client, clerk, settings):
    from django.test import Client

    settings.HPF_SECURITY = {**settings.HPF_SECURITY, "SINGLE_SESSION": True}
    assert post_login(client).status_code == 302
    other = Client()
    assert post_login(other).status_code == 302
    assert other.get("/").status_code == 200
    r = client.get("/")
    assert r.status_code == 302  # the first session was ended by the second login


@override_settings(HPF_RATE_LIMITS={"login": "3/300", "login_ip": "100/300", "api": "600/60"})
def test_console_login_rate_limit(client, clerk):
    for _ in range(3):
        assert post_login(client, password="wrong-password").status_code == 200
    r = post_login(client)
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
    # Another login name from the same IP is counted separately.
    assert post_login(client, username="someoneelse").status_code == 200


def test_security_headers(client, db):
    r = client.get("/login/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert r["X-Content-Type-Options"] == "nosniff" and r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"
    assert client.get("/api/v1/health")["Cache-Control"] == "no-store"


def test_no_inline_scripts_in_templates():
    """The CSP allows scripts only from this site: no template may carry an inline script or event handler."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bad = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            bad.append(f"{path}: {m.group(0)}")
        if re.search(r"\son[a-z]+=\"", text):
            bad.append(f"{path}: inline event handler")
    assert not bad, bad
