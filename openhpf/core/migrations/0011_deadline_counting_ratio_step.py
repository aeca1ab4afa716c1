"""The 汇缴 deadline's counting rule and the allowed step of contribution ratios, as policy values.

- `contribution.deadline.working_days` becomes `contribution.deadline.days` (the number of days, 5): whether
  they are calendar or working days is the new `contribution.deadline.counting`: `calendar` (the national rule:
  条例 Art19 发放工资之日起5日内, counted from the day after payday; a last day on a rest day or holiday moves
  to the next working day, 民法典 Art201, 203) or `working` (working days, a local choice).
- `contribution.ratio.step`: the step a ratio must be a multiple of, each side (0.0001 = 0.01%; many centers
  allow whole percents only, 0.01)."""

from datetime import date

from django.db import migrations

OLD_DEADLINE_KEY, DEADLINE_KEY = "contribution.deadline.working_days", "contribution.deadline.days"

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
RULES_POLICY_DEFAULTS = [
    ("contribution.deadline.counting", "str", "calendar", "1999-04-03",
     "条例第十九条：发放工资之日起5日内；自次日起按日历日计算，期限末日为休息日或法定节假日的顺延至其后第一个工作日"
     "（民法典第二百零一条、第二百零三条）"),
    ("contribution.ratio.step", "decimal", "0.0001", "1999-04-03", "缴存比例的最小变动单位：0.01%（地方可规定为整数百分比 1%）"),
]


def seed_rules_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for p in PolicyParameter.objects.filter(key=OLD_DEADLINE_KEY):
        if PolicyParameter.objects.filter(center=p.center_id, key=DEADLINE_KEY, effective_from=p.effective_from).exists():
            p.delete()
        else:
            p.key = DEADLINE_KEY
            p.save(update_fields=["key"])
    for k, t, v, d, src in RULES_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in RULES_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()
    PolicyParameter.objects.filter(key=DEADLINE_KEY).update(key=OLD_DEADLINE_KEY)


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_rules_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0010_backpay_policy")]
    operations = [migrations.RunPython(seed_rules_policy, unseed)]
