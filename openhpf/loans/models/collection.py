"""银行代扣 (the COB's collection step): one row per loan and business date that the batch debit of borrowers'
cards took up, with the allocation computed at submit (principal; interest and penalty, which BDC106 moves to
the 102 专户 when the center's policy says the bank splits), the batch's seq and item, and how it ended."""

from __future__ import annotations

from django.db import models


class LoanCollection(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", "已提交银行"
        PAID = "paid", "扣款成功"
        FAILED = "failed", "扣款失败"
        SKIPPED = "skipped", "未扣款"

    id = models.BigAutoField(primary_key=True)
    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="collections", db_index=False)
    business_date = models.DateField("扣款业务日期")
    amount = models.BigIntegerField("扣款金额（分）", default=0)
    principal = models.BigIntegerField("其中本金（分）", default=0)
    interest = models.BigIntegerField("其中利息及罚息（分）", default=0)
    instruction_seq = models.CharField("批量扣款流水号", max_length=32, blank=True)
    item = models.PositiveIntegerField("明细号", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SUBMITTED)
    reason = models.CharField("说明", max_length=200, blank=True)
    payment = models.ForeignKey("loans.LoanPayment", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")

    class Meta:
        verbose_name = "贷款银行代扣"
        constraints = [models.UniqueConstraint(fields=["loan", "business_date"], name="loan_collection_once"),
                       models.UniqueConstraint(fields=["instruction_seq", "item"], condition=models.Q(item__isnull=False),
                                               name="loan_collection_item")]
        indexes = [models.Index(fields=["center", "business_date"], name="loan_collection_day")]
