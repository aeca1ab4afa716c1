"""Seed the national defaults of two local rules of issue 14: how a bank's interest notice on a current (活期)
专户 is recognised by its summary, and what a 退缴 after the year roll does with the interest the refunded money
earned in the settled year."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
SETTLE_POLICY_DEFAULTS = [
    ("settlement.interest_notice.keywords", "json", ["结息", "利息"], "1990-01-01",
     "摘要含这些词（且不含「本金」）的银行入账通知为活期存款结息，记利息收入（平台默认值，按开户银行的摘要调整）"),
    ("contribution.refund.prior_year_interest", "str", "recover", "1990-01-01",
     "退缴上一计息年度的汇缴时，该笔资金在已结息年度所得利息：recover 另行冲回，leave 不冲回（地方规定）"),
]


def seed_interest_notice_refund_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in SETTLE_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in SETTLE_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_interest_notice_refund_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0008_upload_policy")]
    operations = [migrations.RunPython(seed_interest_notice_refund_policy, unseed)]
