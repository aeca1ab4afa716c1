"""The servicing policy values (example defaults; each center sets its own through maker-checker): penalty
interest, the five-tier thresholds, the reserve rates by class, reminders, forced offset, the collection case.

The data is written out here, not imported, so this migration keeps meaning what it meant when it ran."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)
POLICY = [
    ("loan.penalty.ratio", "decimal", "1.5", "罚息利率为借款合同利率的倍数（日罚息率 = 年利率 / 360 × 倍数）"),
    ("loan.penalty.account", "str", "40103", "罚息收入入账科目（默认委托贷款利息收入）"),
    ("loan.class.special_mention_days", "int", 1, "五级分类：逾期天数达到该值为关注"),
    ("loan.class.substandard_days", "int", 91, "五级分类：逾期天数达到该值为次级"),
    ("loan.class.doubtful_days", "int", 271, "五级分类：逾期天数达到该值为可疑"),
    ("loan.class.loss_days", "int", 361, "五级分类：逾期天数达到该值为损失"),
    ("loan.reserve.rate.01", "decimal", "0.01", "贷款风险准备计算比例：正常类（示例默认值）"),
    ("loan.reserve.rate.02", "decimal", "0.02", "贷款风险准备计算比例：关注类（示例默认值）"),
    ("loan.reserve.rate.03", "decimal", "0.25", "贷款风险准备计算比例：次级类（示例默认值）"),
    ("loan.reserve.rate.04", "decimal", "0.5", "贷款风险准备计算比例：可疑类（示例默认值）"),
    ("loan.reserve.rate.05", "decimal", "1", "贷款风险准备计算比例：损失类（示例默认值）"),
    ("loan.remind.before_days", "str", "3", "还款日前几天发送还款提醒（逗号分隔）"),
    ("loan.remind.overdue_days", "str", "1,7,30", "逾期后第几天发送逾期提醒（逗号分隔）"),
    ("loan.offset.after_days", "int", 60, "逾期满该天数后，按合同约定从借款人及共同借款人公积金账户强制冲还"),
    ("loan.collection.open_days", "int", 1, "逾期满该天数后立案催收"),
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
    dependencies = [("loans", "0004_servicing"), ("core", "0015_arrears_notice_policy")]
    operations = [migrations.RunPython(seed, unseed)]
