"""Code tables of the national data standard (住房公积金基础数据标准 JGJ/T 320) and docs/domain.md: one place only.

Each enum member's value is the standard code and its label the Chinese name."""

from django.db import models


class BizType(models.TextChoices):
    """业务类型: the basis of every member detail row (个人明细账)."""

    REMITTANCE = "01", "汇缴"
    BACK_PAYMENT = "02", "补缴"
    OPEN = "03", "开户"
    UNSEAL = "04", "启封"
    SEAL = "05", "封存"
    INTERNAL_TRANSFER = "06", "内部转移"
    TRANSFER_OUT = "07", "外部转出"
    TRANSFER_IN = "08", "外部转入"
    INTEREST = "09", "年终结息"
    BASE_ADJUST = "10", "基数调整"
    PARTIAL_WITHDRAWAL = "11", "部分提取"
    CLOSING_WITHDRAWAL = "12", "销户提取"
    DEFERRAL = "13", "缓缴处理"
    FREEZE = "14", "冻结"
    UNFREEZE = "15", "解冻"
    # Local extension (not in JGJ/T 320): opening balances brought over from a legacy system.
    CUTOVER_OPENING = "90", "期初余额迁移"
    OTHER = "99", "其他"


class MemberAccountStatus(models.TextChoices):
    NORMAL = "01", "正常"
    SEALED = "02", "封存"
    CLOSED_MERGED = "03", "合并销户"
    CLOSED_TRANSFERRED = "04", "外部转出销户"
    CLOSED_WITHDRAWN = "05", "提取销户"
    FROZEN = "06", "冻结"
    OTHER = "99", "其他"


class FreezeKind(models.TextChoices):
    NONE = "0", "未冻结"
    FULL = "1", "全部冻结"
    PARTIAL = "2", "部分冻结"
    REMOTE_LOAN = "3", "异地贷款担保冻结"


class EmployerStatus(models.TextChoices):
    NORMAL = "01", "正常"
    OPENING = "02", "开户"
    DEFERRED = "03", "缓缴"
    CLOSED = "04", "销户"
    SEALED = "05", "封存"
    OTHER = "99", "其他"


class IdType(models.TextChoices):
    RESIDENT_ID = "01", "身份证"
    MILITARY = "02", "军官证"
    PASSPORT = "03", "护照"
    FOREIGN_PERMANENT = "04", "外国人永久居留证"
    OTHER = "99", "其他"


class Sex(models.TextChoices):
    MALE = "1", "男"
    FEMALE = "2", "女"
    UNKNOWN = "9", "未说明"


class MaritalStatus(models.TextChoices):
    UNMARRIED = "10", "未婚"
    MARRIED = "20", "已婚"
    WIDOWED = "30", "丧偶"
    DIVORCED = "40", "离婚"
    UNKNOWN = "90", "未说明"


class WithdrawalReason(models.TextChoices):
    """JGJ/T 320 table A.7; local reasons are configured as local codes."""

    PURCHASE = "01", "购买住房"
    BUILD = "02", "建造、翻建、大修自住住房"
    RETIREMENT = "03", "离休、退休"
    DISABILITY = "04", "完全丧失劳动能力并终止劳动关系"
    EMIGRATION = "05", "户口迁出所在市县或出境定居"
    LOAN_REPAYMENT = "06", "偿还购房贷款本息"
    RENT = "07", "房租超出家庭工资收入规定比例"
    DEATH = "08", "死亡或被宣告死亡"
    MEDICAL = "09", "大病医疗"
    OTHER = "99", "其他"


class GuaranteeType(models.TextChoices):
    MORTGAGE = "01", "抵押"
    PLEDGE = "02", "质押"
    SURETY = "03", "保证"
    OTHER = "99", "其他"


class RepaymentMethod(models.TextChoices):
    ANNUITY = "01", "等额本息"
    EQUAL_PRINCIPAL = "02", "等额本金"
    BULLET = "03", "一次还本付息"
    FREE = "04", "自由还款"
    OTHER = "99", "其他"


class LoanClass(models.TextChoices):
    """五级分类 (table A.14)."""

    NORMAL = "01", "正常"
    SPECIAL_MENTION = "02", "关注"
    SUBSTANDARD = "03", "次级"
    DOUBTFUL = "04", "可疑"
    LOSS = "05", "损失"


class SettlementBizType(models.TextChoices):
    """结算业务类型 of the settlement data application system (结算应用系统, docs/domain.md "Bank settlement"): the type
    a settlement instruction carries to the bank. Not the ledger's 业务类型 (BizType) of member detail rows."""

    COLLECTION = "01", "汇补缴"
    PARTIAL_WITHDRAWAL = "02", "部分提取"
    CLOSING_WITHDRAWAL = "03", "销户提取"
    LOAN_FUND = "04", "划拨委贷基金"
    LOAN_DEBIT = "05", "贷款扣款"
    LOAN_SPLIT = "06", "本息分解"
    TRANSFER_OUT = "07", "外部转出"
    BOND_PURCHASE = "08", "购买国债"
    TIME_DEPOSIT_IN = "09", "定期存入"
    TIME_DEPOSIT_OUT = "10", "定期支取"
    FEE = "13", "手续费"
    ADMIN_EXPENSE = "15", "管理费用"
    RISK_RESERVE = "16", "风险准备金"
    OTHER = "20", "其他"


class EconomicType(models.TextChoices):
    """单位经济类型 (abridged GB/T 12402 classes as used by center systems)."""

    STATE_ORGAN = "110", "国家机关"
    PUBLIC_INSTITUTION = "120", "事业单位"
    STATE_OWNED = "140", "国有企业"
    COLLECTIVE = "150", "集体企业"
    LIMITED = "160", "有限责任公司"
    JOINT_STOCK = "170", "股份有限公司"
    PRIVATE = "171", "私营企业"
    FOREIGN = "190", "外商投资企业"
    HK_MACAO_TW = "180", "港澳台投资企业"
    SOCIAL_ORG = "130", "社会团体"
    INDIVIDUAL = "200", "个体工商户"
    OTHER = "900", "其他"


class Industry(models.TextChoices):
    """所属行业: GB/T 4754 sections."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"


class GLCategory(models.TextChoices):
    """会计科目类别 (住房公积金会计核算办法)."""

    ASSET = "1", "资产类"
    LIABILITY = "2", "负债类"
    NET_ASSET = "3", "净资产类"
    PROFIT_LOSS = "4", "损益类"


class RetentionClass(models.TextChoices):
    """业务档案保管期限."""

    PERMANENT = "P", "永久"
    LONG_30Y = "30Y", "30年"
    SHORT_10Y = "10Y", "10年"
