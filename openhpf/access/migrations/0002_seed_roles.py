"""Seed the permission catalogue and the built-in roles (access/catalogue.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from openhpf.access.catalogue import sync

    sync(apps)


# seeds the permission catalogue and the built-in roles (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
