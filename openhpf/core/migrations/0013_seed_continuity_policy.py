"""Seed the national default of `contribution.continuity.back_payment_counts`: months paid by 补缴 count towards
连续缴存月数 (a center that counts only months paid on time sets its own row to false)."""

from datetime import date

from django.db import migrations

KEY = "contribution.continuity.back_payment_counts"


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.get_or_create(
        center=None, key=KEY, effective_from=date(1990, 1, 1),
        defaults={"value_type": "bool", "value": True, "approved_by": "system:seed",
                  "source": "补缴月份计入连续缴存（地方规定，可改为不计入）"})


def unseed(apps, schema_editor):
    apps.get_model("core", "PolicyParameter").objects.filter(center=None, key=KEY, approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("core", "0012_receipt_bank_match_policy")]
    operations = [migrations.RunPython(seed, unseed)]
