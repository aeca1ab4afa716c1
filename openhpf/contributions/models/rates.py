"""Rate periods (利率调整分段): when the deposit rate changes inside an interest year, each account's 积数 up to
the day before the new rate is closed, so the year-end settlement applies each rate to its own days."""

from __future__ import annotations

from django.db import models

__all__ = ["RatePeriodClose", "RatePeriodJishu"]


class RatePeriodClose(models.Model):
    """One rate change inside an interest year: `starts_on` is the new rate's effective date; the rows below
    hold each account's 积数 from 7/1 through `starts_on` − 1 (closed by the day-end of `starts_on`)."""

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT)
    year_start = models.DateField("计息年度起日")
    starts_on = models.DateField("新利率生效日")
    accounts = models.IntegerField("分段账户数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "利率调整分段"
        constraints = [models.UniqueConstraint(fields=["center", "starts_on"], name="rate_period_close_unique")]


class RatePeriodJishu(models.Model):
    """An account's 积数 from the interest year's 7/1 through the day before the period's new rate
    (cumulative, 分·天), per sub-balance. Accounts with no 积数 by then have no row."""

    period = models.ForeignKey(RatePeriodClose, on_delete=models.PROTECT, related_name="rows")
    sub_id = models.BigIntegerField("分户账户")  # the ledger sub-account (the member account's key)
    jishu_current = models.BigIntegerField("当年归集积数", default=0)
    jishu_carried = models.BigIntegerField("上年结转积数", default=0)

    class Meta:
        verbose_name = "分段积数"
        constraints = [models.UniqueConstraint(fields=["period", "sub_id"], name="rate_period_jishu_unique")]
