"""Status values as words: accounting periods and posting batches. The database guard that refuses an entry
in a closed period (0002_db_guards) compares the period's status: it is made anew with the new value."""

from django.db import migrations, models

from openhpf.core.recode import recode

PG_GUARD = r"""
CREATE OR REPLACE FUNCTION hpf_entry_open_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM ledger_accountingperiod WHERE id = NEW.period_id) = '{closed}' THEN
    RAISE EXCEPTION 'PERIOD_CLOSED: voucher %', NEW.voucher_no USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
"""

SQLITE_GUARD = (
    "CREATE TRIGGER hpf_entry_open_period BEFORE INSERT ON ledger_journalentry "
    "WHEN (SELECT status FROM ledger_accountingperiod WHERE id = NEW.period_id) = '{closed}' "
    "BEGIN SELECT RAISE(ABORT, 'PERIOD_CLOSED'); END"
)


def _guard(closed: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(PG_GUARD.replace("{closed}", closed), params=None)
        elif schema_editor.connection.vendor == "sqlite":
            schema_editor.execute("DROP TRIGGER IF EXISTS hpf_entry_open_period")
            schema_editor.execute(SQLITE_GUARD.replace("{closed}", closed))
    return run


SEEDS: list = []  # nothing for the test reseed: recodes existing rows and rebuilds guards


class Migration(migrations.Migration):

    dependencies = [("ledger", "0003_bank_ref")]

    operations = [
        *recode(model_name="accountingperiod", table="ledger_accountingperiod", column="status", old_length=1,
                mapping={"O": "open", "C": "closed"},
                field=models.CharField(choices=[("open", "未结账"), ("closed", "已结账")], default="open",
                                       max_length=20)),
        migrations.RunPython(_guard("closed"), _guard("C"), elidable=False),
        *recode(model_name="postingbatch", table="ledger_postingbatch", column="status", old_length=1,
                mapping={"S": "staging", "P": "posted", "F": "failed"},
                field=models.CharField(choices=[("staging", "暂存中"), ("posted", "已记账"), ("failed", "失败")],
                                       default="staging", max_length=20)),
    ]
