"""Seed the housing reasons' decision rules (01 购买住房, 02 建造/翻建/大修, 06 偿还购房贷款本息, with the spouse's
joint application), the policy value withdrawal.purchase.window_months (an example default of 12 months from the
网签备案 or 不动产登记; each center sets its own) and version 2 of the three catalogue items, which adds the spouse's
written consent as a material (required when the spouse applies jointly; the handler asks for it then).
Written out here, like 0002, so the migration keeps meaning what it meant when it ran."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)
ITEMS_FROM = date(2026, 1, 1)  # the national items' first version is in force from this day


def rule(code, expression, message, severity, **inputs):
    return {"code": code, "expression": expression, "message": message, "severity": severity, "inputs": inputs}


COMMON = [
    rule("STATUS", "status_allowed", "个人账户状态不在本提取原因允许的范围内", "block", status_allowed="flag"),
    rule("CARD", "has_card", "未登记已核验的本人银行卡", "block", has_card="flag"),
    rule("CARD_RECENT", "not card_recent", "近 30 日内登记或变更过银行卡，转人工审核", "manual", card_recent="flag"),
    rule("FROZEN", "not frozen_full", "个人账户已全部冻结，不能提取", "block", frozen_full="flag"),
    rule("FREQUENCY", "frequency_months == 0 or months_since_last >= frequency_months",
         "距上次同一原因的提取未满规定的间隔", "block", frequency_months="number", months_since_last="number"),
    rule("AVAILABLE", "amount <= available", "提取金额超过可用余额（已扣除冻结和预留）", "block",
         amount="number", available="number"),
]
SPOUSE = [
    rule("SPOUSE_MARRIED", "not joint or spouse_married", "共同申请的配偶与婚姻登记信息不符", "block",
         joint="flag", spouse_married="flag"),
    rule("SPOUSE_STATUS", "not joint or spouse_status_allowed", "配偶个人账户状态不在本提取原因允许的范围内", "block",
         joint="flag", spouse_status_allowed="flag"),
    rule("SPOUSE_CARD", "not joint or spouse_has_card", "配偶未登记已核验的本人银行卡", "block",
         joint="flag", spouse_has_card="flag"),
    rule("SPOUSE_CARD_RECENT", "not joint or not spouse_card_recent", "配偶近 30 日内登记或变更过银行卡，转人工审核",
         "manual", joint="flag", spouse_card_recent="flag"),
    rule("SPOUSE_FROZEN", "not joint or not spouse_frozen_full", "配偶个人账户已全部冻结，不能提取", "block",
         joint="flag", spouse_frozen_full="flag"),
    rule("SPOUSE_AVAILABLE", "spouse_amount <= spouse_available", "配偶账户提取金额超过其可用余额（已扣除冻结和预留）",
         "block", spouse_amount="number", spouse_available="number"),
]
RULES = {
    "HPF-P-WD-01": [
        *COMMON,
        rule("MONTHS", "months_continuous >= 3", "连续足额缴存不满 3 个月", "block", months_continuous="number"),
        rule("WINDOW", "purchase_age_months < purchase_window_months",
             "超过网签备案或不动产登记之日起规定的申请期限", "block",
             purchase_age_months="number", purchase_window_months="number"),
        rule("PRICE", "total <= price - commercial_loan - hpf_loan - earlier_withdrawn",
             "提取金额超过房屋总价减去贷款和该房产已提取的金额", "block", total="number", price="number",
             commercial_loan="number", hpf_loan="number", earlier_withdrawn="number"),
        *SPOUSE,
    ],
    "HPF-P-WD-02": [
        *COMMON,
        rule("MONTHS", "months_continuous >= 3", "连续足额缴存不满 3 个月", "block", months_continuous="number"),
        rule("COST", "total <= cost - earlier_withdrawn", "提取金额超过工程费用减去该房产已提取的金额", "block",
             total="number", cost="number", earlier_withdrawn="number"),
        *SPOUSE,
    ],
    "HPF-P-WD-06": [
        *COMMON,
        rule("LOAN", "loan_found", "未找到所偿还的住房贷款", "block", loan_found="flag"),
        rule("INSTALLMENTS", "total <= loan_limit - earlier_withdrawn",
             "提取金额超过当年应还本息（提前还款为剩余本金）减去本年度已为该贷款提取的金额", "block",
             total="number", loan_limit="number", earlier_withdrawn="number"),
        *SPOUSE,
    ],
}
WINDOW = ("withdrawal.purchase.window_months", 12)
CONSENT = {"code": "spouse_consent", "name": "配偶同意共同提取的书面意见", "format": "original", "required": False,
           "replaceable_by": "", "note": "配偶共同申请时提供，并附配偶身份证件"}
ITEM_FIELDS = ("name", "kind", "category", "legal_basis", "conditions", "process", "legal_limit", "legal_limit_unit",
               "legal_limit_basis", "promised_limit", "promised_limit_unit", "result", "channels", "cross_province",
               "fully_online", "pays_money", "review_stages", "active")


def seed(apps, schema_editor):
    RuleSet = apps.get_model("applications", "RuleSet")
    for item, rules in RULES.items():
        if not RuleSet.objects.filter(item_code=item).exists():
            RuleSet.objects.create(item_code=item, version=1, effective_from=SINCE, rules=rules,
                                   reason="初始规则", made_by="system:seed", approved_by="system:seed")
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    PolicyParameter.objects.get_or_create(
        center=None, key=WINDOW[0], effective_from=SINCE,
        defaults={"value_type": "int", "value": WINDOW[1], "approved_by": "system:seed",
                  "source": "购房提取申请期限（示例默认值：网签备案或不动产登记之日起 12 个月，各中心按本地规定设置）"})
    version_model = apps.get_model("catalog", "ServiceItemVersion")
    for item in RULES:
        last = version_model.objects.filter(item__code=item).order_by("-version").first()
        if last is None or any(m["code"] == CONSENT["code"] for m in last.materials):
            continue
        version_model.objects.create(
            item=last.item, version=last.version + 1, effective_from=max(last.effective_from, ITEMS_FROM),
            reason="增加配偶共同申请的材料：配偶同意共同提取的书面意见", made_by="system:seed",
            approved_by="system:seed",
            materials=[*last.materials[:-1], CONSENT, last.materials[-1]],  # before the bank card, which stays last
            **{f: getattr(last, f) for f in ITEM_FIELDS})


def unseed(apps, schema_editor):
    apps.get_model("applications", "RuleSet").objects.filter(item_code__in=list(RULES), made_by="system:seed").delete()
    apps.get_model("core", "PolicyParameter").objects.filter(center=None, key=WINDOW[0],
                                                             approved_by="system:seed").delete()
    apps.get_model("catalog", "ServiceItemVersion").objects.filter(
        item__code__in=list(RULES), made_by="system:seed", reason__startswith="增加配偶共同申请")._raw_delete(
        schema_editor.connection.alias)


SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0003_housing"), ("catalog", "0004_employer_change_review")]

    operations = [migrations.RunPython(seed, unseed)]
