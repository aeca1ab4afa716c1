"""The one error shape of the JSON API ({code, message, field, row, details}, openhpf/core/api_errors.py): every
error answered in it with its code's status, request validation in Chinese, a code outside the catalogue refused,
and 400/401/403/404/409/422 documented on every operation of /api/v1/openapi.json."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from openhpf.core.api_errors import DOCUMENTED, ErrorOutsideCatalogue, install, translate
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied, ValidationReport

ENGLISH = re.compile(r"Input should|Field required|valid|Unauthorized|Not Found|String should", re.I)
SHAPE = {"code", "message", "field", "row", "details"}


class LineIn(Schema):
    amount: int
    note: str = ""


class MoveIn(Schema):
    account_no: str
    ratio: float
    on: str
    lines: list[LineIn] = []


probe = NinjaAPI(urls_namespace="api-errors-test", docs_url=None)


@probe.post("/move")
def move(request, payload: MoveIn, month: int = 1):
    return {"ok": True}


@probe.get("/raise/{what}")
def raise_(request, what: str):
    if what == "domain":
        raise DomainError(ErrorCode.ALREADY_DECIDED, "该命令已批准，不能再次复核", field="id")
    if what == "notfound":
        raise DomainError(ErrorCode.ENTRY_NOT_FOUND, voucher_no="V1")
    if what == "forbidden":
        raise PermissionDenied("无权限：测试", field="center")
    if what == "report":
        report = ValidationReport()
        report.add(DomainError(ErrorCode.NAME_MISMATCH, "第 3 行：姓名不符", row=3, field="name", file="a.csv"))
        report.add(DomainError(ErrorCode.DUPLICATE_ROW, "第 4 行：与第 3 行重复", row=4, field="account_no"))
        raise report
    if what == "http404":
        raise Http404
    if what == "smuggled":
        e = DomainError(ErrorCode.BASE_ABOVE_CAP, "缴存基数超过上限")
        e.code = "RULE_X"  # type: ignore[assignment]  # what mypy and the constructor refuse, forced past them
        raise e
    return {"ok": True}


@probe.get("/by-hand/{status}", response={200: dict, 404: dict, 422: dict})
def by_hand(request, status: int, code: str):
    return status, {"code": code, "message": "手工答复"}


install(probe)
client = TestClient(probe)


def _error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == SHAPE and body["code"] == code, body
    assert not ENGLISH.search(body["message"]), body
    return body


@pytest.mark.parametrize(("what", "status", "code"), [
    ("domain", 409, "ALREADY_DECIDED"), ("notfound", 404, "ENTRY_NOT_FOUND"), ("forbidden", 403, "FORBIDDEN"),
    ("report", 422, "VALIDATION"), ("http404", 404, "NOT_FOUND"),
])
def test_every_error_has_the_shape_and_its_codes_status(what, status, code):
    body = _error(client.get(f"/raise/{what}"), status, code)
    if what == "notfound":
        assert body["message"] == "记账凭证 V1 不存在"
    if what == "report":
        assert body["message"] == "共 2 处错误"
        assert body["details"]["errors"] == [
            {"code": "NAME_MISMATCH", "message": "第 3 行：姓名不符", "field": "name", "row": 3, "file": "a.csv"},
            {"code": "DUPLICATE_ROW", "message": "第 4 行：与第 3 行重复", "field": "account_no", "row": 4}]
    if what == "forbidden":
        assert (body["message"], body["field"]) == ("无权限：测试", "center")


def test_an_error_outside_the_catalogue_fails():
    with pytest.raises(ErrorOutsideCatalogue, match="RULE_X"):
        client.get("/raise/smuggled")
    with pytest.raises(ErrorOutsideCatalogue, match="NOT_A_CODE"):
        client.get("/by-hand/422", query_params={"code": "NOT_A_CODE"})
    with pytest.raises(ErrorOutsideCatalogue, match="is HTTP 422 in the catalogue, answered with 404"):
        client.get("/by-hand/404", query_params={"code": "BASE_ABOVE_CAP"})
    assert client.get("/by-hand/404", query_params={"code": "ENTRY_NOT_FOUND"}).status_code == 404


def test_request_validation_comes_back_in_chinese_in_the_shape():
    r = client.post("/move?month=x", json={"ratio": "abc", "on": "2026-01-01", "lines": [{"amount": "1.5"}, {}]})
    body = _error(r, 400, "INPUT_INVALID")
    errors = {e["field"]: e["message"] for e in body["details"]["errors"]}
    assert errors == {
        "month": "month：应为整数",
        "account_no": "account_no：必须填写",
        "ratio": "ratio：应为数字",
        "lines.0.amount": "lines.0.amount：应为整数",
        "lines.1.amount": "lines.1.amount：必须填写",
    }
    assert body["field"] in errors and body["message"].startswith("请求内容不正确：")
    assert "另有 4 处" in body["message"]
    assert not any(ENGLISH.search(e["message"]) for e in body["details"]["errors"])  # no library English
    bad_json = client.post("/move", data=b"{not json", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "INPUT_INVALID"
    assert not ENGLISH.search(bad_json.json()["message"])


@pytest.mark.parametrize(("error", "text"), [
    ({"type": "missing", "loc": ("body", "payload", "x")}, "必须填写"),
    ({"type": "string_too_long", "loc": (), "ctx": {"max_length": 40}}, "不能超过 40 个字符"),
    ({"type": "enum", "loc": (), "ctx": {"expected": "'full', 'difference' or 'adhoc'"}},
     "应为以下之一：full、difference、adhoc"),
    ({"type": "decimal_parsing", "loc": ()}, "应为数字"),
    ({"type": "date_from_datetime_parsing", "loc": ()}, "应为日期（YYYY-MM-DD）"),
    ({"type": "greater_than_equal", "loc": (), "ctx": {"ge": 0}}, "不能小于 0"),
    ({"type": "value_error", "loc": (), "ctx": {"error": "Value error, 缴存比例应为小数"}}, "缴存比例应为小数"),
    ({"type": "value_error", "loc": (), "ctx": {"error": "Value error, bad thing"}}, "格式不正确"),
    ({"type": "some_future_type", "loc": ()}, "格式不正确"),
])
def test_each_pydantic_error_type_has_a_chinese_message(error, text):
    assert translate(error) == text


def test_the_real_api_answers_unauthenticated_and_bad_input_in_the_shape(client, db):
    r = client.get("/api/v1/me")
    _error(r, 401, "UNAUTHENTICATED")
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nope")
    _error(r, 401, "UNAUTHENTICATED")


def test_openapi_documents_the_error_responses_of_every_operation(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message"]
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == SHAPE
    missing = []
    n = 0
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            n += 1
            for status in DOCUMENTED:
                if status == 401 and not op.get("security"):
                    continue
                if path.endswith("/oauth/token") and status in (400, 401):
                    continue  # RFC 6749 error body, documented by its own schema
                got = op["responses"].get(str(status), {})
                ref = got.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                if not ref.endswith("/ErrorOut") or not got.get("description"):
                    missing.append(f"{method.upper()} {path} {status}")
    assert n > 50 and not missing, missing


def test_every_ninja_api_of_the_project_installs_the_error_handling():
    """A NinjaAPI without `install(api)` would answer ninja's English {"detail": …} and codes outside the catalogue."""
    root = Path(__file__).resolve().parents[1]
    without = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "test_api_errors.py" and re.search(r"=\s*NinjaAPI\(", text) and \
                not re.search(r"\binstall\(\w+\)", text):
            without.append(str(path.relative_to(root)))
    assert not without, without
