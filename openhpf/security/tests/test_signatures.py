"""SM2 seals: detached document signatures and signed audit checkpoints that `hpf verify` checks."""

import pytest
from django.db import connection

from openhpf.audit.models import AuditChainHead, AuditCheckpoint, AuditRecord
from openhpf.audit.selectors import audit_chain_breaches
from openhpf.audit.services import audit_log, audit_seal_pending, chain_hash, merkle_root
from openhpf.core.actors import SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.verify import run_checks
from openhpf.documents.services import (
    document_sign,
    document_signature_problem,
    document_store,
    document_verify_signature,
)
from openhpf.security import crypto
from openhpf.security.keys import keyring
from openhpf.security.models import DocumentSignature
from openhpf.security.services import checkpoint_message


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _doc(center, content=b"%PDF-1.4 contract"):
    return document_store(center=center, content=content, original_name="借款合同.pdf", doc_type="loan_contract",
                          retention="30Y", actor=SystemActor("test"), business_date=center.business_date)


def test_document_sign_and_verify(center):
    doc = _doc(center)
    assert document_signature_problem(document=doc) == "档案未签名"
    sig = document_sign(document=doc, actor="user:clerk1")
    assert sig.public_key == keyring().sm2_public and sig.sm3 == doc.sm3
    assert crypto.sm2_verify(sig.public_key, bytes.fromhex(doc.sm3), sig.signature)  # detached, over the SM3 digest
    assert document_verify_signature(document=doc)
    assert AuditRecord.objects.filter(action="security.document.sign").exists()


def test_document_signature_detects_tampering(center):
    doc = _doc(center)
    document_sign(document=doc, actor=SystemActor("test"))
    with doc.file.storage.open(doc.file.name, "wb") as fh:  # the file is swapped on disk
        fh.write(b"%PDF-1.4 contracX")
    assert not document_verify_signature(document=doc)
    doc2 = _doc(center, b"other")
    sig = document_sign(document=doc2, actor=SystemActor("test"))
    DocumentSignature.objects.filter(pk=sig.pk).update(signature=sig.signature[:-4] + "0000")
    assert document_signature_problem(document=doc2) == "SM2 签名验证失败"


def _write(n):
    for i in range(n):
        audit_log(actor="user:clerk1", action=AuditEvent.CORE_POLICY_SET, obj=("test.obj", i), after={"v": i})


def test_every_checkpoint_is_signed_and_verifies(db):
    _write(3)
    audit_seal_pending()
    _write(2)
    audit_seal_pending()
    cps = list(AuditCheckpoint.objects.order_by("first_seq"))
    assert len(cps) == 2
    for cp in cps:
        msg = checkpoint_message(first_seq=cp.first_seq, last_seq=cp.last_seq, merkle_root=cp.merkle_root,
                                 head_hash=cp.head_hash)
        assert crypto.sm2_verify(keyring().sm2_public, msg, cp.signature)
    assert audit_chain_breaches()[1] == []


@pytest.mark.breaks_invariants
def test_forged_checkpoint_is_detected(db):
    _write(3)
    audit_seal_pending()
    cp = AuditCheckpoint.objects.get()
    forged_root = "ab" * 32
    other_sk, _ = crypto.sm2_generate_keypair()  # signed, but not with the center's key
    forged_sig = crypto.sm2_sign(other_sk, checkpoint_message(first_seq=cp.first_seq, last_seq=cp.last_seq,
                                                              merkle_root=forged_root, head_hash=cp.head_hash))
    AuditCheckpoint.objects.filter(pk=cp.pk).update(merkle_root=forged_root, signature=forged_sig)
    breaches = audit_chain_breaches()[1]
    assert any("SM2 签名验证失败" in b for b in breaches)
    assert any("默克尔根" in b for b in breaches)
    assert not {r.name: r for r in run_checks()}["audit.chain"].ok


def _drop_guard():
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER IF EXISTS hpf_audit_append_only ON audit_auditrecord")
        else:
            cur.execute("DROP TRIGGER IF EXISTS hpf_audit_append_only")


@pytest.mark.breaks_invariants
def test_rewritten_chain_end_is_detected(db):
    """Someone with database access rewrites the last record and recomputes its hash, the Merkle root, the
    checkpoint and the chain head: everything hashes, but the checkpoint signature no longer verifies."""
    _write(4)
    audit_seal_pending()
    _drop_guard()
    last = AuditRecord.objects.order_by("-seq").first()
    AuditRecord.objects.filter(pk=last.pk).update(after={"v": 999})
    last.refresh_from_db()
    new_hash = chain_hash(last.prev_hash, last)
    AuditRecord.objects.filter(pk=last.pk).update(hash=new_hash)
    hashes = list(AuditRecord.objects.order_by("seq").values_list("hash", flat=True))
    AuditCheckpoint.objects.update(merkle_root=merkle_root(hashes), head_hash=new_hash)
    AuditChainHead.objects.update(last_hash=new_hash)
    breaches = audit_chain_breaches()[1]
    assert breaches and all("SM2 签名验证失败" in b for b in breaches), breaches


@pytest.mark.breaks_invariants
def test_unsigned_or_missing_checkpoint_is_detected(db):
    _write(2)
    audit_seal_pending()
    AuditCheckpoint.objects.update(signature="")
    assert any("没有 SM2 签名" in b for b in audit_chain_breaches()[1])
    AuditCheckpoint.objects.all().delete()
    assert any("不在任何已签名检查点" in b for b in audit_chain_breaches()[1])
