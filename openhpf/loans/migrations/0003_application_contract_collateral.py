"""The loan application's models (contract, signatures, collateral, disbursement, parties, 骗提骗贷 records), and
the seeds of the loan application: the policy values loans/terms.py reads (example national defaults, each center
sets its own) and the rule set of item HPF-P-LOAN (changed afterwards through maker-checker).

The data is written out here, not imported, so this migration keeps meaning what it meant when it ran."""

from datetime import date

import django.db.models.deletion
from django.db import migrations, models

SINCE = date(2000, 1, 1)
ITEM = "HPF-P-LOAN"
POLICY = [
    ("loan.cap.single", "int", 60_000_000, "个人住房公积金贷款最高额度：单人申请（示例默认值，各中心按本地规定设置）"),
    ("loan.cap.couple", "int", 100_000_000, "个人住房公积金贷款最高额度：夫妻共同申请（示例默认值）"),
    ("loan.multiple.balance", "int", 15, "贷款额度不超过借款人家庭账户余额的倍数（示例默认值）"),
    ("loan.min_down_payment.first", "decimal", "0.2", "首套住房最低首付款比例（示例默认值）"),
    ("loan.min_down_payment.second", "decimal", "0.3", "第二套住房最低首付款比例（示例默认值）"),
    ("loan.capacity_ratio", "decimal", "0.5", "月还款额占家庭月收入的最高比例（示例默认值）"),
    ("loan.min_months_continuous", "int", 6, "申请贷款须连续足额缴存的月数（示例默认值）"),
    ("loan.max_months", "int", 360, "贷款最长期限（月）"),
    ("loan.max_end_age.male", "int", 68, "贷款到期时借款人年龄上限（男，示例：退休年龄后 5 年）"),
    ("loan.max_end_age.female", "int", 63, "贷款到期时借款人年龄上限（女，示例）"),
    ("loan.second_home.basis", "str", "house_and_loan", "第二套住房认定方式（示例：认房又认贷）"),
    ("loan.off_plan.guarantee", "bool", True, "期房贷款须开发企业提供阶段性担保至抵押登记"),
    ("loan.max_ltv", "decimal", "0.8", "贷款金额占抵押物评估价值的最高比例（示例默认值）"),
]


def rule(code, expression, message, severity, **inputs):
    return {"code": code, "expression": expression, "message": message, "severity": severity, "inputs": inputs}


N = "number"
RULES = [
    rule("ACCOUNT", "account_normal", "借款人个人账户不是正常缴存状态", "block", account_normal="flag"),
    rule("MONTHS", "months_continuous >= min_months", "借款人连续足额缴存月数不足（按实际缴存月份计）", "block",
         months_continuous=N, min_months=N),
    rule("LOAN_OWN", "borrower_loans == 0", "借款人有未结清的住房公积金贷款", "block", borrower_loans=N),
    rule("LOAN_HOUSEHOLD", "spouse_loans == 0", "配偶或共同借款人有未结清的住房公积金贷款（含异地）", "block",
         spouse_loans=N),
    rule("FRAUD", "not fraud", "借款人家庭成员有骗提骗贷记录", "block", fraud="flag"),
    rule("TERM", "months <= max_months", "贷款期限超过最长期限", "block", months=N, max_months=N),
    rule("AGE", "end_age <= max_end_age", "借款人年龄加贷款期限超过年龄上限", "block", end_age=N, max_end_age=N),
    rule("CAP_HIGHEST", "amount <= cap_highest", "贷款金额超过最高贷款额度", "block", amount=N, cap_highest=N),
    rule("CAP_BALANCE", "amount <= cap_balance", "贷款金额超过账户余额倍数额度", "block", amount=N, cap_balance=N),
    rule("CAP_DOWN_PAYMENT", "amount <= cap_down_payment", "贷款金额超过首付比例限额", "block", amount=N,
         cap_down_payment=N),
    rule("CAP_CAPACITY", "amount <= cap_capacity", "贷款金额超过还款能力限额", "block", amount=N, cap_capacity=N),
    rule("CREDIT_OVERDUE", "credit_overdue == 0", "征信报告显示借款人家庭当前有逾期", "block", credit_overdue=N),
    rule("CREDIT_HOUSING", "credit_housing_loans == 0", "征信报告显示有未结清的住房贷款，转人工审核认定套数",
         "manual", credit_housing_loans=N),
    rule("SECOND_HOME", "not second_home", "认定为第二套住房：按二套利率与首付比例", "warn", second_home="flag"),
]


def seed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, kind, value, source in POLICY:
        PolicyParameter.objects.get_or_create(
            center=None, key=key, effective_from=SINCE,
            defaults={"value_type": kind, "value": value, "approved_by": "system:seed", "source": source})
    RuleSet = apps.get_model("applications", "RuleSet")
    if not RuleSet.objects.filter(item_code=ITEM).exists():
        RuleSet.objects.create(item_code=ITEM, version=1, effective_from=SINCE, rules=RULES,
                               reason="初始规则（条例第二十六条）", made_by="system:seed", approved_by="system:seed")


def unseed(apps, schema_editor):
    apps.get_model("applications", "RuleSet").objects.filter(item_code=ITEM, made_by="system:seed").delete()
    apps.get_model("core", "PolicyParameter").objects.filter(
        center=None, key__in=[k for k, *_ in POLICY], approved_by="system:seed").delete()


SEEDS = [seed]


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_employer_pay_account'),
        ('applications', '0004_rating'),
        ('core', '0015_arrears_notice_policy'),
        ('documents', '0003_legal_document_type'),
        ('ledger', '0006_chart_value_added_interest'),
        ('loans', '0002_products_retirement'),
    ]

    operations = [
        migrations.CreateModel(
            name='Collateral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('certificate_no', models.CharField(max_length=60, verbose_name='不动产权证号或预告登记证明号')),
                ('appraised_value', models.BigIntegerField(verbose_name='评估价值（分）')),
                ('ltv', models.DecimalField(decimal_places=4, max_digits=7, verbose_name='抵押率')),
                ('registration', models.CharField(choices=[('none', '未登记'), ('preliminary', '抵押预告登记'), ('registered', '抵押登记')], default='none', max_length=12, verbose_name='登记状态')),
                ('preliminary_no', models.CharField(blank=True, max_length=60, verbose_name='预告登记证明号')),
                ('preliminary_on', models.DateField(blank=True, null=True, verbose_name='预告登记日期')),
                ('registration_no', models.CharField(blank=True, max_length=60, verbose_name='抵押登记证明号')),
                ('registered_on', models.DateField(blank=True, null=True, verbose_name='抵押登记日期')),
                ('guarantor', models.CharField(blank=True, max_length=120, verbose_name='阶段性担保人（开发企业）')),
                ('guarantee_no', models.CharField(blank=True, max_length=60, verbose_name='阶段性担保合同编号')),
                ('guarantee_until', models.CharField(blank=True, max_length=40, verbose_name='阶段性担保期限')),
                ('recorded_by', models.CharField(max_length=150, verbose_name='登记人')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='loan_collateral', to='applications.application')),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center')),
            ],
            options={
                'verbose_name': '贷款抵押物',
            },
        ),
        migrations.CreateModel(
            name='Disbursement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.BigIntegerField(verbose_name='放款金额（分）')),
                ('payee_account', models.CharField(max_length=40, verbose_name='收款账号')),
                ('payee_name', models.CharField(max_length=120, verbose_name='收款户名')),
                ('payee_kind', models.CharField(max_length=12, verbose_name='收款人类别')),
                ('instruction_seq', models.CharField(blank=True, max_length=40, verbose_name='结算指令流水号')),
                ('state', models.CharField(choices=[('sent', '已提交银行'), ('paid', '已放款'), ('failed', '放款失败')], default='sent', max_length=8, verbose_name='状态')),
                ('bank_seq', models.CharField(blank=True, max_length=40, verbose_name='银行流水号')),
                ('paid_on', models.DateField(blank=True, null=True, verbose_name='放款日期')),
                ('down_payment_application', models.CharField(blank=True, max_length=30, verbose_name='首付款提取办件编号')),
                ('message', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='loan_disbursement', to='applications.application')),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center')),
                ('entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='ledger.journalentry')),
                ('loan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='disbursement', to='loans.loan')),
            ],
            options={
                'verbose_name': '贷款发放',
            },
        ),
        migrations.CreateModel(
            name='LoanContract',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contract_no', models.CharField(max_length=40, unique=True, verbose_name='借款合同编号')),
                ('principal', models.BigIntegerField(verbose_name='贷款金额（分）')),
                ('annual_rate', models.DecimalField(decimal_places=4, max_digits=7, verbose_name='年利率（%）')),
                ('months', models.PositiveSmallIntegerField(verbose_name='贷款期限（月）')),
                ('method', models.CharField(max_length=2, verbose_name='还款方式')),
                ('first_due', models.DateField(verbose_name='首次还款日')),
                ('home_order', models.CharField(choices=[('first', '首套住房'), ('second', '第二套住房')], max_length=10, verbose_name='住房套数认定')),
                ('status', models.CharField(choices=[('drafted', '待签订'), ('signed', '已签订'), ('cancelled', '已作废')], default='drafted', max_length=10, verbose_name='状态')),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='签订日期')),
                ('drawn_on', models.DateField(verbose_name='生成日期')),
                ('created_by', models.CharField(max_length=150, verbose_name='经办人')),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='loan_contract', to='applications.application')),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document')),
                ('loan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='contract', to='loans.loan')),
            ],
            options={
                'verbose_name': '借款合同',
            },
        ),
        migrations.CreateModel(
            name='FraudFlag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=200, verbose_name='认定事由')),
                ('flagged_on', models.DateField(verbose_name='认定日期')),
                ('lifted_on', models.DateField(blank=True, null=True, verbose_name='解除日期')),
                ('recorded_by', models.CharField(max_length=150, verbose_name='登记人')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('center', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.center')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.member')),
            ],
            options={
                'verbose_name': '骗提骗贷记录',
                'indexes': [models.Index(fields=['member', 'flagged_on'], name='loan_fraud_member')],
            },
        ),
        migrations.CreateModel(
            name='ContractSignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(max_length=12, verbose_name='身份')),
                ('signer_name', models.CharField(max_length=60, verbose_name='签署人')),
                ('way', models.CharField(choices=[('electronic', '可靠电子签名'), ('paper', '纸质签字（柜台扫描）')], max_length=10, verbose_name='签署方式')),
                ('contract_sm3', models.CharField(max_length=64, verbose_name='所签合同 SM3')),
                ('evidence', models.CharField(blank=True, max_length=200, verbose_name='签名凭据')),
                ('signed_on', models.DateField(verbose_name='签署日期')),
                ('recorded_by', models.CharField(max_length=150, verbose_name='记录人')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.member')),
                ('scan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.document')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signatures', to='loans.loancontract')),
            ],
            options={
                'verbose_name': '借款合同签署',
                'constraints': [models.UniqueConstraint(fields=('contract', 'role', 'signer_name'), name='loan_sig_once')],
            },
        ),
        migrations.CreateModel(
            name='LoanParty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('borrower', '借款人'), ('spouse', '配偶'), ('co_borrower', '共同借款人')], max_length=12, verbose_name='身份')),
                ('loan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parties', to='loans.loan')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.member')),
            ],
            options={
                'verbose_name': '贷款当事人',
                'indexes': [models.Index(fields=['member'], name='loan_party_member')],
                'constraints': [models.UniqueConstraint(fields=('loan', 'member'), name='loan_party_once')],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
