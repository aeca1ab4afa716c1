"""batch_apply_from: a bulk posting read straight from the caller's SELECT — the same effects as staging the rows
and batch_apply, every row moved in account order, and a batch wrongly declared as one row per account still
posted right (running balances row by row)."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.core.codes import BizType
from openhpf.core.db import Relation
from openhpf.core.errors import DomainError
from openhpf.ledger import sql
from openhpf.ledger.models import PostingBatch, SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import SubRow, batch_apply, batch_apply_from, batch_create, batch_stage

from .factories import deposit, open_account

# the caller's rows, in a table of its own: (ord, account, amount_current, amount_carried, value_date, reference)
SOURCE = Relation("SELECT x.ord AS ord, x.sub AS sub_account_id, x.cur AS amount_current, x.car AS amount_carried, "
                  "x.vd AS value_date, x.ref AS reference FROM test_batch_src x")


@pytest.fixture
def source(db):
    sql.execute("CREATE TABLE test_batch_src (ord BIGINT NOT NULL, sub BIGINT NOT NULL, cur BIGINT NOT NULL, "
                "car BIGINT NOT NULL, vd DATE NOT NULL, ref VARCHAR(40) NOT NULL)")
    yield lambda rows: sql.bulk_insert("test_batch_src", ["ord", "sub", "cur", "car", "vd", "ref"], rows)
    sql.execute("DROP TABLE test_batch_src")


def _batch(center, staff, key: str, biz: str = BizType.REMITTANCE):
    return batch_create(center=center, key=key, biz_type=biz, business_date=center.business_date,
                        counter_account="10101", description="批量", actor=staff)


def _state(subs):
    """Per account in the given order: balances and 积数, and its batch rows (amounts, running balance, value
    date, reference)."""
    out = []
    for s in subs:
        s = SubAccount.objects.get(pk=s.pk)
        rows = [(r.amount_current, r.amount_carried, r.balance_after, r.value_date, r.reference)
                for r in SubLedgerRow.objects.filter(sub_account=s, entry__source__startswith="batch:").order_by("id")]
        out.append((s.balance_current, s.balance_carried, s.jishu_current, s.jishu_carried, rows))
    return out


def test_from_a_select_equals_staged(center, staff, source):
    a = [open_account(center, i) for i in range(1, 8)]
    b = [open_account(center, i) for i in range(11, 18)]
    for s in a + b:
        deposit(center, s, 1000)
    bd = center.business_date

    def row(i):  # both balances, two value dates
        return 100 + i, 7 * i, bd if i % 2 else date(2026, 8, 1), f"R{i}"

    rows = [(10 - i, s.pk, *row(i)) for i, s in enumerate(a)]
    source(list(reversed(rows)))  # out of account order
    done = batch_apply_from(batch=_batch(center, staff, "from"), actor=staff, source=SOURCE, unique_accounts=True)
    staged = _batch(center, staff, "staged")
    batch_stage(batch=staged, rows=[SubRow(s.pk, *row(i)) for i, s in enumerate(b)])
    staged = batch_apply(batch=staged, actor=staff)
    got = _state(a)
    assert got == _state(b)
    assert got[3][0] == 1103 and got[3][1] == 21 and got[3][4] == [(103, 21, 1124, bd, "R3")]
    assert done.status == PostingBatch.Status.POSTED and done.rows_posted == done.rows_staged == 7
    assert done.total_amount == staged.total_amount == sum(100 + i + 7 * i for i in range(7))
    # idempotent: a second call posts nothing
    again = batch_apply_from(batch=done, actor=staff, source=SOURCE, unique_accounts=True)
    assert again.entry_id == done.entry_id and _state(a) == got
    assert gl_balance(center=center, code_prefix="201") == -(14 * 1000 + 2 * done.total_amount)


@pytest.mark.parametrize("declared", [True, None])
def test_repeated_account_posts_row_by_row(center, staff, source, declared):
    s1, s2 = open_account(center, 1), open_account(center, 2)
    deposit(center, s1, 500)
    bd = center.business_date
    source([(1, s1.pk, 100, 0, bd, "a"), (2, s2.pk, 40, 0, bd, "b"), (3, s1.pk, 25, 0, bd, "c")])
    batch = batch_apply_from(batch=_batch(center, staff, f"dup{declared}"), actor=staff, source=SOURCE,
                             unique_accounts=declared)
    assert batch.rows_posted == 3 and batch.total_amount == 165
    s1.refresh_from_db()
    assert s1.balance_current == 625 and s1.jishu_current == 625 * 213
    after = list(SubLedgerRow.objects.filter(entry=batch.entry).order_by("sub_account_id", "id")
                 .values_list("reference", "balance_after"))
    assert after == [("a", 600), ("c", 625), ("b", 40)]


def test_bad_rows_post_nothing(center, staff, source):
    s1, s2 = open_account(center, 1), open_account(center, 2)
    deposit(center, s2, 10)
    bd = center.business_date
    source([(1, s1.pk, 5, 0, bd, "a"), (2, 999999, 5, 0, bd, "b")])
    before = SubLedgerRow.objects.count()
    with pytest.raises(DomainError) as e:
        batch_apply_from(batch=_batch(center, staff, "unknown"), actor=staff, source=SOURCE, unique_accounts=True)
    assert e.value.code == "SUB_ACCOUNT_UNKNOWN" and e.value.row == 2
    sql.execute("DELETE FROM test_batch_src")
    source([(1, s1.pk, 5, 0, bd, "a"), (2, s2.pk, 5, 0, date(2027, 7, 1), "b")])
    with pytest.raises(DomainError) as e:
        batch_apply_from(batch=_batch(center, staff, "late"), actor=staff, source=SOURCE)
    assert e.value.code == "VALUE_DATE_AFTER_YEAR" and e.value.row == 2
    sql.execute("DELETE FROM test_batch_src")
    source([(1, s1.pk, 5, 0, bd, "a"), (2, s2.pk, -11, 0, bd, "b")])
    with pytest.raises(DomainError) as e:
        batch_apply_from(batch=_batch(center, staff, "over", BizType.PARTIAL_WITHDRAWAL), actor=staff,
                         source=SOURCE, unique_accounts=True)
    assert e.value.code == "INSUFFICIENT_BALANCE" and s2.account_no in e.value.message
    assert SubLedgerRow.objects.count() == before
    s1.refresh_from_db()
    s2.refresh_from_db()
    assert (s1.balance_current, s2.balance_current) == (0, 10)
    assert not PostingBatch.objects.filter(status=PostingBatch.Status.POSTED).exists()
