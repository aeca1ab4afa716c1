"""Idempotency keys across the whole JSON API (openhpf/api.py): which POSTs must carry `@idempotent`, and how a
key behaves on real endpoints (maker-checker submission and approval).

THE RULE. A POST moves money when it posts to the ledger or starts money on its way: it creates a payment,
collection or other settlement instruction, records a receipt, posts a remittance, refunds, runs interest, makes
a manual posting or a deposit, or approves a stored command (whose apply may be any of those). Every such POST
carries `@idempotent(..., money_moving=True)` under its route decorator. Concretely, a POST moves money when
- its path is under a money prefix: /settlement/, /ledger/, and /withdrawals/, /loans/ when those apps mount; or
- its path matches a money pattern: `…/post`, `…/approve`, or a path naming a receipt, refund, interest,
  deposit, posting, payment or collection; or
- its view is listed in MONEY_MOVING_VIEWS (money-moving POSTs whose path does not say so).
An exception to the prefixes and patterns needs an entry in NOT_MONEY_MOVING with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from openhpf.access.services import role_revoke
from openhpf.api import api
from openhpf.approvals.models import PendingCommand
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.idempotency import REGISTRY, Endpoint
from openhpf.core.models import IdempotencyKey
from openhpf.iam.services import api_token_issue, staff_create

MONEY_PREFIXES = ("/settlement/", "/ledger/", "/withdrawals/", "/loans/")
MONEY_PATTERNS = [re.compile(p) for p in (
    r"/post$", r"/approve$", r"receipt", r"refund", r"interest", r"deposit", r"posting", r"payment", r"collection",
)]
MONEY_VIEWS: dict[str, str] = {
    "openhpf.finance.api.value_added_close": "年末结转 posts the year's 损益 into 增值收益",
}
NOT_MONEY_MOVING: dict[str, str] = {  # "POST <path>": why it moves no money although its path looks so
    "POST /settlement/payees/{pk}/unmask": "shows a payee's account number or name in clear (audited read)",
    "POST /withdrawals/members/{account_no}/cards": "registers a member's bank card, waiting for verification",
    "POST /withdrawals/cards/{card_id}/verify": "verifies a member's bank card (it becomes a payee; nothing is paid)",
    "POST /loans/applications": "files a loan application (the engine's rules; nothing is held or paid)",
    "POST /loans/applications/{number}/contract": "draws the loan contract and its schedule (nothing is paid)",
    "POST /loans/applications/{number}/sign": "records a party's signature on the contract (nothing is paid)",
    "POST /loans/applications/{number}/collateral": "records the collateral and its registration (nothing is paid)",
    "POST /loans/{number}/prepay/quote": "试算 of a partial prepayment (nothing is written)",
    "POST /loans/{number}/payoff/quote": "试算 of a payoff (nothing is written)",
    "POST /loans/{number}/certificate": "issues the 贷款结清证明 of a settled loan (a document; nothing is paid)",
    "POST /loans/{number}/collateral/release": "sends the 解押 notice of a settled loan (a document; nothing is paid)",
    "POST /loans/{number}/collateral-events": "records the registry's status of the collateral (nothing is paid)",
    "POST /loans/collateral-events/{event_id}/handle": "records the disposal of a collateral warning (nothing is paid)",
    "POST /loans/{number}/class": "sets a loan's five-tier class by hand, with a reason and an expiry (nothing is paid)",
    "POST /loans/registry/registrations": "the registry pushes a registration status; a repeat changes nothing (nothing is paid)",
}


def _posts() -> list[tuple[str, Callable[..., Any]]]:
    """("/<router prefix>/<path>", view function) of every POST operation mounted on the API."""
    out: list[tuple[str, Callable[..., Any]]] = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                if "POST" in op.methods:
                    out.append(("/" + (prefix.strip("/") + "/" + path.lstrip("/")).strip("/"), op.view_func))
    return out


def _is_money_moving(path: str, view: Callable[..., Any]) -> bool:
    if f"POST {path}" in NOT_MONEY_MOVING:
        return False
    name = f"{getattr(view, '__module__', '')}.{getattr(view, '__name__', '')}"
    return (path.startswith(MONEY_PREFIXES) or any(p.search(path) for p in MONEY_PATTERNS) or name in MONEY_VIEWS)


def test_every_money_moving_post_carries_the_idempotency_decorator():
    posts = _posts()
    assert len(posts) > 30 and any(p == "/settlement/payments" for p, _ in posts)  # the walk sees the API
    missing = [p for p, view in posts if _is_money_moving(p, view)
               and not (isinstance(REGISTRY.get(view), Endpoint) and REGISTRY[view].money_moving)]
    assert not missing, ("money-moving POSTs without @idempotent(..., money_moving=True) (core/idempotency.py) "
                         f"under their route decorator: {missing}")
    money = {p for p, view in posts if _is_money_moving(p, view)}
    for must in ("/settlement/payments", "/settlement/dayend", "/contributions/remittances/{pk}/post",
                 "/contributions/receipts", "/approvals/commands/{pk}/approve", "/finance/value-added/{year}/close"):
        assert must in money, must  # the rule itself covers the known money movements


def test_the_registry_and_the_lists_name_only_what_exists():
    posts = dict((view, p) for p, view in _posts())
    app_entries = {view: e for view, e in REGISTRY.items() if ".tests." not in e.view.__module__}
    not_mounted = sorted(e.name for view, e in app_entries.items() if view not in posts)
    assert not not_mounted, f"@idempotent views that no POST operation of the API mounts: {not_mounted}"
    names = {f"{v.__module__}.{v.__name__}" for v in posts}
    assert set(MONEY_VIEWS) <= names, set(MONEY_VIEWS) - names
    paths = {f"POST {p}" for p in posts.values()}
    assert set(NOT_MONEY_MOVING) <= paths, set(NOT_MONEY_MOVING) - paths


# ---------------------------------------------------------------- keys on real endpoints

CHANGE = {"key": "contribution.base.cap", "value": 3600000, "value_type": "int", "effective_from": "2027-07-01",
          "source": "杭房金〔2027〕1号"}
SUBMIT = "/api/v1/approvals/policy-changes"


def _staff(center, username, *roles):
    user, _ = staff_create(username=username, password="pw-Idem-2026x", center=center, actor=SystemActor("test"))
    grant_role(user, *roles, center=center)
    plaintext, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    return user, {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _post(client, url, body, auth, key):
    return client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **auth)


@pytest.fixture
def makers(center):
    return _staff(center, "maker1", "leader"), _staff(center, "maker2", "leader")


def test_replay_returns_the_stored_result(client, center, makers):
    (_m1, a), _ = makers
    r1 = _post(client, SUBMIT, CHANGE, a, "cap-2027")
    r2 = _post(client, SUBMIT, dict(reversed(CHANGE.items())), a, "cap-2027")
    assert r1.status_code == r2.status_code == 202 and r1.json() == r2.json()
    assert PendingCommand.objects.count() == 1
    row = IdempotencyKey.objects.get()
    assert (row.path, row.command, row.center_id, row.result["status"]) == (
        SUBMIT, "approvals.api.policy_change_submit", center.pk, 202)


def test_same_key_with_another_body_is_refused(client, center, makers):
    (_m1, a), _ = makers
    _post(client, SUBMIT, CHANGE, a, "cap-2027")
    r = _post(client, SUBMIT, {**CHANGE, "value": 3700000}, a, "cap-2027")
    assert r.status_code == 422 and r.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert r.json()["message"] == "该 Idempotency-Key 已用于内容不同的请求，请使用新的幂等键"
    assert PendingCommand.objects.count() == 1


def test_another_principal_replaying_a_key_gets_no_stored_result(client, center, makers):
    (_m1, a), (_m2, b) = makers
    r1 = _post(client, SUBMIT, CHANGE, a, "cap-2027")
    r2 = _post(client, SUBMIT, CHANGE, b, "cap-2027")
    assert r2.status_code == 202 and r2.json()["id"] != r1.json()["id"] and r2.json()["maker"] == "maker2"
    assert PendingCommand.objects.count() == 2


def test_unauthorized_caller_with_a_stored_key_gets_403(client, center, makers):
    (m1, a), _ = makers
    r1 = _post(client, SUBMIT, CHANGE, a, "cap-2027")
    assert r1.status_code == 202
    role_revoke(user=m1, role="leader", center=center, actor=SystemActor("test"))
    r = _post(client, SUBMIT, CHANGE, a, "cap-2027")
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN" and "id" not in r.json()
    # a teller who never may submit gets 403 with the same key, whatever is stored under others' keys
    _t, t = _staff(center, "teller1", "teller")
    assert _post(client, SUBMIT, CHANGE, t, "cap-2027").status_code == 403


def test_approval_is_replayed_not_applied_twice(client, center, makers):
    (_m1, a), _ = makers
    _c1, c = _staff(center, "checker1", "reviewer")
    _c2, d = _staff(center, "checker2", "reviewer")
    pk = _post(client, SUBMIT, CHANGE, a, "cap-2027").json()["id"]
    url = f"/api/v1/approvals/commands/{pk}/approve"
    r1 = _post(client, url, {"reason": "同意"}, c, "approve-1")
    r2 = _post(client, url, {"reason": "同意"}, c, "approve-1")
    assert r1.status_code == r2.status_code == 200 and r1.json() == r2.json() and r2.json()["status"] == "applied"
    # another checker with the same key runs its own approval: the command is decided already
    r3 = _post(client, url, {"reason": "同意"}, d, "approve-1")
    assert r3.status_code == 409 and r3.json()["code"] == "ALREADY_DECIDED"
    # a maker may not replay a checker's key into an approval of its own command
    r4 = _post(client, url, {"reason": "同意"}, a, "approve-1")
    assert r4.json()["code"] in ("SELF_APPROVAL", "ALREADY_DECIDED")
    assert r4.status_code == ErrorCode.of(r4.json()["code"]).status
