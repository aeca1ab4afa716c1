"""Prepayment, payoff, the 贷款结清证明, the collateral's release and its watch: the payoff schedule version, who
handled a collateral warning and when, the certificate and the release, and the prepayment minimum (an example
default; each center sets its own through maker-checker). The seed's data is written out here."""

from datetime import date

import django.db.models.deletion
from django.db import migrations, models

SINCE = date(2000, 1, 1)
POLICY = [
    ("loan.prepay.min_amount", "int", 1_000_000, "部分提前还款的最低金额（分；示例默认值 10,000.00 元）"),
]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, kind, value, source in POLICY:
        PolicyParameter.objects.get_or_create(
            center=None, key=key, effective_from=SINCE,
            defaults={"value_type": kind, "value": value, "approved_by": "system:seed", "source": source})


def unseed(apps, schema_editor):
    apps.get_model("core", "PolicyParameter").objects.filter(
        center=None, key__in=[k for k, *_ in POLICY], approved_by="system:seed").delete()


SEEDS = [seed]


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0015_arrears_notice_policy'),
        ('documents', '0003_legal_document_type'),
        ('loans', '0006_collection'),
    ]

    operations = [
        migrations.AddField(
            model_name='collateralevent',
            name='handled_by',
            field=models.CharField(blank=True, max_length=150, verbose_name='处置人'),
        ),
        migrations.AddField(
            model_name='collateralevent',
            name='handled_on',
            field=models.DateField(blank=True, null=True, verbose_name='处置日期'),
        ),
        migrations.AlterField(
            model_name='loanscheduleversion',
            name='reason',
            field=models.CharField(choices=[('disbursed', '放款'), ('prepay_term', '提前还款（缩短年限）'), ('prepay_payment', '提前还款（减少月供）'), ('reprice', '利率调整'), ('restructure', '贷款重组'), ('payoff', '提前结清')], max_length=16, verbose_name='原因'),
        ),
        migrations.CreateModel(
            name='CollateralRelease',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('letter_no', models.CharField(max_length=40, unique=True, verbose_name='解除抵押通知书编号')),
                ('certificate_no', models.CharField(blank=True, max_length=60, verbose_name='不动产权证号')),
                ('registration_no', models.CharField(blank=True, max_length=60, verbose_name='抵押登记证明号')),
                ('registry_query', models.BigIntegerField(blank=True, null=True, verbose_name='登记机构交换记录')),
                ('registry_status', models.CharField(blank=True, max_length=20, verbose_name='登记机构答复')),
                ('released_on', models.DateField(verbose_name='解押日期')),
                ('created_by', models.CharField(max_length=150, verbose_name='经办')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document')),
                ('loan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='collateral_release', to='loans.loan')),
            ],
            options={
                'verbose_name': '解除抵押',
            },
        ),
        migrations.CreateModel(
            name='LoanSettlementCertificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=40, unique=True, verbose_name='证明编号')),
                ('issued_on', models.DateField(verbose_name='出具日期')),
                ('created_by', models.CharField(max_length=150, verbose_name='经办')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document')),
                ('loan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='settlement_certificate', to='loans.loan')),
            ],
            options={
                'verbose_name': '贷款结清证明',
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
