import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from openhpf.audit.models import AuditChainHead, AuditCheckpoint, AuditRecord
from openhpf.audit.selectors import audit_chain_breaches
from openhpf.audit.services import audit_log, audit_seal_pending, merkle_root
from openhpf.core.verify import run_checks
from openhpf.ledger import sql


def _write(n, actor="user:clerk1"):
    for i in range(n):
        audit_log(actor=actor, action="test.action", obj=("test.obj", i), before={"v": i}, after={"v": i + 1})


def test_seal_chain_and_verify(db):
    _write(5)
    assert audit_seal_pending() == 5
    _write(3)
    assert audit_seal_pending() == 3
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 9))
    checked, breaches = audit_chain_breaches()
    assert checked == 8 and breaches == []
    assert AuditCheckpoint.objects.count() == 2
    head = AuditChainHead.objects.get()
    assert head.last_seq == 8 and head.last_hash == AuditRecord.objects.get(seq=8).hash
    cp = AuditCheckpoint.objects.order_by("first_seq").first()
    assert cp.merkle_root == merkle_root([r.hash for r in AuditRecord.objects.filter(seq__lte=5).order_by("seq")])


def test_sealed_rows_cannot_be_updated_through_the_database(db):
    _write(1)
    audit_seal_pending()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditRecord.objects.update(action="changed")


def _drop_guard():
    if connection.vendor == "postgresql":
        sql.execute("SET LOCAL session_replication_role = replica")  # superuser: triggers off
    else:
        sql.execute("DROP TRIGGER hpf_audit_append_only")


@pytest.mark.breaks_invariants
def test_tampering_detected_by_verify(db):
    _write(4)
    audit_seal_pending()
    _drop_guard()  # an attacker with database rights can bypass the trigger; the chain still tells
    AuditRecord.objects.filter(seq=2).update(after={"v": 999})
    bad = {r.name: r for r in run_checks() if not r.ok}
    assert "audit.chain" in bad and any("被篡改" in b for b in bad["audit.chain"].breaches)


@pytest.mark.breaks_invariants
def test_deletion_and_truncation_detected(db):
    _write(5)
    audit_seal_pending()
    _drop_guard()
    if connection.vendor == "postgresql":
        sql.execute("DELETE FROM audit_auditrecord WHERE seq = 3")
    else:
        AuditRecord.objects.filter(seq=3).delete()
    _, breaches = audit_chain_breaches()
    assert any("断裂" in b for b in breaches)
    AuditRecord.objects.filter(seq=5).delete()
    _, breaches = audit_chain_breaches()
    assert any("链头" in b for b in breaches)


def test_unsealed_overdue_reported(db, settings):
    settings.HPF_AUDIT_SEAL_INTERVAL = -1
    _write(1)
    res = {r.name: r for r in run_checks(["audit.unsealed"])}
    assert not res["audit.unsealed"].ok
    audit_seal_pending()
    assert all(r.ok for r in run_checks(["audit.unsealed", "audit.chain"]))
