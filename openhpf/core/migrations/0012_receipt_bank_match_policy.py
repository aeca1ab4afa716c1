"""Seed the national default of the window within which a bank statement line confirms a hand-typed receipt
(手工登记到账): the line's date and the receipt's value date at most this many calendar days apart."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
RECEIPT_MATCH_DEFAULTS = [
    ("receipt.bank_match.window_days", "int", 3, "1990-01-01",
     "银行对账单确认手工登记到账的日期容差（自然日，平台默认值，中心可调）"),
]


def seed_receipt_match_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in RECEIPT_MATCH_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in RECEIPT_MATCH_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_receipt_match_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0011_deadline_counting_ratio_step")]
    operations = [migrations.RunPython(seed_receipt_match_policy, unseed)]
