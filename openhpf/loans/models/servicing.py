"""Servicing a disbursed loan (贷后管理): what falls due, what is paid and how it is allocated, the schedule's
versions, overdue and the five-tier classification, collection cases, write-offs, the collateral's watch and
the close of business (COB) lock.

Shared shape (every servicing module writes through these, none keeps a second copy):
- `LoanDue` (应还记录): one row per installment that has fallen due (the COB's first step copies the day's
  installments set-based), with what was paid against it and the penalty paid. Open while anything is unpaid;
  `overdue_on` is the first day it was overdue (its principal then sits in 122 逾期贷款).
- `LoanPayment` (还款记录): one money movement onto a loan, from whichever source (bank debit, counter, 约定提取
  offset, forced offset, prepayment, payoff, recovery), its allocation (penalty → overdue interest → overdue
  principal → current interest → current principal → prepaid principal), the bank reference and the ledger
  entry. `reference` is unique: a payment is applied once however often it arrives.
- `LoanScheduleVersion`: each schedule a loan has had (disbursement, prepayment in either mode, repricing,
  restructuring): the terms it was computed from; the rows it replaced are archived in `superseded`.
- `LoanClassChange`: every five-tier class change, automatic (overdue days) or manual (override with a reason
  and an expiry).
- `CollectionCase` / `CollectionAction`: the overdue loan's case and its history (reminder, notice, visit,
  legal, restructuring).
- `LoanWriteOff`: a write-off through maker-checker (Dr 301 / Cr 122) and what was recovered later.
- `CollateralEvent`: the registry's status feed for the mortgaged home (mortgaged, released, seized, sold); a
  change raises a warning with a disposal workflow.
- `LoanReminder`: one reminder per loan, due date and kind (before due, overdue), so none is sent twice.
"""

from __future__ import annotations

from django.db import models

from openhpf.core.codes import LoanClass


class LoanDue(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "未结清"
        PAID = "paid", "已结清"
        WRITTEN_OFF = "written_off", "已核销"
        RESTRUCTURED = "restructured", "已重组"  # re-aged into the restructured schedule (paid_on: that day)

    id = models.BigAutoField(primary_key=True)
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.CASCADE, related_name="dues", db_index=False)
    period = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("应还日期")
    principal = models.BigIntegerField("应还本金（分）")
    interest = models.BigIntegerField("应还利息（分）")
    paid_principal = models.BigIntegerField("已还本金（分）", default=0)
    paid_interest = models.BigIntegerField("已还利息（分）", default=0)
    paid_penalty = models.BigIntegerField("已收罚息（分）", default=0)
    penalty_owed = models.BigIntegerField("已计未收罚息（分）", default=0)  # crystallised at a partial payment
    penalty_from = models.DateField("罚息起算基准日", null=True, blank=True)  # the due date, then the last payment
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.OPEN)
    overdue_on = models.DateField("逾期起始日", null=True, blank=True)
    paid_on = models.DateField("结清日期", null=True, blank=True)

    class Meta:
        verbose_name = "应还记录"
        constraints = [models.UniqueConstraint(fields=["loan", "period"], name="loan_due_period")]
        indexes = [models.Index(fields=["center", "state", "due_date"], name="loan_due_open")]

    @property
    def unpaid_principal(self) -> int:
        return self.principal - self.paid_principal

    @property
    def unpaid_interest(self) -> int:
        return self.interest - self.paid_interest


class LoanPayment(models.Model):
    class Source(models.TextChoices):
        BANK = "bank", "银行代扣"
        COUNTER = "counter", "柜台还款"
        AGREED = "agreed", "约定提取冲还"
        OFFSET = "offset", "逾期强制冲还"
        PREPAY = "prepay", "部分提前还款"
        PAYOFF = "payoff", "提前结清"
        RECOVERY = "recovery", "核销后收回"

    id = models.BigAutoField(primary_key=True)
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField("还款流水号", max_length=60, unique=True)
    source = models.CharField("还款来源", max_length=10, choices=Source.choices)
    business_date = models.DateField("业务日期")
    amount = models.BigIntegerField("还款金额（分）")
    penalty = models.BigIntegerField("罚息（分）", default=0)
    overdue_interest = models.BigIntegerField("逾期利息（分）", default=0)
    overdue_principal = models.BigIntegerField("逾期本金（分）", default=0)
    interest = models.BigIntegerField("当期利息（分）", default=0)
    principal = models.BigIntegerField("当期本金（分）", default=0)
    prepaid_principal = models.BigIntegerField("提前还本（分）", default=0)
    bank_ref = models.CharField("银行流水号", max_length=40, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "还款记录"
        indexes = [models.Index(fields=["loan", "business_date"], name="loan_payment_loan_day"),
                   models.Index(fields=["center", "business_date"], name="loan_payment_center_day")]


class LoanScheduleVersion(models.Model):
    class Reason(models.TextChoices):
        DISBURSED = "disbursed", "放款"
        PREPAY_TERM = "prepay_term", "提前还款（缩短年限）"
        PREPAY_PAYMENT = "prepay_payment", "提前还款（减少月供）"
        REPRICE = "reprice", "利率调整"
        RESTRUCTURE = "restructure", "贷款重组"
        PAYOFF = "payoff", "提前结清"

    loan = models.ForeignKey("loans.Loan", on_delete=models.CASCADE, related_name="schedule_versions")
    version = models.PositiveSmallIntegerField("版本")
    reason = models.CharField("原因", max_length=16, choices=Reason.choices)
    effective_on = models.DateField("生效日期")
    from_period = models.PositiveSmallIntegerField("起始期次")
    balance = models.BigIntegerField("起始贷款余额（分）")
    annual_rate = models.DecimalField("年利率（%）", max_digits=7, decimal_places=4)
    months = models.PositiveSmallIntegerField("剩余期数")
    payment = models.BigIntegerField("月还款额（分）", default=0)
    superseded = models.JSONField("被替代的计划行", default=list)  # [[period, due, principal, interest, balance]]
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "还款计划版本"
        constraints = [models.UniqueConstraint(fields=["loan", "version"], name="loan_schedule_version")]


class LoanClassChange(models.Model):
    loan = models.ForeignKey("loans.Loan", on_delete=models.CASCADE, related_name="class_changes")
    on = models.DateField("变更日期")
    from_class = models.CharField("原分类", max_length=2, choices=LoanClass.choices)
    to_class = models.CharField("新分类", max_length=2, choices=LoanClass.choices)
    overdue_days = models.PositiveIntegerField("逾期天数", default=0)
    manual = models.BooleanField("人工认定", default=False)
    reason = models.CharField("理由", max_length=200, blank=True)
    until = models.DateField("人工认定有效期至", null=True, blank=True)
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "五级分类变更"
        indexes = [models.Index(fields=["loan", "on"], name="loan_class_change_loan")]


class CollectionCase(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "催收中"
        RESTRUCTURING = "restructuring", "重组审批中"
        CLOSED = "closed", "已结案"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="collection_cases")
    opened_on = models.DateField("立案日期")
    state = models.CharField("状态", max_length=14, choices=State.choices, default=State.OPEN)
    assignee = models.CharField("催收人员", max_length=150, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    close_reason = models.CharField("结案原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "逾期催收案件"
        indexes = [models.Index(fields=["center", "state"], name="loan_case_center_state")]


class CollectionAction(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", "电话/短信提醒"
        NOTICE = "notice", "催收通知书"
        VISIT = "visit", "上门催收"
        LEGAL = "legal", "法律诉讼"
        RESTRUCTURE = "restructure", "贷款重组"
        NOTE = "note", "情况记录"

    case = models.ForeignKey(CollectionCase, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField("催收方式", max_length=12, choices=Kind.choices)
    on = models.DateField("日期")
    note = models.CharField("情况说明", max_length=500, blank=True)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "催收记录"


class LoanWriteOff(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待复核"
        DONE = "done", "已核销"
        REJECTED = "rejected", "已驳回"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="write_offs")
    principal = models.BigIntegerField("核销本金（分）")
    reason = models.CharField("核销理由", max_length=300)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    command_id = models.BigIntegerField("复核指令", null=True, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    done_on = models.DateField("核销日期", null=True, blank=True)
    recovered = models.BigIntegerField("已收回（分）", default=0)
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "贷款核销"


class CollateralEvent(models.Model):
    class Status(models.TextChoices):
        MORTGAGED = "mortgaged", "已抵押"
        RELEASED = "released", "已解押"
        SEIZED = "seized", "被查封"
        SOLD = "sold", "已转让"

    class Handling(models.TextChoices):
        NONE = "none", "无需处置"
        WARNING = "warning", "预警待处置"
        HANDLING = "handling", "处置中"
        CLOSED = "closed", "已处置"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="collateral_events")
    status = models.CharField("抵押物状态", max_length=10, choices=Status.choices)
    on = models.DateField("登记日期")
    source_ref = models.CharField("登记机构业务号", max_length=60)
    detail = models.CharField("说明", max_length=300, blank=True)
    handling = models.CharField("处置状态", max_length=10, choices=Handling.choices, default=Handling.NONE)
    handled_note = models.CharField("处置说明", max_length=300, blank=True)
    handled_by = models.CharField("处置人", max_length=150, blank=True)
    handled_on = models.DateField("处置日期", null=True, blank=True)
    created_by = models.CharField("经办", max_length=150)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "抵押物状态变动"
        constraints = [models.UniqueConstraint(fields=["loan", "source_ref"], name="collateral_event_once")]


class LoanReminder(models.Model):
    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "还款提醒"
        OVERDUE = "overdue", "逾期提醒"
        REPRICE = "reprice", "利率调整通知"

    id = models.BigAutoField(primary_key=True)
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.CASCADE, related_name="reminders", db_index=False)
    kind = models.CharField("提醒类别", max_length=10, choices=Kind.choices)
    due_date = models.DateField("对应应还日期")
    sent_on = models.DateField("发送日期")

    class Meta:
        verbose_name = "还款提醒"
        constraints = [models.UniqueConstraint(fields=["loan", "kind", "due_date", "sent_on"],
                                               name="loan_reminder_once")]
