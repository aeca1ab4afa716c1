"""Status values as words: the 增值收益 year."""

from django.db import migrations, models

from openhpf.core.recode import recode


class Migration(migrations.Migration):

    dependencies = [("finance", "0001_initial")]

    operations = recode(
        model_name="valueaddedyear", table="finance_valueaddedyear", column="status", old_length=1,
        mapping={"T": "closed", "S": "pending", "D": "distributed"},
        field=models.CharField(choices=[("closed", "已结转"), ("pending", "分配待复核"), ("distributed", "已分配")],
                               default="closed", max_length=20))
