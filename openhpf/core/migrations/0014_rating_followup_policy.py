"""Seed the national default of `service.rating_followup_days`: a 差评 (不满意/非常不满意) of an application is
followed up (整改) within 5 working days of the rating (a center sets its own row for another limit)."""

from datetime import date

from django.db import migrations

KEY = "service.rating_followup_days"


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.get_or_create(
        center=None, key=KEY, effective_from=date(1990, 1, 1),
        defaults={"value_type": "int", "value": 5, "approved_by": "system:seed",
                  "source": "国办发〔2019〕51号：差评须整改并回访（整改期限由中心规定）"})


def unseed(apps, schema_editor):
    apps.get_model("core", "PolicyParameter").objects.filter(center=None, key=KEY, approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("core", "0013_seed_continuity_policy")]
    operations = [migrations.RunPython(seed, unseed)]
