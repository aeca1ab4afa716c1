"""PostgreSQL storage for member accounts: every remittance month updates each account's 缴至年月, so pages keep
room for in-place (HOT) updates, and the LIKE index Django adds on account_no (equality lookups only) goes."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE accounts_memberaccount SET (fillfactor = 70)")
    schema_editor.execute(
        "DO $$ DECLARE i text; BEGIN FOR i IN SELECT indexname FROM pg_indexes WHERE tablename = "
        "'accounts_memberaccount' AND indexname LIKE '%account_no%like' LOOP EXECUTE 'DROP INDEX ' || i; "
        "END LOOP; END $$",
        params=None,
    )


SEEDS: list = []  # nothing for the test reseed: storage settings of a table


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_member_id_unique_bidx")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
