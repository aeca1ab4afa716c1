"""A security admin cannot take over a business user (issue 13 item 5, 三员分立).

The attack: a password reset showed the temporary password to the security admin, who then signed in as a
teller and unmasked personal data. Now the reset sends a one-time code to the teller's own mobile (SM4 at
rest, registered at creation, changed only by the teller), the admin sees nothing usable, and the teller sets a
new password with the code and enrols a new second factor before any business page."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.db import connection
from django.test import Client, TestCase

from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.iam.models import Outbox, StaffProfile, StaffSecurity
from openhpf.iam.services import (
    staff_create,
    staff_mobile_change_begin,
    staff_mobile_change_confirm,
    staff_password_reset,
)

from .conftest import CLERK_MOBILE, PASSWORD

NEW_PASSWORD = "Teller-New-Pass-2026"


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def _texts_seen_by_admin(admin_client, clerk) -> list[str]:
    """Everything the admin could read: the reset's answer, the outbox page, the audit trail, the user list."""
    seen = [admin_client.get("/security/outbox/").content.decode(), admin_client.get("/security/users/").content.decode()]
    seen += [str((r.before, r.after, r.actor)) for r in AuditRecord.objects.all()]
    return seen


def _code_sent_to(mobile: str) -> str:
    return re.search(r"\d{8}", Outbox.objects.filter(recipient=mobile).order_by("-id").first().body).group(0)


def test_reset_gives_the_admin_nothing_usable_and_the_teller_sets_password_and_second_factor(clerk, secadmin):
    admin = Client()
    admin.force_login(secadmin)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the code is sent after commit
        r = admin.post(f"/security/users/{clerk.pk}/password-reset/", {"confirm": "1"})
    answer = r.content.decode()
    assert r.status_code == 200 and "138****0001" in answer
    code = _code_sent_to(CLERK_MOBILE)

    # the attack: the admin tries every token it saw, and the old password, as the teller's password
    seen = [answer, *_texts_seen_by_admin(admin, clerk)]
    assert not any(code in text for text in seen), "the reset code reached the admin"
    candidates = {w for text in seen for w in re.findall(r"[A-Za-z0-9!@#$%^&*_+=-]{8,}", text)} | {PASSWORD}
    clerk.refresh_from_db()
    assert not any(clerk.check_password(pw) for pw in candidates), "a value the admin saw is the password"
    attacker = Client()
    for pw in (PASSWORD, *sorted(candidates)[:2]):  # and through the sign-in page (below the lockout)
        assert _login(attacker, "secclerk", pw).status_code == 200, f"signed in as the teller with {pw!r}"
    # nor can the admin use the reset page with anything it saw
    r = attacker.post("/password/reset/", {"username": "secclerk", "code": "12345678", "new_password": "Evil-Pass-2026x",
                                           "new_password2": "Evil-Pass-2026x"})
    assert r.status_code == 401 and "重置码不正确" in r.content.decode()

    # the teller, with the code from the own phone, sets a new password
    teller = Client()
    r = teller.post("/password/reset/", {"username": "secclerk", "code": code, "new_password": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD})
    assert r.status_code == 200 and "新密码已设置" in r.content.decode()
    # the code is spent
    r = teller.post("/password/reset/", {"username": "secclerk", "code": code, "new_password": "Other-Pass-2026x",
                                         "new_password2": "Other-Pass-2026x"})
    assert r.status_code == 401
    # first sign-in: a new second factor before any business page
    r = _login(teller, "secclerk", NEW_PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/totp/"
    assert teller.get("/accounts/members/").status_code == 302
    teller.get("/totp/")
    secret = StaffSecurity.objects.get(user=clerk).totp_secret
    assert secret and secret not in _raw("iam_staffsecurity", "totp_secret")  # SM4 at rest
    teller.post("/totp/", {"code": pyotp.TOTP(secret).now()})
    assert StaffSecurity.objects.get(user=clerk).totp_confirmed_at is not None
    assert teller.get("/").status_code == 200


def test_wrong_codes_are_counted_and_spend_the_code(clerk, secadmin):
    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_password_reset(user=clerk, actor=secadmin)
    code = _code_sent_to(CLERK_MOBILE)
    c = Client()
    for _ in range(5):
        r = c.post("/password/reset/", {"username": "secclerk", "code": "00000000", "new_password": NEW_PASSWORD,
                                        "new_password2": NEW_PASSWORD})
        assert r.status_code == 401
    assert AuditRecord.objects.filter(action="iam.password.reset_failure").count() == 5
    r = c.post("/password/reset/", {"username": "secclerk", "code": code, "new_password": NEW_PASSWORD,
                                    "new_password2": NEW_PASSWORD})
    assert r.status_code == 401  # five wrong tries spent it: a new reset is needed


def test_no_mobile_no_reset_and_the_admin_cannot_repoint_the_number(center, clerk, secadmin):
    nomobile, _ = staff_create(username="nomobile", password="pw-NoMobile-2026", center=center,
                               actor=SystemActor("test"))
    with pytest.raises(DomainError) as e:
        staff_password_reset(user=nomobile, actor=secadmin)
    assert e.value.code == "STAFF_NO_MOBILE"
    # the admin (or the installer) cannot point the teller's number at a phone it holds
    with pytest.raises(DomainError) as e:
        staff_create(username="secclerk", password="pw-Clerk-2027x", center=center, actor=secadmin,
                     mobile="13900009999")
    assert e.value.code == "STAFF_MOBILE_CHANGE"
    with pytest.raises(DomainError):
        staff_mobile_change_begin(user=clerk, mobile="13900009999", actor=secadmin)
    assert StaffProfile.objects.get(user=clerk).mobile == CLERK_MOBILE


def test_the_user_changes_the_mobile_with_a_code_sent_to_the_new_number(clerk):
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert staff_mobile_change_begin(user=clerk, mobile="13700001111", actor=clerk) == "137****1111"
    code = _code_sent_to("13700001111")
    with pytest.raises(DomainError):
        staff_mobile_change_confirm(user=clerk, code="00000000", actor=clerk)
    assert StaffProfile.objects.get(user=clerk).mobile == CLERK_MOBILE  # a wrong code spent the request
    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_mobile_change_begin(user=clerk, mobile="13700001111", actor=clerk)
    staff_mobile_change_confirm(user=clerk, code=_code_sent_to("13700001111"), actor=clerk)
    assert code  # the first code was sent too
    profile = StaffProfile.objects.get(user=clerk)
    assert profile.mobile == "13700001111" and StaffProfile.objects.filter(mobile="13700001111").exists()
    # SM4 at rest: the columns hold no number
    assert "13700001111" not in _raw("iam_staffprofile", "mobile") + _raw("iam_staffsecurity", "pending_mobile")
    assert _raw("iam_staffprofile", "mobile").startswith("[")  # something stored, just not the number


def _raw(table: str, column: str) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table}")
        return str([r[0] for r in cur.fetchall()])
