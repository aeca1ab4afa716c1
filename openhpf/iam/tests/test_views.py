"""安全管理 screens: only a security admin; lock/unlock, password reset, TOTP reset, partners, outbox."""

from __future__ import annotations

import re

import pyotp
from django.test import TestCase, override_settings

from openhpf.core.actors import SystemActor
from openhpf.iam.models import Outbox, PartnerClient, StaffSecurity
from openhpf.iam.services import staff_lock, staff_totp_enrol_begin, staff_totp_enrol_confirm

from .conftest import PASSWORD


def test_screens_need_the_permission(client, clerk):
    client.force_login(clerk)
    for url in ("/security/users/", "/security/partners/", "/security/outbox/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/security/users/{clerk.pk}/unlock/", {"confirm": "1"}).status_code == 403
    assert "用户管理" not in client.get("/").content.decode()


def test_user_list_lock_unlock_and_reset(client, clerk, secadmin):
    client.force_login(secadmin)
    assert "用户管理" in client.get("/").content.decode()
    r = client.get("/security/users/")
    assert r.status_code == 200 and "secclerk" in r.content.decode() and 'class="link danger">锁定…' in r.content.decode()
    asked = client.post(f"/security/users/{clerk.pk}/lock/")  # first the confirmation page, nothing done
    assert "确定锁定用户「secclerk" in asked.content.decode() and 'name="confirm" value="1"' in asked.content.decode()
    assert StaffSecurity.objects.get(user=clerk).locked_until is None
    client.post(f"/security/users/{clerk.pk}/lock/", {"confirm": "1"})
    assert StaffSecurity.objects.get(user=clerk).locked_until is not None
    assert 'data-testid="locked"' in client.get("/security/users/").content.decode()
    client.post(f"/security/users/{clerk.pk}/unlock/", {"confirm": "1"})
    assert StaffSecurity.objects.get(user=clerk).locked_until is None
    r = client.post(f"/security/users/{clerk.pk}/password-reset/", {"confirm": "1"})
    html = r.content.decode()
    assert r.status_code == 200 and "138****0001" in html and "临时密码" not in html
    clerk.refresh_from_db()
    assert not clerk.check_password(PASSWORD) and not clerk.has_usable_password()
    assert StaffSecurity.objects.get(user=clerk).reset_code_hash
    client.post(f"/security/users/{clerk.pk}/totp-on/", {"confirm": "1"})
    assert StaffSecurity.objects.get(user=clerk).totp_required


def test_totp_reset_screen(client, clerk, secadmin):
    secret, _ = staff_totp_enrol_begin(user=clerk, actor=clerk)
    staff_totp_enrol_confirm(user=clerk, code=pyotp.TOTP(secret).now(), actor=clerk)
    client.force_login(secadmin)
    client.post(f"/security/users/{clerk.pk}/totp-reset/", {"confirm": "1"})
    sec = StaffSecurity.objects.get(user=clerk)
    assert not sec.totp_secret and sec.totp_confirmed_at is None


def test_partner_screen_shows_secret_once(client, secadmin):
    client.force_login(secadmin)
    r = client.post("/security/partners/", {"name": "市公安局", "scopes": ["verify.member"], "purposes": "户籍核验",
                                            "ip_allowlist": "10.1.0.0/16\n10.2.3.4"})
    html = r.content.decode()
    assert r.status_code == 200 and "hps_" in html
    c = PartnerClient.objects.get()
    assert c.ip_allowlist == ["10.1.0.0/16", "10.2.3.4/32"] and c.purposes == ["户籍核验"]
    assert "hps_" not in client.get("/security/partners/").content.decode()
    r = client.post("/security/partners/", {"name": "", "scopes": []})
    assert r.status_code == 422
    client.post(f"/security/partners/{c.pk}/deactivate/", {"confirm": "1"})
    assert not PartnerClient.objects.get().is_active


def test_outbox_screen(client, secadmin, accounts):
    from openhpf.iam.services import member_principal_create

    member_principal_create(member=accounts["a"].member, password="Member-Pass-2026", actor=SystemActor("test"))
    with TestCase.captureOnCommitCallbacks(execute=True):  # the code is sent after commit
        client.post("/api/v1/member/login", {"login": accounts["a"].account_no, "password": "Member-Pass-2026"},
                    content_type="application/json")
    client.force_login(secadmin)
    # the attack: the security admin read members' phones and live login codes here. Now masked
    html = client.get("/security/outbox/").content.decode()
    code = re.search(r"\d{6}", Outbox.objects.order_by("-id").first().body).group(0)
    assert "139****0001" in html and "验证码" in html and "13900000001" not in html and code not in html
    # the clear page exists only on a development machine (HPF_DEV_OUTBOX)
    assert client.get("/security/outbox/dev/").status_code == 404
    with override_settings(HPF_DEV_OUTBOX=True):
        html = client.get("/security/outbox/dev/").content.decode()
    assert "13900000001" in html and code in html


def test_locked_user_cannot_log_in_via_console(client, clerk, secadmin):
    staff_lock(user=clerk, actor=secadmin)
    r = client.post("/login/", {"username": "secclerk", "password": PASSWORD})
    assert r.status_code == 200 and "已锁定" in r.content.decode()


def test_role_screen_assigns_and_revokes_with_separation_of_duties(client, clerk, secadmin, center):
    from django.contrib.auth import get_user_model

    from openhpf.access.selectors import user_roles as _roles
    from openhpf.audit.models import AuditRecord

    def user_roles(u, center):  # fresh user: grants are cached on the instance
        return _roles(get_user_model().objects.get(pk=u.pk), center=center)

    client.force_login(secadmin)
    url = f"/security/users/{clerk.pk}/roles/"
    page = client.get(url)
    assert page.status_code == 200 and "柜员" in page.content.decode()
    # each change is asked first; 复核员 to a 柜员 (不相容岗位) warns and needs a reason
    r = client.post(url, {"action": "assign", "role": "reviewer"})
    html = r.content.decode()
    assert r.status_code == 200 and "确认授予角色" in html and 'data-testid="duty-conflict"' in html
    assert "「复核员」与已有的「柜员」" in html and 'name="reason"' in html
    assert "reviewer" not in user_roles(clerk, center=center)
    r = client.post(url, {"action": "assign", "role": "reviewer", "confirm": "1"})
    assert r.status_code == 422 and "须填写授权理由" in r.content.decode()
    assert "reviewer" not in user_roles(clerk, center=center)
    r = client.post(url, {"action": "assign", "role": "reviewer", "confirm": "1", "reason": "网点临时兼任"},
                    follow=True)
    assert "reviewer" in user_roles(clerk, center=center)
    assert "已授予 secclerk 角色「复核员」" in r.content.decode() and "reviewer" not in str(
        [str(m) for m in r.context["messages"]])
    rec = AuditRecord.objects.filter(action="access.role.assign").latest("id")
    assert rec.after is not None and rec.after["reason"] == "网点临时兼任" and rec.after["conflict"] == ["teller"]
    # 三员分立: a business user cannot also be the security auditor; nothing changes
    r = client.post(url, {"action": "assign", "role": "secauditor", "confirm": "1"}, follow=True)
    assert "secauditor" not in user_roles(clerk, center=center) and "不" in r.content.decode()
    # nobody grants roles to themselves
    client.post(f"/security/users/{secadmin.pk}/roles/", {"action": "assign", "role": "teller", "confirm": "1"})
    assert "teller" not in user_roles(secadmin, center=center)
    assert "确认撤销角色" in client.post(url, {"action": "revoke", "role": "reviewer"}).content.decode()
    assert "reviewer" in user_roles(clerk, center=center)
    r = client.post(url, {"action": "revoke", "role": "reviewer", "confirm": "1"}, follow=True)
    assert "reviewer" not in user_roles(clerk, center=center) and "已撤销 secclerk 的角色「复核员」" in r.content.decode()
    assert AuditRecord.objects.filter(action__in=["access.role.assign", "access.role.revoke"]).count() >= 2
    # a teller may not open the screen
    client.force_login(clerk)
    assert client.get(url).status_code == 403
