"""The chart gains 40102 增值收益利息收入 (住房公积金会计核算办法: 业务收入 — 住房公积金利息收入, 增值收益利息收入,
委托贷款利息收入, 国家债券利息收入, 其他收入): the interest a bank pays on a 102 增值收益 专户. Every center that
has the chart gets it under 401; new centers get it from ledger.chart."""

from django.db import migrations

CODE, NAME, CATEGORY, SIDE, PARENT = "40102", "增值收益利息收入", "4", "C", "401"


def add_account(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    for parent in GLAccount.objects.filter(code=PARENT):
        GLAccount.objects.get_or_create(
            center_id=parent.center_id, code=CODE,
            defaults={"name": NAME, "category": CATEGORY, "normal_side": SIDE, "parent": parent, "is_leaf": True})


def remove_account(apps, schema_editor):
    GLAccount = apps.get_model("ledger", "GLAccount")
    JournalLine = apps.get_model("ledger", "JournalLine")
    unused = GLAccount.objects.filter(code=CODE).exclude(
        pk__in=JournalLine.objects.values("account_id"))
    unused.delete()


SEEDS: list = []  # nothing for the test reseed: adds an account to the charts that existed (new centers get it from ledger.chart)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_entry_digests")]
    operations = [migrations.RunPython(add_account, remove_account)]
