"""Seed the national defaults of the contribution relief policy keys (基数调整, 灵活就业, 汇缴期限)."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
RELIEF_POLICY_DEFAULTS = [
    ("contribution.base.clamp", "str", "clamp", "1990-01-01", "年度基数调整：超出上下限按上下限调整（地方规定，可改为 reject）"),
    ("contribution.flexible.ratios", "json", ["0.05", "0.06", "0.07", "0.08", "0.09", "0.10", "0.11", "0.12"],
     "1990-01-01", "灵活就业人员缴存比例 5%–12%（地方规定）"),
    ("contribution.deadline.working_days", "int", 5, "1999-04-03", "条例第十九条：发放工资之日起5日内缴存"),
]


def seed_relief_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in RELIEF_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in RELIEF_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_relief_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed")]
    operations = [migrations.RunPython(seed_relief_policy, unseed)]
