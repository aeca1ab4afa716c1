"""Seed the withdrawal reasons' configuration (HPF-P-WD-01 … 09, 03E), the decision rules of the reasons built so
far (03 离休退休, 07 房租) and the policy value withdrawal.rent.monthly_cap (an example default: each center sets its
own, as Beijing's 2,000 元 a person a month for a self-declared rent)."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)
BOTH = ["01", "02"]
REASONS = [
    # item, reason code, name, applicants, statuses, closes, frequency (months), amount rule
    ("HPF-P-WD-01", "01", "购买住房", ["member", "spouse", "agent"], BOTH, False, 0, "price"),
    ("HPF-P-WD-02", "02", "建造、翻建、大修自住住房", ["member", "spouse"], BOTH, False, 0, "price"),
    ("HPF-P-WD-03", "03", "离休退休", ["member", "agent"], BOTH, True, 0, "closing"),
    ("HPF-P-WD-03E", "03", "离休退休（提前退休）", ["member", "agent"], BOTH, True, 0, "closing"),
    ("HPF-P-WD-04", "04", "完全丧失劳动能力并终止劳动关系", ["member", "agent"], BOTH, True, 0, "closing"),
    ("HPF-P-WD-05", "05", "出境定居", ["member"], BOTH, True, 0, "closing"),
    ("HPF-P-WD-06", "06", "偿还购房贷款本息", ["member", "spouse"], BOTH, False, 12, "installments"),
    ("HPF-P-WD-07", "07", "房租", ["member"], BOTH, False, 12, "rent_cap"),
    ("HPF-P-WD-08", "08", "死亡或宣告死亡", ["heir", "legatee"], BOTH, True, 0, "closing"),
    ("HPF-P-WD-09", "09", "大病医疗", ["member", "spouse"], BOTH, False, 12, "medical"),
]


def rule(code, expression, message, severity, **inputs):
    return {"code": code, "expression": expression, "message": message, "severity": severity, "inputs": inputs}


COMMON = [
    rule("STATUS", "status_allowed", "个人账户状态不在本提取原因允许的范围内", "block", status_allowed="flag"),
    rule("CARD", "has_card", "未登记已核验的本人银行卡", "block", has_card="flag"),
    rule("CARD_RECENT", "not card_recent", "近 30 日内登记或变更过银行卡，转人工审核", "manual", card_recent="flag"),
]
RULES = {
    "HPF-P-WD-07": [
        *COMMON,
        rule("FROZEN", "not frozen_full", "个人账户已全部冻结，不能提取", "block", frozen_full="flag"),
        rule("MONTHS", "months_continuous >= 3", "连续足额缴存不满 3 个月", "block", months_continuous="number"),
        rule("OWN_HOME", "not own_home", "本人或配偶在本市有自有住房，不能租房提取", "block", own_home="flag"),
        rule("CAP", "amount <= rent_cap", "提取金额超过租房提取限额（每月限额 × 月数）", "block",
             amount="number", rent_cap="number"),
        rule("FREQUENCY", "frequency_months == 0 or months_since_last >= frequency_months",
             "距上次租房提取未满规定的间隔", "block", frequency_months="number", months_since_last="number"),
        rule("AVAILABLE", "amount <= available", "提取金额超过可用余额（已扣除冻结和预留）", "block",
             amount="number", available="number"),
    ],
    "HPF-P-WD-03": [
        *COMMON,
        rule("FROZEN", "not frozen_any", "个人账户处于冻结状态，不能销户提取", "block", frozen_any="flag"),
        rule("RETIRED", "retired", "未能核实离休、退休（须人社退休信息或退休证）", "block", retired="flag"),
        rule("BALANCE", "balance > 0", "个人账户没有余额", "block", balance="number"),
        rule("AGE", "age >= 50", "年龄未满 50 周岁，请核对离退休信息", "warn", age="number"),
    ],
}
RENT_CAP = ("withdrawal.rent.monthly_cap", 200_000)


def seed(apps, schema_editor):
    ReasonConfig = apps.get_model("withdrawals", "ReasonConfig")
    for item, code, name, applicants, statuses, closes, freq, amount_rule in REASONS:
        ReasonConfig.objects.get_or_create(
            item_code=item, version=1,
            defaults={"reason_code": code, "name": name, "effective_from": SINCE, "applicants": applicants,
                      "statuses": statuses, "closes_account": closes, "frequency_months": freq,
                      "amount_rule": amount_rule, "reason": "初始配置（条例第二十四条）", "made_by": "system:seed",
                      "approved_by": "system:seed"})
    RuleSet = apps.get_model("applications", "RuleSet")
    for item, rules in RULES.items():
        if not RuleSet.objects.filter(item_code=item).exists():
            RuleSet.objects.create(item_code=item, version=1, effective_from=SINCE, rules=rules,
                                   reason="初始规则", made_by="system:seed", approved_by="system:seed")
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.get_or_create(
        center=None, key=RENT_CAP[0], effective_from=SINCE,
        defaults={"value_type": "int", "value": RENT_CAP[1], "approved_by": "system:seed",
                  "source": "租房提取每人每月限额（示例默认值，各中心按本地规定设置）"})


def unseed(apps, schema_editor):
    apps.get_model("withdrawals", "ReasonConfig").objects.filter(made_by="system:seed").delete()
    apps.get_model("applications", "RuleSet").objects.filter(item_code__in=list(RULES), made_by="system:seed").delete()
    apps.get_model("core", "PolicyParameter").objects.filter(center=None, key=RENT_CAP[0],
                                                             approved_by="system:seed").delete()


# seeds the withdrawal reasons, their rule sets and the rent cap (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0001_initial"), ("applications", "0002_queue_assignee"),
                    ("core", "0013_seed_continuity_policy")]

    operations = [migrations.RunPython(seed, unseed)]
