"""Seed the national defaults of the ingest limits: the largest file (rows and bytes) a loader accepts and how
many errors of one rule a validation lists before it stops looking for more."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
INGEST_POLICY_DEFAULTS = [
    ("ingest.max_rows", "int", 5_000_000, "1990-01-01", "单个导入文件的数据行上限（平台默认值，中心可调）"),
    ("ingest.max_bytes", "int", 2 * 1024 ** 3, "1990-01-01", "单个导入文件的大小上限（字节，平台默认值，中心可调）"),
    ("ingest.max_errors_per_rule", "int", 10_000, "1990-01-01", "每条校验规则至多列出的错误数（平台默认值）"),
]


def seed_ingest_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in INGEST_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in INGEST_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_ingest_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0005_idempotency_key_scope")]
    operations = [migrations.RunPython(seed_ingest_policy, unseed)]
