import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from openhpf.audit.models import AuditChainHead, AuditCheckpoint, AuditRecord
from openhpf.audit.selectors import audit_chain_breaches
from openhpf.audit.services import audit_log, audit_seal_pending, merkle_root
from openhpf.core.audit_events import AuditEvent
from openhpf.core.verify import run_checks
from openhpf.ledger import sql


def _write(n, actor="user:clerk1"):
    for i in range(n):
        audit_log(actor=actor, action=AuditEvent.CORE_POLICY_SET, obj=("test.obj", i), before={"v": i}, after={"v": i + 1})


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


def test_unsealed_overdue_reported(db, settings, audit_sealed):
    settings.HPF_AUDIT_SEAL_INTERVAL = -1
    _write(1)
    res = {r.name: r for r in run_checks(["audit.unsealed"])}
    assert not res["audit.unsealed"].ok
    audit_sealed()
    assert all(r.ok for r in run_checks(["audit.unsealed", "audit.chain", "audit.anchor"]))


# ---------------------------------------------------------------- typed actors and the versioned canonical form


def _v1_content(rec) -> bytes:
    """The canonical form as the sealer wrote it before typed actors: the rows sealed then must hash this, as
    they always did."""
    import json
    from datetime import UTC

    payload = [rec.pk, rec.seq, rec.center_id, rec.actor, rec.actor_user_id, rec.action,
               rec.business_date.isoformat() if rec.business_date else None, rec.request_id, rec.object_type,
               rec.object_id, rec.before, rec.after, rec.created_at.astimezone(UTC).isoformat()]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def test_audit_rows_carry_the_typed_actor(db, django_user_model):
    from types import SimpleNamespace

    from openhpf.core.actors import MemberActor, SystemActor

    clerk = django_user_model.objects.create_user("clerk9", password="pw-Clerk-2026", is_staff=True)
    member = MemberActor(SimpleNamespace(pk=7, member_id=42))
    dayend = SystemActor("dayend", on_behalf_of=clerk)
    for actor in (member, dayend, SystemActor("bank", ref="ICBC"), clerk):
        audit_log(actor=actor, action=AuditEvent.CORE_POLICY_SET, obj=("test.obj", 1))
    rows = list(AuditRecord.objects.order_by("id").values_list("actor", "actor_user_id", "actor_kind", "actor_id"))
    assert rows == [
        ("member:42", None, "member", "7"),
        ("system:dayend:user:clerk9", clerk.pk, "system", "dayend"),
        ("system:bank:ICBC", None, "system", "bank:ICBC"),
        ("user:clerk9", clerk.pk, "staff", str(clerk.pk)),
    ]
    assert audit_seal_pending() == 4
    assert set(AuditRecord.objects.values_list("hash_version", flat=True)) == {2}
    assert audit_chain_breaches() == (4, [])


def test_rows_sealed_before_typed_actors_verify_beside_new_ones(db, monkeypatch):
    from openhpf.audit import services
    from openhpf.audit.services import chain_hash, sm3_hex
    from openhpf.core.actors import SystemActor

    # rows written and sealed by the sealer as it was: no actor kind, hash form 1
    monkeypatch.setattr(services, "CANONICAL_VERSION", None)
    _write(3)
    AuditRecord.objects.update(actor_kind=None, actor_id=None)
    assert audit_seal_pending() == 3
    monkeypatch.undo()
    old = list(AuditRecord.objects.order_by("seq"))
    assert [r.hash_version for r in old] == [None] * 3
    for r in old:  # byte for byte the form they were sealed with before
        assert r.hash == sm3_hex(r.prev_hash.encode() + _v1_content(r))
    # new rows: hash form 2, which covers the typed actor too
    _write(2, actor=SystemActor("test"))
    assert audit_seal_pending() == 2
    new = list(AuditRecord.objects.filter(seq__gt=3).order_by("seq"))
    assert [(r.hash_version, r.actor_kind, r.actor_id) for r in new] == [(2, "system", "test")] * 2
    assert new[0].prev_hash == old[-1].hash and new[0].hash == chain_hash(new[0].prev_hash, new[0])
    assert new[0].hash != sm3_hex(new[0].prev_hash.encode() + _v1_content(new[0]))
    assert audit_chain_breaches() == (5, [])
    assert all(r.ok for r in run_checks(["audit.chain"]))


@pytest.mark.breaks_invariants
def test_typed_actor_and_form_version_are_covered_by_the_hash(db):
    from openhpf.core.actors import SystemActor

    _write(3, actor=SystemActor("test"))
    audit_seal_pending()
    _drop_guard()
    AuditRecord.objects.filter(seq=2).update(actor_id="someone-else")
    AuditRecord.objects.filter(seq=3).update(hash_version=None)  # passing a new row off as an old one
    _, breaches = audit_chain_breaches()
    assert sum("被篡改" in b for b in breaches) == 2
