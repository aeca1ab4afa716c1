"""Signing with the center's SM2 seal key (documents, audit checkpoints) and re-encryption under the active key."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from openhpf.core import db
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log

from .crypto import sm2_sign, sm2_verify, sm4_gcm_decrypt, sm4_gcm_encrypt
from .fields import ENCRYPTED, encrypted_fields
from .keys import keyring

log = logging.getLogger("openhpf.security")
ROTATE_CHUNK = 5000


# ---------------------------------------------------------------- audit checkpoints


def checkpoint_message(*, first_seq: int, last_seq: int, merkle_root: str, head_hash: str) -> bytes:
    """What a checkpoint signature covers: its seq range, the Merkle root of its records and the chain head after it."""
    return f"openhpf-audit-checkpoint:v1|{first_seq}|{last_seq}|{merkle_root}|{head_hash}".encode()


def checkpoint_sign(*, first_seq: int, last_seq: int, merkle_root: str, head_hash: str) -> str:
    ring = keyring()
    msg = checkpoint_message(first_seq=first_seq, last_seq=last_seq, merkle_root=merkle_root, head_hash=head_hash)
    return sm2_sign(ring.sm2_private, msg, public_hex=ring.sm2_public)


def checkpoint_signature_valid(checkpoint: Any, *, public_key: str | None = None) -> bool:
    msg = checkpoint_message(first_seq=checkpoint.first_seq, last_seq=checkpoint.last_seq,
                             merkle_root=checkpoint.merkle_root, head_hash=checkpoint.head_hash)
    return bool(checkpoint.signature) and sm2_verify(public_key or keyring().sm2_public, msg, checkpoint.signature)


# ---------------------------------------------------------------- key rotation


@dataclass
class RotationResult:
    active_key_id: str
    columns: dict[str, int] = field(default_factory=dict)  # "table.column" → values re-encrypted

    @property
    def total(self) -> int:
        return sum(self.columns.values())


def keys_rotate(*, actor: Actor, chunk: int = ROTATE_CHUNK, echo: Any = None) -> RotationResult:
    """Re-encrypt every encrypted value that is not under the active SM4 key, chunk by chunk in primary-key order.

    Each chunk commits on its own: an interrupted run is resumed by running it again (values already under the
    active key are skipped). Decryption is authenticated, so a value is rewritten only if it decrypted exactly.
    Blind indexes are untouched (their key is separate). Must be called outside a transaction."""
    ring = keyring()
    active, key = ring.active_id, ring.active_key
    result = RotationResult(active_key_id=active)
    prefix = active + ":"
    qn = connection.ops.quote_name
    for model, f in encrypted_fields():
        table, col, pk = qn(model._meta.db_table), qn(f.column), qn(model._meta.pk.column)
        aad = f.purpose.encode()
        label = f"{model._meta.db_table}.{f.column}"
        done, last = 0, None
        while True:
            with transaction.atomic():
                where = f"{col} IS NOT NULL AND {col} <> '' AND {col} NOT LIKE %s"
                params: list[Any] = [prefix.replace("_", "\\_") + "%"]
                where = where.replace("NOT LIKE %s", f"NOT LIKE %s{db.like_escape()}")
                if last is not None:
                    where += f" AND {pk} > %s"
                    params.append(last)
                with connection.cursor() as cur:
                    cur.execute(f"SELECT {pk}, {col} FROM {table} WHERE {where} ORDER BY {pk} LIMIT {int(chunk)}",  # noqa: S608 — identifiers from model meta, quoted; values bound
                                params)
                    rows = cur.fetchall()
                    if not rows:
                        break
                    updates = []
                    for row_pk, stored in rows:
                        m = ENCRYPTED.match(stored)
                        if m is None:  # plaintext left by an interrupted data migration: encrypt it now
                            plain = stored.encode()
                        else:
                            plain = sm4_gcm_decrypt(ring.sm4_key(m.group(1)), base64.b64decode(m.group(2)), aad)
                        updates.append((prefix + base64.b64encode(sm4_gcm_encrypt(key, plain, aad)).decode(), row_pk))
                    cur.executemany(f"UPDATE {table} SET {col} = %s WHERE {pk} = %s", updates)  # noqa: S608 — identifiers from model meta, quoted; values bound
                last = rows[-1][0]
                done += len(rows)
            if echo:
                echo(f"{label}: {done}")
        result.columns[label] = done
    with transaction.atomic():
        audit_log(actor=actor, action=AuditEvent.SECURITY_KEYS_ROTATE, after={"active_key_id": active, **result.columns})
    return result


def encrypted_column_problems(*, sample_decrypt: int = 50) -> list[str]:
    """For `hpf verify`: no plaintext left in an encrypted column, every key id known, and a sample decrypts."""
    from .fields import decrypt_value

    ring = keyring()
    problems = []
    qn = connection.ops.quote_name
    for model, f in encrypted_fields():
        table, col = qn(model._meta.db_table), qn(f.column)
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {col} <> '' AND {col} NOT LIKE %s", ["%:%"])  # noqa: S608 — identifiers from model meta, quoted; values bound
            (plain,) = cur.fetchone()
            if plain:
                problems.append(f"{model._meta.db_table}.{f.column} 有 {plain} 个值未加密")
            cur.execute(f"SELECT DISTINCT {db.text_before(col, ':')} FROM {table} WHERE {col} LIKE %s", ["%:%"])  # noqa: S608 — identifiers from model meta, quoted; values bound
            unknown = sorted(k for (k,) in cur.fetchall() if k not in ring.sm4)
            if unknown:
                problems.append(f"{model._meta.db_table}.{f.column} 使用了密钥环中没有的密钥 {unknown}")
                continue
            cur.execute(f"SELECT {col} FROM {table} WHERE {col} <> '' ORDER BY {qn(model._meta.pk.column)} DESC "  # noqa: S608 — identifiers from model meta, quoted; values bound
                        f"LIMIT {int(sample_decrypt)}")
            for (stored,) in cur.fetchall():
                try:
                    decrypt_value(f.purpose, stored)
                except Exception:
                    problems.append(f"{model._meta.db_table}.{f.column} 有值无法解密（密钥错误或被篡改）")
                    break
    return problems
