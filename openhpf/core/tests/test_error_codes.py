"""The error-code catalogue (openhpf/core/error_codes.py): closed, each code with its status by the stated rule and
a Chinese template, docs/errors.md generated from it."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from openhpf.core.error_codes import DOC_PATH, STATUSES, ErrorCode, render_markdown
from openhpf.core.errors import DomainError, PermissionDenied

ROOT = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u3400-\u9fff]")


def test_a_domain_error_with_a_code_outside_the_catalogue_fails():
    with pytest.raises(TypeError, match="ErrorCode"):
        DomainError("RULE_X", "缴存基数超过上限")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DomainError("ACCOUNT_UNKNOWN", "个人账号不存在")  # type: ignore[arg-type]  # a catalogue string, not a member
    with pytest.raises(ValueError, match="not an error code"):
        ErrorCode.of("RULE_X")


def test_a_member_compares_equal_to_its_code_so_callers_comparing_strings_keep_working():
    e = DomainError(ErrorCode.ACCOUNT_UNKNOWN, "个人账号 1 不存在", field="account_no")
    assert e.code == "ACCOUNT_UNKNOWN" and f"{e.code}" == "ACCOUNT_UNKNOWN" and str(e) == "[ACCOUNT_UNKNOWN] 个人账号 1 不存在"
    assert PermissionDenied().code is ErrorCode.FORBIDDEN and ErrorCode.of("FORBIDDEN") is ErrorCode.FORBIDDEN


def test_without_a_message_the_template_is_filled_with_the_params():
    e = DomainError(ErrorCode.ACCOUNT_UNKNOWN, account_no="330100000001", field="account_no")
    assert e.message == "个人账号 330100000001 不存在" and e.field == "account_no"
    with pytest.raises(KeyError):
        DomainError(ErrorCode.ACCOUNT_UNKNOWN)  # a placeholder left unfilled is a bug of the call site


@pytest.mark.parametrize("code", list(ErrorCode), ids=lambda c: c.value)
def test_every_code_has_a_status_and_a_chinese_template_with_named_placeholders(code):
    assert code.value == code.name and re.fullmatch(r"[A-Z][A-Z0-9_]+", code.value)
    assert code.status in STATUSES
    assert CJK.search(code.template), code
    names = [f for _, f, _, _ in string.Formatter().parse(code.template) if f is not None]
    assert all(n.isidentifier() for n in names), (code, names)  # str.format placeholders, by name


# a step of the process that must come first (a review, a receipt), not a field left empty: a business rule, 422
PROCESS_STEPS = {"APPROVAL_REQUIRED", "MAKER_CHECKER_REQUIRED", "RECEIPT_REQUIRED"}


def test_statuses_follow_the_rule_by_category():
    by = {c.value: c.status for c in ErrorCode}
    for name, status in by.items():
        if name == "NOT_FOUND" or name.endswith("_NOT_FOUND"):
            assert status == 404, name
        if name.endswith(("_EXISTS", "_CONFLICT")) or name.startswith("ALREADY_"):
            assert status == 409, name
        if name.endswith(("_FORMAT", "_REQUIRED", "_CHECKSUM")) and name not in PROCESS_STEPS:
            assert status == 400, name
    assert (by["UNAUTHENTICATED"], by["FORBIDDEN"], by["INPUT_INVALID"], by["VALIDATION"], by["RATE_LIMITED"]) == \
        (401, 403, 400, 422, 429)
    assert (by["ILLEGAL_TRANSITION"], by["PERIOD_CLOSED"], by["IDEMPOTENCY_IN_FLIGHT"]) == (409, 409, 409)
    assert (by["ENTRY_UNBALANCED"], by["INSUFFICIENT_BALANCE"], by["IDEMPOTENCY_KEY_REUSED"]) == (422, 422, 422)
    assert {by[c] for c in PROCESS_STEPS} == {422}


def test_the_error_code_page_is_current():
    page = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert page == render_markdown(), "run: python -m openhpf.core.error_codes --write"
    assert "| `ACCOUNT_UNKNOWN` | 404 |" in page


def test_no_source_raises_a_domain_error_with_a_string_code():
    """mypy rejects it in typed code; this catches it anywhere (tests included), before it runs."""
    found = []
    for path in sorted((ROOT / "openhpf").rglob("*.py")):
        if "migrations" in path.parts or path == Path(__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("DomainError", "FieldError", "Rule")):
                args = node.args[:1] + [k.value for k in node.keywords if k.arg == "code"]
                if any(isinstance(a, ast.Constant) and isinstance(a.value, str) and re.fullmatch(r"[A-Z0-9_]+", a.value)
                       for a in args):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found
