"""core.db: the database idioms give the same answers on both databases, and a Relation is a SELECT."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from openhpf.contributions.months import ym
from openhpf.core import db


def _one(sql: str, params=()):
    return db.fetch(sql, params)[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize("d", [date(2026, 1, 31), date(2026, 12, 1), date(1999, 7, 15)])
def test_month_key_is_the_stored_month_form_and_month_index_counts_months(d):
    db.execute(db.staging_table_ddl("test_db_dates", ["d DATE NOT NULL"], temporary=True))
    try:
        db.execute("INSERT INTO test_db_dates (d) VALUES (%s)", [d])
        assert _one(f"SELECT {db.month_key('d')} FROM test_db_dates") == ym(d) == f"{d.year}{d.month:02d}"
        assert _one(f"SELECT {db.month_index('d', 2)} FROM test_db_dates") == d.year * 12 + d.month - 1 + 2
    finally:
        db.drop_table("test_db_dates")


@pytest.mark.django_db
def test_staging_tables_hold_64_bit_integers_and_go_away():
    db.create_staging_table("test_db_stage", ["n BIGINT NOT NULL", "t TEXT"])
    try:
        assert db.bulk_insert("test_db_stage", ["n", "t"], [(2**62, "a"), (-(2**62), None)]) == 2
        assert _one("SELECT SUM(n) FROM test_db_stage") == 0
        assert _one("SELECT MAX(n) FROM test_db_stage") == 2**62
    finally:
        db.drop_table("test_db_stage")
    assert "test_db_stage" not in connection.introspection.table_names()
    ddl = db.staging_table_ddl("x", "a BIGINT, b BIGINTS")
    if db.is_postgresql():
        assert ddl == "CREATE UNLOGGED TABLE x (a BIGINT, b BIGINTS)"
    else:
        assert ddl == "CREATE TABLE x (a INTEGER, b BIGINTS)"
    with pytest.raises(ValueError):
        db.staging_table_ddl("x; DROP TABLE y", "a BIGINT")


@pytest.mark.django_db
def test_settings_for_one_transaction():
    with pytest.raises(ValueError):
        db.local_work_mem("1GB'; SELECT 1; --")
    with transaction.atomic():
        db.local_work_mem("64MB")
        db.jit_off()
        if db.is_postgresql():
            assert _one("SHOW work_mem") == "64MB"
            assert _one("SHOW jit") == "off"


@pytest.mark.django_db
def test_text_expressions():
    assert _one(f"SELECT {db.zero_pad('%s', 6)}", [42]) == "000042"
    assert _one(f"SELECT {db.text_before('x.v', ':')} FROM (SELECT %s AS v) x", ["k1:abc:d"]) == "k1"
    assert _one(f"SELECT CASE WHEN %s LIKE %s{db.like_escape()} THEN 1 ELSE 0 END", ["k_1", "k\\_%"]) == 1
    assert _one(f"SELECT CASE WHEN %s LIKE %s{db.like_escape()} THEN 1 ELSE 0 END", ["kx1", "k\\_%"]) == 0
    assert str(_one(f"SELECT {db.date_param()}", [date(2026, 7, 1)])) == "2026-07-01"


def test_a_relation_is_a_select_with_bound_values():
    r = db.Relation("SELECT id FROM t WHERE a = %s", [1])
    assert r.params == (1,) and r.plist == [1]
    for text in ("DELETE FROM t", "UPDATE t SET a = 1", "id FROM t"):
        with pytest.raises(ValueError):
            db.Relation(text)
    with pytest.raises(ValueError):
        db.publish_view("ledger", "accounts_v_x", "ledger_glaccount", ["id"])


def _shape(*tables: str) -> list[tuple]:
    """Every constraint and index of `tables`, by name and definition (PostgreSQL's catalogue)."""
    cons = db.fetch("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2", [list(tables)])
    idx = db.fetch("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
                   [list(tables)])
    return cons + idx


@pytest.mark.django_db
def test_bulk_load_puts_every_key_and_index_back_and_proves_them():
    db.execute("CREATE TABLE test_bl_parent (id BIGINT PRIMARY KEY, code VARCHAR(10) NOT NULL)")
    db.execute("CREATE TABLE test_bl_child (id BIGINT PRIMARY KEY, "
               "parent_id BIGINT NOT NULL REFERENCES test_bl_parent (id) DEFERRABLE INITIALLY DEFERRED, "
               "no VARCHAR(10) NOT NULL CONSTRAINT test_bl_child_no UNIQUE, status VARCHAR(2) NOT NULL)")
    db.execute("CREATE INDEX test_bl_child_parent ON test_bl_child (parent_id, status)")
    db.execute("CREATE UNIQUE INDEX test_bl_child_one ON test_bl_child (parent_id) WHERE status = '01'")
    db.execute("INSERT INTO test_bl_parent VALUES (1, 'a'), (2, 'b')")

    def load(rows: list[tuple]) -> None:
        with db.bulk_load("test_bl_child"):
            for r in rows:
                db.execute("INSERT INTO test_bl_child VALUES (%s, %s, %s, %s)", r)

    if not db.is_postgresql():  # nothing to take off: the rows go in under the usual checks
        load([(1, 1, "x", "01")])
        assert _one("SELECT COUNT(*) FROM test_bl_child") == 1
        return
    with transaction.atomic():
        before = _shape("test_bl_child")
        assert len(before) == 7  # pkey, FK, unique; and their indexes, the two others
        load([(1, 1, "x", "01"), (2, 1, "y", "02"), (3, 2, "z", "01")])
        assert _shape("test_bl_child") == before  # the same names and definitions, and they guard the table
        with pytest.raises(IntegrityError), transaction.atomic():
            db.execute("INSERT INTO test_bl_child VALUES (4, 1, 'w', '01')")  # a second active row for parent 1
        # what the load would have refused row by row is refused when it is put back, and undone with the rows
        for bad in ([(4, 9, "w", "01")], [(4, 2, "x", "02")], [(4, 2, "w", "01")]):  # no parent, dup no, dup active
            with pytest.raises(IntegrityError):
                load(bad)
            assert _shape("test_bl_child") == before
            assert _one("SELECT COUNT(*) FROM test_bl_child") == 3
        # an error inside the block: the drops are rolled back with it
        with pytest.raises(ZeroDivisionError), db.bulk_load("test_bl_child"):
            db.execute("INSERT INTO test_bl_child VALUES (5, 9, 'v', '01')")
            raise ZeroDivisionError
        assert _shape("test_bl_child") == before
        assert _one("SELECT COUNT(*) FROM test_bl_child") == 3
