"""Ledger digests: one SM3 digest per journal entry over the entry, its lines and its sub-ledger rows, folded into
the audit chain by the periodic sealer, so that rows rewritten afterwards — even by a database superuser with the
triggers off, balances and 积数 adjusted to match — no longer match what was sealed.

The audit sealer calls `digest_collect` (registered as the seal source "ledger.entries") under its chain-head
lock: it digests up to DIGEST_ENTRIES entries that have no digest yet (whatever their id: an entry committed late
is picked up by the next seal), stores the digests as one batch and returns the batch's root, which becomes an
audit row sealed with that chunk. The posting path does nothing more.

`digest_breaches` (hpf verify, ledger.digests) checks each sealed batch since the last one verified (all with
--full): its stored digests still give the sealed root, and every entry's digest recomputed from its rows still
equals the stored one; entries older than the seal interval all have a digest; detail rows without an entry move
no money. Balances are recomputed from the rows by ledger.subledger, ledger.member_control and ledger.jishu."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from openhpf.audit.selectors import seal_source_pieces
from openhpf.core.audit_events import AuditEvent

from . import sql
from .models import DigestMark, EntryDigest, JournalEntry, JournalLine, SubLedgerRow

SOURCE = "ledger.entries"
DIGEST_ENTRIES = 500  # entries per batch (one audit row each)
ROW_CHUNK = 10_000  # rows fetched per round trip while streaming

ENTRY_FIELDS = ("id", "center_id", "period_id", "voucher_no", "business_date", "value_date", "source", "biz_type",
                "description", "total", "reversal_of_id", "created_by", "created_at")
LINE_FIELDS = ("entry_id", "id", "line_no", "account_id", "debit", "credit", "memo", "bank_ref")
ROW_FIELDS = ("entry_id", "id", "sub_account_id", "biz_type", "business_date", "value_date", "amount",
              "amount_current", "amount_carried", "balance_after", "reference")


def _plain(value: Any) -> Any:
    """The JSON form of what JSON has no form for: datetimes in UTC, dates, both ISO 8601."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not digestible: {value!r}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain)


def _canon(tag: bytes, row: Sequence[Any]) -> bytes:
    """One row's canonical bytes: its tag (E entry, L line, S sub-ledger row), its values as a JSON array."""
    return tag + _ENCODER.encode(row).encode() + b"\n"


def entry_digests(entry_ids: Sequence[int]) -> dict[int, str | None]:
    """SM3 of each entry: its own fields, then its lines, then its sub-ledger rows, each in id order, streamed
    (three set-based reads for the whole list). None for an id that has no entry any more."""
    ids = list(entry_ids)
    hashers = {i: hashlib.new("sm3") for i in ids}
    present: set[int] = set()
    for row in JournalEntry.objects.filter(id__in=ids).order_by("id").values_list(*ENTRY_FIELDS):
        hashers[row[0]].update(_canon(b"E", row))
        present.add(row[0])
    lines = JournalLine.objects.filter(entry_id__in=ids).order_by("entry_id", "id").values_list(*LINE_FIELDS)
    for row in lines.iterator(chunk_size=ROW_CHUNK):
        hashers[row[0]].update(_canon(b"L", row))
    rows = SubLedgerRow.objects.filter(entry_id__in=ids).order_by("entry_id", "id").values_list(*ROW_FIELDS)
    for row in rows.iterator(chunk_size=ROW_CHUNK):
        hashers[row[0]].update(_canon(b"S", row))
    return {i: (h.hexdigest() if i in present else None) for i, h in hashers.items()}


def batch_root(pairs: Iterable[tuple[int, str]]) -> str:
    """SM3 over a batch's (entry id, digest) pairs in entry-id order: the value sealed into the audit chain."""
    h = hashlib.new("sm3")
    for entry_id, digest in pairs:
        h.update(f"{entry_id}:{digest}\n".encode())
    return h.hexdigest()


def _undigested() -> Any:
    return JournalEntry.objects.filter(~Exists(EntryDigest.objects.filter(entry_id=OuterRef("pk"))))


def digest_collect() -> dict[str, Any] | None:
    """The seal source: digest the next entries that have none, as one batch; the sealer seals the returned
    summary (batch number, count, id range and root) in its current chunk. None when every entry has a digest."""
    ids = list(_undigested().order_by("id").values_list("id", flat=True)[:DIGEST_ENTRIES])
    if not ids:
        return None
    digests = entry_digests(ids)
    batch = (EntryDigest.objects.aggregate(m=Max("batch"))["m"] or 0) + 1
    pairs = [(i, d) for i, d in digests.items() if d is not None]  # an entry deleted meanwhile: next time
    EntryDigest.objects.bulk_create([EntryDigest(entry_id=i, digest=d, batch=batch) for i, d in pairs],
                                    batch_size=1000)
    return {"batch": batch, "entries": len(pairs), "first_entry": ids[0], "last_entry": ids[-1],
            "root": batch_root(pairs)}


def _batch_breaches(piece: dict[str, Any]) -> list[str]:
    batch = int(piece["batch"])
    stored = list(EntryDigest.objects.filter(batch=batch).order_by("entry_id").values_list("entry_id", "digest"))
    breaches = []
    if len(stored) != piece.get("entries") or batch_root(stored) != piece.get("root"):
        breaches.append(f"账簿摘要第 {batch} 批（凭证 id {piece.get('first_entry')}–{piece.get('last_entry')}）"
                        "的摘要与审计链中封存的不符（摘要被删除或改写）")
    for start in range(0, len(stored), DIGEST_ENTRIES):
        part = stored[start:start + DIGEST_ENTRIES]
        now = entry_digests([i for i, _ in part])
        changed = [i for i, d in part if now.get(i) != d]
        vouchers = dict(JournalEntry.objects.filter(id__in=changed).values_list("id", "voucher_no"))
        for i in changed:
            if now.get(i) is None:
                breaches.append(f"凭证 id={i} 已封存摘要，却已不在账中（被删除）")
            else:
                breaches.append(f"凭证 {vouchers.get(i, i)} 的内容、分录或个人明细账在封存摘要后被改写")
    return breaches


def digest_breaches(*, full: bool = False, max_breaches: int = 100) -> tuple[str, list[str]]:
    """(detail, breaches) of the ledger.digests check; with no breach the mark moves to the last batch checked."""
    mark = DigestMark.objects.filter(pk=1).first()
    since = 0 if full or mark is None else mark.batch
    pieces = seal_source_pieces(AuditEvent.LEDGER_DIGEST_SEAL)
    breaches: list[str] = []
    recorded = sum(int(p.get("entries", 0)) for _, p in pieces)
    stored = EntryDigest.objects.count()
    if stored != recorded:
        breaches.append(f"账簿摘要共 {stored} 条，审计链记录的是 {recorded} 条（摘要被增删）")
    checked, last = 0, since
    for seq, piece in pieces:
        if seq is None or int(piece.get("batch", 0)) <= since:
            continue  # an unsealed piece is no evidence yet (audit.unsealed reports it when it is late)
        breaches += _batch_breaches(piece)
        checked += 1
        last = max(last, int(piece["batch"]))
        if len(breaches) >= max_breaches:
            break
    cutoff = timezone.now() - timedelta(seconds=settings.HPF_AUDIT_SEAL_INTERVAL)
    late = _undigested().filter(created_at__lt=cutoff).count()
    if late:
        breaches.append(f"{late} 张凭证超过封存时限（{settings.HPF_AUDIT_SEAL_INTERVAL} 秒）仍未纳入账簿摘要")
    loose = sql.fetch("SELECT id FROM ledger_subledgerrow WHERE entry_id IS NULL AND "
                      "(amount <> 0 OR amount_current <> 0 OR amount_carried <> 0) LIMIT 20")
    breaches += [f"个人明细 id={r[0]} 没有记账凭证却有发生额" for (r) in loose]
    if not breaches and last > since:
        DigestMark.objects.update_or_create(pk=1, defaults={"batch": last, "verified_at": timezone.now()})
    scope = "全部" if since == 0 else f"第 {since} 批之后的"
    return f"重算{scope}账簿摘要 {checked} 批，凭证摘要共 {stored} 条", breaches
