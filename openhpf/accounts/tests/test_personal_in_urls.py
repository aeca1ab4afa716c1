"""Nothing personal or secret in a URL or a log line (issue 13 item 4).

The attack: ID numbers and phones typed into API searches reached the access log through the URL
(`GET /api/v1/accounts/members?q=<身份证号>`), and so did the bank's push token (`/settlement/notify/…?token=…`).
Now the search takes its query in a POST body, GET refuses personal values, the push token travels in a header
(settlement's test_push), and every log line goes through the redaction of core/logging.py. The test captures
what the configured handlers write (the JSON console handler, the development server's access log) while it
makes such requests."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.logging import JsonFormatter
from openhpf.iam.services import api_token_issue, staff_create

from .factories import make_account, make_employer, resident_id

PHONE = "13987654321"


@pytest.fixture
def logs():
    """What the configured log handlers (root, openhpf, django.server, django.request) write, as text."""
    buf = io.StringIO()
    handlers = {h for name in ("", "openhpf", "django.server", "django.request")
                for h in logging.getLogger(name).handlers
                if isinstance(h, logging.StreamHandler) and isinstance(h.formatter, JsonFormatter)}
    assert handlers, "no configured stream handler: settings.LOGGING changed"
    old = {h: h.setStream(buf) for h in handlers}
    yield buf
    for h, stream in old.items():
        h.setStream(stream)


@pytest.fixture
def token(center):
    user, _ = staff_create(username="searcher", password="pw-Search-2026", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    return api_token_issue(user=user, name="查询", actor=SystemActor("test"))[0]


def test_searches_by_id_or_phone_go_in_the_body_and_no_log_line_holds_them(center, token, logs):
    emp = make_employer(center, 1)
    acct = make_account(center, emp, 1, phone=PHONE)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    c = Client()
    # the attack: the ID number in the URL. Refused (400), with the way to do it instead
    r = c.get("/api/v1/accounts/members", {"q": resident_id(1)}, **auth)
    assert r.status_code == 400 and r.json()["code"] == "PERSONAL_IN_URL" and "POST" in r.json()["message"]
    assert c.get("/api/v1/accounts/members", {"q": PHONE}, **auth).status_code == 400
    # by account number a GET still works; by ID number or phone, a POST with the query in its body
    assert [m["account_no"] for m in c.get("/api/v1/accounts/members", {"q": acct.account_no}, **auth).json()] \
        == [acct.account_no]
    for q in (resident_id(1), PHONE):
        r = c.post("/api/v1/accounts/members/search", json.dumps({"q": q}), content_type="application/json", **auth)
        assert r.status_code == 200 and [m["account_no"] for m in r.json()] == [acct.account_no]
    # what a web server's access log writes for the refused GET, and a project line holding personal values
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /api/v1/accounts/members?q={resident_id(1)}"
                                            f"&phone={PHONE} HTTP/1.1", "400", "120")
    logging.getLogger("django.server").info('"%s" %s %s', "POST /settlement/notify/330100/ICBC/?token=s3cr3t-push-"
                                            "token-0123456789 HTTP/1.1", "403", "80")
    logging.getLogger("openhpf.accounts").warning("lookup of %s by %s failed (Authorization: Bearer %s)",
                                                  resident_id(1), PHONE, token)
    try:
        raise ValueError(f"bad member {resident_id(1)} {PHONE}")
    except ValueError:
        logging.getLogger("openhpf.accounts").exception("failed")
    text = logs.getvalue()
    assert "members?q=" in text and "Authorization" in text and "bad member" in text  # the lines were written
    for secret in (resident_id(1), PHONE, token, "s3cr3t-push-token-0123456789"):
        assert secret not in text, f"{secret} in the logs:\n{text}"
    assert resident_id(1)[:3] + "*" * 11 + resident_id(1)[-4:] in text  # masked, still useful
    for line in text.splitlines():
        json.loads(line)  # redaction keeps every line valid JSON
