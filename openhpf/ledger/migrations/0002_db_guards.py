"""Database-side guards: the database itself refuses an unbalanced entry (PostgreSQL), posting into a closed
period, and any change to posted entries, lines and sub-ledger rows (corrections are reversing entries).

PostgreSQL: a statement-level trigger checks the entries touched by each INSERT of lines (one check per
entry, not a re-sum per line), and a deferred constraint trigger checks at commit that every new entry has
lines summing to its total. SQLite: row triggers refuse UPDATE (DELETE stays possible for test flushes)."""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION hpf_lines_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
  SELECT e.voucher_no, e.total, SUM(l.debit) AS d, SUM(l.credit) AS c INTO bad
  FROM ledger_journalentry e JOIN ledger_journalline l ON l.entry_id = e.id
  WHERE e.id IN (SELECT DISTINCT entry_id FROM new_lines)
  GROUP BY e.id, e.voucher_no, e.total
  HAVING SUM(l.debit) <> SUM(l.credit) OR SUM(l.debit) <> e.total
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ENTRY_UNBALANCED: voucher % total % debit % credit %', bad.voucher_no, bad.total, bad.d, bad.c
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER hpf_lines_balanced AFTER INSERT ON ledger_journalline
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION hpf_lines_balanced();

CREATE OR REPLACE FUNCTION hpf_entry_has_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d bigint; c bigint;
BEGIN
  SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO d, c FROM ledger_journalline WHERE entry_id = NEW.id;
  IF d <> c OR d <> NEW.total OR d = 0 THEN
    RAISE EXCEPTION 'ENTRY_UNBALANCED: voucher % total % debit % credit %', NEW.voucher_no, NEW.total, d, c
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER hpf_entry_has_lines AFTER INSERT ON ledger_journalentry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hpf_entry_has_lines();

CREATE OR REPLACE FUNCTION hpf_entry_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM ledger_accountingperiod WHERE id = NEW.period_id) = 'C' THEN
    RAISE EXCEPTION 'PERIOD_CLOSED: voucher %', NEW.voucher_no USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER hpf_entry_open_period BEFORE INSERT ON ledger_journalentry
  FOR EACH ROW EXECUTE FUNCTION hpf_entry_open_period();

CREATE OR REPLACE FUNCTION hpf_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'IMMUTABLE: % rows are never changed or deleted; post a reversing entry', TG_TABLE_NAME
    USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER hpf_entry_immutable BEFORE UPDATE OR DELETE ON ledger_journalentry
  FOR EACH ROW EXECUTE FUNCTION hpf_immutable();
CREATE TRIGGER hpf_line_immutable BEFORE UPDATE OR DELETE ON ledger_journalline
  FOR EACH ROW EXECUTE FUNCTION hpf_immutable();
CREATE TRIGGER hpf_subledger_immutable BEFORE UPDATE OR DELETE ON ledger_subledgerrow
  FOR EACH ROW EXECUTE FUNCTION hpf_immutable();
"""

PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS hpf_lines_balanced ON ledger_journalline;
DROP TRIGGER IF EXISTS hpf_entry_has_lines ON ledger_journalentry;
DROP TRIGGER IF EXISTS hpf_entry_open_period ON ledger_journalentry;
DROP TRIGGER IF EXISTS hpf_entry_immutable ON ledger_journalentry;
DROP TRIGGER IF EXISTS hpf_line_immutable ON ledger_journalline;
DROP TRIGGER IF EXISTS hpf_subledger_immutable ON ledger_subledgerrow;
DROP FUNCTION IF EXISTS hpf_lines_balanced(); DROP FUNCTION IF EXISTS hpf_entry_has_lines();
DROP FUNCTION IF EXISTS hpf_entry_open_period(); DROP FUNCTION IF EXISTS hpf_immutable();
"""

SQLITE_FORWARD = [
    f"CREATE TRIGGER hpf_{t}_immutable BEFORE UPDATE ON ledger_{t} BEGIN "
    f"SELECT RAISE(ABORT, 'IMMUTABLE: ledger_{t} rows are never changed; post a reversing entry'); END"
    for t in ("journalentry", "journalline", "subledgerrow")
] + [
    "CREATE TRIGGER hpf_entry_open_period BEFORE INSERT ON ledger_journalentry "
    "WHEN (SELECT status FROM ledger_accountingperiod WHERE id = NEW.period_id) = 'C' "
    "BEGIN SELECT RAISE(ABORT, 'PERIOD_CLOSED'); END"
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS hpf_{t}_immutable" for t in ("journalentry", "journalline", "subledgerrow")] + [
    "DROP TRIGGER IF EXISTS hpf_entry_open_period"
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
        # Every account is updated by each monthly batch: half-empty pages let PostgreSQL update in place
        # (HOT, no index writes), which halves the cost of the bulk balance update.
        schema_editor.execute("ALTER TABLE ledger_subaccount SET (fillfactor = 50)")
        schema_editor.execute("CREATE INDEX ledger_subledgerrow_entry_brin ON ledger_subledgerrow USING brin (entry_id)")
        # account_no is looked up by equality only: the extra LIKE index Django adds would cost every insert
        schema_editor.execute(
            "DO $$ DECLARE i text; BEGIN FOR i IN SELECT indexname FROM pg_indexes WHERE tablename = "
            "'ledger_subaccount' AND indexname LIKE '%%account_no%%like' LOOP EXECUTE 'DROP INDEX ' || i; END LOOP; END $$",
            params=None,
        )
    elif schema_editor.connection.vendor == "sqlite":
        for s in SQLITE_FORWARD:
            schema_editor.execute(s)
        schema_editor.execute("CREATE INDEX ledger_subledgerrow_entry ON ledger_subledgerrow (entry_id)")


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS ledger_subledgerrow_entry_brin")
    schema_editor.execute("DROP INDEX IF EXISTS ledger_subledgerrow_entry")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for s in SQLITE_BACKWARD:
            schema_editor.execute(s)


SEEDS: list = []  # nothing for the test reseed: database guards


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
