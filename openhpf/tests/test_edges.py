"""Issue 13 item 7: malformed input answers 4xx in the error catalogue's shape, never HTTP 500; Chinese error pages
everywhere; DEBUG off unless HPF_DEBUG=1, and the debug page never shows DATABASE_URL.

Each attack of the issue is reproduced: NUL bytes in the path, the query and the body, integers of 2^63 or more, a
JSON body over 2.5 MB (413), CR/LF in the export reason; `hpf trial_balance` with month 13 and year 0."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.iam.services import api_token_issue, staff_create

ROOT = Path(__file__).resolve().parents[2]
SYS = SystemActor("test")
ERROR_KEYS = {"code", "message", "field", "row", "details"}


@pytest.fixture
def user(center):
    u, _ = staff_create(username="edge1", password="pw-Edge-2026-x", center=center, actor=SYS)
    return grant_role(u, "teller", "inspector", center=center)


@pytest.fixture
def api(user):
    token, _ = api_token_issue(user=user, name="t", actor=SYS)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def console(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _refused(response, status: int = 400, code: ErrorCode = ErrorCode.INPUT_INVALID) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    return body


# ---------------------------------------------------------------- the API


def test_nul_bytes_in_the_query_the_path_and_the_body_answer_400(api, center):
    _refused(api.get("/api/v1/accounts/members", {"q": "张\x00"}))
    _refused(api.get("/api/v1/accounts/members/3301%0000001"))
    body = json.dumps({"name": "单位\u0000", "credit_code": "x"})
    _refused(api.post("/api/v1/accounts/employers", body, content_type="application/json"))
    _refused(api.post("/api/v1/accounts/employers", b'{"name": "a\x00b"}', content_type="application/json"))


def test_integers_of_2_63_or_more_answer_400(api, center):
    employer = make_employer(center)
    for big in (2**63, -(2**63), 10**30):
        body = json.dumps({"employer_no": employer.account_no, "name": "张三", "id_type": "01",
                           "id_number": "330106199001010035", "base": big})
        _refused(api.post("/api/v1/accounts/members", body, content_type="application/json"))
    # a path integer beyond BIGINT: an object that cannot exist, never a database error
    got = api.get(f"/api/v1/approvals/commands/{2**63}")
    assert got.status_code in (400, 404) and set(got.json()) == ERROR_KEYS
    _refused(api.get("/api/v1/ledger/trial-balance", {"year": str(2**63), "month": "1"}), 400, ErrorCode.MONTH_FORMAT)


def test_a_json_body_over_the_upload_limit_answers_413(api, center):
    limit = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit == 2_621_440  # Django's 2.5 MB
    body = json.dumps({"name": "x" * (limit + 10)})
    got = _refused(api.post("/api/v1/accounts/employers", body, content_type="application/json"), 413,
                   ErrorCode.PAYLOAD_TOO_LARGE)
    assert "请求内容过大" in got["message"]


def test_an_unknown_api_path_answers_the_catalogue_404(api):
    _refused(api.get("/api/v1/no-such-thing"), 404, ErrorCode.NOT_FOUND)


def test_an_unexpected_api_error_answers_server_error_with_the_request_id(api, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr("openhpf.api.connection.cursor", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
        got = api.get("/api/v1/health", HTTP_X_REQUEST_ID="rid-123")
    assert got.status_code == 500
    body = got.json()
    assert body["code"] == "SERVER_ERROR" and "rid-123" in body["message"] and "boom" not in got.content.decode()


def test_month_13_and_year_0_are_refused_by_the_api(api, center):
    _refused(api.get("/api/v1/ledger/trial-balance", {"year": "2026", "month": "13"}), 400, ErrorCode.MONTH_FORMAT)
    _refused(api.get("/api/v1/ledger/trial-balance", {"year": "0", "month": "1"}), 400, ErrorCode.MONTH_FORMAT)


# ---------------------------------------------------------------- the console


def _chinese_page(response, status: int, words: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert words in text and "Traceback" not in text and "Not Found" not in text and "Bad Request" not in text
    return text


def test_nul_bytes_in_the_console_answer_a_chinese_400_page(console, center):
    _chinese_page(console.get("/accounts/members/", {"q": "\x00"}), 400, "请求内容不正确")
    _chinese_page(console.post("/access/members/export/", {"q": "a", "reason": "核对\x00"}), 400, "空字符")


def test_cr_lf_in_the_export_reason_is_refused_and_nothing_is_exported(console, center):
    employer = make_employer(center)
    make_account(center, employer)
    got = console.post("/access/members/export/", {"q": "张", "reason": "核对\r\nX-Injected: 1"})
    assert got.status_code == 400 and "换行" in got.content.decode()
    got = console.post("/access/members/export/", "q=%E5%BC%A0&reason=%E6%A0%B8%E5%AF%B9%0D%0AX-Injected:%201",
                       content_type="application/x-www-form-urlencoded")
    assert got.status_code == 400 and "换行" in got.content.decode()
    assert "X-Injected" not in got and "X-HPF-Watermark" not in got


def test_chinese_404_and_403_pages(console, client, center):
    _chinese_page(console.get("/no-such-page/"), 404, "页面不存在")
    _chinese_page(client.get("/no-such-page/"), 404, "页面不存在")
    nobody, _ = staff_create(username="edge2", password="pw-Edge-2026-y", center=center, actor=SYS)
    c = Client(raise_request_exception=False)
    c.force_login(nobody)
    _chinese_page(c.get("/ledger/"), 403, "无权限")


def test_an_unexpected_console_error_is_a_chinese_500_page(console, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom DATABASE_URL")

    monkeypatch.setattr("openhpf.ledger.views.trial_balance", boom)
    page = _chinese_page(console.get("/ledger/"), 500, "系统内部错误")
    assert "boom" not in page


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


def test_the_debug_page_hides_database_url(console, settings, monkeypatch):
    password = "".join(["S3", "cret", "-Pw"])  # not in this file's text, which the debug page quotes
    secret_url = f"postgres://hpf:{password}@db.internal:5432/hpf"
    settings.DEBUG = True
    settings.DATABASE_URL = secret_url
    monkeypatch.setenv("DATABASE_URL", secret_url)
    monkeypatch.setattr("openhpf.ledger.views.trial_balance", _boom)
    got = console.get("/ledger/", HTTP_DATABASE_URL=secret_url)
    assert got.status_code == 500 and b"boom" in got.content  # Django's technical page, under HPF_DEBUG=1 only
    assert password.encode() not in got.content


# ---------------------------------------------------------------- commands


@pytest.mark.parametrize("period", ["2026-13", "0-5", "2026-00", "99999999999999999999-1"])
def test_trial_balance_refuses_month_13_and_year_0(center, period):
    with pytest.raises(CommandError) as ce:
        call_command("trial_balance", "--period", period, stdout=io.StringIO())
    assert "YYYY-MM" in str(ce.value)


def test_trial_balance_of_an_unknown_center_is_an_error_not_a_traceback(center):
    with pytest.raises(CommandError, match="不存在"):
        call_command("trial_balance", "--period", "2026-11", "--center", "999999", stdout=io.StringIO())


# ---------------------------------------------------------------- DEBUG in every settings module


def _settings_value(module: str, env: dict[str, str], tmp_path: Path, code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("HPF_DEBUG", "DJANGO_SETTINGS_MODULE")}
    clean.update(env, HPF_VAR_DIR=str(tmp_path / "var"))
    return subprocess.run([sys.executable, "-c", f"import {module} as s; {code}"], env=clean, cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=60)


@pytest.mark.parametrize("module", ["openhpf.settings.dev", "openhpf.settings.base", "openhpf.settings.test"])
def test_debug_is_off_unless_hpf_debug_is_1(module, tmp_path):
    off = _settings_value(module, {}, tmp_path, "print(s.DEBUG)")
    assert off.returncode == 0 and off.stdout.strip() == "False", off.stderr
    on = _settings_value(module, {"HPF_DEBUG": "1"}, tmp_path, "print(s.DEBUG)")
    assert on.stdout.strip() == "True"
    other = _settings_value(module, {"HPF_DEBUG": "true"}, tmp_path, "print(s.DEBUG)")
    assert other.stdout.strip() == "False"


def test_wsgi_defaults_to_production_settings_and_hpf_to_dev_with_debug_off(tmp_path):
    text = (ROOT / "openhpf" / "wsgi.py").read_text()
    assert '"openhpf.settings.production"' in text
    proc = _settings_value("openhpf.wsgi", {}, tmp_path, "")
    assert proc.returncode != 0 and "production settings need" in proc.stderr  # refuses instead of dev settings
    clean = {k: v for k, v in os.environ.items() if k not in ("HPF_DEBUG", "DJANGO_SETTINGS_MODULE")}
    clean["HPF_VAR_DIR"] = str(tmp_path / "var")
    proc = subprocess.run([sys.executable, "-m", "openhpf.cli", "diffsettings", "--all"], env=clean, cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "DEBUG = False" in proc.stdout
