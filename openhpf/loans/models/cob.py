"""What the close of business (COB, 贷后日终) keeps for itself: the reserve required by class against the 301
balance, one row per center and business date (a risk indicator; no posting)."""

from __future__ import annotations

from django.db import models


class ReserveReport(models.Model):
    """贷款风险准备测算: the outstanding principal of the active loans by five-tier class, the reserve each class
    requires (outstanding × policy `loan.reserve.rate.NN`, HALF_UP to the fen per class), their sum, the 301
    贷款风险准备 balance and the shortfall (required − balance when positive, else 0)."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("业务日期")
    outstanding = models.JSONField("分类贷款余额（分）", default=dict)  # {"01": fen, …}
    loans = models.JSONField("分类笔数", default=dict)  # {"01": count, …}
    rates = models.JSONField("计提比例", default=dict)  # {"01": "0.01", …}
    required = models.BigIntegerField("应计风险准备（分）")
    balance = models.BigIntegerField("贷款风险准备科目余额（分）")
    shortfall = models.BigIntegerField("风险准备缺口（分）")
    created_at = models.DateTimeField("测算时间", auto_now=True)

    class Meta:
        verbose_name = "贷款风险准备测算"
        constraints = [models.UniqueConstraint(fields=["center", "on"], name="loan_reserve_report_day")]
