import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from openhpf.audit.models import AuditRecord
from openhpf.audit.services import sm3_hex
from openhpf.core.codes import RetentionClass
from openhpf.core.errors import DomainError
from openhpf.documents.models import DocType, Document
from openhpf.documents.selectors import documents_for
from openhpf.documents.services import CHUNK, document_store, document_verify

CONTENT = "购房合同扫描件".encode() * 100


def clerk():
    """柜员 "clerk", who uploads (documents.upload) at every center."""
    from django.contrib.auth import get_user_model

    from openhpf.conftest import grant_role

    user, created = get_user_model().objects.get_or_create(username="clerk", defaults={"is_staff": True})
    return grant_role(user, "teller") if created else user


def store(center, content=CONTENT, **kw):
    args = {
        "center": center,
        "content": content,
        "original_name": "合同.pdf",
        "doc_type": DocType.PURCHASE_CONTRACT,
        "retention": RetentionClass.LONG_30Y,
        "actor": clerk(),
        "business_date": center.business_date,
        "content_type": "application/pdf",
    }
    args.update(kw)
    return document_store(**args)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_store_link_and_verify(center):
    doc = store(center, obj=center)
    doc.refresh_from_db()
    assert re.fullmatch(r"documents/110100/2026/06/[0-9a-f]{32}", doc.file.name)
    assert doc.sm3 == sm3_hex(CONTENT) and doc.size == len(CONTENT)
    assert (doc.object_type, doc.object_id) == ("core.center", str(center.pk))
    assert doc.original_name == "合同.pdf" and doc.uploaded_by == "user:clerk"
    assert list(documents_for(center)) == [doc]
    assert list(documents_for(("core.center", center.pk))) == [doc]
    assert document_verify(document=doc)
    rec = AuditRecord.objects.get(action="document.store", object_id=str(doc.pk))
    assert rec.after is not None
    assert rec.after["sm3"] == doc.sm3 and rec.center_id == center.pk


@pytest.mark.django_db
def test_store_streams_a_file_object_over_several_chunks(center):
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 7)
    doc = store(
        center,
        content=io.BytesIO(data),
        original_name="C:\\scan\\身份证.jpg",
        doc_type=DocType.ID_PROOF,
        retention=RetentionClass.PERMANENT,
    )
    assert doc.sm3 == sm3_hex(data) and doc.size == len(data)
    assert doc.original_name == "身份证.jpg"
    with default_storage.open(doc.file.name, "rb") as fh:
        assert fh.read() == data


@pytest.mark.django_db
def test_tampered_or_missing_file_is_detected(center):
    doc = store(center)
    with default_storage.open(doc.file.name, "wb") as fh:
        fh.write(CONTENT[:-1] + b"X")
    assert not document_verify(document=doc)
    other = store(center)
    default_storage.delete(other.file.name)
    assert not document_verify(document=other)


@pytest.mark.parametrize(
    ("kw", "code", "message"),
    [
        ({"content": b""}, "DOC_EMPTY", "文件内容为空"),
        ({"content": io.BytesIO(b"")}, "DOC_EMPTY", "文件内容为空"),
        ({"doc_type": "passport_scan"}, "DOC_TYPE", "未知的档案类型：passport_scan"),
        ({"retention": "5Y"}, "DOC_RETENTION", "未知的保管期限：5Y"),
        ({"original_name": "  "}, "DOC_NAME", "缺少原文件名"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_and_nothing_is_stored(center, kw, code, message):
    with pytest.raises(DomainError) as e:
        store(center, **kw)
    assert e.value.code == code and e.value.message == message
    assert Document.objects.count() == 0
    assert stored_files() == []
    assert not AuditRecord.objects.filter(action="document.store").exists()


@pytest.mark.django_db
def test_verify_command_reports_mismatches_and_exits_1(center):
    docs = [store(center, content=CONTENT + bytes([i])) for i in range(5)]
    out = io.StringIO()
    call_command("documents_verify", "--center", center.code, "--chunk", "2", "--no-progress", stdout=out)
    assert "校验档案 5 份，不符 0 份" in out.getvalue()

    with default_storage.open(docs[3].file.name, "wb") as fh:
        fh.write(b"tampered")
    out = io.StringIO()
    with pytest.raises(CommandError) as e:
        call_command("documents_verify", "--center", center.code, "--chunk", "2", "--no-progress", stdout=out)
    assert "不符 1 份" in str(e.value)
    assert f"#{docs[3].pk}" in out.getvalue() and "大小不符" in out.getvalue()
