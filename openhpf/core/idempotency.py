"""Idempotency keys (幂等键) of the JSON API: one decorator, `@idempotent`, placed under the ninja route decorator.

    @router.post("/payments", summary="单笔付款")
    @idempotent(authorize=lambda request, **_: _center(request, "settlement.operate"), money_moving=True)
    def payment(request, payload: PaymentIn): ...

- The key is the `Idempotency-Key` header (at most 120 characters, no `#`: attempt suffixes use it). Without the
  header the view simply runs.
- A key is scoped to (principal kind, principal id, method, path): the staff user, or the member, agent or
  partner of the token (request.actor, set by openhpf/iam/auth.py). Another caller using the same key gets its
  own fresh execution, never the stored result.
- `authorize(request, **view_kwargs)` runs first on every request, replays included: a caller who may not call the
  endpoint (any more) gets its 403, never a stored response.
- Same key, same request (SHA-256 of the canonical body and query) → the stored status and body. Same key,
  another request → 422 IDEMPOTENCY_KEY_REUSED. Same key while the first request still runs → 409
  IDEMPOTENCY_IN_FLIGHT (a claim older than IN_FLIGHT_TIMEOUT is a crashed request and is taken over).
- Only a definitive outcome is stored: a 2xx response that `store_if` (when given) accepts. A refusal (a
  DomainError: nothing was written), a 5xx, an exception or a crash leaves no record, so a retry runs afresh;
  a view whose writes commit before a later step can fail (a payment is created, then sent) makes the retry
  find its earlier work by the key itself (settlement: the key is the instruction's `source_ref`).
- Views own their transactions (durable atomic at the entry point); the claim and the stored result are written
  in short transactions of their own around the view, never around it.
- Every decorated view is registered in REGISTRY at import, flagged `money_moving`; the test
  openhpf/core/tests/test_idempotency_registry.py walks the API and fails for a money-moving POST without it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from .actors import actor_kind, is_staff_user
from .error_codes import ErrorCode
from .errors import DomainError
from .models import Center, IdempotencyKey

try:  # django-ninja ≥ 1.5; older versions take a (status, body) tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

HEADER = "Idempotency-Key"
KEY_MAX = 120
PATH_MAX = 300
IN_FLIGHT_TIMEOUT = timedelta(minutes=10)
ATTEMPT_SEP = "#"  # `<key>#2`: the second attempt after a definitive failure (settlement source_ref)

Authorize = Callable[..., Any]
StoreIf = Callable[[int | None, Any], bool]


@dataclass(frozen=True)
class Endpoint:
    """A registered idempotent endpoint: `name` (module.view), whether it moves money, its authorization."""

    name: str
    view: Callable[..., Any]
    money_moving: bool
    authorize: Authorize
    store_if: StoreIf | None = None


# view function (the decorated wrapper) → its registration; filled at import of each api module
REGISTRY: dict[Callable[..., Any], Endpoint] = {}


@dataclass(frozen=True)
class Idempotency:
    """What the running view knows of its key (request.idempotency): e.g. a payment's `source_ref`."""

    key: str
    principal_kind: str
    principal_id: str
    endpoint: str

    @property
    def principal(self) -> str:
        return f"{self.principal_kind}:{self.principal_id}"


def current(request: HttpRequest) -> Idempotency | None:
    """The Idempotency-Key context of the request, None when the caller sent no key."""
    return getattr(request, "idempotency", None)


def request_principal(request: HttpRequest) -> tuple[str, str]:
    """(kind, id) of the caller: a typed actor set by the authentication (member, agent, partner), else the staff
    user of the request."""
    actor = getattr(request, "actor", None)
    if actor is None:
        auth = getattr(request, "auth", None)
        actor = auth if actor_kind(auth) is not None else getattr(request, "user", None)
    kind = actor_kind(actor)
    if kind == "staff" and is_staff_user(actor):
        return "staff", str(actor.pk)  # type: ignore[union-attr]
    if kind in ("member", "agent", "partner"):
        return kind, str(actor.actor_id)  # type: ignore[union-attr]
    # a system actor never calls the API; an anonymous caller has nothing to scope a key to
    raise DomainError(ErrorCode.FORBIDDEN, "幂等键须由已认证的调用方使用", field=HEADER)


def _key(request: HttpRequest) -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if len(key) > KEY_MAX:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY, f"Idempotency-Key 不能超过 {KEY_MAX} 个字符", field=HEADER)
    if ATTEMPT_SEP in key or not key.isprintable():
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY, "Idempotency-Key 只能包含可打印字符，且不能包含 #", field=HEADER)
    return key


def request_hash(request: HttpRequest) -> str:
    """SHA-256 of the canonical request: JSON bodies with sorted keys (formatting and key order do not matter),
    form fields sorted with each uploaded file's digest, and the sorted query string."""
    ctype = (request.content_type or "").lower()
    body: Any
    if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        files = {name: [hashlib.sha256(b"".join(f.chunks())).hexdigest() for f in request.FILES.getlist(name)]
                 for name in sorted(request.FILES)}
        body = {"form": sorted((k, sorted(v)) for k, v in request.POST.lists()), "files": files}
    else:
        raw = request.body
        try:
            body = {"json": json.loads(raw)} if raw.strip() else {"json": None}
        except (ValueError, UnicodeDecodeError):
            body = {"raw": hashlib.sha256(raw).hexdigest()}
    query = sorted((k, sorted(v)) for k, v in request.GET.lists())
    canonical = json.dumps({"body": body, "query": query}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        dump = getattr(o, "model_dump", None)  # a ninja Schema / pydantic model
        if callable(dump):
            return dump(mode="json")
        return super().default(o)


def _split(result: Any) -> tuple[int | None, Any]:
    """(status, body) of a view's result; status None: the operation's default (ninja decides it, the same way
    on the first response and on a replay)."""
    if Status is not None and isinstance(result, Status):
        return result.status_code, result.value
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        return result
    return None, result


def _respond(status: int | None, body: Any) -> Any:
    if status is None:
        return body
    return Status(status, body) if Status is not None else (status, body)


def _reused() -> DomainError:
    return DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "该 Idempotency-Key 已用于内容不同的请求，请使用新的幂等键",
                       field=HEADER)


@dataclass
class _Claim:
    """The outcome of claiming a key: `row` and `token` to run the view, or `response` to give instead."""

    row: IdempotencyKey | None = None
    token: str = ""
    response: Any = None


def _in_flight() -> DomainError:
    """409 IDEMPOTENCY_IN_FLIGHT (the catalogue's status)."""
    return DomainError(ErrorCode.IDEMPOTENCY_IN_FLIGHT, "相同 Idempotency-Key 的请求正在处理中，请稍后重试",
                       field=HEADER)


def _claim(scope: dict[str, Any], *, digest: str, endpoint: str, user: Any) -> _Claim:
    """Claim the key for this request (in a short transaction of its own, so that a concurrent request sees the
    claim): the stored response for a replay, 409 IDEMPOTENCY_IN_FLIGHT while another request holds the key,
    IDEMPOTENCY_KEY_REUSED for another request under the key."""
    token = uuid.uuid4().hex
    for _ in range(2):
        row = IdempotencyKey.objects.filter(**scope).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        **scope, command=endpoint, request_hash=digest, state=IdempotencyKey.State.IN_FLIGHT,
                        claim=token, claimed_at=timezone.now(), created_by=user)
                return _Claim(row=row, token=token)
            except IntegrityError:
                continue  # a concurrent request with the same key claimed it first: look again
        if row.request_hash != digest:
            raise _reused()
        if row.state == IdempotencyKey.State.DONE:
            return _Claim(response=_respond(row.result.get("status"), row.result.get("body")))
        stale = timezone.now() - IN_FLIGHT_TIMEOUT
        if IdempotencyKey.objects.filter(pk=row.pk, state=IdempotencyKey.State.IN_FLIGHT, claim=row.claim,
                                         claimed_at__lt=stale).update(claim=token, claimed_at=timezone.now()):
            return _Claim(row=row, token=token)  # the request that held it crashed: this one takes over
        raise _in_flight()
    raise _in_flight()


def _jsonable(body: Any) -> Any:
    return json.loads(json.dumps(body, cls=_Encoder, ensure_ascii=False))


def idempotent(
    *, authorize: Authorize, money_moving: bool = False, store_if: StoreIf | None = None, name: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a POST view idempotent by its `Idempotency-Key` and register it (see the module docstring).

    `authorize(request, **view_kwargs)` raises (DomainError FORBIDDEN → 403, HttpError) when the caller may not
    call the endpoint; whatever it returns is ignored, except a Center, recorded on the key. `store_if(status,
    body)` may decline to store a 2xx outcome that is not definitive (a payment the bank refused: a retry with the
    key makes a new attempt)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        endpoint = name or f"{view.__module__.removeprefix('openhpf.')}.{view.__name__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            allowed = authorize(request, *args, **kwargs)  # before anything is looked up, replays included
            key = _key(request)
            if not key:
                return view(request, *args, **kwargs)
            kind, pid = request_principal(request)
            if len(request.path) > PATH_MAX:
                raise DomainError(ErrorCode.IDEMPOTENCY_KEY, "请求路径过长，不能使用 Idempotency-Key", field=HEADER)
            scope = {"principal_kind": kind, "principal_id": pid, "method": request.method or "POST",
                     "path": request.path, "key": key}
            got = _claim(scope, digest=request_hash(request), endpoint=endpoint,
                         user=getattr(request, "user", None) if kind == "staff" else None)
            if got.row is None:
                return got.response
            held = IdempotencyKey.objects.filter(pk=got.row.pk, claim=got.token)
            request.idempotency = Idempotency(  # type: ignore[attr-defined]
                key=key, principal_kind=kind, principal_id=pid, endpoint=endpoint)
            try:
                result = view(request, *args, **kwargs)
            except BaseException:
                held.delete()  # nothing definitive: a retry runs again
                raise
            if isinstance(result, HttpResponseBase):  # a file or a hand-made response: not storable
                held.delete()
                return result
            status, body = _split(result)
            body = _jsonable(body)
            if (status is None or 200 <= status < 300) and (store_if is None or store_if(status, body)):
                held.update(state=IdempotencyKey.State.DONE, result={"status": status, "body": body},
                            completed_at=timezone.now(), center=allowed if isinstance(allowed, Center) else None)
            else:
                held.delete()
            return _respond(status, body)

        # ninja reads the view's signature: give it the view's own, with its annotations resolved in the view's
        # module (the wrapper's globals are this module's)
        wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        REGISTRY[wrapper] = Endpoint(name=endpoint, view=view, money_moving=money_moving, authorize=authorize,
                                     store_if=store_if)
        return wrapper

    return decorate


def document(api: Any) -> None:
    """Advertise the Idempotency-Key header on every registered operation of a NinjaAPI (its OpenAPI schema)."""
    param = {"name": HEADER, "in": "header", "required": False, "schema": {"type": "string", "maxLength": KEY_MAX},
             "description": "幂等键：同一调用方以相同内容重试同一请求时返回首次的结果而不再执行；内容不同返回 422 "
                            "IDEMPOTENCY_KEY_REUSED，首次请求仍在处理时返回 409 IDEMPOTENCY_IN_FLIGHT"}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                if op.view_func not in REGISTRY:
                    continue
                extra = dict(op.openapi_extra or {})
                params = list(extra.get("parameters", []))
                if not any(p.get("name") == HEADER for p in params):
                    extra["parameters"] = [*params, param]
                op.openapi_extra = extra
