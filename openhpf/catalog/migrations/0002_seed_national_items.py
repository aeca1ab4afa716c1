"""Seed the national service items (DOMAIN: 跨省通办 list, withdrawals, loans, transfer) as version 1 of each.

The data is written out here, not imported, so this migration keeps meaning what it meant when it ran;
catalog/tests/test_catalog.py checks every seeded version against catalog.services.item_check."""

from datetime import date

from django.db import migrations

REGULATION = "《住房公积金管理条例》"
COUNTER, WEB, MOBILE, SELF, HOTLINE, PROXY = "counter", "web", "mobile", "self_service", "hotline", "cross_province"
CHECK, PASSWORD, FACE, CERT = 1, 2, 3, 4

ID_CARD = {"code": "id_card", "name": "身份证件", "format": "original", "required": True,
           "replaceable_by": "e_certificate", "note": "线上办理经人脸核验的，免提交"}
AGENT_LETTER = {"code": "agent_letter", "name": "经办人授权委托书", "format": "original", "required": True,
                "replaceable_by": "", "note": "线上由单位经办人账号办理的，免提交"}
BANK_CARD = {"code": "bank_card", "name": "本人银行借记卡", "format": "copy", "required": True,
             "replaceable_by": "", "note": ""}


def m(code, name, replaceable_by="", *, fmt="scan", required=True, note=""):
    return {"code": code, "name": name, "format": fmt, "required": required, "replaceable_by": replaceable_by,
            "note": note}


def person_money_channels(online=True):
    chans = [{"channel": COUNTER, "min_identity": CHECK}, {"channel": PROXY, "min_identity": CHECK}]
    if online:  # paying out money online needs more than password + code
        chans += [{"channel": WEB, "min_identity": FACE}, {"channel": MOBILE, "min_identity": FACE}]
    return chans


PERSON_INFO_CHANNELS = [{"channel": COUNTER, "min_identity": CHECK}, {"channel": WEB, "min_identity": PASSWORD},
                        {"channel": MOBILE, "min_identity": PASSWORD}, {"channel": SELF, "min_identity": PASSWORD},
                        {"channel": PROXY, "min_identity": CHECK}]
EMPLOYER_CHANNELS = [{"channel": COUNTER, "min_identity": CHECK}, {"channel": WEB, "min_identity": CERT},
                     {"channel": PROXY, "min_identity": CHECK}]
WITHDRAW_STAGES = [{"name": "初审", "permission": "applications.review", "above": None},
                   {"name": "复审", "permission": "approvals.approve", "above": 5_000_000}]
LOAN_STAGES = [{"name": "初审", "permission": "applications.review", "above": None},
               {"name": "复审", "permission": "applications.review", "above": None},
               {"name": "审批", "permission": "approvals.approve", "above": 50_000_000}]
ART25 = "条例第二十五条"
WD_PROCESS = ["申请", "受理", "审核（核验材料与规则校验）", "审批", "转账支付至本人账户", "办结"]


def withdrawal(code, name, basis, conditions, materials, *, cross=False, online=True, result="提取资金转入本人银行账户"):
    return (code, {
        "name": name, "kind": "person", "category": "提取", "legal_basis": f"{REGULATION}第二十四条；{basis}",
        "conditions": conditions, "materials": [ID_CARD, *materials, BANK_CARD], "process": WD_PROCESS,
        "legal_limit": 3, "legal_limit_unit": "natural_day", "legal_limit_basis": ART25,
        "promised_limit": 3, "promised_limit_unit": "working_day", "result": result,
        "channels": person_money_channels(online), "cross_province": cross, "fully_online": online,
        "pays_money": True, "review_stages": WITHDRAW_STAGES})


def service(code, name, kind, category, basis, conditions, materials, process, result, channels, *, cross=True,
            online=True, promised=1, pays=False, stages=None, legal=None, legal_basis=""):
    return (code, {
        "name": name, "kind": kind, "category": category, "legal_basis": basis, "conditions": conditions,
        "materials": materials, "process": process, "legal_limit": legal, "legal_limit_unit": "natural_day",
        "legal_limit_basis": legal_basis, "promised_limit": promised, "promised_limit_unit": "working_day",
        "result": result, "channels": channels, "cross_province": cross, "fully_online": online, "pays_money": pays,
        "review_stages": stages or []})


ITEMS = [
    service("HPF-E-OPEN", "单位登记开户", "employer", "缴存", f"{REGULATION}第十四条",
            "依法应当缴存住房公积金的单位，自设立之日起 30 日内办理住房公积金缴存登记",
            [m("license", "营业执照或统一社会信用代码证明", "e_certificate"), AGENT_LETTER,
             m("agent_id", "经办人身份证件", "e_certificate", fmt="original")],
            ["申请", "受理", "审核", "开立单位住房公积金账户", "办结"], "单位住房公积金账户开户登记", EMPLOYER_CHANNELS),
    service("HPF-E-CHANGE", "单位及个人缴存信息变更", "employer", "缴存", f"{REGULATION}第十四条、第十五条",
            "单位名称、地址、法定代表人、联系人、开户银行、发薪日等登记信息或职工缴存信息发生变化",
            [m("change_proof", "变更事项证明材料", "e_certificate"), AGENT_LETTER],
            ["申请", "受理", "审核", "变更登记", "办结"], "缴存信息变更登记", EMPLOYER_CHANNELS),
    service("HPF-E-REMIT", "汇缴", "employer", "缴存", f"{REGULATION}第十九条",
            "单位按月为职工汇缴住房公积金，于发放工资之日起 5 日内将单位与职工缴存额缴入住房公积金专户",
            [m("roster", "缴存清册", fmt="electronic", required=False, note="按上月清册缴存的可不提交")],
            ["核定缴存额", "缴款", "到账确认入账", "办结"], "缴存入账", EMPLOYER_CHANNELS, promised=1),
    service("HPF-E-BACKPAY", "补缴", "employer", "缴存", f"{REGULATION}第十九条、第三十八条",
            "单位少缴、漏缴住房公积金或新增职工需补缴以前月份的", [m("backpay_list", "补缴清册", fmt="electronic"),
                                                  AGENT_LETTER],
            ["申请", "受理", "审核", "缴款", "到账确认入账", "办结"], "补缴入账", EMPLOYER_CHANNELS, promised=1),
    withdrawal("HPF-P-WD-01", "购买住房提取", "《住房公积金提取业务标准》（提取原因 01 购买住房）",
               "职工及配偶购买自住住房，在购房合同网签备案或取得不动产权证书之日起规定期限内申请",
               [m("purchase_contract", "购房合同或不动产权证书", "property"),
                m("payment_proof", "购房款支付凭证"), m("marriage_proof", "婚姻状况证明", "marriage", required=False,
                                                        note="为配偶购房提取时提供")], cross=True),
    withdrawal("HPF-P-WD-02", "建造、翻建、大修自住住房提取", "（提取原因 02 建造、翻建、大修）",
               "职工建造、翻建、大修自有产权的自住住房，取得规划或建设主管部门批准文件",
               [m("build_permit", "规划或建设主管部门批准文件"), m("budget", "工程预算或费用凭证")]),
    withdrawal("HPF-P-WD-03", "正常退休提取", "（提取原因 03 离休退休）", "职工达到法定退休年龄办理离休、退休手续",
               [m("retirement_proof", "离退休证明", "retirement")], cross=True,
               result="账户余额及利息转入本人银行账户，个人账户销户"),
    withdrawal("HPF-P-WD-03E", "提前退休提取", "（提取原因 03 离休退休：提前退休）",
               "职工经批准提前办理退休手续", [m("early_retirement", "提前退休审批证明", "retirement")], cross=True,
               result="账户余额及利息转入本人银行账户，个人账户销户"),
    withdrawal("HPF-P-WD-04", "完全丧失劳动能力并终止劳动关系提取", "（提取原因 04）",
               "职工完全丧失劳动能力，并与单位终止劳动关系",
               [m("disability_proof", "劳动能力鉴定结论"), m("termination", "终止劳动关系证明")],
               online=False, result="账户余额及利息转入本人银行账户，个人账户销户"),
    withdrawal("HPF-P-WD-05", "出境定居提取", "（提取原因 05 户口迁出或出境定居）", "职工出境定居，注销户籍",
               [m("emigration", "出境定居或注销户籍证明", "household")], online=False,
               result="账户余额及利息转入本人银行账户，个人账户销户"),
    withdrawal("HPF-P-WD-06", "偿还购房贷款本息提取", "（提取原因 06 偿还购房贷款本息）",
               "职工及配偶偿还自住住房贷款本息，按年或逐月约定提取",
               [m("loan_contract", "借款合同", "credit"), m("repayment", "还款明细", required=False)]),
    withdrawal("HPF-P-WD-07", "租房提取", "（提取原因 07 房租；住房城乡建设部等三部门 2015 年 1 月 20 日通知）",
               "职工连续足额缴存满 3 个月，本人及配偶在缴存城市无自有住房且租赁住房",
               [m("lease_contract", "房屋租赁合同（租赁登记备案的）", required=False,
                  note="按当地标准申报的免提交")], cross=True),
    withdrawal("HPF-P-WD-08", "死亡或宣告死亡提取", "（提取原因 08 死亡）",
               "职工死亡或被宣告死亡，由其继承人、受遗赠人申请",
               [m("death_proof", "死亡证明或宣告死亡判决书", "household"), m("heir_proof", "继承权或受遗赠权证明")],
               online=False, result="账户余额及利息转入继承人或受遗赠人银行账户，个人账户销户"),
    withdrawal("HPF-P-WD-09", "大病医疗提取", "（提取原因 09 大病医疗）",
               "职工本人及配偶、父母、子女患重大疾病，个人负担医疗费用",
               [m("medical_proof", "医疗诊断证明及费用票据", "hospital")], online=False),
    ("HPF-P-LOAN", {
        "name": "个人住房公积金贷款", "kind": "person", "category": "贷款",
        "legal_basis": f"{REGULATION}第二十六条", "conditions": "连续正常缴存满 6 个月；无未结清的住房公积金贷款；"
        "无骗提骗贷记录；购买、建造、翻建、大修自住住房",
        "materials": [ID_CARD, m("purchase_contract", "购房合同", "property"),
                      m("marriage_proof", "婚姻状况证明", "marriage"), m("income_proof", "收入证明"),
                      m("credit_consent", "个人征信查询授权书", fmt="original",
                        note="征信业管理条例第十八条：查询个人信用信息须经本人书面同意")],
        "process": ["申请", "受理", "调查与征信核验", "初审", "复审", "审批", "签订借款与抵押合同", "放款", "办结"],
        "legal_limit": 15, "legal_limit_unit": "natural_day", "legal_limit_basis": "条例第二十六条",
        "promised_limit": 10, "promised_limit_unit": "working_day", "result": "贷款审批结果；核准的签订借款合同并放款",
        "channels": [{"channel": COUNTER, "min_identity": CHECK}, {"channel": WEB, "min_identity": CERT}],
        "cross_province": False, "fully_online": False, "pays_money": True, "review_stages": LOAN_STAGES}),
    service("HPF-P-LOAN-PREPAY", "提前还清住房公积金贷款", "person", "贷款", f"{REGULATION}第二十六条；借款合同",
            "借款人申请提前全部还清贷款本息", [ID_CARD], ["申请", "受理", "核算应还本息", "扣款", "办结"],
            "贷款结清", PERSON_INFO_CHANNELS[:1] + [{"channel": WEB, "min_identity": FACE},
                                           {"channel": MOBILE, "min_identity": FACE},
                                           {"channel": PROXY, "min_identity": CHECK}]),
    service("HPF-P-LOAN-CLEAR", "住房公积金贷款全部还清证明", "person", "贷款", "借款合同",
            "住房公积金贷款已全部还清", [ID_CARD], ["申请", "核对结清状态", "出具证明", "办结"],
            "贷款结清证明（电子）", PERSON_INFO_CHANNELS, promised=1),
    service("HPF-P-QUERY", "住房公积金缴存贷款信息查询", "person", "查询", f"{REGULATION}第三十二条",
            "缴存职工查询本人缴存、提取、贷款信息", [ID_CARD], ["申请", "身份核验", "查询结果展示", "办结"],
            "缴存贷款信息", PERSON_INFO_CHANNELS + [{"channel": HOTLINE, "min_identity": PASSWORD}], promised=0),
    service("HPF-P-CERT", "个人住房公积金缴存使用证明", "person", "证明", f"{REGULATION}第三十二条",
            "缴存职工需证明本人缴存使用情况", [ID_CARD], ["在线申请", "自动生成电子证明（签名防伪）", "办结"],
            "个人住房公积金缴存使用证明（电子，可扫码核验）", PERSON_INFO_CHANNELS, promised=0),
    service("HPF-P-TRANSFER", "住房公积金异地转移接续", "person", "转移", "《全国住房公积金异地转移接续业务操作规程》",
            "职工在转入地单位设立住房公积金账户并正常缴存，原缴存地账户封存", [ID_CARD],
            ["在转入地中心申请", "受理", "转入地发出联系函", "转出地确认并转出资金", "转入地确认办结"],
            "原账户余额及利息转入新账户", [{"channel": COUNTER, "min_identity": CHECK}], online=False, promised=5),
]
NATIONAL = date(2026, 1, 1)


def seed(apps, schema_editor):
    item_model = apps.get_model("catalog", "ServiceItem")
    version_model = apps.get_model("catalog", "ServiceItemVersion")
    for code, spec in ITEMS:
        item, _ = item_model.objects.get_or_create(code=code)
        if version_model.objects.filter(item=item).exists():
            continue
        version_model.objects.create(item=item, version=1, effective_from=NATIONAL, active=True,
                                     reason="全国住房公积金服务事项基本目录", made_by="system:seed", **spec)


def unseed(apps, schema_editor):
    apps.get_model("catalog", "ServiceItemVersion").objects.filter(made_by="system:seed", version=1).delete()


# seeds the national service items (rerun by the test reseed after a flush, openhpf/conftest.py)
SEEDS = [seed]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
