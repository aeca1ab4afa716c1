"""The `@idempotent` decorator on an API of its own: scope, replay, reuse, in-flight requests, what is stored."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer
from ninja.testing import TestClient

from openhpf.core.actors import AgentActor, MemberActor
from openhpf.core.api_errors import install
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import REGISTRY, current, idempotent
from openhpf.core.models import IdempotencyKey

ALLOWED: set[str] = set()  # principals the test endpoint lets in
CALLS: list[dict] = []
GATE: list[threading.Event] = []  # when set, the movement waits for it (a request still running)


class FakeAuth(HttpBearer):
    """`staff-<username>`, `member-<id>`, `agent-<id>`: the principals of openhpf/iam/auth.py, without tokens."""

    def authenticate(self, request, token):
        kind, _, ident = token.partition("-")
        if kind == "staff":
            from django.contrib.auth import get_user_model

            request.user = get_user_model().objects.get(username=ident)
            return request.user
        if kind == "member":
            request.actor = MemberActor(SimpleNamespace(pk=int(ident), member_id=int(ident)))
        elif kind == "agent":
            request.actor = AgentActor(SimpleNamespace(pk=int(ident), employer_id=1, login_id=f"a{ident}"))
        else:
            return None
        return request.actor


def may_call(request, **_):
    who = getattr(request, "actor", None) or request.user
    label = who.label if hasattr(who, "label") else f"staff:{who.get_username()}"
    if label not in ALLOWED:
        raise DomainError(ErrorCode.FORBIDDEN, "无权限：测试")


class MoveIn(Schema):
    amount: int
    note: str = ""


api = NinjaAPI(auth=FakeAuth(), urls_namespace="idempotency-test")


@api.post("/moves/{ref}", response={201: dict, 503: dict})
@idempotent(authorize=may_call, money_moving=True)
def move(request, ref: str, payload: MoveIn, fail: str = ""):
    """A money movement of the test: counts its executions."""
    CALLS.append({"ref": ref, "amount": payload.amount, "key": current(request)})
    if GATE:
        GATE[0].wait(10)
    if fail == "raise":
        raise RuntimeError("boom")
    if fail == "refuse":
        raise DomainError(ErrorCode.AMOUNT_MISMATCH, "金额不对", field="amount")
    if fail == "503":
        return Status(503, {"n": len(CALLS)})
    return Status(201, {"n": len(CALLS), "ref": ref, "amount": payload.amount})


class PlainIn(Schema):
    state: str = "S"


@api.post("/plain")
@idempotent(authorize=may_call, store_if=lambda status, body: body["state"] != "F")
def plain(request, payload: PlainIn):
    CALLS.append({"plain": payload})
    return {"n": len(CALLS), "state": payload.state}


install(api)
client = TestClient(api)


@pytest.fixture(autouse=True)
def _reset():
    ALLOWED.clear()
    CALLS.clear()
    GATE.clear()


@pytest.fixture
def alice(db, django_user_model):
    django_user_model.objects.create_user("alice", password="pw-Alice-2026", is_staff=True)
    ALLOWED.add("staff:alice")
    return "staff-alice"


def call(token, path="/moves/r1", body=None, key=None, fail=""):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(path, json={"amount": 100} if body is None else body, headers=headers,
                       query_params={"fail": fail} if fail else None)


def test_the_view_is_registered_with_its_flag_and_keeps_its_signature():
    entry = REGISTRY[move]
    assert (entry.name, entry.money_moving) == ("core.tests.test_idempotency.move", True)
    assert REGISTRY[plain].money_moving is False
    assert move.__doc__.startswith("A money movement")


def test_replay_returns_the_stored_status_and_body(alice):
    r1 = call(alice, key="k1", body={"amount": 100, "note": ""})
    r2 = call(alice, key="k1", body={"note": "", "amount": 100})  # the same request: the body by its content
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json() == {"n": 1, "ref": "r1", "amount": 100}
    assert len(CALLS) == 1 and CALLS[0]["key"].key == "k1" and CALLS[0]["key"].principal.startswith("staff:")
    row = IdempotencyKey.objects.get()
    assert (row.principal_kind, row.method, row.path, row.state, row.result) == (
        "staff", "POST", "/moves/r1", "done", {"status": 201, "body": {"n": 1, "ref": "r1", "amount": 100}})
    # without a key, every call runs
    call(alice), call(alice)
    assert len(CALLS) == 3 and IdempotencyKey.objects.count() == 1


def test_same_key_with_another_body_or_query_is_refused(alice):
    call(alice, key="k1")
    for r in (call(alice, key="k1", body={"amount": 101}), call(alice, key="k1", fail="x")):
        assert r.status_code == 422 and r.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert "Idempotency-Key" in r.json()["message"]
    assert len(CALLS) == 1
    # another path is another scope: the key is that path's own
    assert call(alice, path="/moves/r2", key="k1").json()["n"] == 2


def test_another_principal_gets_its_own_execution(alice, django_user_model):
    django_user_model.objects.create_user("bob", password="pw-Bob-2026", is_staff=True)
    ALLOWED.update({"staff:bob", "member:7", "agent:a7"})
    assert call(alice, key="k1").json()["n"] == 1
    assert call("staff-bob", key="k1").json()["n"] == 2
    assert call("member-7", key="k1").json()["n"] == 3
    assert call("agent-7", key="k1").json()["n"] == 4  # same id, another kind of principal
    assert call("member-7", key="k1").json()["n"] == 3
    assert sorted(IdempotencyKey.objects.values_list("principal_kind", flat=True)) == [
        "agent", "member", "staff", "staff"]


def test_authorization_runs_before_any_replay(alice):
    call(alice, key="k1")
    ALLOWED.clear()  # alice lost the permission
    r = call(alice, key="k1")
    assert r.status_code == 403 and r.json()["code"] == "FORBIDDEN" and "n" not in r.json()
    # a malformed key from a caller who may not call is still a 403
    assert call(alice, key="a#1").status_code == 403


def test_in_flight_request_with_the_same_key_gets_409_until_its_claim_is_stale(alice):
    call(alice, key="k1", body={"amount": 5})
    IdempotencyKey.objects.update(state=IdempotencyKey.State.IN_FLIGHT, result={}, claimed_at=timezone.now())
    r = call(alice, key="k1", body={"amount": 5})
    assert r.status_code == 409 and r.json()["code"] == "IDEMPOTENCY_IN_FLIGHT" and len(CALLS) == 1
    assert call(alice, key="k1", body={"amount": 6}).json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    IdempotencyKey.objects.update(claimed_at=timezone.now() - timedelta(hours=1))  # its request crashed
    r = call(alice, key="k1", body={"amount": 5})
    assert r.status_code == 201 and len(CALLS) == 2 and IdempotencyKey.objects.get().state == "done"


def test_only_definitive_outcomes_are_stored(alice):
    with pytest.raises(RuntimeError):
        call(alice, fail="raise", key="k1")
    assert call(alice, fail="refuse", key="k1").status_code == 422
    assert call(alice, fail="503", key="k1").status_code == 503
    assert not IdempotencyKey.objects.exists() and len(CALLS) == 3
    # a 2xx that store_if declines (a definitive failure the caller may retry) is not stored either
    assert call(alice, path="/plain", body={"state": "F"}, key="k2").json() == {"n": 4, "state": "F"}
    assert call(alice, path="/plain", body={"state": "F"}, key="k2").json() == {"n": 5, "state": "F"}
    assert not IdempotencyKey.objects.exists()
    assert call(alice, path="/plain", body={"state": "S"}, key="k3").json() == {"n": 6, "state": "S"}
    assert call(alice, path="/plain", body={"state": "S"}, key="k3").json() == {"n": 6, "state": "S"}
    assert IdempotencyKey.objects.get().result == {"status": None, "body": {"n": 6, "state": "S"}}


def test_bad_keys_are_refused(alice):
    for key in ("a#1", "x" * 121, "tab\there"):
        r = call(alice, key=key)
        assert r.status_code == 400 and r.json()["code"] == "IDEMPOTENCY_KEY"
    assert not CALLS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_request_with_the_key_gets_409_then_the_replay(django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("two requests on two connections at once: PostgreSQL")
    django_user_model.objects.create_user("alice", password="pw-Alice-2026", is_staff=True)
    ALLOWED.add("staff:alice")
    GATE.append(threading.Event())
    first: dict[str, object] = {}

    def run_first():
        try:
            r = call("staff-alice", key="k1")
            first["status"], first["body"] = r.status_code, r.json()
        finally:
            connection.close()

    t = threading.Thread(target=run_first)
    t.start()
    deadline = time.monotonic() + 10
    while not IdempotencyKey.objects.filter(key="k1").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    second = call("staff-alice", key="k1")  # the first still runs, holding the key
    GATE[0].set()
    t.join(10)
    assert second.status_code == 409 and second.json()["code"] == "IDEMPOTENCY_IN_FLIGHT"
    assert first == {"status": 201, "body": {"n": 1, "ref": "r1", "amount": 100}} and len(CALLS) == 1
    third = call("staff-alice", key="k1")
    assert (third.status_code, third.json()) == (201, first["body"]) and len(CALLS) == 1
