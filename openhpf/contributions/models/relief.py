"""Relief and adjustment models: annual base adjustment, hardship (缓缴/降比例), flexible employment (灵活就业)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

__all__ = [
    "BaseAdjustment",
    "BaseAdjustmentLine",
    "FlexibleAgreement",
    "FlexibleEmployer",
    "HardshipApplication",
    "HardshipRatioSnapshot",
]


class BaseAdjustment(models.Model):
    """年度基数调整: one imported file of new bases, effective on 7/1 of a contribution year (docs/domain.md)."""

    class Mode(models.TextChoices):
        CLAMP = "clamp", "超出上下限按上下限调整"
        REJECT = "reject", "超出上下限拒绝"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    effective_date = models.DateField("生效日期")
    business_date = models.DateField("业务日期")
    mode = models.CharField(max_length=6, choices=Mode.choices)
    source_name = models.CharField("文件名", max_length=255)
    base_cap = models.BigIntegerField("基数上限（分）")
    base_floor = models.BigIntegerField("基数下限（分）")
    rows = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField("已调整账户数", default=0)
    clamped = models.PositiveIntegerField("按上下限调整数", default=0)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "年度基数调整"


class BaseAdjustmentLine(models.Model):
    """One row of a base adjustment file (bulk-loaded, validated and applied in SQL)."""

    adjustment = models.ForeignKey(BaseAdjustment, on_delete=models.CASCADE, related_name="lines", db_index=False)
    row_no = models.PositiveIntegerField()
    account_no = models.CharField("个人账号", max_length=24)
    id_number = models.CharField("证件号码", max_length=32)
    name = models.CharField("姓名", max_length=60)
    requested_base = models.BigIntegerField("申报基数（分）")
    final_base = models.BigIntegerField("调整后基数（分）", null=True)
    account_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["adjustment", "row_no"], name="baseadj_line_row")]


class HardshipApplication(models.Model):
    """缓缴 or 降低缴存比例 of an employer in hardship (条例 Art20): applied for with documents, reviewed and
    approved by the center (maker-checker), in force for a fixed term, ended automatically."""

    class Kind(models.TextChoices):
        DEFER = "defer", "缓缴"
        REDUCE = "reduce", "降低缴存比例"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准（未到期起）"
        ACTIVE = "active", "执行中"
        ENDED = "ended", "已期满"
        REJECTED = "rejected", "未批准"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    employer = models.ForeignKey("accounts.Employer", on_delete=models.PROTECT, related_name="hardship_applications")
    kind = models.CharField("类型", max_length=6, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    employer_ratio = models.DecimalField("降低后单位比例", max_digits=5, decimal_places=4, null=True, blank=True)
    member_ratio = models.DecimalField("降低后个人比例", max_digits=5, decimal_places=4, null=True, blank=True)
    # the employer's default ratios before the reduction, restored when it ends
    prev_employer_ratio = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    prev_member_ratio = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("终止日期")
    reason = models.CharField("申请理由", max_length=300)
    vote_date = models.DateField("职工代表大会（职工大会）表决日期", null=True, blank=True)
    applied_by = models.CharField("经办人", max_length=150)
    applied_on = models.DateField("申请业务日期")
    command_id = models.BigIntegerField("复核命令", null=True, blank=True)
    approved_by = models.CharField("批准人", max_length=150, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    reduction = models.ForeignKey("accounts.RatioReduction", null=True, blank=True, on_delete=models.PROTECT)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "缓缴与降比例申请"
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="hardship_term_order"),
        ]
        indexes = [models.Index(fields=["center", "status"], name="hardship_center_status")]


class HardshipRatioSnapshot(models.Model):
    """Each account's ratios before a reduction took effect, restored when the term ends."""

    application = models.ForeignKey(HardshipApplication, on_delete=models.PROTECT, related_name="snapshots")
    account_id = models.BigIntegerField()
    employer_ratio = models.DecimalField(max_digits=5, decimal_places=4)
    member_ratio = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "account_id"], name="hardship_snapshot_unique")]


class FlexibleEmployer(models.Model):
    """The center's virtual employer (灵活就业人员) that flexible-employment contributors' accounts belong to.
    Kept here, so the accounts table needs no flag: an employer is virtual when it has a row here."""

    center = models.OneToOneField("core.Center", on_delete=models.PROTECT, related_name="flexible_employer")
    employer = models.OneToOneField("accounts.Employer", on_delete=models.PROTECT, related_name="flexible_link")


class FlexibleAgreement(models.Model):
    """灵活就业人员缴存协议: the person pays both sides at `ratio` of `base`, from `start` to `end`."""

    class Status(models.TextChoices):
        ACTIVE = "active", "履行中"
        SUSPENDED = "suspended", "暂停缴存"
        ENDED = "ended", "已终止"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    agreement_no = models.CharField("协议编号", max_length=24, unique=True)
    account = models.ForeignKey("accounts.MemberAccount", on_delete=models.PROTECT, related_name="flexible_agreements")
    base = models.BigIntegerField("缴存基数（分）")
    ratio = models.DecimalField("缴存比例（单位、个人两边均由本人缴纳）", max_digits=5, decimal_places=4)
    start = models.DateField("起缴日期")
    end = models.DateField("协议终止日期", null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.ACTIVE)
    signed_by = models.CharField("经办人", max_length=150)
    signed_on = models.DateField()
    suspended_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "灵活就业缴存协议"
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=~Q(status="ended"),
                                    name="flexible_one_open_agreement"),
            models.CheckConstraint(condition=Q(base__gt=0), name="flexible_base_positive"),
        ]
