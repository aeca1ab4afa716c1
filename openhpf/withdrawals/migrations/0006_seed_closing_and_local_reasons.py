"""Seed the rules of 04, 05, 08, 09; the catalogue items, configurations and rules of 99 其他 and the local reasons
(HPF-P-WD-L01 … L07: 物业费, 加装电梯, 老旧小区改造, 低保/特困, 失业, 代际互助, 异地购房); version 2 of item 05 and
its configuration, which cover 户口迁出 as well as 出境定居; the policy values withdrawal.hukou_out.closes_account
(否: 户口迁出 is normally a 转移接续) and withdrawal.local.caps (example caps; each center sets its own).

Written out here, not imported, so the migration keeps meaning what it meant when it ran."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)
NATIONAL = date(2026, 1, 1)
BOTH = ["01", "02"]
SEED = "system:seed"


def m(code, name, replaceable_by="", *, fmt="scan", required=True, note=""):
    return {"code": code, "name": name, "format": fmt, "required": required, "replaceable_by": replaceable_by,
            "note": note}


ID_CARD = {"code": "id_card", "name": "身份证件", "format": "original", "required": True,
           "replaceable_by": "e_certificate", "note": "线上办理经人脸核验的，免提交"}
BANK_CARD = {"code": "bank_card", "name": "本人银行借记卡", "format": "copy", "required": True,
             "replaceable_by": "", "note": ""}
CHANNELS = [{"channel": "counter", "min_identity": 1}, {"channel": "cross_province", "min_identity": 1}]
STAGES = [{"name": "初审", "permission": "applications.review", "above": None},
          {"name": "复审", "permission": "approvals.approve", "above": 5_000_000}]
PROCESS = ["申请", "受理", "审核（核验材料与规则校验）", "审批", "转账支付至本人账户", "办结"]
PROPERTY = m("property_cert", "房屋权属证明（不动产权证书）", "property")


def item(name, basis, conditions, materials):
    return {"name": name, "kind": "person", "category": "提取",
            "legal_basis": f"《住房公积金管理条例》第二十四条；{basis}", "conditions": conditions,
            "materials": [ID_CARD, *materials, BANK_CARD], "process": PROCESS, "legal_limit": 3,
            "legal_limit_unit": "natural_day", "legal_limit_basis": "条例第二十五条", "promised_limit": 3,
            "promised_limit_unit": "working_day", "result": "提取资金转入本人银行账户", "channels": CHANNELS,
            "cross_province": False, "fully_online": False, "pays_money": True, "review_stages": STAGES}


LOCAL = "本中心住房公积金提取管理办法"
# item, name, conditions, materials, applicants, frequency (months), amount rule
LOCAL_REASONS = [
    ("HPF-P-WD-99", "其他", "（提取原因 99 其他）", "符合本中心规定的其他提取情形",
     [m("other_proof", "提取原因证明材料")], ["member"], 12, "balance"),
    ("HPF-P-WD-L01", "支付物业费", LOCAL, "职工支付本人自住住房的物业服务费",
     [m("property_fee", "物业服务费缴费通知或发票"), PROPERTY], ["member", "spouse"], 12, "cap"),
    ("HPF-P-WD-L02", "既有住宅加装电梯", LOCAL, "职工为自住住房所在既有住宅加装电梯分摊费用",
     [m("elevator_agreement", "加装电梯协议及费用分摊证明"), PROPERTY], ["member", "spouse"], 0, "balance"),
    ("HPF-P-WD-L03", "老旧小区改造", LOCAL, "职工自住住房所在老旧小区改造分摊费用",
     [m("renovation_proof", "老旧小区改造费用分摊证明"), PROPERTY], ["member", "spouse"], 0, "balance"),
    ("HPF-P-WD-L04", "享受城镇最低生活保障或特困供养", LOCAL, "职工家庭享受城镇最低生活保障或为特困供养人员",
     [m("subsistence_proof", "最低生活保障或特困人员救助供养证明")], ["member"], 12, "balance"),
    ("HPF-P-WD-L05", "失业", LOCAL, "职工失业并办理失业登记，生活困难",
     [m("unemployment_proof", "失业登记证明")], ["member"], 12, "balance"),
    ("HPF-P-WD-L06", "代际互助（父母或子女购房）", LOCAL, "职工为父母或子女购买自住住房提取本人住房公积金",
     [m("relation_proof", "亲属关系证明（户口簿、出生医学证明等）", "household"),
      m("purchase_contract", "父母或子女的购房合同或不动产权证书", "property")], ["member"], 12, "balance"),
    ("HPF-P-WD-L07", "异地购房", LOCAL, "职工在户籍地或工作地以外购买自住住房",
     [m("purchase_contract", "购房合同或不动产权证书", "property"), m("payment_proof", "购房款支付凭证")],
     ["member", "spouse"], 12, "balance"),
]
EMIGRATION_V2 = {
    "name": "户口迁出或出境定居提取", "conditions": "职工出境定居；或户口迁出本市，且本中心规定可销户提取（否则办理异地转移接续）",
    "materials": [ID_CARD, m("emigration", "出境定居证明或户籍注销（迁出）证明", "household"), BANK_CARD],
}


def rule(code, expression, message, severity, **inputs):
    return {"code": code, "expression": expression, "message": message, "severity": severity, "inputs": inputs}


STATUS = rule("STATUS", "status_allowed", "个人账户状态不在本提取原因允许的范围内", "block", status_allowed="flag")
CARD = rule("CARD", "has_card", "未登记已核验的本人银行卡", "block", has_card="flag")
CARD_RECENT = rule("CARD_RECENT", "not card_recent", "近 30 日内登记或变更过银行卡，转人工审核", "manual", card_recent="flag")
FROZEN_ANY = rule("FROZEN", "not frozen_any", "个人账户处于冻结状态，不能销户提取", "block", frozen_any="flag")
FROZEN_FULL = rule("FROZEN", "not frozen_full", "个人账户已全部冻结，不能提取", "block", frozen_full="flag")
BALANCE = rule("BALANCE", "balance > 0", "个人账户没有余额", "block", balance="number")
AVAILABLE = rule("AVAILABLE", "amount <= available", "提取金额超过可用余额（已扣除冻结和预留）", "block",
                 amount="number", available="number")
FREQUENCY = rule("FREQUENCY", "frequency_months == 0 or months_since_last >= frequency_months",
                 "距上次同一原因提取未满规定的间隔", "block", frequency_months="number", months_since_last="number")
CAP = rule("CAP", "amount <= cap", "提取金额超过本提取原因的限额", "block", amount="number", cap="number")
LOCAL_RULES = [STATUS, CARD, CARD_RECENT, FROZEN_FULL, CAP, AVAILABLE, FREQUENCY]
RULES = {
    "HPF-P-WD-04": [
        STATUS, CARD, CARD_RECENT, FROZEN_ANY,
        rule("DISABLED", "fully_disabled", "劳动能力鉴定结论不是完全丧失劳动能力", "block", fully_disabled="flag"),
        rule("TERMINATED", "terminated", "未与单位终止劳动关系", "block", terminated="flag"),
        BALANCE,
    ],
    "HPF-P-WD-05": [
        STATUS, CARD, CARD_RECENT, FROZEN_ANY,
        rule("PROVEN", "proven", "未提供出境定居或户籍注销（迁出）证明", "block", proven="flag"),
        rule("LOCAL", "abroad or hukou_out_closes",
             "户口迁出本市的，按本中心规定应办理住房公积金异地转移接续，不能销户提取", "block",
             abroad="flag", hukou_out_closes="flag"),
        BALANCE,
    ],
    "HPF-P-WD-08": [
        STATUS, FROZEN_ANY,
        rule("DEATH", "death_proven", "未提供死亡证明或宣告死亡判决书", "block", death_proven="flag"),
        rule("HEIRS", "heirs_proven", "未提供继承权、受遗赠权证明或无继承人的证明", "block", heirs_proven="flag"),
        rule("APPLICANTS", "applicants_allowed", "申请人身份不在本提取原因允许的范围内", "block",
             applicants_allowed="flag"),
        BALANCE,
        rule("NO_HEIR", "not no_heir", "无继承人、受遗赠人：余额及利息经复核转入增值收益，转人工审核", "manual",
             no_heir="flag"),
    ],
    "HPF-P-WD-09": [
        STATUS, CARD, CARD_RECENT, FROZEN_FULL,
        rule("COST", "amount <= own_cost", "提取金额超过医疗费用票据的个人负担部分", "block", amount="number",
             own_cost="number"),
        FREQUENCY, AVAILABLE,
    ],
    "HPF-P-WD-99": [*LOCAL_RULES, rule("PROOF", "has_proof_no", "请填写提取原因证明文件的编号", "block",
                                      has_proof_no="flag")],
    "HPF-P-WD-L06": [*LOCAL_RULES, rule("RELATIVE", "has_relative",
                                        "代际互助提取须写明资金用于的父母或子女（关系、姓名、身份证号）", "block",
                                        has_relative="flag")],
    **{code: LOCAL_RULES for code in ("HPF-P-WD-L01", "HPF-P-WD-L02", "HPF-P-WD-L03", "HPF-P-WD-L04",
                                      "HPF-P-WD-L05", "HPF-P-WD-L07")},
}
POLICY = [
    ("withdrawal.hukou_out.closes_account", "bool", False, "户口迁出本市是否可销户提取（默认否：办理异地转移接续）"),
    ("withdrawal.local.caps", "json", {"HPF-P-WD-L01": 300_000},
     "本地提取原因的每次提取限额（示例：物业费 3,000.00 元；各中心按本地规定设置）"),
]


def seed(apps, schema_editor):
    item_model = apps.get_model("catalog", "ServiceItem")
    version_model = apps.get_model("catalog", "ServiceItemVersion")
    ReasonConfig = apps.get_model("withdrawals", "ReasonConfig")
    for code, name, basis, conditions, materials, applicants, freq, amount_rule in LOCAL_REASONS:
        it, _ = item_model.objects.get_or_create(code=code)
        if not version_model.objects.filter(item=it).exists():
            version_model.objects.create(item=it, version=1, effective_from=NATIONAL, active=True, made_by=SEED,
                                         reason="本地提取原因（初始配置）",
                                         **item(f"{name}提取", basis, conditions, materials))
        ReasonConfig.objects.get_or_create(
            item_code=code, version=1,
            defaults={"reason_code": "99", "name": name, "effective_from": SINCE, "applicants": applicants,
                      "statuses": BOTH, "closes_account": False, "frequency_months": freq, "amount_rule": amount_rule,
                      "local": code != "HPF-P-WD-99", "reason": "初始配置（本地提取原因）", "made_by": SEED,
                      "approved_by": SEED})
    first = version_model.objects.filter(item__code="HPF-P-WD-05", version=1).first()
    if first is not None and not version_model.objects.filter(item=first.item, version=2).exists():
        keep = ("kind", "category", "legal_basis", "process", "legal_limit", "legal_limit_unit", "legal_limit_basis",
                "promised_limit", "promised_limit_unit", "result", "channels", "cross_province", "fully_online",
                "pays_money", "active", "review_stages")
        version_model.objects.create(item=first.item, version=2, effective_from=NATIONAL, made_by=SEED,
                                     reason="户口迁出按本中心规定可销户提取，否则办理异地转移接续",
                                     **EMIGRATION_V2, **{f: getattr(first, f) for f in keep})
    v1 = ReasonConfig.objects.filter(item_code="HPF-P-WD-05", version=1).first()
    if v1 is not None and not ReasonConfig.objects.filter(item_code="HPF-P-WD-05", version=2).exists():
        ReasonConfig.objects.create(
            item_code="HPF-P-WD-05", version=2, reason_code="05", name="户口迁出或出境定居", effective_from=NATIONAL,
            applicants=v1.applicants, statuses=v1.statuses, closes_account=True, frequency_months=0,
            amount_rule="closing", reason="出境定居销户提取；户口迁出按本中心规定（政策参数）", made_by=SEED,
            approved_by=SEED)
    RuleSet = apps.get_model("applications", "RuleSet")
    for code, rules in RULES.items():
        if not RuleSet.objects.filter(item_code=code).exists():
            RuleSet.objects.create(item_code=code, version=1, effective_from=SINCE, rules=rules, reason="初始规则",
                                   made_by=SEED, approved_by=SEED)
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    for key, kind, value, source in POLICY:
        PolicyParameter.objects.get_or_create(center=None, key=key, effective_from=SINCE,
                                              defaults={"value_type": kind, "value": value, "approved_by": SEED,
                                                        "source": source})


def unseed(apps, schema_editor):
    codes = [r[0] for r in LOCAL_REASONS]
    apps.get_model("withdrawals", "ReasonConfig").objects.filter(item_code__in=codes, made_by=SEED).delete()
    apps.get_model("withdrawals", "ReasonConfig").objects.filter(item_code="HPF-P-WD-05", version=2,
                                                                 made_by=SEED).delete()
    apps.get_model("applications", "RuleSet").objects.filter(item_code__in=list(RULES), made_by=SEED).delete()
    version_model = apps.get_model("catalog", "ServiceItemVersion")
    version_model.objects.filter(item__code__in=codes, made_by=SEED)._raw_delete(schema_editor.connection.alias)
    version_model.objects.filter(item__code="HPF-P-WD-05", version=2, made_by=SEED)._raw_delete(
        schema_editor.connection.alias)
    apps.get_model("catalog", "ServiceItem").objects.filter(code__in=codes).delete()
    apps.get_model("core", "PolicyParameter").objects.filter(center=None, key__in=[p[0] for p in POLICY],
                                                             approved_by=SEED).delete()


SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0005_heir_share"), ("withdrawals", "0002_seed_reasons"),
                    ("catalog", "0004_employer_change_review")]

    operations = [migrations.RunPython(seed, unseed)]
