"""Reading and checking the audit chain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.authz import check_permission, scope_queryset
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.security.keys import keyring
from openhpf.security.services import checkpoint_signature_valid

from .models import AuditChainHead, AuditCheckpoint, AuditRecord
from .services import GENESIS, chain_hash, merkle_root

VERIFY_CHUNK = 5000


def audit_chain_breaches(*, max_breaches: int = 100,
                         progress: Callable[[int, int], None] | None = None) -> tuple[int, list[str]]:
    """Walk the sealed chain in seq order, recomputing every hash. Returns (rows checked, breaches).
    `progress(n, total)` is told after each chunk: n more rows checked, of `total` sealed rows."""
    total = AuditRecord.objects.filter(seq__isnull=False).count() if progress is not None else 0
    breaches: list[str] = []
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_id_seq = 0
    hashes_by_seq: dict[int, str] = {}
    checked_cps: set[int] = set()
    while True:
        chunk = list(AuditRecord.objects.filter(seq__gt=last_id_seq).order_by("seq")[:VERIFY_CHUNK])
        if not chunk:
            break
        for rec in chunk:
            assert rec.seq is not None
            if rec.seq != expected_seq:
                breaches.append(f"审计链序号断裂：期望 {expected_seq}，实际 {rec.seq}（记录被删除？）")
                expected_seq = rec.seq  # keep walking
            if rec.prev_hash != prev:
                breaches.append(f"审计记录 seq={rec.seq} 的前序哈希与链不符")
            if chain_hash(rec.prev_hash, rec) != rec.hash:
                breaches.append(f"审计记录 seq={rec.seq} id={rec.pk} 内容与哈希不符（被篡改）")
            prev = rec.hash
            hashes_by_seq[rec.seq] = rec.hash
            expected_seq += 1
            checked += 1
            if len(breaches) >= max_breaches:
                return checked, breaches
        last_id_seq = chunk[-1].seq or 0
        if progress is not None:
            progress(len(chunk), total)
        # checkpoints are checked chunk by chunk so the dict stays small
        for cp in AuditCheckpoint.objects.filter(last_seq__lte=last_id_seq).exclude(last_seq__lt=min(hashes_by_seq)):
            if cp.last_seq in checked_cps:
                continue
            seqs = range(cp.first_seq, cp.last_seq + 1)
            if all(s in hashes_by_seq for s in seqs):
                checked_cps.add(cp.last_seq)
                if merkle_root([hashes_by_seq[s] for s in seqs]) != cp.merkle_root:
                    breaches.append(f"检查点 {cp.first_seq}-{cp.last_seq} 的默克尔根与记录不符")
                if hashes_by_seq[cp.last_seq] != cp.head_hash:
                    breaches.append(f"检查点 {cp.first_seq}-{cp.last_seq} 的链头哈希与记录不符")
        keep_from = last_id_seq - VERIFY_CHUNK * 2
        hashes_by_seq = {k: v for k, v in hashes_by_seq.items() if k > keep_from}
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev):
        breaches.append(f"审计链头（seq={head.last_seq}）与最后一条封存记录（seq={expected_seq - 1}）不符（链尾被截断？）")
    breaches += audit_checkpoint_breaches(head=head, max_breaches=max(0, max_breaches - len(breaches)))
    return checked, breaches


def audit_checkpoint_breaches(*, head: AuditChainHead | None, max_breaches: int = 100) -> list[str]:
    """Every checkpoint carries a valid SM2 signature of the center over (range, Merkle root, head hash), the
    checkpoints tile the chain without gaps, and the last one ends at the chain head: whoever rewrites records
    and recomputes hashes and roots cannot re-sign them without the center's private key."""
    public_key = keyring().sm2_public
    breaches: list[str] = []
    expected_first = 1
    last = None
    for cp in AuditCheckpoint.objects.order_by("first_seq", "last_seq").iterator(chunk_size=1000):
        if len(breaches) >= max_breaches:
            return breaches
        if cp.first_seq != expected_first:
            breaches.append(f"检查点不连续：期望从 seq={expected_first} 开始，实际 {cp.first_seq}-{cp.last_seq}")
        if not cp.signature:
            breaches.append(f"检查点 {cp.first_seq}-{cp.last_seq} 没有 SM2 签名")
        elif not checkpoint_signature_valid(cp, public_key=public_key):
            breaches.append(f"检查点 {cp.first_seq}-{cp.last_seq} 的 SM2 签名验证失败（检查点被伪造或改写）")
        expected_first = cp.last_seq + 1
        last = cp
    if head is not None and head.last_seq and (
            last is None or last.last_seq != head.last_seq or last.head_hash != head.last_hash):
        breaches.append(f"审计链头（seq={head.last_seq}）不在任何已签名检查点的末尾（链尾被改写？）")
    return breaches


def audit_unsealed_overdue() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.HPF_AUDIT_SEAL_INTERVAL)
    return AuditRecord.objects.filter(seq__isnull=True, created_at__lt=cutoff).count()


@personal_read(AuditEvent.AUDIT_RECORDS_VIEW, perm="audit.view", obj=lambda _: ("audit.auditrecord", "query"))
def audit_records(*, actor: Actor, read: PersonalRead, by: str = "", action: str = "", object_type: str = "",
                  object_id: str = "", date_from: date | None = None,
                  date_to: date | None = None) -> QuerySet[AuditRecord]:
    """审计日志查询 for the security auditor (audit.view), within the centers of its role, newest first. The rows
    may hold personal data (an object's values before and after a change), so the query itself is audited.
    `by` (the actor label) matches by prefix; `action` is an event code (core.audit_events) or a part of one
    cut at a dot (a domain such as "accounts", or "accounts.member_account"), matching that event or every event
    under it; object type and id match exactly; the date range is on the record time (local dates, inclusive)."""
    read.note(**{k: str(v) for k, v in (("by", by), ("action", action), ("object_type", object_type),
                                        ("object_id", object_id), ("date_from", date_from), ("date_to", date_to))
                 if v})
    return _records(actor=actor, by=by, action=action, object_type=object_type, object_id=object_id,
                    date_from=date_from, date_to=date_to)


def _records(*, actor: Actor, by: str, action: str, object_type: str, object_id: str, date_from: date | None,
             date_to: date | None) -> QuerySet[AuditRecord]:
    qs = scope_queryset(actor, AuditRecord.objects.all(), branch_field=None, perm="audit.view")
    if by:
        qs = qs.filter(actor__startswith=by.strip())
    if action:
        action = action.strip().rstrip(".")
        qs = qs.filter(Q(action=action) | Q(action__startswith=action + "."))
    if object_type:
        qs = qs.filter(object_type=object_type.strip())
    if object_id:
        qs = qs.filter(object_id=object_id.strip())
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return qs.order_by("-created_at", "-id")


def audit_chain_verify(*, user: Actor,
                       progress: Callable[[int, int], None] | None = None) -> tuple[int, list[str]]:
    """审计链校验 for the security auditor: audit_chain_breaches behind audit.view."""
    check_permission(user, "audit.view")
    return audit_chain_breaches(progress=progress)


@personal_read(AuditEvent.AUDIT_RECORDS_EXPORT, perm="audit.view", obj=lambda _: ("audit.auditrecord", "export"))
def audit_records_export(*, actor: Actor, read: PersonalRead, reason: str, by: str = "", action: str = "",
                         object_type: str = "", object_id: str = "", date_from: date | None = None,
                         date_to: date | None = None, limit: int = 100_000) -> Iterator[AuditRecord]:
    """审计日志导出: the rows audit_records finds for the same filters (as stored: masked), newest first, read in
    chunks; the export itself is a personal-data read, audited with its filters, reason and row count."""
    read.note(reason=reason[:200], **{k: str(v) for k, v in (
        ("by", by), ("action", action), ("object_type", object_type), ("object_id", object_id),
        ("date_from", date_from), ("date_to", date_to)) if v})
    qs = _records(actor=actor, by=by, action=action, object_type=object_type, object_id=object_id,
                  date_from=date_from, date_to=date_to)
    read.note(rows=min(qs.count(), limit))
    return qs[:limit].iterator(chunk_size=2000)


def seal_source_pieces(event: AuditEvent) -> list[tuple[int | None, dict[str, Any]]]:
    """The pieces a seal source (audit.services.register_seal_source) folded into the chain as `event`, in the
    order written: (seq, after); seq is None while a piece waits for the sealer. Only a sealed piece is evidence."""
    rows = AuditRecord.objects.filter(object_type=event.object_type.value, action=event.value).order_by("id")
    return [(seq, after or {}) for seq, after in rows.values_list("seq", "after")]
