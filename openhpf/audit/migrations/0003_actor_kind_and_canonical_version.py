"""The typed actor on audit rows (actor_kind, actor_id) and the canonical form a row's hash covers (hash_version).

Nullable columns without a default are added in place (ALTER TABLE … ADD COLUMN on SQLite and PostgreSQL), so no
row is rewritten and the append-only trigger of 0002 stays; rows sealed before keep NULL and hash form 1."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditrecord',
            name='actor_id',
            field=models.CharField(blank=True, max_length=64, null=True, verbose_name='操作主体标识'),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='actor_kind',
            field=models.CharField(blank=True, max_length=10, null=True, verbose_name='操作主体类型'),
        ),
        migrations.AddField(
            model_name='auditrecord',
            name='hash_version',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
    ]
