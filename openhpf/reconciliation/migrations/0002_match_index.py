"""The index behind replacing a day's matches: BRIN on PostgreSQL (a million rows a day arrive in reconciliation
order; a btree would cost seconds of every run), btree on SQLite."""

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX reconmatch_recon_brin ON reconciliation_reconmatch "
                              "USING brin (reconciliation_id)")
    else:
        schema_editor.execute("CREATE INDEX reconmatch_recon ON reconciliation_reconmatch (reconciliation_id)")


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS reconmatch_recon_brin")
    schema_editor.execute("DROP INDEX IF EXISTS reconmatch_recon")


SEEDS: list = []  # nothing for the test reseed: an index


class Migration(migrations.Migration):

    dependencies = [
        ("reconciliation", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reconmatch",
            name="reconciliation",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="reconciliation.reconciliation"),
        ),
        migrations.RunPython(forward, backward),
    ]
