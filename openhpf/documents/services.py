"""Writes and checks of business archive documents: store a file with its SM3 digest, re-hash it later."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.authz import check_permission
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.security.crypto import sm2_sign, sm2_verify
from openhpf.security.keys import keyring
from openhpf.security.models import DocumentSignature

from .models import DocType, Document

CHUNK = 1024 * 1024
# Files up to this size are hashed in memory; larger ones spill to a temporary file while they are hashed.
SPOOL_MAX = 8 * 1024 * 1024
MAX_BYTES: int = getattr(settings, "HPF_DOCUMENT_MAX_BYTES", 200 * 1024 * 1024)


def object_ref(obj: models.Model | tuple[str, Any]) -> tuple[str, str]:
    """(label_lower, pk as text) of a business object, or of an ('app.model', id) pair."""
    if isinstance(obj, models.Model):
        if obj.pk is None:
            raise DomainError(ErrorCode.DOC_OBJECT, "关联的业务对象尚未保存", field="obj")
        return obj._meta.label_lower, str(obj.pk)
    label, pk = obj
    return str(label).lower(), str(pk)


def _chunks(content: bytes | IO[bytes]):
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        for i in range(0, len(data), CHUNK):
            yield data[i : i + CHUNK]
        return
    if hasattr(content, "chunks"):  # a Django File / UploadedFile
        if hasattr(content, "seek"):
            content.seek(0)
        yield from content.chunks(CHUNK)
        return
    while True:
        block = content.read(CHUNK)
        if not block:
            return
        if isinstance(block, str):
            raise DomainError(ErrorCode.DOC_CONTENT, "文件内容应为二进制数据", field="content")
        yield block


def _validate(*, doc_type: str, retention: str, original_name: str, business_date: date | None) -> str:
    if doc_type not in DocType.values:
        raise DomainError(ErrorCode.DOC_TYPE, f"未知的档案类型：{doc_type}", field="doc_type")
    if retention not in RetentionClass.values:
        raise DomainError(ErrorCode.DOC_RETENTION, f"未知的保管期限：{retention}", field="retention")
    if business_date is None:
        raise DomainError(ErrorCode.DOC_BUSINESS_DATE, "缺少业务日期", field="business_date")
    # Keep the base name only: a client's path says nothing we want to keep.
    name = os.path.basename(str(original_name).replace("\\", "/")).strip()
    if not name:
        raise DomainError(ErrorCode.DOC_NAME, "缺少原文件名", field="original_name")
    return name[-255:]


def document_store(
    *,
    center: Center,
    content: bytes | IO[bytes],
    original_name: str,
    doc_type: str,
    retention: str,
    actor: Actor,
    business_date: date,
    obj: models.Model | tuple[str, Any] | None = None,
    content_type: str = "",
) -> Document:
    """Archive a file: SM3 over its chunks, saved through the default storage, linked to `obj`, audited.

    Bad input raises DomainError before anything is written. If the database write fails, the stored file is
    removed again."""
    check_permission(actor, "documents.upload", center=center)
    name = _validate(
        doc_type=doc_type, retention=retention, original_name=original_name, business_date=business_date
    )
    object_type, object_id = object_ref(obj) if obj is not None else ("", "")
    hasher = hashlib.new("sm3")
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX) as spool:
        for block in _chunks(content):
            hasher.update(block)
            size += len(block)
            if size > MAX_BYTES:
                raise DomainError(
                    ErrorCode.DOC_TOO_LARGE, f"文件超过 {MAX_BYTES // (1024 * 1024)} MB 上限", field="content"
                )
            spool.write(block)
        if size == 0:
            raise DomainError(ErrorCode.DOC_EMPTY, "文件内容为空", field="content")
        spool.seek(0)
        doc = Document(
            center=center,
            doc_type=doc_type,
            retention=retention,
            original_name=name,
            content_type=(content_type or "")[:100],
            size=size,
            sm3=hasher.hexdigest(),
            object_type=object_type,
            object_id=object_id,
            uploaded_by=actor_label(actor)[0],
            business_date=business_date,
        )
        # FileField.save names the file through upload_to and writes it via the default storage.
        doc.file.save(name, File(spool, name=name), save=False)
    try:
        with transaction.atomic():
            doc.save()
            audit_log(
                actor=actor,
                action=AuditEvent.DOCUMENT_STORE,
                obj=doc,
                center=center,
                business_date=business_date,
                after={
                    "doc_type": doc_type,
                    "retention": retention,
                    "original_name": name,
                    "size": size,
                    "sm3": doc.sm3,
                    "path": doc.file.name,
                    "object_type": object_type,
                    "object_id": object_id,
                },
            )
    except BaseException:
        if doc.file.name:
            doc.file.storage.delete(doc.file.name)
        raise
    return doc


def document_check(*, document: Document) -> str | None:
    """Re-hash the stored file chunk by chunk: None when it matches, else what is wrong (in Chinese)."""
    storage = document.file.storage if document.file else default_storage
    if not document.file.name or not storage.exists(document.file.name):
        return "文件缺失"
    hasher = hashlib.new("sm3")
    size = 0
    with storage.open(document.file.name, "rb") as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                break
            hasher.update(block)
            size += len(block)
    if size != document.size:
        return f"大小不符（登记 {document.size} 字节，实际 {size} 字节）"
    if hasher.hexdigest() != document.sm3:
        return "SM3 摘要不符，文件可能被篡改"
    return None


def document_verify(*, document: Document) -> bool:
    """True when the stored file still has the size and SM3 digest recorded when it was archived."""
    return document_check(document=document) is None


# ---------------------------------------------------------------- electronic seal (电子签章)


def document_sign(*, document: Any, actor: Actor) -> DocumentSignature:
    """电子签章: SM2-sign the document's SM3 digest after checking the stored file still has it."""
    problem = document_check(document=document)
    if problem:
        raise DomainError(ErrorCode.DOCUMENT_DAMAGED, f"档案文件校验未通过，不能签名：{problem}", field="document")
    ring = keyring()
    with transaction.atomic():
        sig = DocumentSignature.objects.create(
            document=document, sm3=document.sm3,
            signature=sm2_sign(ring.sm2_private, bytes.fromhex(document.sm3), public_hex=ring.sm2_public),
            public_key=ring.sm2_public, signed_by=actor_label(actor)[0], signed_at=timezone.now(),
        )
        audit_log(actor=actor, action=AuditEvent.SECURITY_DOCUMENT_SIGN, obj=document, center=document.center_id,
                  after={"sm3": document.sm3, "signature": sig.signature})
    return sig


def document_signature_problem(*, document: Any) -> str | None:
    """None when the latest signature verifies with the center's public key over the file as stored now."""
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
