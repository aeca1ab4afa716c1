"""Issue 13 item 9 (rate limit): the API limit was keyed on the raw Authorization header, so `bearer` in another case
(which authenticates just the same) or any junk header opened a fresh budget. It is keyed on the authenticated
principal now, and on the client IP for anything that is not a valid token."""

from __future__ import annotations

from django.test import override_settings

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create

SYS = SystemActor("test")
LIMITS = {"login": "20/300", "login_ip": "100/300", "api": "3/60"}


def _staff(center, name="rl1"):
    user, _ = staff_create(username=name, password="pw-Rate-2026-xy", center=center, actor=SYS)
    return grant_role(user, "teller", center=center)


@override_settings(HPF_RATE_LIMITS=LIMITS)
def test_another_case_of_bearer_does_not_open_a_new_budget(client, center):
    token, _ = api_token_issue(user=_staff(center), name="t", actor=SYS)
    for scheme in ("Bearer", "bearer", "BEARER"):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"{scheme} {token}").status_code == 200
    for scheme in ("Bearer", "bEaReR", "bearer"):
        r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"{scheme} {token}")
        assert r.status_code == 429 and r.json()["code"] == "API_RATE_LIMITED"


@override_settings(HPF_RATE_LIMITS=LIMITS)
def test_two_tokens_of_one_user_share_the_budget_and_another_user_has_its_own(client, center):
    user = _staff(center)
    t1, _ = api_token_issue(user=user, name="a", actor=SYS)
    t2, _ = api_token_issue(user=user, name="b", actor=SYS)
    for t in (t1, t2, t1):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {t}").status_code == 200
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {t2}").status_code == 429
    other, _ = api_token_issue(user=_staff(center, "rl2"), name="c", actor=SYS)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


@override_settings(HPF_RATE_LIMITS=LIMITS)
def test_junk_authorization_headers_count_against_the_client_ip(client, db):
    junk = ["Bearer hpf_nope1", "Basic dXNlcjpwdw==", "x", "Bearer   ", "Token abc", "bearer hpm_zzz"]
    codes = [client.get("/api/v1/health", HTTP_AUTHORIZATION=h).status_code for h in junk]
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}
    assert client.get("/api/v1/health").status_code == 429  # no header at all: the same IP budget
    other_ip = client.get("/api/v1/health", REMOTE_ADDR="10.0.0.9", HTTP_AUTHORIZATION="junk")
    assert other_ip.status_code == 200
