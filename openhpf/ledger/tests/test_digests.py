"""Ledger digests sealed into the audit chain: a superuser who rewrites ledger rows, balances and 积数 with the
triggers off (or dropped) is caught by hpf verify, whose other ledger checks stay green after such a rewrite."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from openhpf.audit.models import AuditRecord
from openhpf.audit.services import audit_seal
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import BizType
from openhpf.core.verify import run_checks
from openhpf.ledger import sql
from openhpf.ledger.digests import SOURCE, batch_root, digest_collect, entry_digests
from openhpf.ledger.models import DigestMark, EntryDigest, JournalEntry, SubAccount, SubLedgerRow
from openhpf.ledger.services import Line, SubRow, entry_post

from .factories import TEST_ACTOR, deposit, open_account

MOVED = 1000_00  # ¥1,000


def _two_members(center):
    a, b = open_account(center, 1), open_account(center, 2)
    entry = entry_post(
        center=center, business_date=center.business_date, lines=[Line("10101", debit=10_000_00), Line("201", credit=10_000_00)],
        source="test", description="测试汇缴", actor=TEST_ACTOR, biz_type=BizType.REMITTANCE,
        sub_rows=[SubRow(a.pk, amount_current=5_000_00), SubRow(b.pk, amount_current=5_000_00)],
    )
    return a, b, entry


def _triggers_off():
    """What a database superuser does: PostgreSQL's triggers off for the session; SQLite's guards dropped."""
    if connection.vendor == "postgresql":
        sql.execute("SET LOCAL session_replication_role = replica")
    else:
        sql.execute("DROP TRIGGER IF EXISTS hpf_subledgerrow_immutable")


def _move_between_members(a, b):
    """Move ¥1,000 from a to b inside their posted entry: the detail rows, balances and 积数 all rewritten so
    that every balance recomputed from rows still agrees."""
    _triggers_off()
    days = SubAccount.objects.get(pk=a.pk).jishu_current // 5_000_00
    for sub, delta in ((a, -MOVED), (b, MOVED)):
        sql.execute("UPDATE ledger_subledgerrow SET amount = amount + %s, amount_current = amount_current + %s, "
                    "balance_after = balance_after + %s WHERE sub_account_id = %s AND entry_id IS NOT NULL",
                    [delta, delta, delta, sub.pk])
        sql.execute("UPDATE ledger_subaccount SET balance_current = balance_current + %s, "
                    "jishu_current = jishu_current + %s WHERE id = %s", [delta, delta * days, sub.pk])


def _failed(full=False):
    return {r.name: r for r in run_checks(full=full) if not r.ok and r.name != "audit.unsealed"}


def test_the_sealer_digests_each_entry_into_the_chain(center, audit_sealed):
    a, _b, entry = _two_members(center)
    assert not EntryDigest.objects.exists()  # the posting path computes nothing
    r = audit_sealed()
    assert r.sources == {SOURCE: 1}
    d = EntryDigest.objects.get(entry_id=entry.pk)
    assert d.digest == entry_digests([entry.pk])[entry.pk]
    piece = AuditRecord.objects.get(object_type="ledger.entrydigest", object_id="1")
    assert piece.after is not None
    assert piece.action == AuditEvent.LEDGER_DIGEST_SEAL and piece.seq is not None  # sealed in the same run
    pairs = list(EntryDigest.objects.order_by("entry_id").values_list("entry_id", "digest"))
    assert piece.after["root"] == batch_root(pairs) and piece.after["entries"] == len(pairs)
    assert not _failed()
    assert audit_sealed().sources == {}  # idempotent: nothing new, nothing digested twice
    deposit(center, a, 100_00)
    assert audit_sealed().sources == {SOURCE: 1}
    assert EntryDigest.objects.count() == JournalEntry.objects.count()
    assert set(EntryDigest.objects.values_list("batch", flat=True)) == {1, 2}


@pytest.mark.breaks_invariants
def test_superuser_moving_money_between_members_is_caught(center, audit_sealed):
    a, b, entry = _two_members(center)
    audit_sealed()
    _move_between_members(a, b)  # after the entry was sealed, before the next hpf verify
    assert SubAccount.objects.get(pk=a.pk).balance == 4_000_00 and SubAccount.objects.get(pk=b.pk).balance == 6_000_00
    bad = _failed()
    # the rewrite is consistent: only the sealed digests tell
    assert set(bad) == {"ledger.digests"}, {k: v.breaches for k, v in bad.items()}
    assert any(entry.voucher_no in x and "被改写" in x for x in bad["ledger.digests"].breaches)
    assert "ledger.digests" in _failed()  # a failed run does not move the mark: it keeps failing
    assert "ledger.digests" in _failed(full=True)


@pytest.mark.breaks_invariants
def test_rewriting_the_digests_too_is_caught(center, audit_sealed):
    a, b, entry = _two_members(center)
    audit_sealed()
    _move_between_members(a, b)
    EntryDigest.objects.filter(entry_id=entry.pk).update(digest=entry_digests([entry.pk])[entry.pk])
    bad = _failed()
    assert set(bad) == {"ledger.digests"}
    assert any("与审计链中封存的不符" in x for x in bad["ledger.digests"].breaches)
    EntryDigest.objects.filter(entry_id=entry.pk).delete()  # or dropping it, to have it digested afresh
    assert audit_sealed().sources == {SOURCE: 1}
    assert "ledger.digests" in _failed()


@pytest.mark.breaks_invariants
def test_incremental_verify_and_full(center, audit_sealed):
    a, b, _entry = _two_members(center)
    audit_sealed()
    assert not _failed()
    assert DigestMark.objects.get().batch == 1  # batch 1 verified
    deposit(center, a, 100_00)
    audit_sealed()
    assert not _failed()
    assert DigestMark.objects.get().batch == 2
    _move_between_members(a, b)  # in batch 1, before the mark
    bad = _failed()
    assert "ledger.digests" not in bad  # the default run recomputes what was sealed since the mark only
    assert "ledger.digests" in _failed(full=True)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify", "--full", "--only", "ledger.digests", stdout=out)
    assert "[FAIL] ledger.digests" in out.getvalue()


@pytest.mark.breaks_invariants
def test_entries_left_undigested_and_moneyless_rows_with_money(center, settings):
    _a, b, _entry = _two_members(center)
    settings.HPF_AUDIT_SEAL_INTERVAL = -1
    bad = _failed()
    assert any("仍未纳入账簿摘要" in x for x in bad["ledger.digests"].breaches)
    audit_seal()
    _triggers_off()
    SubLedgerRow.objects.filter(sub_account_id=b.pk).update(entry=None)  # rows detached from their entry
    assert any("没有记账凭证却有发生额" in x for x in _failed()["ledger.digests"].breaches)


@pytest.mark.breaks_invariants
def test_an_entry_committed_late_is_digested_all_the_same(center):
    a, _b, first = _two_members(center)
    later = deposit(center, a, 100_00)
    # as if `later` had been digested while `first` (the lower id) was still uncommitted
    EntryDigest.objects.create(entry_id=later.pk, digest=str(entry_digests([later.pk])[later.pk]), batch=1)
    piece = digest_collect()
    assert piece is not None and piece["batch"] == 2 and piece["entries"] == 1 and piece["first_entry"] == first.pk
    assert EntryDigest.objects.get(entry_id=first.pk).batch == 2
    assert digest_collect() is None
