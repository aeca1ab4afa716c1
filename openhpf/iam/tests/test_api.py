"""The API shell: staff bearer tokens, DomainError → 422, health, OpenAPI docs."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.iam.models import ApiToken
from openhpf.iam.services import api_token_issue, api_token_revoke, staff_create


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="apiclerk", password="pw-Clerk-2026", center=center, display_name="李会计",
                           actor=SystemActor("test"))
    return user


@pytest.fixture
def token(clerk):
    plaintext, _ = api_token_issue(user=clerk, name="test", actor=SystemActor("test"))
    return plaintext


def get(client, path, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(path, **headers)


def test_me_with_valid_token(client, token, center):
    r = get(client, "/api/v1/me", token)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["username"] == "apiclerk" and body["display_name"] == "李会计"
    assert body["center"] == {"code": center.code, "name": center.name, "city": center.city}
    assert body["business_date"] == center.business_date.isoformat()


def test_missing_or_garbage_token_is_401(client, db):
    assert get(client, "/api/v1/me").status_code == 401
    assert get(client, "/api/v1/me", "hpf_not-a-token").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_expired_token_is_401(client, token):
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert get(client, "/api/v1/me", token).status_code == 401


def test_revoked_token_is_401(client, token):
    api_token_revoke(token=ApiToken.objects.get(), actor=SystemActor("test"))
    assert get(client, "/api/v1/me", token).status_code == 401


def test_non_staff_or_inactive_user_is_401(client, clerk, token):
    clerk.is_staff = False
    clerk.save()
    assert get(client, "/api/v1/me", token).status_code == 401
    clerk.is_staff, clerk.is_active = True, False
    clerk.save()
    assert get(client, "/api/v1/me", token).status_code == 401
    clerk.is_active = True
    clerk.save()
    assert get(client, "/api/v1/me", token).status_code == 200


def test_session_login_is_not_api_auth(client, clerk):
    client.force_login(clerk)
    assert client.get("/api/v1/me").status_code == 401


def test_domain_error_becomes_json_with_its_catalogue_status(client, token):
    err = DomainError(ErrorCode.BASE_ABOVE_CAP, "缴存基数超过上限", field="base", row=3)
    with mock.patch("openhpf.api.staff_center", side_effect=err):
        r = get(client, "/api/v1/me", token)
    assert r.status_code == 422 == ErrorCode.BASE_ABOVE_CAP.status
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"code": "BASE_ABOVE_CAP", "message": "缴存基数超过上限", "field": "base", "row": 3,
                        "details": None}
    assert "缴存基数超过上限" in r.content.decode("utf-8")


def test_health_needs_no_auth(client, db):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": connection.vendor}


def test_openapi_docs_load(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["info"]["title"] == "OpenHPF 开放住房公积金平台 API"
    assert "/api/v1/me" in schema["paths"] and "/api/v1/health" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_docs_use_no_cdn(client, db):
    if "ninja" not in settings.INSTALLED_APPS:
        pytest.xfail("Swagger UI comes from a CDN until 'ninja' is in INSTALLED_APPS")
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr.net" not in html and "/static/ninja/" in html
