"""A sign-in redirect answering an htmx request sends the whole page to the login page (HX-Redirect), with
next= the page the user was on, instead of the login form landing inside a results box."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from openhpf.iam.middleware import SESSION_LAST_SEEN

from .conftest import PASSWORD

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/remit/?month=2026-11"}


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_signed_out_htmx_request_redirects_the_page(client, db):
    partial = reverse("jobs:list_partial")
    plain = client.get(partial)  # an ordinary request keeps the ordinary redirect
    assert plain.status_code == 302 and urlsplit(plain["Location"]).path == reverse("console:login")
    r = client.get(partial, **HX)
    assert r.status_code == 204 and not r.content and "Location" not in r
    target = r["HX-Redirect"]
    assert urlsplit(target).path == reverse("console:login")
    assert _query(target)["next"] == ["/remit/?month=2026-11"]  # the page, not the fragment


def test_expired_session_inside_htmx_keeps_the_timeout_notice(client, clerk):
    assert client.post("/login/", {"username": "secclerk", "password": PASSWORD}).status_code == 302
    assert client.get("/", **HX).status_code == 200  # a live session answers as usual
    s = client.session
    s[SESSION_LAST_SEEN] = int(time.time()) - 31 * 60
    s.save()
    r = client.get(reverse("jobs:list_partial"), **HX)
    assert r.status_code == 204
    q = _query(r["HX-Redirect"])
    assert q["timeout"] == ["1"] and q["next"] == ["/remit/?month=2026-11"]
    assert "长时间未操作" in client.get(r["HX-Redirect"]).content.decode()


def test_foreign_current_url_is_not_taken_as_next(client, db):
    r = client.get(reverse("jobs:list_partial"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/x")
    assert r.status_code == 204
    assert _query(r["HX-Redirect"])["next"] == [reverse("jobs:list_partial")]


def test_other_htmx_redirects_pass_through(client, clerk):
    client.post("/login/", {"username": "secclerk", "password": PASSWORD})
    r = client.post(reverse("jobs:cancel", args=[999999]), **HX)  # an action's own redirect is not a sign-in
    assert r.status_code in (302, 403) and "HX-Redirect" not in r
