"""Flexible contributors (灵活就业) are billed per person: a remittance may name its one account (`person`), one
live 汇缴 per person and month; the one-per-employer-and-month rule holds for the others."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_pg_hot_paid_up_to'),
        ('contributions', '0005_import_failed_status'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='remittance',
            name='remittance_one_live_per_month',
        ),
        migrations.AddField(
            model_name='remittance',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.memberaccount', verbose_name='灵活就业缴存人'),
        ),
        migrations.AddConstraint(
            model_name='remittance',
            constraint=models.UniqueConstraint(condition=models.Q(('biz_type', '01'), ('person__isnull', True), ('status__in', ('draft', 'confirmed', 'posted'))), fields=('employer', 'month'), name='remittance_one_live_per_month'),
        ),
        migrations.AddConstraint(
            model_name='remittance',
            constraint=models.UniqueConstraint(condition=models.Q(('biz_type', '01'), ('person__isnull', False), ('status__in', ('draft', 'confirmed', 'posted'))), fields=('person', 'month'), name='remittance_one_live_per_person_month'),
        ),
    ]
