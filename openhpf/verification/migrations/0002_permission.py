"""The permission verification.view (核验查询记录与来源状态), held by the built-in roles 稽核 and 中心领导: the access
catalogue synced again."""

from django.db import migrations


def seed(apps, schema_editor):
    from openhpf.access.catalogue import sync

    sync(apps)


SEEDS: list = []  # nothing for the test reseed: the access catalogue sync of access/0002 (rerun) already holds it


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial"), ("access", "0003_cockpit_permission")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
