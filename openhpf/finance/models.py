"""Fund management records: the year-end 增值收益 (value-added income) close and distribution per year, and the
daily liquidity snapshot (个贷率, available funds against expected outflows). Every money figure here is a copy
of what the ledger says at that moment, in fen; the ledger stays the source of truth."""

from __future__ import annotations

from django.db import models


class ValueAddedYear(models.Model):
    """增值收益年度: the year's 损益 transfer into 311 and its distribution (Dr 321xx / Cr 301, 21904, 214)."""

    class Status(models.TextChoices):
        CLOSED = "closed", "已结转"
        PENDING = "pending", "分配待复核"
        DISTRIBUTED = "distributed", "已分配"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CLOSED)
    revenue = models.BigIntegerField("结转业务收入（分）", default=0)
    expense = models.BigIntegerField("结转业务支出（分）", default=0)
    close_vouchers = models.JSONField("结转凭证号", default=list)
    closed_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # the distribution (filled when a checker's approval applies it)
    distributable = models.BigIntegerField("可供分配增值收益（分）", default=0)
    risk_reserve = models.BigIntegerField("提取贷款风险准备金（分）", default=0)
    management_fee = models.BigIntegerField("提取管理费用（分）", default=0)
    lowrent_fund = models.BigIntegerField("提取廉租住房补充资金（分）", default=0)
    loans_outstanding = models.BigIntegerField("年末个贷余额（分）", default=0)
    reserve_before = models.BigIntegerField("分配前贷款风险准备余额（分）", default=0)
    rules = models.JSONField("分配所依政策参数", default=dict)
    distribution_vouchers = models.JSONField("分配凭证号", default=list)
    command = models.ForeignKey("approvals.PendingCommand", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    distributed_by = models.CharField(max_length=150, blank=True)
    distributed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "增值收益年度"
        constraints = [models.UniqueConstraint(fields=["center", "year"], name="value_added_year_unique")]

    def __str__(self) -> str:
        return f"{self.year} 年度增值收益（{self.get_status_display()}）"

    @property
    def is_distributed(self) -> bool:
        return self.status == self.Status.DISTRIBUTED


class LiquiditySnapshot(models.Model):
    """流动性日报: the day-end figures of one business day, written once per day (re-running replaces them)."""

    class Level(models.TextChoices):
        OK = "ok", "正常"
        WARNING = "warning", "预警"
        CRITICAL = "critical", "警报"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    on = models.DateField("业务日期")
    deposit_total = models.BigIntegerField("缴存余额 201（分）")
    loan_total = models.BigIntegerField("个贷余额 121+122（分）")
    loan_ratio = models.DecimalField("个贷率", max_digits=12, decimal_places=6, null=True, blank=True)
    fund_deposits = models.BigIntegerField("住房公积金存款 101（分）")
    value_added_deposits = models.BigIntegerField("增值收益存款 102（分）")
    in_transit = models.BigIntegerField("在途资金 21903（分）")
    min_reserve = models.BigIntegerField("最低备付金（分）")
    available = models.BigIntegerField("可用资金（分）")
    horizon_days = models.PositiveSmallIntegerField("预计支出天数")
    outflows_total = models.BigIntegerField("预计支出合计（分）")
    outflows = models.JSONField("预计支出明细", default=list)
    warnings = models.JSONField("预警", default=list)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.OK)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "流动性日报"
        constraints = [models.UniqueConstraint(fields=["center", "on"], name="liquidity_snapshot_one_per_day")]
        ordering = ["-on"]
