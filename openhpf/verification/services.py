"""Writes of 核验: the one platform interface `verify` (a source code → its adapter), the fallback hook the
engine uses, and the local registry's filling.

    answer = verify("property", subject=id_number, question={"on": business_date}, purpose="租房提取：核查名下住房",
                    requester=actor, application_number=app.number, center=app.center_id)
    answer.status      # confirmed / denied / not_found / unavailable
    answer.data        # the facts (JSON-able), answer.summary (short, masked), answer.sm3, answer.duration_ms

A source that is down, slow past its timeout or whose breaker is open answers `unavailable` at once (never an
exception): the caller decides. The engine collects the unavailable answers of a handler's `rule_inputs`
(`unavailable_sources()`) and sends the application to manual review with a problem line per source
(`fallback_problems`). A handler that cannot give its inputs at all may raise `SourceUnavailable(answer)`.

Every query is logged (models.VerificationQuery: purpose, requester, application, subject as blind index and
masked, the authorization, status, SM3 of the canonical answer, duration) and audited (verification.query.ask).
征信 needs the person's written consent (征信业管理条例 第十八条): without a valid `consent` (a stored
documents.Document of type 授权委托书 or 申请表 of the same center, or its id) the query is refused with
VERIFICATION_NO_CONSENT before anything goes out or is logged."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from openhpf.core.actors import actor_kind, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.authz import staff_center
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_id_number
from openhpf.documents.models import DocType, Document
from openhpf.security.crypto import sm3_hex
from openhpf.security.fields import NORMALIZERS, blind_index

from .adapters import Query, Reply, SourceDown, SourceError, SourceTimeout
from .breaker import breaker_admit, breaker_failure, breaker_success
from .models import Source, Status, VerificationQuery
from .sources import CONSENT_REQUIRED, SourceConfig, source_check, source_config, source_label

log = logging.getLogger(__name__)
CONSENT_TYPES = (DocType.POWER_OF_ATTORNEY, DocType.APPLICATION)


@dataclass(frozen=True)
class Answer:
    source: str
    status: str
    data: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    sm3: str = ""  # SM3 of the canonical answer (empty when the source gave none)
    duration_ms: int = 0
    reason: str = ""  # why unavailable
    query_id: int | None = None

    @property
    def unavailable(self) -> bool:
        return self.status == Status.UNAVAILABLE

    @property
    def label(self) -> str:
        return source_label(self.source)

    @property
    def problem(self) -> str:
        """The problem line of an unavailable source, as the engine lists it."""
        return f"{self.label}暂不可用，转人工审核"


class SourceUnavailable(Exception):
    """Raised by a handler's rule_inputs that cannot give its inputs without the answer: the engine routes the
    application to manual review (the answer was collected already)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.problem)
        self.answer = answer


def canonical_answer(source: str, status: str, data: dict[str, Any]) -> bytes:
    """The bytes whose SM3 the log keeps: sorted keys, no spaces, UTF-8, dates as ISO text."""
    return json.dumps({"source": source, "status": status, "data": data}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str).encode()


# ---------------------------------------------------------------- the engine's hook


@dataclass
class _Asking:
    requester: Any = None
    application_number: str = ""
    center: Any = None
    unavailable: list[Answer] = field(default_factory=list)


_ASKING: ContextVar[_Asking | None] = ContextVar("verification_asking", default=None)


@contextmanager
def unavailable_sources(*, requester: Any = None, application_number: str = "",
                        center: Any = None) -> Iterator[list[Answer]]:
    """Collect the unavailable answers of the queries made inside (the engine wraps a handler's rule_inputs in
    it); `requester`, `application_number` and `center` are the defaults of those queries."""
    ctx = _Asking(requester=requester, application_number=application_number, center=center)
    token = _ASKING.set(ctx)
    try:
        yield ctx.unavailable
    finally:
        _ASKING.reset(token)


def fallback_problems(answers: list[Answer]) -> list[str]:
    """One problem line per unavailable source, in the order first asked: "不动产登记信息核验暂不可用，转人工审核"."""
    seen: dict[str, str] = {}
    for a in answers:
        if a.unavailable:
            seen.setdefault(a.source, a.problem)
    return list(seen.values())


# ---------------------------------------------------------------- verify


def _consent_ref(src: Source, consent: Any, center_id: int | None) -> str:
    if src not in CONSENT_REQUIRED:
        return str(getattr(consent, "pk", consent) or "")[:64] if consent else ""
    if consent in (None, ""):
        raise DomainError(ErrorCode.VERIFICATION_NO_CONSENT, source=src.label, field="consent")
    doc = consent if isinstance(consent, Document) else Document.objects.filter(
        pk=int(consent) if str(consent).isdigit() else 0).first()
    if doc is None:
        raise DomainError(ErrorCode.VERIFICATION_CONSENT_INVALID, source=src.label, detail="授权书档案不存在",
                          field="consent")
    if doc.doc_type not in CONSENT_TYPES:
        raise DomainError(ErrorCode.VERIFICATION_CONSENT_INVALID, source=src.label,
                          detail=f"档案类型为「{doc.get_doc_type_display()}」，应为授权委托书或申请表", field="consent")
    if center_id is not None and doc.center_id != center_id:
        raise DomainError(ErrorCode.VERIFICATION_CONSENT_INVALID, source=src.label, detail="授权书不属于本中心",
                          field="consent")
    return f"document:{doc.pk}:{doc.sm3[:16]}"


def _run_with_timeout(exchange: Any, timeout: float, name: str) -> Reply:
    """Run the exchange in a worker thread and wait at most `timeout` seconds; an overrunning exchange is left
    to finish on its own (a daemon thread, no database)."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["reply"] = exchange()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name=f"verify-{name}", daemon=True).start()
    if not done.wait(timeout):
        raise SourceTimeout(f"超过 {timeout:g} 秒未应答")
    if "error" in box:
        err = box["error"]
        if isinstance(err, SourceError):
            raise err
        log.warning("verification adapter %s failed", name, exc_info=err)
        raise SourceDown(f"核验接口异常：{type(err).__name__}")
    reply = box["reply"]
    if not isinstance(reply, Reply) or reply.status not in (Status.CONFIRMED, Status.DENIED, Status.NOT_FOUND):
        raise SourceDown("核验接口应答格式不正确")
    return reply


def _ask(cfg: SourceConfig, query: Query) -> tuple[Reply, int]:
    """(the reply, attempts): tries again after SourceDown with exponential backoff (tenacity); a timeout or the
    last failure is raised."""
    adapter = cfg.make_adapter()
    retrying = Retrying(stop=stop_after_attempt(cfg.attempts), reraise=True,
                        wait=wait_exponential(multiplier=cfg.backoff, max=cfg.backoff * 4),
                        retry=retry_if_exception_type(SourceDown))
    attempts = 0
    for attempt in retrying:
        with attempt:
            attempts = attempt.retry_state.attempt_number
            exchange = adapter.prepare(query)
            return _run_with_timeout(exchange, cfg.timeout, cfg.source), attempts
    raise SourceDown("未能查询")  # pragma: no cover — Retrying either returns or raises


def _center_id(center: Any, requester: Any) -> int | None:
    if center is not None:
        return int(getattr(center, "pk", center))
    own = staff_center(requester) if actor_kind(requester) == "staff" else None
    return own.pk if own is not None else None


def verify(source: str, *, subject: str, question: dict[str, Any] | None = None, purpose: str,
           requester: Any = None, application_number: str | None = None, consent: Any = None,
           center: Any = None) -> Answer:
    """Ask `source` about `subject` (a 身份证号) for `purpose`, as `requester` (a typed actor), and log it."""
    src = source_check(source)
    ctx = _ASKING.get()
    requester = requester if requester is not None else (ctx.requester if ctx else None)
    kind = actor_kind(requester)
    if kind is None:
        raise TypeError("verify needs a typed actor as requester (core.actors)")
    application_number = application_number or (ctx.application_number if ctx else "") or ""
    center_id = _center_id(center if center is not None else (ctx.center if ctx else None), requester)
    subject = NORMALIZERS["id_number"](str(subject or ""))
    if not subject:
        raise DomainError(ErrorCode.VERIFICATION_SUBJECT_REQUIRED, field="subject")
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(ErrorCode.VERIFICATION_PURPOSE_REQUIRED, field="purpose")
    consent_ref = _consent_ref(src, consent, center_id)
    cfg = source_config(src)
    question = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in (question or {}).items()}
    started = time.monotonic()
    admitted, why = breaker_admit(cfg)
    attempts = 0
    if not admitted:
        answer = Answer(src, Status.UNAVAILABLE, reason=why)
    else:
        try:
            reply, attempts = _ask(cfg, Query(src, subject, question))
        except SourceError as exc:
            attempts = attempts or (cfg.attempts if isinstance(exc, SourceDown) else 1)
            breaker_failure(cfg, exc.reason)
            answer = Answer(src, Status.UNAVAILABLE, reason=exc.reason)
        else:
            breaker_success(cfg)
            answer = Answer(src, reply.status, data=reply.data, summary=reply.summary,
                            sm3=sm3_hex(canonical_answer(src, reply.status, reply.data)))
    duration = int((time.monotonic() - started) * 1000)
    row = VerificationQuery.objects.create(
        center_id=center_id, source=src, purpose=purpose[:200], requester_kind=kind,
        requester_id=str(getattr(requester, "actor_id", None) or getattr(requester, "pk", "") or "")[:64],
        requester_label=actor_label(requester)[:150], application_number=application_number[:30],
        subject_bidx=blind_index("id_number", subject, "id_number") or "", subject_masked=mask_id_number(subject),
        consent=consent_ref, status=answer.status, summary=(answer.summary or answer.reason)[:300],
        reason=answer.reason[:200], answer_sm3=answer.sm3, duration_ms=duration, attempts=attempts)
    audit_log(actor=requester, action=AuditEvent.VERIFICATION_QUERY, obj=row, center=center_id,
              after={"source": src.value, "purpose": purpose[:200], "application": application_number,
                     "id_number": subject, "consent": consent_ref, "status": answer.status,
                     "answer_sm3": answer.sm3, "duration_ms": duration, "attempts": attempts,
                     "reason": answer.reason})
    answer = Answer(src, answer.status, answer.data, answer.summary, answer.sm3, duration, answer.reason, row.pk)
    if answer.unavailable and ctx is not None:
        ctx.unavailable.append(answer)
    return answer
