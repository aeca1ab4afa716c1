"""Partner systems: client credentials → bearer token; expired, revoked, wrong scope and foreign IP refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.iam.models import PartnerClient, PartnerToken
from openhpf.iam.services import partner_client_create, partner_client_set_active, partner_tokens_revoke

# A probe endpoint needing the "verify.member" scope lives in a test-only URLconf.
pytestmark = pytest.mark.urls("openhpf.iam.tests.urls_probe")


@pytest.fixture
def partner(center):
    secret, client = partner_client_create(name="市不动产登记中心", scopes=["verify.member", "stats.read"],
                                           purposes=["贷款审批"], ip_allowlist=["127.0.0.1", "10.8.0.0/16"],
                                           actor=SystemActor("test"), center=center)
    return client, secret


def get_token(client, partner, scope="verify.member", ip="127.0.0.1", **extra):
    c, secret = partner
    data = {"grant_type": "client_credentials", "client_id": c.client_id, "client_secret": secret, "scope": scope,
            **extra}
    return client.post("/api/v1/oauth/token", data, REMOTE_ADDR=ip)


def call(client, token, ip="127.0.0.1"):
    return client.get("/api/iamprobe/probe", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip)


def test_secret_is_hashed_and_validation(partner):
    c, secret = partner
    assert secret not in c.secret_hash and c.secret_hash.count("$") >= 2  # Django's salted hash
    assert c.ip_allowlist == ["127.0.0.1/32", "10.8.0.0/16"]
    with pytest.raises(DomainError):
        partner_client_create(name="x", scopes=["everything"], purposes=[], ip_allowlist=[], actor=SystemActor("test"))
    with pytest.raises(DomainError):
        partner_client_create(name="x", scopes=["stats.read"], purposes=[], ip_allowlist=["10.1.1"],
                              actor=SystemActor("test"))


def test_token_and_call(client, partner):
    r = get_token(client, partner, purpose="贷款审批")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "verify.member" and body["expires_in"] == 3600
    r = call(client, body["access_token"], ip="10.8.3.4")
    assert r.status_code == 200 and r.json() == {"client": partner[0].client_id, "purpose": "贷款审批"}
    assert AuditRecord.objects.filter(action="iam.partner.token_issue").count() == 1
    # Staff endpoints do not accept a partner token.
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").status_code == 401


def test_token_request_refusals(client, partner):
    assert get_token(client, partner, client_secret="wrong").status_code == 401
    r = get_token(client, partner, scope="verify.loan")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    r = get_token(client, partner, ip="192.168.1.1")
    assert r.status_code == 400 and r.json()["error"] == "access_denied"
    r = get_token(client, partner, purpose="营销")
    assert r.status_code == 400
    r = client.post("/api/v1/oauth/token", {"grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    assert AuditRecord.objects.filter(action="iam.partner.token_refused").count() == 3


def test_wrong_scope_is_403(client, partner):
    token = get_token(client, partner, scope="stats.read").json()["access_token"]
    r = call(client, token)
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN"


def test_ip_not_allowed_is_403(client, partner):
    token = get_token(client, partner).json()["access_token"]
    r = call(client, token, ip="192.168.7.7")
    assert r.status_code == 403 and r.json()["details"]["reason"] == "ip"


def test_expired_token_is_401(client, partner):
    token = get_token(client, partner).json()["access_token"]
    PartnerToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(client, token).status_code == 401


def test_revoked_tokens_are_401(client, partner):
    c, secret = partner
    t1 = get_token(client, partner).json()["access_token"]
    t2 = get_token(client, partner).json()["access_token"]
    # RFC 7009 revocation by the client itself
    r = client.post("/api/v1/oauth/revoke", {"token": t1, "client_id": c.client_id, "client_secret": secret})
    assert r.status_code == 200
    assert call(client, t1).status_code == 401 and call(client, t2).status_code == 200
    assert partner_tokens_revoke(client=c, actor=SystemActor("test")) == 1
    assert call(client, t2).status_code == 401
    t3 = get_token(client, partner).json()["access_token"]
    partner_client_set_active(client=c, active=False, actor=SystemActor("test"))
    assert call(client, t3).status_code == 401
    assert get_token(client, partner).status_code == 401
    assert PartnerClient.objects.get(pk=c.pk).tokens.filter(revoked_at__isnull=True).count() == 0


@override_settings(HPF_RATE_LIMITS={"login": "2/300", "login_ip": "100/300", "api": "3/60"})
def test_rate_limits(client, partner):
    assert get_token(client, partner).status_code == 200
    token = get_token(client, partner).json()["access_token"]
    assert get_token(client, partner).status_code == 429
    for _ in range(3):
        assert call(client, token).status_code == 200
    r = call(client, token)
    assert r.status_code == 429 and r.json()["code"] == "API_RATE_LIMITED"
