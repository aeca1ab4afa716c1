"""Idempotency keys scoped to (principal kind, principal id, method, path), with a request hash and an in-flight
claim (core/idempotency.py). Rows of the old accounts-only scheme were staff keys without a path: they keep
their stored result as history under path "" and no request reaches them again."""

from django.db import migrations, models


def old_rows_to_staff_scope(apps, schema_editor):
    IdempotencyKey = apps.get_model("core", "IdempotencyKey")
    for row in IdempotencyKey.objects.filter(principal_id="").only("pk", "created_by_id"):
        row.principal_id = str(row.created_by_id or "")
        row.save(update_fields=["principal_id"])


SEEDS: list = []  # nothing for the test reseed: rewrites existing rows


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_finance_policy"),
    ]

    operations = [
        migrations.AlterModelOptions(name="idempotencykey", options={"verbose_name": "幂等键"}),
        migrations.AlterField(model_name="idempotencykey", name="key", field=models.CharField(max_length=120)),
        migrations.AddField(model_name="idempotencykey", name="principal_kind",
                            field=models.CharField(default="staff", max_length=10, verbose_name="主体类型"),
                            preserve_default=False),
        migrations.AddField(model_name="idempotencykey", name="principal_id",
                            field=models.CharField(default="", max_length=64, verbose_name="主体标识"),
                            preserve_default=False),
        migrations.AddField(model_name="idempotencykey", name="method",
                            field=models.CharField(default="POST", max_length=8), preserve_default=False),
        migrations.AddField(model_name="idempotencykey", name="path",
                            field=models.CharField(default="", max_length=300), preserve_default=False),
        migrations.AddField(model_name="idempotencykey", name="request_hash",
                            field=models.CharField(default="", max_length=64, verbose_name="请求摘要"),
                            preserve_default=False),
        migrations.AddField(model_name="idempotencykey", name="state",
                            field=models.CharField(choices=[("P", "处理中"), ("D", "已完成")], default="D",
                                                   max_length=1)),
        migrations.AddField(model_name="idempotencykey", name="claim",
                            field=models.CharField(blank=True, max_length=32)),
        migrations.AddField(model_name="idempotencykey", name="claimed_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="idempotencykey", name="completed_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(old_rows_to_staff_scope, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(fields=("principal_kind", "principal_id", "method", "path", "key"),
                                               name="idem_key_scope_unique"),
        ),
    ]
