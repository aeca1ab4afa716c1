"""Seed the national default of `contribution.arrears.notice_days`: the time limit a 催缴通知书 gives (责令限期缴存,
《住房公积金管理条例》第三十八条), in calendar days after the business date the notice is made on. The 条例 sets no
number; 30 days is the platform's default, which a center changes through the maker-checker policy change."""

from datetime import date

from django.db import migrations

KEY = "contribution.arrears.notice_days"


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.get_or_create(
        center=None, key=KEY, effective_from=date(1990, 1, 1),
        defaults={"value_type": "int", "value": 30, "approved_by": "system:seed",
                  "source": "催缴通知书的缴存期限（业务日期后的日历天数；平台默认值，中心可调）"})


def unseed(apps, schema_editor):
    apps.get_model("core", "PolicyParameter").objects.filter(center=None, key=KEY, approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("core", "0014_rating_followup_policy")]
    operations = [migrations.RunPython(seed, unseed)]
