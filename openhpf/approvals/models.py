"""Maker-checker (复核): a change waiting for approval is a stored command, not a half-applied write."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openhpf.core.models import Center


class CheckedVersion(models.Model):
    """A version of something changed only through maker-checker (a service item, a center's 实施清单, a rule set,
    a withdrawal reason): why it was made, by whom, who approved it, under which command."""

    reason = models.CharField("变更原因", max_length=200, blank=True)
    made_by = models.CharField("经办人", max_length=150)
    approved_by = models.CharField("复核人", max_length=150, blank=True)
    command_id = models.BigIntegerField("复核命令", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        abstract = True


class PendingCommand(models.Model):
    """One command submitted by a maker (经办) and decided by a different checker (复核).

    The command's parameters are stored as JSON; approval runs the registered apply function once, in the
    approving transaction, and stores its result here."""

    class Status(models.TextChoices):
        PENDING = "pending", "待复核"
        APPROVED = "approved", "已批准"  # transient: approved, being applied in the same transaction
        REJECTED = "rejected", "已驳回"
        APPLIED = "applied", "已执行"
        FAILED = "failed", "执行失败"

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="pending_commands")
    name = models.CharField("命令", max_length=80)
    params = models.JSONField("参数", default=dict)
    summary = models.CharField("摘要", max_length=300)
    amount = models.BigIntegerField("金额（分）", null=True, blank=True)
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commands_made",
                              verbose_name="经办人")
    made_at = models.DateTimeField("提交时间")
    business_date = models.DateField("提交业务日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="commands_checked", verbose_name="复核人")
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    reason = models.CharField("复核意见", max_length=300, blank=True)
    result = models.JSONField("执行结果", null=True, blank=True)
    apply_error = models.CharField("执行错误", max_length=500, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=120, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "待复核命令"
        indexes = [models.Index(fields=["center", "status", "made_at"], name="approvals_center_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(checker__isnull=True) | ~models.Q(checker=models.F("maker")),
                name="approvals_checker_not_maker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk} ({self.get_status_display()})"
