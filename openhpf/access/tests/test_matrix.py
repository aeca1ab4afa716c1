"""The authorization matrix: every console page and API operation has a declared rule (access/policy.py), and
for every role × endpoint the response is allowed or 403 as declared. A new endpoint without a rule fails."""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from openhpf.access import policy
from openhpf.access.catalogue import PERMISSIONS, ROLES, SUPERUSER_ROLE
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.api import api
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create

ROLE_PERMS = {r.code: set(r.permissions) for r in ROLES}

# Endpoints that validate their input before checking the permission, so a refused caller may see 422 instead
# of 403 (no write happens either way). The owning app should move its check first and delete the line here.
CHECK_AFTER_VALIDATION: dict[str, str] = {}  # endpoints that validate before checking permission: none
_NAMED = {"employer_no": None}  # filled per test with the world's employer
SUBJECTS = [r.code for r in ROLES] + ["superuser", "norole"]


def _console_names() -> list[str]:
    out: list[str] = []

    def walk(patterns: list[Any], ns: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue  # the API is checked through its OpenAPI operations
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                out.append(f"{ns}{p.name}")

    walk(get_resolver().url_patterns, "")
    return out


@functools.cache
def _openapi() -> dict[str, Any]:
    """The API's OpenAPI schema, built once: building it takes a third of a second, and the matrix needs it for
    each of its ~1,000 calls."""
    return api.get_openapi_schema()


def _api_operations() -> dict[str, dict[str, Any]]:
    schema = _openapi()
    return {f"{m.upper()} {path}": op for path, ops in schema["paths"].items() for m, op in ops.items()}


def test_every_console_page_has_a_rule():
    missing = sorted(set(_console_names()) - set(policy.CONSOLE))
    assert not missing, f"console URLs without a rule in openhpf/access/policy.py: {missing}"
    stale = sorted(set(policy.CONSOLE) - set(_console_names()))
    assert not stale, f"rules for console URLs that do not exist: {stale}"


def test_every_api_operation_has_a_rule():
    ops = _api_operations()
    missing = sorted(set(ops) - set(policy.API))
    assert not missing, f"API operations without a rule in openhpf/access/policy.py: {missing}"
    assert not sorted(set(policy.API) - set(ops)), "rules for API operations that do not exist"
    for rule in [*policy.CONSOLE.values(), *policy.API.values()]:
        assert rule in (policy.PUBLIC, policy.LOGIN, policy.DELEGATED, policy.PRINCIPAL) or rule in PERMISSIONS, rule


def _allowed(subject: str, rule: str) -> bool | None:
    """Whether the subject may use an endpoint of this rule (None: the app decides, only sign-in is checked)."""
    if rule == policy.DELEGATED:
        return None
    if rule in (policy.PUBLIC, policy.LOGIN):
        return True
    if rule == policy.PRINCIPAL:
        return False  # a staff token is refused (checked as 401/403 below)
    if subject == "norole":
        return False
    role = SUPERUSER_ROLE if subject == "superuser" else subject
    return rule in ROLE_PERMS[role]


# ---------------------------------------------------------------- fixtures: one center, a user per role


@pytest.fixture
def world(center):
    employer = make_employer(center, 1, name="矩阵测试有限公司")
    account = make_account(center, employer, 1, name="王矩阵")
    users: dict[str, tuple[Any, str]] = {}
    for subject in SUBJECTS:
        user, _ = staff_create(username=f"m_{subject}", password="pw-Matrix-2026", center=center,
                               superuser=subject == "superuser", actor=SystemActor("test"))
        if subject not in ("superuser", "norole"):
            grant_role(user, subject, center=None if subject in ("sysadmin", "secadmin", "secauditor") else center)
        token, _ = api_token_issue(user=user, name="matrix", actor=SystemActor("test"))
        users[subject] = (user, token)
    return {"employer": employer, "account": account, "users": users}


_ARG = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def _value(arg: str, name: str, world: dict[str, Any]) -> str:
    if arg == "employer_no":
        return world["employer"].account_no
    if arg == "account_no":
        return world["employer"].account_no if "employer" in name else world["account"].account_no
    if arg == "action":
        return "suspend"
    return "999999"


def _console_url(name: str, world: dict[str, Any]) -> str:
    for kwargs in ({}, {"account_no": _value("account_no", name, world)}, {"pk": "999999"}, {"voucher_no": "999999"},
                   {"user_id": "999999", "action": "lock"}, {"user_id": "999999"},
                   {"client_id": "999999", "action": "revoke"}, {"number": "HD2026120100000001"},
                   {"key": "contribution.base.cap"}, {"job_id": "999999"}, {"code": "HPF-P-WD-07"}):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name}")


def _console_call(client, name: str, url: str):
    r = client.get(url)
    if r.status_code == 405:
        r = client.post(url, {"reason": "授权矩阵测试", "q": "王", "fields": ["name"]})
    return r


def _dummy(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return _dummy(components[schema["$ref"].split("/")[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _dummy(options[0], components) if options else None
    t = schema.get("type")
    if t == "object":
        props = schema.get("properties", {})
        return {k: "0.1" if k.endswith("ratio") else _NAMED[k] if _NAMED.get(k) else _dummy(props[k], components)
                for k in schema.get("required", [])}
    if t == "array":
        item = schema.get("items", {})
        return [_dummy(item, components)] if item.get("format") == "binary" else []
    if t == "integer":
        return 1
    if t == "number":
        return 0.1
    if t == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-11-30"
    if schema.get("format") == "binary":
        return SimpleUploadedFile("matrix.csv", b"x\n", content_type="text/csv")
    if "pattern" in schema or schema.get("format") == "decimal":
        return "0.1"
    return "x"


def _api_call(client, key: str, op: dict[str, Any], token: str, world: dict[str, Any]):
    method, path = key.split(" ", 1)
    url = _ARG.sub(lambda m: _value(m.group(1) or m.group(2), path, world), path)
    query = {}
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required"):
            query[p["name"]] = {"year": 2026, "month": 11}.get(p["name"], "王")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, query, **headers)
    if query:
        url += "?" + urlencode(query)
    content = op.get("requestBody", {}).get("content", {})
    components = _openapi()["components"]["schemas"]
    if "multipart/form-data" in content:
        data = _dummy(content["multipart/form-data"]["schema"], components)
        return client.post(url, {k: v for k, v in data.items() if v is not None}, **headers)
    body = content.get("application/json", {}).get("schema")
    data = _dummy(body, components) if body else {}
    return client.generic(method, url, json.dumps(data), content_type="application/json", **headers)


def test_console_matrix(client, world):
    failures = []
    for name, rule in sorted(policy.CONSOLE.items()):
        if rule == policy.PUBLIC:
            continue
        url = _console_url(name, world)
        client.logout()
        anon = _console_call(client, name, url)
        if anon.status_code not in (302, 401, 403):
            failures.append(f"anonymous {name}: {anon.status_code}")
        for subject in SUBJECTS:
            client.force_login(world["users"][subject][0])
            status = _console_call(client, name, url).status_code
            want = _allowed(subject, rule)
            if (want and status in (401, 403)) or status >= 500 or (want is None and status == 401):
                failures.append(f"{subject} {name} ({rule}): {status}, expected allowed")
            if want is False and status != 403:
                failures.append(f"{subject} {name} ({rule}): {status}, expected 403")
    assert not failures, "\n".join(failures)


def test_api_matrix(client, world):
    _NAMED["employer_no"] = world["employer"].account_no
    failures = []
    for key, op in sorted(_api_operations().items()):
        rule = policy.API.get(key)
        if rule is None or rule == policy.PUBLIC:  # a missing rule fails test_every_api_operation_has_a_rule
            continue
        anon = _api_call(client, key, op, "", world).status_code
        if anon != 401:
            failures.append(f"anonymous {key}: {anon}")
        for subject in SUBJECTS:
            status = _api_call(client, key, op, world["users"][subject][1], world).status_code
            want = _allowed(subject, rule)
            if (want and status in (401, 403)) or status >= 500 or (want is None and status == 401):
                failures.append(f"{subject} {key} ({rule}): {status}, expected allowed")
            late = key in CHECK_AFTER_VALIDATION and status == 422
            if want is False and status != 403 and not (rule == policy.PRINCIPAL and status == 401) and not late:
                failures.append(f"{subject} {key} ({rule}): {status}, expected 403")
    assert not failures, "\n".join(failures)
