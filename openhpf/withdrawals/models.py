"""提取's data: members' bank cards (结算卡), the withdrawal reasons as effective-dated configuration, and each
withdrawal's payout (the hold placed on approval, the bank instruction, the interest credited for a closing one).

- `BankCard`: one row per card a member registered; a change adds a new row (待核验) and the verified one it
  replaces stays as history (已更换). The number is SM4-GCM encrypted with an HMAC-SM3 blind index, like ID
  numbers; only its last four digits are kept in clear, for masked display.
- `ReasonConfig`: one version of a reason's configuration (who may apply, allowed account statuses, whether it
  closes the account, frequency limit, amount rule; the rent cap itself is the policy value
  `withdrawal.rent.monthly_cap`), in force from `effective_from`,
  made only through maker-checker (`withdrawals.reason_change`).
- `Payout`: the money side of one approved withdrawal application, one row per paying account (a joint
  application of a member and the spouse pays from both accounts: two rows).
- `PropertyUse`: what one payout of a housing withdrawal (01 购买, 02 建造/翻建/大修) takes against a property,
  keyed by the 网签备案合同号 and, once issued, the 不动产权证号, so the property's earlier withdrawals are found by
  either key whoever made them.
- `HeirShare`: one 继承人 or 受遗赠人 of a death withdrawal (08): the share (a fraction), the amount allocated in fen,
  the bank account it is paid to (SM4-encrypted), and its own payment (closing.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from openhpf.approvals.models import CheckedVersion
from openhpf.security.fields import BlindIndexField, EncryptedFieldsMixin, EncryptedTextField


class BankCard(EncryptedFieldsMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待核验"
        VERIFIED = "verified", "已核验"
        REPLACED = "replaced", "已更换"
        REJECTED = "rejected", "核验不通过"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="bank_cards")
    card_no = EncryptedTextField("银行卡号", purpose="bank_card", blind_index="card_no_bidx", normalize="bank_card")
    card_no_bidx = BlindIndexField("银行卡号盲索引", source="card_no", db_index=True)
    last4 = models.CharField("卡号后四位", max_length=4)
    bank_code = models.CharField("开户银行代码", max_length=12)
    bank_name = models.CharField("开户银行", max_length=60)
    holder_name = models.CharField("持卡人姓名", max_length=60)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("登记或变更原因", max_length=200, blank=True)
    created_by = models.CharField("登记人", max_length=150)
    created_on = models.DateField("登记日期")
    verified_by = models.CharField("核验人", max_length=150, blank=True)
    verified_on = models.DateField("核验日期", null=True, blank=True)
    replaced_on = models.DateField("更换日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "职工结算银行卡"
        ordering = ["member_id", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="verified"), name="wd_one_verified_card"),
            models.UniqueConstraint(fields=["member"], condition=Q(status="pending"), name="wd_one_pending_card"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} ****{self.last4}"

    @property
    def masked(self) -> str:
        return f"**** **** **** {self.last4}"


class ReasonConfig(CheckedVersion):
    class AmountRule(models.TextChoices):
        BALANCE = "balance", "不超过可用余额"
        CLOSING = "closing", "全部余额及利息（销户）"
        RENT_CAP = "rent_cap", "不超过当地租房提取限额 × 月数"
        PRICE = "price", "不超过房价减贷款减已提取"
        INSTALLMENTS = "installments", "不超过当年还款额或剩余本金"
        MEDICAL = "medical", "不超过个人负担的医疗费用"
        CAP = "cap", "不超过本地规定的每次提取限额"

    item_code = models.CharField("事项编码", max_length=40)
    reason_code = models.CharField("提取原因代码", max_length=4)
    name = models.CharField("提取原因", max_length=60)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    applicants = models.JSONField("可申请人", default=list)  # member, spouse, heir, legatee, agent
    statuses = models.JSONField("允许的账户状态", default=list)
    closes_account = models.BooleanField("销户提取", default=False)
    frequency_months = models.PositiveSmallIntegerField("两次提取最短间隔（月，0 不限）", default=0)
    amount_rule = models.CharField("金额规则", max_length=20, choices=AmountRule.choices)
    local = models.BooleanField("本地提取原因", default=False)

    class Meta:
        verbose_name = "提取原因配置"
        ordering = ["item_code", "version"]
        constraints = [models.UniqueConstraint(fields=["item_code", "version"], name="wd_reason_item_version")]

    def __str__(self) -> str:
        return f"{self.reason_code} {self.name} 第 {self.version} 版"


class Payout(models.Model):
    class State(models.TextChoices):
        HELD = "held", "已预留"
        SENT = "sent", "已发送银行"
        PAID = "paid", "已支付"
        FAILED = "failed", "支付失败"
        RELEASED = "released", "已释放"

    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="payouts")
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("accounts.MemberAccount", on_delete=models.PROTECT, related_name="+")
    card = models.ForeignKey(BankCard, on_delete=models.PROTECT, related_name="payouts", null=True, blank=True)
    closes_account = models.BooleanField("销户提取", default=False)
    held = models.BigIntegerField("已预留金额（分）", default=0)
    amount = models.BigIntegerField("支付金额（分）", default=0)
    interest = models.BigIntegerField("结息金额（分）", default=0)
    interest_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    instruction_seq = models.CharField("结算指令流水号", max_length=40, blank=True)
    bank_seq = models.CharField("银行流水号", max_length=40, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.HELD)
    message = models.CharField("说明", max_length=200, blank=True)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "提取支付"
        indexes = [models.Index(fields=["center", "state"], name="wd_payout_state")]
        constraints = [models.UniqueConstraint(fields=["application", "account"], name="wd_payout_app_account")]


class PropertyUse(models.Model):
    """One payout of a housing withdrawal recorded against the property it was for. It counts against the
    property's limit (price − loans, or the declared cost) for as long as its payout is not released (作废 /
    终止 of the application); when a later application names both keys, the earlier rows of the contract get the
    certificate number too, so a later withdrawal by certificate alone still finds them."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    payout = models.OneToOneField(Payout, on_delete=models.PROTECT, related_name="property_use")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField("事项编码", max_length=40)
    contract_no = models.CharField("网签备案合同号", max_length=60, blank=True, db_index=True)
    certificate_no = models.CharField("不动产权证号", max_length=60, blank=True, db_index=True)
    amount = models.BigIntegerField("提取金额（分）")
    recorded_on = models.DateField("登记日期")

    class Meta:
        verbose_name = "房产提取登记"
        ordering = ["id"]


class LimitKey(models.Model):
    """One row per property key (网签备案合同号, 不动产权证号) and per repaid loan contract, locked by an approval while
    it checks that property's or loan's limit: two approvals for one property by people who share no account
    (and so no account lock) still check one after the other."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    key = models.CharField("额度键", max_length=80)

    class Meta:
        verbose_name = "提取额度锁"
        constraints = [models.UniqueConstraint(fields=["center", "key"], name="wd_limit_key_unique")]


class HeirShare(EncryptedFieldsMixin, models.Model):
    """One payee of a death withdrawal (08 死亡): a 继承人 or 受遗赠人 with a share of the balance plus interest to
    date, paid by a payment of its own (BDC101) to the account recorded on the application."""

    class Role(models.TextChoices):
        HEIR = "heir", "继承人"
        LEGATEE = "legatee", "受遗赠人"

    class State(models.TextChoices):
        SENT = "sent", "已发送银行"
        PAID = "paid", "已支付"
        FAILED = "failed", "支付失败"

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="shares")
    seq = models.PositiveSmallIntegerField("序号")
    role = models.CharField("身份", max_length=10, choices=Role.choices)
    name = models.CharField("姓名", max_length=60)
    id_number = EncryptedTextField("证件号码", purpose="id_number", normalize="id_number")
    account_no = EncryptedTextField("收款账号", purpose="bank_card", normalize="bank_card")
    last4 = models.CharField("账号后四位", max_length=4)
    bank_name = models.CharField("开户银行", max_length=60)
    share_num = models.PositiveIntegerField("份额分子")
    share_den = models.PositiveIntegerField("份额分母")
    amount = models.BigIntegerField("分配金额（分）")
    instruction_seq = models.CharField("结算指令流水号", max_length=40, blank=True)
    bank_seq = models.CharField("银行流水号", max_length=40, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SENT)
    paid_on = models.DateField("支付日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "死亡提取继承份额"
        ordering = ["payout_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["payout", "seq"], name="wd_heir_share_seq")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.seq}（{self.share_num}/{self.share_den}）"

    @property
    def masked(self) -> str:
        return f"**** {self.last4}"


class CourtDeduction(models.Model):
    """司法扣划: money a court orders taken from a member's frozen account (协助执行通知书), paid to the court's
    account. Not an application: a staff service under maker-checker (command `withdrawals.court_deduction`).

    The maker enters the notice (待复核); a different checker approves it: the deducted amount leaves the freeze and
    is held on the sub-account for the court (待付款); a finance clerk pays it by BDC101 (已发送银行); the bank's
    answer posts Dr 201 / Cr 专户 (已扣划) or, refused, holds the amount again for another attempt (支付失败)."""

    class State(models.TextChoices):
        PENDING = "pending", "待复核"
        APPROVED = "approved", "待付款"
        SENT = "sent", "已发送银行"
        PAID = "paid", "已扣划"
        FAILED = "failed", "支付失败"
        REJECTED = "rejected", "已驳回"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("accounts.MemberAccount", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("扣划编号", max_length=24, unique=True)
    document_no = models.CharField("协助执行通知书文号", max_length=60)
    court = models.CharField("执行法院", max_length=60)
    amount = models.BigIntegerField("扣划金额（分）")
    payee_account = models.CharField("法院收款账号", max_length=40)
    payee_name = models.CharField("法院收款户名", max_length=120)
    payee_bank = models.CharField("法院开户银行", max_length=60, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    command_id = models.BigIntegerField("复核命令", null=True, blank=True)
    frozen_before = models.BigIntegerField("扣划前冻结金额（分）", default=0)
    frozen_after = models.BigIntegerField("扣划后冻结金额（分）", default=0)
    held = models.BigIntegerField("已预留金额（分）", default=0)
    instruction_seq = models.CharField("结算指令流水号", max_length=40, blank=True)
    bank_seq = models.CharField("银行流水号", max_length=40, blank=True)
    made_by = models.CharField("经办人", max_length=150)
    approved_by = models.CharField("复核人", max_length=150, blank=True)
    made_on = models.DateField("登记日期")
    paid_on = models.DateField("扣划日期", null=True, blank=True)
    message = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "司法扣划"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["center", "document_no"], condition=~Q(state="rejected"),
                                    name="wd_court_document_once"),
        ]

    def __str__(self) -> str:
        return f"司法扣划 {self.number}"


class Agreement(EncryptedFieldsMixin, models.Model):
    """约定提取 / 逐月代扣: a member's standing agreement to offset a housing loan's installment from the account
    every month. For an HPF loan the money never leaves the center (the loans app applies it to the
    installment through `agreed.register_hpf_offset`); for a commercial loan it goes to the borrower's repayment
    account at the lending bank (SM4-GCM encrypted with a blind index, like a card; entered in the payee registry
    when the agreement is signed). Signed and stopped under maker-checker."""

    class LoanKind(models.TextChoices):
        HPF = "hpf", "住房公积金贷款"
        COMMERCIAL = "commercial", "商业性住房贷款"

    class AmountRule(models.TextChoices):
        INSTALLMENT = "installment", "按月还款额"
        FIXED = "fixed", "固定金额（不超过月还款额）"

    class Status(models.TextChoices):
        PENDING = "pending", "待复核"
        ACTIVE = "active", "生效"
        STOPPING = "stopping", "终止待复核"
        STOPPED = "stopped", "已终止"
        REJECTED = "rejected", "复核未通过"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, related_name="agreements")
    account = models.ForeignKey("accounts.MemberAccount", on_delete=models.PROTECT, related_name="+")
    spouse = models.ForeignKey("accounts.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    loan_kind = models.CharField("贷款类型", max_length=12, choices=LoanKind.choices)
    contract_no = models.CharField("借款合同号", max_length=60)
    bank_code = models.CharField("贷款银行代码", max_length=12, blank=True)
    bank_name = models.CharField("贷款银行", max_length=60, blank=True)
    repay_account = EncryptedTextField("还款账号", purpose="bank_card", blind_index="repay_account_bidx",
                                       normalize="bank_card", blank=True)
    repay_account_bidx = BlindIndexField("还款账号盲索引", source="repay_account", db_index=True, blank=True)
    repay_last4 = models.CharField("还款账号后四位", max_length=4, blank=True)
    repay_name = models.CharField("还款账户户名", max_length=60, blank=True)
    installment = models.BigIntegerField("月还款额（分）", default=0)
    amount_rule = models.CharField("约定金额规则", max_length=12, choices=AmountRule.choices)
    fixed_amount = models.BigIntegerField("约定固定金额（分）", default=0)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("终止月份", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    made_by = models.CharField("经办人", max_length=150)
    checked_by = models.CharField("复核人", max_length=150, blank=True)
    command_id = models.BigIntegerField("复核命令", null=True, blank=True)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    stopped_on = models.DateField("终止日期", null=True, blank=True)
    stop_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "约定提取协议"
        indexes = [models.Index(fields=["center", "status"], name="wd_agreement_status")]

    def __str__(self) -> str:
        return f"约定提取 {self.contract_no}"

    @property
    def masked_account(self) -> str:
        return f"**** **** **** {self.repay_last4}" if self.repay_last4 else ""

    @property
    def monthly_amount(self) -> int:
        return self.fixed_amount if self.amount_rule == self.AmountRule.FIXED else self.installment


class AgreedRun(models.Model):
    """One day's 约定提取 run of a center (a day-end step): the agreements due that month not yet paid, held,
    then paid in ONE bank batch (BDC103) that a checker releases (four eyes)."""

    class Status(models.TextChoices):
        HELD = "held", "已预留"
        SUBMITTED = "submitted", "已提交批量"
        DONE = "done", "已完成"
        EMPTY = "empty", "无应付"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("所属月份")
    business_date = models.DateField("业务日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.HELD)
    instruction_seq = models.CharField("批量指令流水号", max_length=40, blank=True)
    count = models.PositiveIntegerField("应付笔数", default=0)
    total = models.BigIntegerField("应付金额（分）", default=0)
    skipped = models.PositiveIntegerField("跳过笔数", default=0)
    paid = models.PositiveIntegerField("成功笔数", default=0)
    failed = models.PositiveIntegerField("失败笔数", default=0)
    report = models.JSONField("运行报告", default=dict)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "约定提取批次"
        constraints = [models.UniqueConstraint(fields=["center", "business_date"], name="wd_agreed_run_day")]


class AgreedItem(models.Model):
    """One agreement's payment of one month (unique per agreement and month: a rerun never pays it twice)."""

    class State(models.TextChoices):
        HELD = "held", "已预留"
        SKIPPED = "skipped", "跳过"
        SUBMITTED = "submitted", "已提交"
        PAID = "paid", "已支付"
        FAILED = "failed", "支付失败"
        RETURNED = "returned", "已退汇"
        OFFSET = "offset", "已冲还公积金贷款"

    run = models.ForeignKey(AgreedRun, on_delete=models.PROTECT, related_name="items")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="items")
    month = models.DateField("所属月份")
    sub_account_id = models.BigIntegerField("个人分户账")
    amount = models.BigIntegerField("金额（分）", default=0)
    taken_carried = models.BigIntegerField("其中上年结转（分）", default=0)
    item_no = models.PositiveIntegerField("批量明细序号", default=0)
    state = models.CharField("状态", max_length=10, choices=State.choices)
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "约定提取明细"
        constraints = [models.UniqueConstraint(fields=["agreement", "month"], name="wd_agreed_item_month")]
        indexes = [models.Index(fields=["run", "state"], name="wd_agreed_item_state")]
