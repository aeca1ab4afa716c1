from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from openhpf.conftest import business_day, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError
from openhpf.core.verify import run_checks
from openhpf.ledger import sql
from openhpf.ledger.models import JournalEntry, PostingBatch, SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance, trial_balance
from openhpf.ledger.services import (
    Line,
    SubRow,
    batch_apply,
    batch_create,
    batch_post,
    batch_stage,
    entry_post,
    entry_reverse,
    period_close,
    subaccount_set_reserves,
)

from .factories import deposit, open_account, withdraw


def test_unbalanced_entry_refused_by_code(center, staff):
    with pytest.raises(DomainError) as e:
        entry_post(center=center, business_date=center.business_date, lines=[Line("10101", debit=100), Line("201", credit=99)],
                   source="t", description="x", actor=staff)
    assert e.value.code == "ENTRY_UNBALANCED" and "借贷不平衡" in e.value.message
    assert not JournalEntry.objects.exists()


def test_control_account_must_match_sub_rows(center, staff):
    sub = open_account(center, 1)
    with pytest.raises(DomainError) as e:
        entry_post(center=center, business_date=center.business_date,
                   lines=[Line("10101", debit=100), Line("201", credit=100)], source="t", description="x", actor=staff,
                   sub_rows=[SubRow(sub.pk, amount_current=90)])
    assert e.value.code == "CONTROL_MISMATCH"


def test_deposit_jishu_hand_computed(center, staff):
    sub = open_account(center, 1)
    deposit(center, sub, 100000)  # 2026-11-30 → 2027-06-30 inclusive = 213 days
    deposit(center, sub, 50000, value_date=date(2026, 12, 31))  # 182 days
    sub.refresh_from_db()
    assert sub.balance_current == 150000
    assert sub.jishu_current == 100000 * 213 + 50000 * 182
    withdraw(center, sub, 30000)
    sub.refresh_from_db()
    assert sub.jishu_current == 100000 * 213 + 50000 * 182 - 30000 * 213
    assert [r.balance_after for r in SubLedgerRow.objects.filter(sub_account=sub).order_by("id")] == [100000, 150000, 120000]


def test_overdraw_and_frozen_refused(center, staff):
    sub = open_account(center, 1)
    deposit(center, sub, 1000)
    with pytest.raises(DomainError) as e:
        withdraw(center, sub, 1001)
    assert e.value.code == "INSUFFICIENT_BALANCE"
    subaccount_set_reserves(sub_account=sub, frozen_amount=600)
    with pytest.raises(DomainError):
        withdraw(center, sub, 500)
    withdraw(center, sub, 400)
    sub.refresh_from_db()
    assert sub.available == 0
    assert SubLedgerRow.objects.filter(sub_account=sub).count() == 2


def test_closed_period_refused_and_reversal(center, staff):
    grant_role(staff, "finance")  # period close and reversal are the finance role's
    sub = open_account(center, 1)
    e1 = deposit(center, sub, 5000)
    with pytest.raises(DomainError):
        period_close(center=center, year=2026, month=12, actor=staff)  # 11 still open
    period_close(center=center, year=2026, month=11, actor=staff)
    with pytest.raises(DomainError) as e:
        deposit(center, sub, 100)
    assert e.value.code == "PERIOD_CLOSED"
    # a correction goes into the open period as a reversing entry with the original value date
    with business_day(center, date(2026, 12, 1)):  # the next day, in the open December period
        rev = entry_reverse(entry=e1, business_date=date(2026, 12, 1), actor=staff, reason="错缴")
        sub.refresh_from_db()
        assert sub.balance == 0 and sub.jishu_current == 0
        assert rev.reversal_of_id == e1.pk and rev.voucher_no.startswith("记-202612-")
        with pytest.raises(DomainError) as e:
            entry_reverse(entry=e1, business_date=date(2026, 12, 1), actor=staff, reason="再冲")
        assert e.value.code == "ALREADY_REVERSED"


def test_db_refuses_posting_into_closed_period(center, staff):
    grant_role(staff, "finance")
    sub = open_account(center, 1)
    entry = deposit(center, sub, 5000)
    period_close(center=center, year=2026, month=11, actor=staff)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        sql.execute(
            "INSERT INTO ledger_journalentry (center_id, period_id, voucher_no, business_date, value_date, source, "
            "biz_type, description, total, created_by, created_at) VALUES (%s, %s, 'X-1', %s, %s, 'raw', '', 'raw', 0, 'x', %s)",
            [center.pk, entry.period_id, date(2026, 11, 30), date(2026, 11, 30), entry.created_at],
        )


def test_posted_rows_are_immutable(center, staff):
    sub = open_account(center, 1)
    deposit(center, sub, 5000)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        sql.execute("UPDATE ledger_journalline SET debit = debit + 1")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        sql.execute("UPDATE ledger_subledgerrow SET amount = amount + 1")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database-side balance check is PostgreSQL's")
def test_postgres_refuses_unbalanced_entry(center, staff):
    sub = open_account(center, 1)
    entry = deposit(center, sub, 5000)
    acct = entry.lines.first().account_id
    with pytest.raises(IntegrityError, match="ENTRY_UNBALANCED"), transaction.atomic():
        sql.execute(
            "INSERT INTO ledger_journalentry (center_id, period_id, voucher_no, business_date, value_date, source, "
            "biz_type, description, total, created_by, created_at) VALUES (%s, %s, 'RAW-1', %s, %s, 'raw', '', 'raw', 100, 'x', now()) "
            "RETURNING id", [center.pk, entry.period_id, date(2026, 11, 30), date(2026, 11, 30)])
        eid = sql.fetch("SELECT id FROM ledger_journalentry WHERE voucher_no = 'RAW-1'")[0][0]
        sql.execute("INSERT INTO ledger_journalline (entry_id, line_no, account_id, debit, credit, memo) "
                    "VALUES (%s, 1, %s, 100, 0, ''), (%s, 2, %s, 0, 99, '')", [eid, acct, eid, acct])
    # an entry with no lines at all is caught by the deferred check at commit
    with pytest.raises(IntegrityError, match="ENTRY_UNBALANCED"), transaction.atomic():
        sql.execute(
            "INSERT INTO ledger_journalentry (center_id, period_id, voucher_no, business_date, value_date, source, "
            "biz_type, description, total, created_by, created_at) VALUES (%s, %s, 'RAW-2', %s, %s, 'raw', '', 'raw', 100, 'x', now())",
            [center.pk, entry.period_id, date(2026, 11, 30), date(2026, 11, 30)])
        sql.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # adding a line to an existing balanced entry later unbalances it: refused
    with pytest.raises(IntegrityError, match="ENTRY_UNBALANCED"), transaction.atomic():
        sql.execute("INSERT INTO ledger_journalline (entry_id, line_no, account_id, debit, credit, memo) "
                    "VALUES (%s, 9, %s, 1, 0, '')", [entry.pk, acct])


def _rows(subs, amount=1000):
    for i, s in enumerate(subs):
        yield SubRow(s.pk, amount_current=amount + i, reference=f"R{i}")


def test_batch_post_idempotent_and_running_balances(center, staff):
    subs = [open_account(center, i) for i in range(1, 6)]
    deposit(center, subs[0], 500)
    rows = [*list(_rows(subs)), SubRow(subs[0].pk, amount_current=7, value_date=date(2026, 12, 15))]
    b = batch_post(center=center, key="remit-2026-11-A", biz_type=BizType.REMITTANCE, business_date=center.business_date,
                   counter_account="10101", description="11月汇缴", rows=rows, actor=staff)
    assert b.status == PostingBatch.Status.POSTED and b.rows_posted == 6
    again = batch_post(center=center, key="remit-2026-11-A", biz_type=BizType.REMITTANCE, business_date=center.business_date,
                       counter_account="10101", description="11月汇缴", rows=rows, actor=staff)
    assert again.pk == b.pk and SubLedgerRow.objects.filter(entry=b.entry).count() == 6
    s0 = SubAccount.objects.get(pk=subs[0].pk)
    assert s0.balance_current == 500 + 1000 + 7
    assert list(SubLedgerRow.objects.filter(sub_account=s0).order_by("id").values_list("balance_after", flat=True)) == [500, 1500, 1507]
    assert s0.jishu_current == 500 * 213 + 1000 * 213 + 7 * 198
    assert gl_balance(center=center, code_prefix="201") == -(500 + sum(1000 + i for i in range(5)) + 7)


def test_batch_resumes_after_crash_and_refuses_bad_rows(center, staff):
    subs = [open_account(center, i) for i in range(1, 11)]
    b = batch_create(center=center, key="k1", biz_type=BizType.REMITTANCE, business_date=center.business_date,
                     counter_account="10101", description="d", actor=staff)

    def crashing():
        for i, r in enumerate(_rows(subs)):
            if i == 7:
                raise RuntimeError("kill -9")
            yield r

    with pytest.raises(RuntimeError):
        batch_stage(batch=b, rows=crashing(), chunk=3)
    assert sql.fetch(f"SELECT COUNT(*) FROM {b.stage_table}")[0][0] == 6
    batch_stage(batch=b, rows=_rows(subs), chunk=3)
    batch_apply(batch=b, actor=staff)
    b.refresh_from_db()
    assert SubLedgerRow.objects.filter(entry=b.entry).count() == 10
    # a batch with an unknown account posts nothing
    bad = batch_create(center=center, key="k2", biz_type=BizType.REMITTANCE, business_date=center.business_date,
                       counter_account="10101", description="d", actor=staff)
    batch_stage(batch=bad, rows=[SubRow(subs[0].pk, 5), SubRow(999999, 5)])
    with pytest.raises(DomainError) as e:
        batch_apply(batch=bad, actor=staff)
    assert e.value.code == "SUB_ACCOUNT_UNKNOWN" and e.value.row == 2
    # a debit batch that overdraws one account posts nothing
    over = batch_create(center=center, key="k3", biz_type=BizType.PARTIAL_WITHDRAWAL, business_date=center.business_date,
                        counter_account="10101", description="d", actor=staff)
    batch_stage(batch=over, rows=[SubRow(subs[1].pk, -5), SubRow(subs[2].pk, -10**9)])
    before = SubLedgerRow.objects.count()
    with pytest.raises(DomainError) as e:
        batch_apply(batch=over, actor=staff)
    assert e.value.code == "INSUFFICIENT_BALANCE" and subs[2].account_no in e.value.message
    assert SubLedgerRow.objects.count() == before


def test_trial_balance_and_verify(center, staff):
    sub = open_account(center, 1)
    deposit(center, sub, 12345)
    withdraw(center, sub, 345)
    rows = {r.code: r for r in trial_balance(center=center, year=2026, month=11, user=SystemActor("test"))}
    assert rows["201"].closing == 12000 and rows["101"].closing == 12000 and rows["10101"].debit == 12345
    assert sum(r.debit for r in rows.values() if len(r.code) == 3) == sum(r.credit for r in rows.values() if len(r.code) == 3)
    assert all(r.ok for r in run_checks() if r.name.startswith("ledger."))


@pytest.mark.breaks_invariants
def test_verify_detects_tampered_balance(center, staff):
    sub = open_account(center, 1)
    deposit(center, sub, 100)
    SubAccount.objects.filter(pk=sub.pk).update(balance_current=200, jishu_current=1)
    bad = {r.name for r in run_checks() if not r.ok}
    assert {"ledger.member_control", "ledger.subledger", "ledger.jishu"} <= bad
