"""PostgreSQL storage: room for a second version of every row of member accounts and employers.

Posting a month's remittances moves the 缴至年月 of every paying account and employer in one statement. The
column is in no index, so PostgreSQL can update in place (HOT: no index writes) — but only while the row's
page has room for the new version beside the old one, and the old one is still visible inside that
transaction. At fillfactor 70 (migration 0005) only 30/70 of a page's rows fit again: 56% of the accounts
went to other pages, each such move writing all eight index entries anew (38 s instead of 8 s for
1,000,000 accounts). At 50 every row fits twice. Applies to rows written from now on; the rows of an
existing center are repacked by `VACUUM FULL accounts_memberaccount` (or pg_repack) in a maintenance window,
or move to roomy pages over the following months."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE accounts_memberaccount SET (fillfactor = 50)")
    schema_editor.execute("ALTER TABLE accounts_employer SET (fillfactor = 50)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE accounts_memberaccount SET (fillfactor = 70)")
    schema_editor.execute("ALTER TABLE accounts_employer RESET (fillfactor)")


SEEDS: list = []  # nothing for the test reseed: storage settings of a table


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_pg_account_storage")]
    operations = [migrations.RunPython(forward, backward)]
