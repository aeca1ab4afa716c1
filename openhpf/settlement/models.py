"""Bank settlement (结算应用系统): the center's entrusted bank accounts (专户) and the instructions, notices and
statements exchanged with the banks through the settlement gateway (docs/domain.md "Bank settlement")."""

from __future__ import annotations

from django.db import models

from openhpf.core.codes import SettlementBizType


class BankAccount(models.Model):
    """专户: an account of the center at an entrusted bank, with its own ledger sub-account of 101 (住房公积金存款)
    or 102 (增值收益存款)."""

    class Kind(models.TextChoices):
        FUND = "101", "住房公积金存款专户"
        VALUE_ADDED = "102", "增值收益存款专户"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        CLOSED = "closed", "已销户"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="bank_accounts")
    bank_code = models.CharField("银行代码", max_length=12)
    bank_name = models.CharField("开户银行", max_length=60)
    account_no = models.CharField("银行账号", max_length=40, unique=True)
    account_name = models.CharField("户名", max_length=120)
    kind = models.CharField("类别", max_length=3, choices=Kind.choices, default=Kind.FUND)
    gl_account = models.OneToOneField("ledger.GLAccount", on_delete=models.PROTECT, related_name="bank_account")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField("开户日期")
    # the first day reconciled against the bank's statement (an account brought in with history on day D is
    # reconciled from D+1: the bank's opening balance that day must equal the books at the end of D)
    reconcile_from = models.DateField("对账起始日", null=True, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "委托银行专户"
        ordering = ["center", "gl_account__code"]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_no}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class BankChannel(models.Model):
    """Where the gateway reaches a bank (the settlement system's front end): one per bank code and center."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    bank_code = models.CharField("银行代码", max_length=12)
    url = models.CharField("接口地址", max_length=200)
    timeout_seconds = models.PositiveSmallIntegerField("超时（秒）", default=10)
    notice_cursor = models.BigIntegerField("通知拉取游标", default=0)
    notify_token_hash = models.CharField("推送令牌（SM3）", max_length=64, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "银行接口"
        constraints = [models.UniqueConstraint(fields=["center", "bank_code"], name="bank_channel_unique")]


class Instruction(models.Model):
    """结算指令: one message to a bank that moves money, with a unique sequence number (流水号).

    created → sent → succeeded / failed / unknown (no answer) → resolved by a result query (BDC110), never by
    sending again. A payment started directly at or above the maker-checker threshold, or to a payee not in the
    registry, starts held: only a checker's approval of its release command makes it created (and sends it); a
    rejected release cancels it (its reservation released, nothing sent). A bank outage (nothing done) leaves it created with a retry time; it is sent again with the
    same sequence number. Payments reserve their amount when sent: a single payment holds it on the paying bank
    account (and on the member's sub-account when it pays from one); a batch moves it into in-transit clearing
    (21903). The bank's confirmation posts; a failure releases the reservation."""

    class State(models.TextChoices):
        HELD = "held", "待复核放行"
        CREATED = "created", "已创建"
        SENT = "sent", "已发送"
        PROCESSING = "processing", "银行处理中"
        UNKNOWN = "unknown", "结果未知"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "未获放行已作废"

    class Direction(models.TextChoices):
        OUT = "out", "付款"
        IN = "in", "收款"

    # the state machine's sets: not yet final, and the final states (reservation released or posted)
    OPEN_STATES = (State.HELD, State.CREATED, State.SENT, State.PROCESSING, State.UNKNOWN)
    FINAL_STATES = (State.SUCCEEDED, State.FAILED, State.CANCELLED)
    # sent and not answered for good: a result query (BDC110) resolves it, never a second send
    QUERY_STATES = (State.SENT, State.PROCESSING, State.UNKNOWN)

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    seq = models.CharField("流水号", max_length=32, unique=True)
    code = models.CharField("报文", max_length=8)
    biz_type = models.CharField("结算业务类型", max_length=2, choices=SettlementBizType.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="instructions")
    amount = models.BigIntegerField("金额（分）")
    count = models.PositiveIntegerField("笔数", default=1)
    counter_account = models.CharField("对方账号", max_length=40, blank=True)
    counter_name = models.CharField("对方户名", max_length=120, blank=True)
    summary = models.CharField("摘要", max_length=120, blank=True)
    book_account = models.CharField("对方科目", max_length=12)
    sub_account_id = models.BigIntegerField("个人账户", null=True, blank=True)
    body = models.JSONField("报文体", default=dict, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CREATED)
    result = models.CharField("银行返回码", max_length=8, blank=True)
    message = models.CharField("银行返回信息", max_length=200, blank=True)
    bank_seq = models.CharField("银行流水号", max_length=40, blank=True)
    resolved_by = models.CharField("结果来源", max_length=16, blank=True)  # answer | BDC110 | BDC107 | notice
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    reserved = models.BigIntegerField("预留金额", default=0)
    succeeded_amount = models.BigIntegerField(default=0)
    failed_amount = models.BigIntegerField(default=0)
    source = models.CharField("来源业务", max_length=60, blank=True)
    # the approvals command that releases a held instruction (its maker is the instruction's maker)
    release_command = models.BigIntegerField("放行复核命令", null=True, blank=True)
    # the source's own reference, unique per (center, source) when set: a deposit's id, an API caller's
    # Idempotency-Key; after a definitive failure the next attempt takes `<ref>#2`, `<ref>#3`…
    source_ref = models.CharField("来源业务编号", max_length=128, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    # a batch loan debit (BDC104, biz type 05) whose items' interest the bank moves to this 增值收益 专户 (BDC106)
    split_account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField("业务日期")
    settled_date = models.DateField("结算日期", null=True, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "结算指令"
        indexes = [models.Index(fields=["center", "state"], name="instr_center_state")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instr_amount_pos"),
            models.UniqueConstraint(fields=["center", "source", "source_ref"], condition=~models.Q(source_ref=""),
                                    name="instr_source_ref_unique"),
        ]

    @property
    def is_batch(self) -> bool:
        return self.code in ("BDC103", "BDC104")

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    @property
    def can_resend(self) -> bool:
        """Only a created instruction goes (again) to the bank: never sent, or the bank was not reached."""
        return self.state == self.State.CREATED

    @property
    def can_query(self) -> bool:
        """Sent without a final answer: the next step is a result query, not a second send."""
        return self.state in self.QUERY_STATES


class InstructionItem(models.Model):
    """One item of a batch instruction (BDC103/104)."""

    instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="items")
    item = models.PositiveIntegerField()
    counter_account = models.CharField(max_length=40)
    counter_name = models.CharField(max_length=120)
    amount = models.BigIntegerField()
    sub_account_id = models.BigIntegerField(null=True, blank=True)
    taken_carried = models.BigIntegerField("其中上年结转", default=0)  # returned the same way when the item fails
    split_interest = models.BigIntegerField("其中利息（本息分解）", default=0, db_default=0)  # BDC106: moved to the 102 专户
    state = models.CharField(max_length=20, choices=Instruction.State.choices, default=Instruction.State.CREATED)
    result = models.CharField(max_length=8, blank=True)
    message = models.CharField(max_length=200, blank=True)
    bank_seq = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["instruction", "item"], name="instr_item_unique")]


class Notice(models.Model):
    """账户变动通知 (SBDC100) received from a bank, pushed or pulled; credited once however often it arrives."""

    class Status(models.TextChoices):
        RECEIVED = "received", "已接收"
        RECEIPT = "receipt", "已登记到账"
        INSTRUCTION = "instruction", "本中心指令"
        INTEREST = "interest", "已记利息收入"
        QUEUE = "queued", "待财务处理"
        DONE = "done", "已处理"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    notice_id = models.CharField(max_length=40)
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="notices")
    date = models.DateField("记账日期")
    bank_seq = models.CharField("银行流水号", max_length=40)
    direction = models.CharField(max_length=3)
    amount = models.BigIntegerField()
    balance = models.BigIntegerField(null=True, blank=True)
    counter_account = models.CharField(max_length=40, blank=True)
    counter_name = models.CharField(max_length=120, blank=True)
    summary = models.CharField(max_length=120, blank=True)
    ref = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    receipt = models.ForeignKey("contributions.Receipt", null=True, blank=True, on_delete=models.PROTECT)
    instruction = models.ForeignKey(Instruction, null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField("处理说明", max_length=200, blank=True)
    deliveries = models.PositiveIntegerField("收到次数", default=1)
    business_date = models.DateField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "账户变动通知"
        constraints = [models.UniqueConstraint(fields=["center", "notice_id"], name="notice_unique")]

    @property
    def awaits_finance(self) -> bool:
        """Queued for finance to handle by hand (a credit the gateway could not place)."""
        return self.status == self.Status.QUEUE


class SeqCounter(models.Model):
    """The gateway's sequence numbers per center and business date."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    day = models.DateField()
    last = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["center", "day"], name="seq_counter_unique")]


class Deposit(models.Model):
    """定期 / 通知存款 of surplus funds at an entrusted bank (BDC114–121), booked under 101 in a sub-account of
    its own per bank and kind; interest is income (40101) when the bank pays it."""

    class Kind(models.TextChoices):
        TIME = "time", "定期存款"
        NOTICE = "notice", "通知存款"

    class Status(models.TextChoices):
        PENDING = "pending", "存入中"
        OPEN = "open", "存续"
        CLOSED = "closed", "已支取"
        FAILED = "failed", "存入失败"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="deposits")
    gl_account = models.ForeignKey("ledger.GLAccount", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    deposit_no = models.CharField("存单号", max_length=40, blank=True)
    principal = models.BigIntegerField("本金余额（分）")
    original_principal = models.BigIntegerField("存入本金（分）")
    rate = models.CharField("年利率（%）", max_length=12)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField("存入日")
    maturity_date = models.DateField("到期日", null=True, blank=True)
    notice_amount = models.BigIntegerField(null=True, blank=True)
    notice_date = models.DateField(null=True, blank=True)
    interest_received = models.BigIntegerField("已收利息（分）", default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    open_instruction = models.ForeignKey(Instruction, on_delete=models.PROTECT, related_name="+")
    created_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = "定期与通知存款"


class Payee(models.Model):
    """收款人登记: an outside account the center may pay without a checker for each payment (below the
    maker-checker threshold). Added under maker-checker (command settlement.payee_add); the center's own 专户 are
    payees without an entry here. Withdrawals and loans register members' cards, sellers and developers through
    services.payee_register when their own approved application records the payee."""

    class Kind(models.TextChoices):
        OWN = "own", "本中心账户"
        COUNTERPARTY = "counterparty", "往来单位"
        MEMBER_CARD = "member_card", "职工银行卡"
        SELLER = "seller", "售房人"
        DEVELOPER = "developer", "开发企业"
        HEIR = "heir", "继承人账户"  # a 继承人's or 受遗赠人's account of a death withdrawal (08)

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    account_no = models.CharField("收款账号", max_length=40)
    account_name = models.CharField("户名", max_length=120)
    bank_name = models.CharField("开户银行", max_length=60, blank=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    active = models.BooleanField(default=True)
    source = models.CharField("来源", max_length=60, blank=True)  # command#id, or the registering application
    created_by = models.CharField("经办人", max_length=150)
    approved_by = models.CharField("复核人", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "登记收款人"
        constraints = [models.UniqueConstraint(fields=["center", "account_no"], name="payee_unique")]
