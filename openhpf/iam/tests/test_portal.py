"""Members and employer agents: password + one-time code (expiry, attempts, single use), tokens, and IDOR:
nobody reads another member's account or another employer's data by changing a number."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.iam.models import OneTimeCode, Outbox, PortalToken
from openhpf.iam.services import employer_agent_create, member_principal_create
from openhpf.notifications.models import Notification

MEMBER_PW = "Member-Pass-2026"
AGENT_PW = "Agent-Pass-2026"


@pytest.fixture
def members(accounts):
    for key in ("a", "b", "c"):
        member_principal_create(member=accounts[key].member, password=MEMBER_PW, actor=SystemActor("test"))
    return accounts


@pytest.fixture
def agents(accounts):
    employer_agent_create(employer=accounts["e1"], login_id="agent1", name="王经办", phone="13700000001",
                          password=AGENT_PW, actor=SystemActor("test"))
    employer_agent_create(employer=accounts["e2"], login_id="agent2", name="李经办", phone="13700000002",
                          password=AGENT_PW, actor=SystemActor("test"))
    return accounts


def last_code(phone: str) -> str:
    msg = Outbox.objects.filter(recipient=phone).order_by("-id").first()
    return re.search(r"\d{6}", msg.body).group(0)


def password_step(client, kind, login, password):
    # the code is sent after the service's transaction commits; inside the test's transaction that is when
    # the captured on-commit callbacks run
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/api/v1/{kind}/login", {"login": login, "password": password},
                           content_type="application/json")


def otp_step(client, kind, challenge, code):
    return client.post(f"/api/v1/{kind}/otp", {"challenge": challenge, "code": code}, content_type="application/json")


def sign_in(client, kind, login, password, phone) -> str:
    r = password_step(client, kind, login, password)
    assert r.status_code == 200, r.content
    r = otp_step(client, kind, r.json()["challenge"], last_code(phone))
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_member_login_by_account_no_and_id_number(client, members):
    a = members["a"]
    r = password_step(client, "member", a.account_no, MEMBER_PW)
    assert r.status_code == 200 and r.json()["phone_hint"] == "139****0001"
    otp = OneTimeCode.objects.get()
    code = last_code("13900000001")
    assert code not in otp.code_hash and r.json()["challenge"] not in otp.challenge_hash  # stored hashed
    r = otp_step(client, "member", r.json()["challenge"], code)
    assert r.status_code == 200 and r.json()["token_type"] == "Bearer"
    # The same code cannot be used twice.
    assert otp_step(client, "member", OneTimeCode.objects.get().challenge_hash, code).status_code == 401
    token = sign_in(client, "member", a.member.id_number.lower(), MEMBER_PW, "13900000001")
    assert client.get("/api/v1/member/accounts", **auth(token)).status_code == 200
    assert AuditRecord.objects.filter(action="iam.member.login.success").count() == 2


def test_code_reaches_the_outbox_within_the_request(transactional_db, client, members):
    """No test transaction around the request: the code is sent when the view's transaction commits."""
    r = client.post("/api/v1/member/login", {"login": members["a"].account_no, "password": MEMBER_PW},
                    content_type="application/json")
    assert r.status_code == 200
    assert Notification.objects.get().status == Notification.Status.SENT
    assert last_code("13900000001")


def test_wrong_password_and_lockout(client, members):
    a = members["a"]
    for _ in range(4):
        assert password_step(client, "member", a.account_no, "wrong-password").status_code == 401
    assert password_step(client, "member", a.account_no, "wrong-password").status_code == 423  # locks now
    r = password_step(client, "member", a.account_no, MEMBER_PW)
    assert r.status_code == 423 and r.json()["code"] == "LOCKED"
    # no login code while locked; the owner was told of the lock (iam/lockout.py)
    assert list(Outbox.objects.values_list("purpose", "recipient")) == [("iam.account_locked", "13900000001")]
    assert password_step(client, "member", "nobody", MEMBER_PW).status_code == 401


def test_otp_expiry(client, members):
    a = members["a"]
    r = password_step(client, "member", a.account_no, MEMBER_PW)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    r = otp_step(client, "member", r.json()["challenge"], last_code("13900000001"))
    assert r.status_code == 401 and r.json()["code"] == "OTP_EXPIRED"


def test_otp_five_attempts(client, members):
    a = members["a"]
    challenge = password_step(client, "member", a.account_no, MEMBER_PW).json()["challenge"]
    code = last_code("13900000001")
    wrong = "000000" if code != "000000" else "111111"
    for _i in range(5):
        r = otp_step(client, "member", challenge, wrong)
        assert r.status_code == 401
    assert r.json()["code"] == "OTP_ATTEMPTS"
    r = otp_step(client, "member", challenge, code)  # even the right code is refused now
    assert r.status_code == 401 and r.json()["code"] == "OTP_ATTEMPTS"
    assert OneTimeCode.objects.get().attempts == 5


def test_otp_ttl_is_five_minutes(client, members):
    password_step(client, "member", members["a"].account_no, MEMBER_PW)
    otp = OneTimeCode.objects.get()
    assert otp.expires_at - otp.created_at == timedelta(minutes=5)


def test_member_sees_own_accounts_only(client, members):
    a, b, c = members["a"], members["b"], members["c"]
    token = sign_in(client, "member", a.account_no, MEMBER_PW, "13900000001")
    r = client.get("/api/v1/member/accounts", **auth(token))
    assert r.status_code == 200
    rows = r.json()
    assert [x["account_no"] for x in rows] == [a.account_no] and rows[0]["balance"] == 123_456
    r = client.get(f"/api/v1/member/accounts/{a.account_no}", **auth(token))
    assert r.status_code == 200 and r.json()["available"] == 123_456
    # IDOR: other members' accounts (same employer, other employer, nonexistent) are all simply "not found".
    for other in (b.account_no, c.account_no, "999999999999"):
        r = client.get(f"/api/v1/member/accounts/{other}", **auth(token))
        assert r.status_code == 404, other
        assert "balance" not in r.json()
    # A member token is not an agent token, nor a staff token.
    assert client.get("/api/v1/agent/employer", **auth(token)).status_code == 401
    assert client.get("/api/v1/me", **auth(token)).status_code == 401
    assert client.get("/api/v1/member/accounts").status_code == 401


def test_member_and_agent_tokens_never_reach_a_staff_endpoint(client, members, agents, center):
    """A portal principal is never staff: its token is refused by every staff endpoint (401), and a staff member
    without the permission gets 403 with code FORBIDDEN from the API's one PermissionDenied handler."""
    from openhpf.iam.services import api_token_issue, staff_create

    a = members["a"]
    member_token = sign_in(client, "member", a.account_no, MEMBER_PW, "13900000001")
    agent_token = sign_in(client, "agent", "agent1", AGENT_PW, "13700000001")
    for token in (member_token, agent_token):
        assert client.get(f"/api/v1/accounts/members/{a.account_no}", **auth(token)).status_code == 401
        r = client.post(f"/api/v1/accounts/members/{a.account_no}/freeze", {"amount": 1, "reason": "x"},
                        content_type="application/json", **auth(token))
        assert r.status_code == 401
        r = client.post(f"/api/v1/access/members/{a.account_no}/unmask", {"fields": ["id_number"], "reason": "x"},
                        content_type="application/json", **auth(token))
        assert r.status_code == 401
    nobody, _ = staff_create(username="norole", password="pw-NoRole-2026", center=center, actor=SystemActor("test"))
    plaintext, _ = api_token_issue(user=nobody, name="t", actor=SystemActor("test"))
    r = client.get(f"/api/v1/accounts/members/{a.account_no}", **auth(plaintext))
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN" and r.json()["message"].startswith("无权限")
    assert not AuditRecord.objects.filter(action__startswith="accounts.member_account.freeze").exists()


def test_expired_or_revoked_member_token(client, members):
    token = sign_in(client, "member", members["a"].account_no, MEMBER_PW, "13900000001")
    PortalToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/member/accounts", **auth(token)).status_code == 401


def test_agent_sees_own_employer_only(client, agents):
    e1, e2 = agents["e1"], agents["e2"]
    token = sign_in(client, "agent", "agent1", AGENT_PW, "13700000001")
    r = client.get("/api/v1/agent/employer", **auth(token))
    assert r.status_code == 200 and r.json()["account_no"] == e1.account_no
    r = client.get("/api/v1/agent/members", **auth(token))
    body = r.json()
    assert r.status_code == 200 and body["total"] == 2
    listed = {x["account_no"] for x in body["items"]}
    assert listed == {agents["a"].account_no, agents["b"].account_no}
    assert agents["c"].account_no not in listed
    assert all("*" in x["id_number"] for x in body["items"])  # masked
    token2 = sign_in(client, "agent", "agent2", AGENT_PW, "13700000002")
    r = client.get("/api/v1/agent/members", **auth(token2))
    assert {x["account_no"] for x in r.json()["items"]} == {agents["c"].account_no}
    assert client.get("/api/v1/agent/employer", **auth(token2)).json()["account_no"] == e2.account_no
    # An agent token cannot read member endpoints.
    assert client.get("/api/v1/member/accounts", **auth(token)).status_code == 401


def test_agent_validation(accounts):
    from openhpf.core.errors import DomainError

    with pytest.raises(DomainError):
        employer_agent_create(employer=accounts["e1"], login_id="x", name="x", phone="123", password=AGENT_PW,
                              actor=SystemActor("test"))
    with pytest.raises(DomainError):
        employer_agent_create(employer=accounts["e1"], login_id="x", name="x", phone="13700000009",
                              password="short", actor=SystemActor("test"))
