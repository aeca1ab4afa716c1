"""Seed the national default of the back-payment policy key: whether the month an account is sealed in is owed."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
BACKPAY_POLICY_DEFAULTS = [
    ("contribution.backpay.seal_month_owed", "bool", False, "1999-04-03",
     "封存（减员）当月不再缴存；地方规定封存当月仍应缴存的，设为 true"),
]


def seed_backpay_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in BACKPAY_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in BACKPAY_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_backpay_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0009_interest_notice_refund_policy")]
    operations = [migrations.RunPython(seed_backpay_policy, unseed)]
