"""The audit chain's anchor outside the database and the periodic sealer: deleting the newest sealed rows with
their checkpoints, or the whole trail, used to leave hpf verify green; now the anchor tells."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from openhpf.audit.anchor import anchor_path, anchor_sync, installation, read_last_line
from openhpf.audit.models import AuditChainHead, AuditCheckpoint, AuditRecord, Installation
from openhpf.audit.selectors import audit_chain_breaches
from openhpf.audit.services import audit_log, audit_seal
from openhpf.core.audit_events import AuditEvent
from openhpf.core.verify import run_checks
from openhpf.ledger import sql


def _write(n):
    for i in range(n):
        audit_log(actor="user:clerk1", action=AuditEvent.CORE_POLICY_SET, obj=("test.obj", i), after={"v": i})


def _lines():
    return [json.loads(x) for x in anchor_path(installation()).read_text().splitlines()]


def _checks():
    return {r.name: r for r in run_checks(["audit.chain", "audit.anchor"])}


def _superuser():
    """A database superuser: the append-only trigger off (PostgreSQL) or dropped (SQLite)."""
    if connection.vendor == "postgresql":
        sql.execute("SET LOCAL session_replication_role = replica")
    else:
        sql.execute("DROP TRIGGER IF EXISTS hpf_audit_append_only")


def test_each_checkpoint_head_is_anchored_after_commit(db, audit_sealed):
    _write(3)
    r = audit_sealed()
    assert (r.rows, r.checkpoints, r.anchored) == (3, 1, 1)
    cp = AuditCheckpoint.objects.get()
    [line] = _lines()
    assert (line["first_seq"], line["last_seq"], line["head_hash"], line["signature"]) == (
        1, 3, cp.head_hash, cp.signature)
    assert line["installation"] == Installation.objects.get().installation_id
    assert Installation.objects.get().anchored_at is not None
    _write(2)
    audit_sealed()
    assert [x["last_seq"] for x in _lines()] == [3, 5]
    assert all(r.ok for r in _checks().values())
    assert audit_sealed().anchored == 0 and anchor_sync() == 0  # nothing new: nothing appended


def test_a_rolled_back_checkpoint_is_never_anchored(db, django_capture_on_commit_callbacks):
    _write(2)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        audit_seal()
        raise RuntimeError("crash before commit")
    assert not anchor_path(installation()).exists()
    assert not AuditCheckpoint.objects.exists()


def test_the_request_path_does_not_seal(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _write(1)
    assert callbacks == []  # no sealing (nor its global lock) after a request's commit
    assert AuditRecord.objects.get().seq is None


@pytest.mark.breaks_invariants
def test_deleting_the_newest_sealed_rows_and_checkpoints_is_caught(db, audit_sealed, monkeypatch):
    from openhpf.audit import services

    monkeypatch.setattr(services, "SEAL_CHUNK", 3)
    _write(3)
    audit_sealed()
    _write(6)
    audit_sealed()  # three checkpoints: 1-3, 4-6, 7-9
    assert [x["last_seq"] for x in _lines()] == [3, 6, 9]
    _superuser()
    # the attack: the newest rows go with their checkpoint, and the head is set back to the last one left
    AuditRecord.objects.filter(seq__gt=6).delete()
    AuditCheckpoint.objects.filter(last_seq=9).delete()
    AuditChainHead.objects.update(last_seq=6, last_hash=AuditRecord.objects.get(seq=6).hash)
    assert audit_chain_breaches() == (6, [])  # the chain inside the database is consistent again
    res = _checks()
    assert res["audit.chain"].ok and not res["audit.anchor"].ok
    assert any("落后于锚定的 seq=9" in b for b in res["audit.anchor"].breaches)
    # sealing on does not paper over it: the anchor is never appended to past a head the database lost
    _write(5)
    audit_sealed()
    assert [x["last_seq"] for x in _lines()] == [3, 6, 9]
    res = _checks()
    assert res["audit.chain"].ok and not res["audit.anchor"].ok
    assert any("不符" in b for b in res["audit.anchor"].breaches)


@pytest.mark.breaks_invariants
def test_deleting_the_whole_trail_is_caught(db, audit_sealed):
    _write(4)
    audit_sealed()
    _superuser()
    AuditRecord.objects.all().delete()
    AuditCheckpoint.objects.all().delete()
    AuditChainHead.objects.all().delete()
    res = _checks()
    assert res["audit.chain"].ok and not res["audit.anchor"].ok
    Installation.objects.all().delete()  # and the installation that names the anchor
    res = _checks()
    assert not res["audit.anchor"].ok and any("没有安装标识" in b for b in res["audit.anchor"].breaches)


@pytest.mark.breaks_invariants
def test_a_lost_anchor_is_reported_and_not_recreated(db, audit_sealed):
    _write(2)
    audit_sealed()
    path = anchor_path(installation())
    path.unlink()
    res = _checks()
    assert not res["audit.anchor"].ok and any("缺失" in b for b in res["audit.anchor"].breaches)
    _write(1)
    audit_sealed()
    assert not path.exists()  # the sealer does not start a fresh anchor for an installation that had one


@pytest.mark.breaks_invariants
def test_a_forged_anchor_line_fails_its_signature(db, audit_sealed):
    _write(2)
    audit_sealed()
    path = anchor_path(installation())
    line = _lines()[-1]
    line["signature"] = line["signature"][:-4] + "0000"
    path.write_text(json.dumps(line) + "\n")
    assert any("签名验证失败" in b for b in _checks()["audit.anchor"].breaches)


def test_unanchored_checkpoints_past_the_interval_are_reported(db, settings):
    _write(1)
    audit_seal()  # inside the test's transaction: the after-commit anchoring never ran
    settings.HPF_AUDIT_SEAL_INTERVAL = -1
    res = _checks()
    assert not res["audit.anchor"].ok and any("仍未锚定" in b for b in res["audit.anchor"].breaches)
    anchor_sync()  # what the next sealer run does
    assert all(r.ok for r in _checks().values())


def test_a_line_cut_short_by_a_crash_is_ignored(db, audit_sealed):
    _write(1)
    audit_sealed()
    path = anchor_path(installation())
    with path.open("ab") as f:
        f.write(b'{"v":1,"last_seq":9')
    last = read_last_line(path)
    assert last is not None and last["last_seq"] == 1
    assert _checks()["audit.anchor"].ok


def test_hpf_audit_seal_is_chunked_and_idempotent(transactional_db, monkeypatch):
    from openhpf.audit import services

    monkeypatch.setattr(services, "SEAL_CHUNK", 2)
    _write(5)
    out = StringIO()
    call_command("audit_seal", stdout=out)  # each chunk commits, then its head is anchored
    assert "封存审计记录 5 条，检查点 3 个，锚定 3 行" in out.getvalue()
    assert [x["last_seq"] for x in _lines()] == [2, 4, 5]
    out = StringIO()
    call_command("audit_seal", stdout=out)
    assert "封存审计记录 0 条，检查点 0 个，锚定 0 行" in out.getvalue()
    assert all(r.ok for r in _checks().values())


def test_dayend_seals(db, audit_sealed):
    from types import SimpleNamespace

    from openhpf.jobs import dayend

    _write(3)
    ctx = SimpleNamespace(advance=lambda *a, **k: None)
    step = next(s for s in dayend.plan() if s.name == "seal")
    out = step.run(None, ctx)  # type: ignore[arg-type]
    assert out["rows"] == 3 and out["checkpoints"] == 1
    assert not AuditRecord.objects.filter(seq__isnull=True).exists()
