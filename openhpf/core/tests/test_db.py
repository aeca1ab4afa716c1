"""core.db: the database idioms give the same answers on both databases, and a Relation is a SELECT."""

from datetime import date

import pytest
from django.db import connection, transaction

from openhpf.contributions.months import ym
from openhpf.core import db
from openhpf.core.models import Branch, Center


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


@pytest.mark.django_db
def test_a_bulk_load_without_row_checks_is_proved_set_based():
    """Rows inserted under bulk_load_unchecked queue no per-row key checks (PostgreSQL, with the right to set
    session_replication_role); check_foreign_keys then finds a dangling key, and finds none when all hold."""
    center = Center.objects.create(code="990001", name="测试中心", business_date=date(2026, 12, 1))
    with transaction.atomic():
        with db.bulk_load_unchecked() as unchecked:
            db.execute("INSERT INTO core_branch (center_id, code, name) VALUES (%s, %s, %s)",
                       [center.pk + 1000, "B1", "悬空网点"])
        if not unchecked:  # SQLite, or no right to set it: the key is checked as usual (at commit)
            assert not db.is_postgresql() or connection.settings_dict["USER"] not in ("postgres", "root")
            transaction.set_rollback(True)
            return
        assert db.check_foreign_keys(Branch, "t.code = %s", ["B1"]) == ["core_branch.center_id"]
        db.execute("UPDATE core_branch SET center_id = %s WHERE code = %s", [center.pk, "B1"])
        assert db.check_foreign_keys(Branch, "t.code = %s", ["B1"]) == []
        assert _one("SHOW session_replication_role") == "origin"  # only inside the block
