"""The audit chain's anchor outside the database: `<HPF_AUDIT_ANCHOR_DIR>/<installation id>.anchor`.

One JSON line per SM2-signed checkpoint head (its seq range, Merkle root, head hash and signature), appended
(O_APPEND, under an exclusive file lock) only after the checkpoint's transaction has committed. Whoever deletes
the newest sealed rows with their checkpoints, or the whole trail, leaves the database head behind the anchor,
which `hpf verify` reports (audit.anchor). The anchor is never rewritten: when it disagrees with the database the
sealer stops appending, so the disagreement stays visible until someone explains it."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import uuid
from datetime import UTC, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from openhpf.security.services import checkpoint_signature_valid

from .models import AuditChainHead, AuditCheckpoint, Installation

log = logging.getLogger("openhpf.audit.anchor")

ANCHOR_FORMAT = 1
TAIL_BYTES = 64 * 1024


class AnchorError(Exception):
    """The anchor file cannot be read as anchor lines."""


def anchor_dir() -> Path:
    return Path(settings.HPF_AUDIT_ANCHOR_DIR)


def installation(*, create: bool = True) -> Installation | None:
    """This database's installation (migration 0004 creates it; created here too after a test flushed it)."""
    inst = Installation.objects.filter(pk=1).first()
    if inst is None and create:
        try:
            with transaction.atomic():
                inst = Installation.objects.create(pk=1, installation_id=str(uuid.uuid4()), created_at=timezone.now())
        except IntegrityError:
            inst = Installation.objects.get(pk=1)
    return inst


def anchor_path(inst: Installation) -> Path:
    return anchor_dir() / f"{inst.installation_id}.anchor"


def anchor_line(cp: AuditCheckpoint, inst: Installation) -> bytes:
    body = {"v": ANCHOR_FORMAT, "installation": inst.installation_id, "first_seq": cp.first_seq,
            "last_seq": cp.last_seq, "merkle_root": cp.merkle_root, "head_hash": cp.head_hash,
            "signature": cp.signature, "sealed_at": cp.created_at.astimezone(UTC).isoformat()}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def read_last_line(path: Path) -> dict[str, Any] | None:
    """The last complete line of the anchor (a line cut short by a crash is ignored), or None for an empty file."""
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - TAIL_BYTES))
        data = f.read()
    complete = data[: data.rfind(b"\n") + 1] if b"\n" in data else b""
    lines = [ln for ln in complete.split(b"\n") if ln.strip()]
    if not lines:
        if size > TAIL_BYTES:
            raise AnchorError("锚定文件末尾没有完整的行")
        return None
    try:
        last = json.loads(lines[-1])
        int(last["last_seq"]), str(last["head_hash"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"锚定文件最后一行无法解析：{exc}") from None
    return dict(last)


def _matches(line: dict[str, Any]) -> bool:
    cp = AuditCheckpoint.objects.filter(last_seq=line["last_seq"]).first()
    return cp is not None and cp.head_hash == line["head_hash"] and cp.first_seq == line.get("first_seq")


def anchor_sync() -> int:
    """Append a line for every committed checkpoint beyond the anchor's last line; returns the lines written.

    A new anchor starts at the newest checkpoint. A lost anchor (the database records one) is not recreated,
    nor is anything appended to an anchor whose last line the database no longer holds: hpf verify reports both."""
    inst = installation()
    assert inst is not None
    path = anchor_path(inst)
    if inst.anchored_at is not None and not path.exists():
        log.error("audit anchor %s is missing (anchored since %s): not recreated", path, inst.anchored_at)
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "ab") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # concurrent sealers append one after the other
        try:
            last = read_last_line(path)
        except AnchorError:
            log.error("audit anchor %s cannot be read: nothing appended", path)
            return 0
        if last is None:
            newest = AuditCheckpoint.objects.order_by("-last_seq").first()
            cps: Any = [newest] if newest is not None else []
        elif not _matches(last):
            log.error("audit anchor %s ends at seq %s, which the database does not hold: nothing appended",
                      path, last["last_seq"])
            return 0
        else:
            cps = AuditCheckpoint.objects.filter(last_seq__gt=int(last["last_seq"])).order_by("last_seq").iterator()
        for cp in cps:
            f.write(anchor_line(cp, inst))
            written += 1
        f.flush()
        os.fsync(f.fileno())
    if written and inst.anchored_at is None:
        Installation.objects.filter(pk=inst.pk, anchored_at__isnull=True).update(anchored_at=timezone.now())
    return written


def anchor_breaches() -> tuple[str, list[str]]:
    """(detail, breaches) of the audit.anchor check: the database head is not behind the anchor, the anchor's
    last head is the database's checkpoint at that seq and carries the center's SM2 signature, and an
    installation that has an anchor (or sealed checkpoints past the seal interval) still has its file."""
    inst = installation(create=False)
    newest = AuditCheckpoint.objects.order_by("-last_seq").first()
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq = head.last_seq if head is not None else 0
    cutoff = timezone.now() - timedelta(seconds=settings.HPF_AUDIT_SEAL_INTERVAL)
    if inst is None:
        others = sorted(anchor_dir().glob("*.anchor")) if anchor_dir().is_dir() else []
        if newest is not None or others:
            return "没有安装标识", ["数据库中没有安装标识（audit_installation 被删除？），却有已签名检查点或锚定文件"]
        return "尚无安装标识与检查点", []
    path = anchor_path(inst)
    if not path.exists():
        if inst.anchored_at is not None:
            return f"锚定文件 {path}", [f"锚定文件 {path} 缺失（本安装自 {inst.anchored_at:%Y-%m-%d %H:%M} 起已锚定）"]
        if newest is not None and newest.created_at < cutoff:
            return f"锚定文件 {path}", [f"检查点 {newest.first_seq}-{newest.last_seq} 超过封存时限仍未锚定（锚定文件 {path} 不存在）"]
        return f"尚未锚定（{path}）", []
    try:
        last = read_last_line(path)
    except AnchorError as exc:
        return f"锚定文件 {path}", [str(exc)]
    if last is None:
        bad = [f"锚定文件 {path} 为空"] if inst.anchored_at is not None else []
        return f"锚定文件 {path}", bad
    seq = int(last["last_seq"])
    breaches: list[str] = []
    if last.get("installation") != inst.installation_id:
        breaches.append(f"锚定文件最后一行属于安装 {last.get('installation')}，不是本安装 {inst.installation_id}")
    signed = SimpleNamespace(first_seq=last.get("first_seq"), last_seq=seq, merkle_root=last.get("merkle_root"),
                             head_hash=last["head_hash"], signature=last.get("signature"))
    if not checkpoint_signature_valid(signed):
        breaches.append(f"锚定的检查点 seq={seq} 的 SM2 签名验证失败（锚定文件被伪造？）")
    if head_seq < seq:
        breaches.append(f"数据库审计链头 seq={head_seq} 落后于锚定的 seq={seq}（链尾或整条审计链被删除）")
    elif not _matches(last):
        breaches.append(f"锚定的检查点 seq={last.get('first_seq')}-{seq} 与数据库中的检查点不符（审计链被改写）")
    return f"锚定至 seq={seq}，数据库链头 seq={head_seq}（{path}）", breaches
