"""Signing with the center's SM2 seal key (documents, audit checkpoints) and re-encryption under the active key."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor

from .crypto import sm2_sign, sm2_verify, sm4_gcm_decrypt, sm4_gcm_encrypt
from .fields import ENCRYPTED, encrypted_fields
from .keys import keyring
from .models import DocumentSignature

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


# ---------------------------------------------------------------- documents


def document_sign(*, document: Any, actor: Actor) -> DocumentSignature:
    """电子签章: SM2-sign the document's SM3 digest after checking the stored file still has it."""
    from openhpf.core.errors import DomainError
    from openhpf.documents.services import document_check

    problem = document_check(document=document)
    if problem:
        raise DomainError("DOCUMENT_DAMAGED", f"档案文件校验未通过，不能签名：{problem}", field="document")
    ring = keyring()
    with transaction.atomic():
        sig = DocumentSignature.objects.create(
            document=document, sm3=document.sm3,
            signature=sm2_sign(ring.sm2_private, bytes.fromhex(document.sm3), public_hex=ring.sm2_public),
            public_key=ring.sm2_public, signed_by=actor_label(actor)[0], signed_at=timezone.now(),
        )
        audit_log(actor=actor, action="security.document.sign", obj=document, center=document.center_id,
                  after={"sm3": document.sm3, "signature": sig.signature})
    return sig


def document_signature_problem(*, document: Any) -> str | None:
    """None when the latest signature verifies with the center's public key over the file as stored now."""
    from openhpf.documents.services import document_check

    sig = DocumentSignature.objects.filter(document=document).order_by("-signed_at", "-pk").first()
    if sig is None:
        return "档案未签名"
    if sig.public_key.lower() != keyring().sm2_public:
        return "签名公钥不是本中心的签名公钥"
    if sig.sm3 != document.sm3:
        return "签名时的 SM3 摘要与档案登记的摘要不符"
    problem = document_check(document=document)
    if problem:
        return problem
    if not sm2_verify(sig.public_key, bytes.fromhex(sig.sm3), sig.signature):
        return "SM2 签名验证失败"
    return None


def document_verify_signature(*, document: Any) -> bool:
    return document_signature_problem(document=document) is None


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
                if connection.vendor == "sqlite":
                    where = where.replace("NOT LIKE %s", "NOT LIKE %s ESCAPE '\\'")
                if last is not None:
                    where += f" AND {pk} > %s"
                    params.append(last)
                with connection.cursor() as cur:
                    cur.execute(f"SELECT {pk}, {col} FROM {table} WHERE {where} ORDER BY {pk} LIMIT {int(chunk)}",
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
                    cur.executemany(f"UPDATE {table} SET {col} = %s WHERE {pk} = %s", updates)
                last = rows[-1][0]
                done += len(rows)
            if echo:
                echo(f"{label}: {done}")
        result.columns[label] = done
    with transaction.atomic():
        audit_log(actor=actor, action="security.keys.rotate", after={"active_key_id": active, **result.columns})
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
            cur.execute(f"SELECT COUNT(*) FROM {table} WHERE {col} <> '' AND {col} NOT LIKE %s", ["%:%"])
            (plain,) = cur.fetchone()
            if plain:
                problems.append(f"{model._meta.db_table}.{f.column} 有 {plain} 个值未加密")
            cur.execute(f"SELECT DISTINCT substr({col}, 1, instr({col}, ':') - 1) FROM {table} WHERE {col} LIKE %s"
                        if connection.vendor == "sqlite" else
                        f"SELECT DISTINCT split_part({col}, ':', 1) FROM {table} WHERE {col} LIKE %s", ["%:%"])
            unknown = sorted(k for (k,) in cur.fetchall() if k not in ring.sm4)
            if unknown:
                problems.append(f"{model._meta.db_table}.{f.column} 使用了密钥环中没有的密钥 {unknown}")
                continue
            cur.execute(f"SELECT {col} FROM {table} WHERE {col} <> '' ORDER BY {qn(model._meta.pk.column)} DESC "
                        f"LIMIT {int(sample_decrypt)}")
            for (stored,) in cur.fetchall():
                try:
                    decrypt_value(f.purpose, stored)
                except Exception:
                    problems.append(f"{model._meta.db_table}.{f.column} 有值无法解密（密钥错误或被篡改）")
                    break
    return problems
