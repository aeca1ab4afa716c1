"""The API's request-rate ceiling (HPF_RATE_LIMITS["api"]): past it the client got the generic RATE_LIMITED body of
the sign-in throttle, without the catalogue's shape, the limit or when to come back. It now gets its own catalogued
Chinese error (API_RATE_LIMITED, 429) in the catalogue's shape, saying the limit and the wait, with Retry-After."""

from __future__ import annotations

from django.test import override_settings

from openhpf.core.api_errors import check_error_body
from openhpf.core.error_codes import ErrorCode

LIMITS = {"login": "20/300", "login_ip": "100/300", "api": "2/60"}


@override_settings(HPF_RATE_LIMITS=LIMITS)
def test_past_the_api_ceiling_the_client_gets_a_dedicated_catalogued_chinese_error(client, db):
    assert [client.get("/api/v1/health").status_code for _ in range(2)] == [200, 200]
    r = client.get("/api/v1/health")
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == ErrorCode.API_RATE_LIMITED == "API_RATE_LIMITED"
    check_error_body(body, 429)  # a code of the catalogue, with its status
    assert set(body) == {"code", "message", "field", "row", "details"}
    assert "60 秒 2 次" in body["message"] and "秒后再试" in body["message"]
    assert body["details"]["limit"] == 2 and body["details"]["window_seconds"] == 60
    assert 1 <= int(r["Retry-After"]) <= 60 and body["details"]["retry_after"] == int(r["Retry-After"])
