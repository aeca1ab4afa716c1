"""The staff console's member search sends ID numbers and phones in POST bodies, never in a URL (issue 13, personal
data in access logs). The test drives the whole search flow with Django's test client, as the browser and htmx
would: the page, every URL it names (links, form actions, hx-get/hx-post), the search typed (htmx partial) and
submitted (full page), every URL of the results (the member page, its history partial, the export form), and
records every request URL: none holds an ID number, a phone or a name, in clear or URL-encoded. A URL that
carries one anyway (an old bookmark, a hand-made link) is refused (PERSONAL_IN_URL) and searches nothing."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote, unquote, urlsplit

import pytest
from django.test import Client

from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

from .factories import make_account, make_employer

RAW_ID, RAW_PHONE, NAME = "11010119900107123X", "13812341234", "李建国"
PERSONAL = (RAW_ID, RAW_ID.lower(), RAW_PHONE, NAME)
URL_ATTR = re.compile(r'\b(?:href|src|action|hx-get|hx-post)="([^"]*)"')
SEARCH = "/accounts/members/"


class RecordingClient(Client):
    """A test client that remembers the URL (path and query) of every request it makes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls: list[str] = []

    def request(self, **request):
        self.urls.append(request.get("PATH_INFO", "") + "?" + request.get("QUERY_STRING", ""))
        return super().request(**request)


def _urls(html: str) -> set[str]:
    """Same-site URLs the page names (what a browser or htmx would request from it)."""
    out = set()
    for raw in URL_ATTR.findall(html):
        url = unescape(raw)
        if url.startswith("/") and not url.startswith("//") and not url.startswith("/static/"):
            out.add(url)
    return out


@pytest.fixture
def browser(center):
    user, _ = staff_create(username="urlclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    grant_role(user, "inspector", center=center)  # the export form shows too
    c = RecordingClient()
    c.force_login(user)
    return c


@pytest.fixture
def account(center):
    return make_account(center, make_employer(center, 1), 1, name=NAME, id_number=RAW_ID, phone=RAW_PHONE)


def _visit(c: RecordingClient, urls: set[str], seen: set[str]) -> set[str]:
    """GET every URL of the accounts pages not seen yet; returns the URLs their pages name."""
    found: set[str] = set()
    for url in sorted(urls - seen):
        seen.add(url)
        if not urlsplit(url).path.startswith("/accounts/"):
            continue
        r = c.get(url, HTTP_HX_REQUEST="true") if "/history/" in url else c.get(url)
        if r.status_code == 405 and url.endswith("/export/"):
            continue  # an export form's action: POST only, posted below
        assert r.status_code in (200, 302), (url, r.status_code)
        if r.status_code == 200 and not r["Content-Type"].startswith("text/html"):
            continue  # a download (the batch-opening template) names no URLs
        found |= _urls(r.content.decode())
    return found


def test_no_personal_value_in_any_request_url_of_the_search_flow(browser, account):
    page = browser.get(SEARCH).content.decode()
    assert 'method="post"' in page and f'hx-post="{SEARCH}"' in page  # the search form posts, htmx too
    urls, seen = _urls(page), set[str]()
    for q in (RAW_ID, RAW_PHONE, NAME[:2], account.account_no):
        partial = browser.post(SEARCH, {"q": q}, HTTP_HX_REQUEST="true").content.decode()  # typed: htmx
        full = browser.post(SEARCH, {"q": q}).content.decode()  # submitted
        assert account.account_no in partial and account.account_no in full, q
        urls |= _urls(partial) | _urls(full)
    for _ in range(3):  # the results, the member page, its history partial, and what they name
        urls |= _visit(browser, urls, seen)
    export = [u for u in urls if u.endswith("/members/export/")]
    assert export, "the export form of the results"
    r = browser.post(export[0], {"q": RAW_ID, "reason": "核对"})
    assert r.status_code == 200
    assert any(f"/accounts/members/{account.account_no}/" in u for u in browser.urls)
    for url in browser.urls:
        for value in PERSONAL:
            assert value not in url and value not in unquote(url) and quote(value) not in url, url


def test_a_url_carrying_an_id_number_or_phone_is_refused_and_searches_nothing(browser, account):
    for q in (RAW_ID, RAW_PHONE):
        r = browser.get(SEARCH, {"q": q})
        assert r.status_code == 400 and "不得放在网址中" in r.content.decode()
        assert account.account_no not in r.content.decode()
    assert not AuditRecord.objects.filter(action="accounts.member.search").exists()
    assert browser.get(SEARCH).status_code == 200  # the page itself still opens
