"""Remittance models: 汇缴清册, receipts (银行到账), suspense (暂存/暂收) and allocations, 补缴, 预缴, 退缴."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from openhpf.core.codes import BizType

__all__ = ["Receipt", "Remittance", "RemittanceImport", "RemittanceLine", "SuspenseMove"]


class RemittanceImport(models.Model):
    """One roster file (缴存清册文件) of one or many employers for one month, validated as a whole."""

    class Status(models.TextChoices):
        VALIDATING = "validating", "校验中"
        REJECTED = "rejected", "校验未通过"
        ACCEPTED = "accepted", "已生成汇缴单"
        PREVIEWED = "previewed", "已校验待确认"  # a console preview: validated, nothing created
        FAILED = "failed", "失败"  # its job was cancelled (found dead, or abandoned): nothing was created

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    employer = models.ForeignKey("accounts.Employer", null=True, blank=True, on_delete=models.PROTECT)
    month = models.CharField("缴存年月", max_length=6)
    file_name = models.CharField("文件名", max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VALIDATING)
    exclude_rejected = models.BooleanField("剔除错误行", default=False)
    rows = models.PositiveIntegerField(default=0)
    accepted_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField("错误数", default=0)
    error_file = models.CharField("错误文件", max_length=500, blank=True)
    remittances = models.PositiveIntegerField("汇缴单数", default=0)
    total = models.BigIntegerField("合计金额（分）", default=0)
    job_id = models.BigIntegerField(null=True, blank=True)
    business_date = models.DateField("业务日期")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "缴存清册导入"


class Receipt(models.Model):
    """银行到账: money that arrived in an entrusted bank account, unique by the bank's reference (idempotent).

    Status: matched to a confirmed remittance and waiting to post (matched), posted to member accounts (posted),
    held in the employer's 暂存 (employer_suspense: GL 21901, employer.suspense_balance), or held as 暂收 with the
    payer unknown (unknown_suspense: GL 21902) until assigned to an employer.

    A receipt typed in by hand (手工登记到账: API, `hpf remit receipt`) is unconfirmed: it may be matched to a
    remittance, but nothing is booked (no member account, no 专户 balance) until a bank line with its reference
    arrives or a checker approves its confirmation (contributions.receipt_confirm); a rejected one books nothing."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "手工登记待确认"
        REJECTED = "rejected", "手工登记已驳回"
        MATCHED = "matched", "已匹配待入账"
        POSTED = "posted", "已入账"
        EMPLOYER_SUSPENSE = "employer_suspense", "单位暂存"
        UNKNOWN_SUSPENSE = "unknown_suspense", "暂收（付款人未明）"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    bank_ref = models.CharField("银行流水号", max_length=60)
    amount = models.BigIntegerField("金额（分）")
    value_date = models.DateField("到账日（起息日）")
    payer_account = models.CharField("付款账号", max_length=40, blank=True)
    payer_name = models.CharField("付款人名称", max_length=120, blank=True)
    bank_account = models.CharField("收款科目", max_length=12, default="10101")
    employer = models.ForeignKey("accounts.Employer", null=True, blank=True, on_delete=models.PROTECT)
    source_import = models.ForeignKey(RemittanceImport, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=20, choices=Status.choices)
    manual = models.BooleanField("手工登记", default=False)
    confirmed_by = models.CharField("确认方式", max_length=150, blank=True)  # bank:<ref> | the checker
    business_date = models.DateField("业务日期")
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "银行到账"
        constraints = [
            models.UniqueConstraint(fields=["center", "bank_ref"], name="receipt_bank_ref_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
        ]


class RemittanceStatus(models.TextChoices):
    """Remittance.Status (module level so that the model's constraints can name its members)."""

    DRAFT = "draft", "编辑中"
    CONFIRMED = "confirmed", "已确认待到账"
    POSTED = "posted", "已入账"
    REFUNDED = "refunded", "已退缴"
    CANCELLED = "cancelled", "已作废"


# the statuses of a live remittance: one per employer and month (refunded and cancelled ones leave room)
LIVE_STATUSES = (RemittanceStatus.DRAFT, RemittanceStatus.CONFIRMED, RemittanceStatus.POSTED)


class Remittance(models.Model):
    """汇缴单 / 补缴单 of one employer for one month: its roster lines (清册) and their totals.

    Draft while the clerk edits the roster, confirmed awaiting money, posted, refunded (退缴) or cancelled. One live 汇缴 per employer and month;
    a flexible contributor's remittance (`person`) is one per person and month under the virtual employer."""

    Status = RemittanceStatus

    class BackKind(models.TextChoices):
        NONE = "", "—"
        FULL = "full", "全额补缴"
        DIFFERENCE = "difference", "差额补缴"
        AD_HOC = "adhoc", "个别补缴"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    employer = models.ForeignKey("accounts.Employer", on_delete=models.PROTECT, related_name="remittances")
    month = models.CharField("缴存年月", max_length=6)
    biz_type = models.CharField("业务类型", max_length=2, default=BizType.REMITTANCE)  # 01 汇缴 / 02 补缴
    back_kind = models.CharField("补缴类型", max_length=10, choices=BackKind.choices, blank=True, default="")
    reason = models.CharField("补缴/退缴原因", max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    lines = models.PositiveIntegerField("人数", default=0)
    employer_total = models.BigIntegerField("单位部分（分）", default=0)
    member_total = models.BigIntegerField("个人部分（分）", default=0)
    total = models.BigIntegerField("合计（分）", default=0)
    source_import = models.ForeignKey(RemittanceImport, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="remittance_set")
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="remittances")
    # a flexible contributor's own remittance (灵活就业, billed and matched per person): its one account
    person = models.ForeignKey("accounts.MemberAccount", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="灵活就业缴存人")
    batch_key = models.CharField("记账批次", max_length=60, blank=True)
    value_date = models.DateField("起息日", null=True, blank=True)
    business_date = models.DateField("业务日期")
    created_by = models.CharField(max_length=150)
    confirmed_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "汇缴单"
        constraints = [
            models.UniqueConstraint(fields=["employer", "month"],
                                    condition=Q(biz_type=BizType.REMITTANCE, status__in=LIVE_STATUSES,
                                                person__isnull=True),
                                    name="remittance_one_live_per_month"),
            models.UniqueConstraint(fields=["person", "month"],
                                    condition=Q(biz_type=BizType.REMITTANCE, status__in=LIVE_STATUSES,
                                                person__isnull=False),
                                    name="remittance_one_live_per_person_month"),
            models.CheckConstraint(condition=Q(total__gte=0), name="remittance_total_nonneg"),
        ]
        indexes = [models.Index(fields=["center", "status"]), models.Index(fields=["employer", "month"])]

    @property
    def is_editable(self) -> bool:
        """The roster may still be edited (and confirmed or cancelled): a draft."""
        return self.status == self.Status.DRAFT

    @property
    def is_back_payment(self) -> bool:
        """补缴单 (else 汇缴单)."""
        return self.biz_type == BizType.BACK_PAYMENT


class RemittanceLine(models.Model):
    """One member of a remittance: base, ratios (in units of 0.01%) and the two monthly parts in fen."""

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="line_set", db_index=False)
    seq = models.PositiveIntegerField()
    # no database FK: a million-line file is inserted set-based after the accounts were validated in SQL
    account = models.ForeignKey("accounts.MemberAccount", on_delete=models.PROTECT, db_constraint=False,
                                db_index=False)
    base = models.BigIntegerField("缴存基数（分）")
    employer_ratio_e4 = models.PositiveIntegerField("单位比例（万分之）")
    member_ratio_e4 = models.PositiveIntegerField("个人比例（万分之）")
    employer_amount = models.BigIntegerField("单位月缴额（分）")
    member_amount = models.BigIntegerField("个人月缴额（分）")

    class Meta:
        verbose_name = "汇缴清册明细"
        constraints = [
            models.UniqueConstraint(fields=["remittance", "seq"], name="remittance_line_seq_unique"),
            models.CheckConstraint(condition=Q(employer_amount__gte=0, member_amount__gte=0),
                                   name="remittance_line_nonneg"),
        ]


class SuspenseMove(models.Model):
    """A movement of suspense money with its voucher: into 暂存/暂收, 暂收 assigned to an employer, 暂存
    allocated to a remittance, a refund back into 暂存. Σ per employer = employer.suspense_balance."""

    class Kind(models.TextChoices):
        IN = "in", "到账转入单位暂存"
        UNKNOWN_IN = "unknown_in", "到账转入暂收"
        ASSIGN = "assign", "暂收认领到单位"
        ALLOCATE = "allocate", "暂存分配入账"
        REFUND_IN = "refund_in", "退缴转回单位暂存"
        PAY_OUT = "pay_out", "暂存退回单位"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    employer = models.ForeignKey("accounts.Employer", null=True, blank=True, on_delete=models.PROTECT)
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT)
    remittance = models.ForeignKey(Remittance, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.BigIntegerField("金额（分）")
    entry = models.ForeignKey("ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT)
    business_date = models.DateField()
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "暂存款变动"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="suspense_move_positive")]
