"""Writing the audit trail (in the caller's transaction) and sealing it into the SM3 chain (the periodic sealer:
`hpf audit_seal` on a timer and the day-end's seal step; a request never seals).

The chain hashes each row's canonical form (`record_content`), which is versioned: rows sealed before the typed
actors carry `hash_version` NULL and hash form 1, exactly as they were sealed (a sealed row is never rewritten);
rows sealed since carry 2, whose form adds `actor_kind` and `actor_id`."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from openhpf.core import context
from openhpf.core.actors import Actor, AnonymousCaller, SystemActor, actor_id, actor_kind, staff_user_of
from openhpf.core.actors import actor_label as _label
from openhpf.core.audit_events import AuditEvent, require_event
from openhpf.security.services import checkpoint_sign

from .anchor import anchor_sync
from .models import AuditChainHead, AuditCheckpoint, AuditRecord
from .redact import redact, redact_text

GENESIS = "0" * 64
SEAL_CHUNK = 2000
CANONICAL_VERSION = 2  # the canonical form new rows are sealed with (record_content)


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def actor_label(actor: Actor | AnonymousCaller | None) -> tuple[str, int | None]:
    """(label, user id) of an actor (core.actors.actor_label): a user → ('user:<username>', its id); a system
    actor started by a person → ('system:<name>:user:<username>', that person's id); others → (label, None)."""
    if isinstance(actor, SystemActor):
        person = staff_user_of(actor)
        return _label(actor), getattr(person, "pk", None)
    user_id = getattr(actor, "pk", None) if hasattr(actor, "get_username") else None
    return _label(actor), user_id


def audit_log(
    *,
    actor: Actor | AnonymousCaller | None,
    action: AuditEvent,
    obj: models.Model | tuple[str, Any] | None = None,
    center: Any = None,
    business_date: date | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one audit row in the current transaction; the periodic sealer chains it later. Personal
    values are stored masked (audit.redact: grade >= 3 with a blind index, names masked). `action` is a
    member of the audit-event catalogue (core.audit_events); anything else raises TypeError and writes nothing."""
    action = require_event(action)
    label, user_id = actor_label(actor)
    if isinstance(obj, models.Model):
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    elif obj is not None:
        object_type, object_id = obj[0], str(obj[1])
    else:
        object_type, object_id = "", ""
    # no personal value of grade >= 3 in clear, in the data or in the actor (audit.redact)
    rec = AuditRecord.objects.create(
        center_id=getattr(center, "pk", center),
        actor=redact_text(label),
        actor_user_id=user_id,
        actor_kind=actor_kind(actor),
        actor_id=redact_text(actor_id(actor) or "")[:64] or None,
        action=action.value,
        business_date=business_date,
        request_id=context.request_id.get(),
        object_type=object_type,
        object_id=redact_text(object_id),
        before=redact(_jsonable(before), object_type=object_type) if before is not None else None,
        after=redact(_jsonable(after), object_type=object_type) if after is not None else None,
        created_at=timezone.now(),
    )
    return rec


def record_content(rec: AuditRecord) -> bytes:
    """The canonical bytes that the chain hash covers: every field a reader relies on, in the form of the row's
    `hash_version` (NULL: form 1, the rows sealed before typed actors)."""
    payload: list[Any] = [
        rec.pk,
        rec.seq,
        rec.center_id,
        rec.actor,
        rec.actor_user_id,
        rec.action,
        rec.business_date.isoformat() if rec.business_date else None,
        rec.request_id,
        rec.object_type,
        rec.object_id,
        rec.before,
        rec.after,
        rec.created_at.astimezone(UTC).isoformat(),
    ]
    if rec.hash_version is not None:  # form 2 on: tagged with its version, so no form can pass for another
        if rec.hash_version != 2:
            raise ValueError(f"unknown audit canonical form {rec.hash_version}")
        payload = [f"v{rec.hash_version}", *payload, rec.actor_kind, rec.actor_id]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, rec: AuditRecord) -> str:
    return sm3_hex(prev_hash.encode() + record_content(rec))


def merkle_root(hashes: list[str]) -> str:
    """SM3 Merkle root (RFC 6962 style prefixes, last node promoted on odd levels)."""
    if not hashes:
        return sm3_hex(b"")
    level = [sm3_hex(b"\x00" + bytes.fromhex(h)) for h in hashes]
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                nxt.append(sm3_hex(b"\x01" + bytes.fromhex(level[i]) + bytes.fromhex(level[i + 1])))
            else:
                nxt.append(level[i])
        level = nxt
    return level[0]


# ---------------------------------------------------------------- the periodic sealer


@dataclass(frozen=True)
class SealSource:
    """Data another app folds into the chain at each seal (the ledger's entry digests): `collect()` runs inside
    the sealer's transaction, under the chain-head lock, and returns the `after` of one audit row (`event`, about
    the event's object type, its id the piece's "batch"), or None when it has nothing new. Registered by the app above (its AppConfig.ready), so audit imports none."""

    name: str
    event: AuditEvent
    collect: Callable[[], dict[str, Any] | None]


_SOURCES: dict[str, SealSource] = {}


def register_seal_source(name: str, *, event: AuditEvent, collect: Callable[[], dict[str, Any] | None]) -> None:
    _SOURCES[name] = SealSource(name=name, event=require_event(event), collect=collect)


@dataclass
class SealResult:
    rows: int = 0
    checkpoints: int = 0
    anchored: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # source name -> audit rows it added
    seconds: float = 0.0


def _collect_sources(result: SealResult) -> bool:
    """Ask every seal source for its next piece; each piece becomes one audit row sealed with this chunk."""
    any_new = False
    for src in _SOURCES.values():
        after = src.collect()
        if after is None:
            continue
        audit_log(actor=SystemActor("audit_seal"), action=src.event,
                  obj=(src.event.object_type.value, after.get("batch", "")), after=after)
        result.sources[src.name] = result.sources.get(src.name, 0) + 1
        any_new = True
    return any_new


def audit_seal(*, limit: int | None = None) -> SealResult:
    """Seal what is pending, chunk by chunk: each chunk (one transaction, under the chain-head lock) folds in the
    seal sources' new pieces, chains up to SEAL_CHUNK unsealed rows in id order and SM2-signs them as one
    checkpoint; after the chunk commits its head is appended to the anchor outside the database. Idempotent and
    resumable: a run stopped anywhere leaves whole chunks, and the next run continues (and catches the anchor up)."""
    result = SealResult()
    t0 = time.perf_counter()
    while limit is None or result.rows < limit:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
            _collect_sources(result)
            batch = list(AuditRecord.objects.filter(seq__isnull=True).order_by("id")[:SEAL_CHUNK])
            if not batch:
                break
            _seal_chunk(head, batch)
            result.rows += len(batch)
            result.checkpoints += 1
            # the anchor line is written only once this checkpoint is committed (never for a rolled-back one)
            transaction.on_commit(lambda: _anchor(result))
    if not transaction.get_connection().in_atomic_block:
        _anchor(result)  # catch up after a crash between a commit and its anchor line
    result.seconds = time.perf_counter() - t0
    return result


def _anchor(result: SealResult) -> None:
    result.anchored += anchor_sync()


def _seal_chunk(head: AuditChainHead, batch: list[AuditRecord]) -> None:
    now = timezone.now()
    prev = head.last_hash
    seq = head.last_seq
    for rec in batch:
        seq += 1
        rec.seq = seq
        rec.prev_hash = prev
        rec.hash_version = CANONICAL_VERSION
        rec.hash = chain_hash(prev, rec)
        rec.sealed_at = now
        prev = rec.hash
    AuditRecord.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "sealed_at", "hash_version"], batch_size=500)
    first_seq, root = seq - len(batch) + 1, merkle_root([r.hash for r in batch])
    AuditCheckpoint.objects.create(
        first_seq=first_seq,
        last_seq=seq,
        merkle_root=root,
        head_hash=prev,
        # the center's SM2 seal over (range, Merkle root, head): one signature per batch, never per row
        signature=checkpoint_sign(first_seq=first_seq, last_seq=seq, merkle_root=root, head_hash=prev),
        created_at=now,
    )
    head.last_seq, head.last_hash = seq, prev
    head.save(update_fields=["last_seq", "last_hash"])


def audit_seal_pending(*, limit: int | None = None) -> int:
    """Seal what is pending (audit_seal); returns the rows sealed."""
    return audit_seal(limit=limit).rows
