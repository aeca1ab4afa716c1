"""The permission applications.view (办件查询), held by 柜员, 复核员, 审批人, 稽核 and 中心领导: the catalogue synced
again."""

from django.db import migrations


def seed(apps, schema_editor):
    from openhpf.access.catalogue import sync

    sync(apps)


SEEDS: list = []  # nothing for the test reseed: the catalogue sync of 0002 (rerun) already holds this permission


class Migration(migrations.Migration):
    dependencies = [("access", "0003_cockpit_permission")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
