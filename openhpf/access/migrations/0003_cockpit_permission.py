"""The permission cockpit.view (领导驾驶舱), held by the built-in roles 中心领导 and 财务: the catalogue synced again."""

from django.db import migrations


def seed(apps, schema_editor):
    from openhpf.access.catalogue import sync

    sync(apps)


SEEDS: list = []  # nothing for the test reseed: the catalogue sync of 0002 (rerun) already holds this permission


class Migration(migrations.Migration):
    dependencies = [("access", "0002_seed_roles")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
