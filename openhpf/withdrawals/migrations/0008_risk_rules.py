"""The inline risk checks (withdrawals/risk.py): a new version of every withdrawal reason's rule set with the risk
rules in it (the same property used again, an overdue HPF loan, frequency, an unusual amount, a recently changed
card), and the policy values behind them (example defaults; each center sets its own through the policy screens).
A center changes a check's severity (block / manual / warn) like any rule, through maker-checker."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)
REASON = "提取风险防控规则（嵌入审核）"


def rule(code, expression, message, severity, **inputs):
    return {"code": code, "expression": expression, "message": message, "severity": severity, "inputs": inputs}


# as withdrawals/risk.py RISK_RULES (a migration keeps its own copy)
RISK_RULES = [
    rule("CARD_RECENT", "not card_recent", "近期登记或变更过银行卡（未满规定天数），转人工审核", "manual",
         card_recent="flag"),
    rule("RISK_LOAN_OVERDUE", "not loan_overdue", "本人住房公积金贷款有逾期未还的本息，不能提取", "block",
         loan_overdue="flag"),
    rule("RISK_PROPERTY", "property_prior == 0", "该房屋（网签备案合同号或不动产权证号）已办理过提取，转人工审核",
         "manual", property_prior="number"),
    rule("RISK_FREQUENCY", "max_per_year == 0 or withdrawals_12m < max_per_year",
         "近 12 个月提取次数已达上限，转人工审核", "manual", max_per_year="number", withdrawals_12m="number"),
    rule("RISK_AMOUNT", "not amount_unusual", "提取金额明显高于本人以往提取或占余额比例过高，转人工审核", "manual",
         amount_unusual="flag"),
]
POLICY = [
    ("withdrawal.risk.card_recent_days", "int", 30, "登记或变更银行卡后转人工审核的天数（示例默认值，各中心按本地规定设置）"),
    ("withdrawal.risk.amount_multiple", "decimal", "3", "提取金额超过本人以往提取平均额的倍数即视为异常（示例默认值）"),
    ("withdrawal.risk.amount_share", "decimal", "0.8", "提取金额超过账户余额的比例即视为异常（示例默认值）"),
    ("withdrawal.risk.max_per_year", "int", 4, "12 个月内各类提取次数上限，达到即转人工审核（0 为不限；示例默认值）"),
]


def with_risk(rules):
    by_code = {r["code"]: r for r in RISK_RULES}
    out = [by_code.pop(r["code"], r) for r in rules]
    return out + list(by_code.values())


def seed(apps, schema_editor):
    RuleSet = apps.get_model("applications", "RuleSet")
    latest = {}
    for rs in RuleSet.objects.filter(item_code__startswith="HPF-P-WD-").order_by("item_code", "version"):
        latest[rs.item_code] = rs
    for item, rs in latest.items():
        if {r["code"] for r in rs.rules} >= {r["code"] for r in RISK_RULES} and rs.reason == REASON:
            continue
        RuleSet.objects.create(item_code=item, version=rs.version + 1, effective_from=rs.effective_from,
                               rules=with_risk(rs.rules), reason=REASON, made_by="system:seed",
                               approved_by="system:seed")
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, kind, value, source in POLICY:
        PolicyParameter.objects.get_or_create(
            center=None, key=key, effective_from=SINCE,
            defaults={"value_type": kind, "value": value, "approved_by": "system:seed", "source": source})


def unseed(apps, schema_editor):
    apps.get_model("applications", "RuleSet").objects.filter(reason=REASON, made_by="system:seed").delete()
    apps.get_model("core", "PolicyParameter").objects.filter(
        center=None, key__in=[p[0] for p in POLICY], approved_by="system:seed").delete()


SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0007_court_deduction")]

    operations = [migrations.RunPython(seed, unseed)]
