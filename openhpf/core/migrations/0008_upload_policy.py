"""Seed the national defaults of the upload limits: the largest file (bytes and rows) the console and the API
take from a user, and how many errors in all a validation lists before it stops reading the file."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
UPLOAD_POLICY_DEFAULTS = [
    ("upload.max_bytes", "int", 64 * 1024 ** 2, "1990-01-01", "经控制台或接口上传的单个文件大小上限（字节，平台默认值，中心可调）"),
    ("upload.max_rows", "int", 500_000, "1990-01-01", "经控制台或接口上传的单个文件数据行上限（平台默认值，中心可调）"),
    ("ingest.max_errors", "int", 1_000, "1990-01-01", "一个文件的错误总数上限：超过即停止校验（平台默认值，中心可调）"),
]


def seed_upload_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in UPLOAD_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in UPLOAD_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_upload_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0007_status_words")]
    operations = [migrations.RunPython(seed_upload_policy, unseed)]
