"""Seed the national defaults of the finance policy keys: liquidity thresholds and reserve, the horizon of expected
outflows, and the rules of the 增值收益 distribution (条例第二十九条; 住房公积金财务管理办法)."""

from datetime import date

from django.db import migrations

# key, type, value, effective_from, source. Frozen: change policy later through new rows, never here.
FINANCE_POLICY_DEFAULTS = [
    ("liquidity.loan_ratio.critical", "decimal", "0.95", "1990-01-01", "个贷率95%以上资金紧张（监管惯例，地方可调）"),
    ("liquidity.reserve.ratio", "decimal", "0.03", "1990-01-01", "最低备付金：缴存余额的比例（地方规定，示例默认值）"),
    ("liquidity.reserve.min_amount", "int", 0, "1990-01-01", "最低备付金下限金额（分，地方规定）"),
    ("liquidity.outflow.horizon_days", "int", 30, "1990-01-01", "预计支出的统计天数"),
    ("value_added.risk_reserve.method", "str", "income_ratio", "1990-01-01",
     "贷款风险准备金提取方式：income_ratio 按增值收益比例 / loan_balance 补足至个贷余额比例（住房公积金财务管理办法）"),
    ("value_added.risk_reserve.income_ratio", "decimal", "0.60", "1990-01-01", "贷款风险准备金不低于增值收益的60%"),
    ("value_added.risk_reserve.loan_ratio", "decimal", "0.01", "1990-01-01", "贷款风险准备金余额达到年末个贷余额的1%"),
    ("value_added.management_fee.amount", "int", 0, "1990-01-01",
     "管理费用：财政部门核定的年度管理费用预算（分），由中心按批复录入"),
]


def seed_finance_policy(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for k, t, v, d, src in FINANCE_POLICY_DEFAULTS:
        PolicyParameter.objects.get_or_create(
            center=None, key=k, effective_from=date.fromisoformat(d),
            defaults={"value_type": t, "value": v, "approved_by": "system:seed", "source": src},
        )


def unseed(apps, schema_editor):
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.filter(center=None, key__in=[k for k, *_ in FINANCE_POLICY_DEFAULTS],
                                   approved_by="system:seed").delete()


# seeds national policy values (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed_finance_policy]


class Migration(migrations.Migration):
    dependencies = [("core", "0003_seed_contribution_relief")]
    operations = [migrations.RunPython(seed_finance_policy, unseed)]
