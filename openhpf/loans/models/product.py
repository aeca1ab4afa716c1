"""Loan products (贷款产品) as effective-dated versions changed through maker-checker, and the statutory retirement
age table (法定退休年龄) the term limit reads.

- `LoanProduct`: one version of a product's terms: kind (公积金贷款 / 组合贷款), the property types it finances
  (新房 / 二手房 / 期房), the city caps (single, couple, the local uplifts for multi-child families and green
  buildings), minimum down payments (first / second home), the amount multiple (balance × N, or the years of
  contribution × an amount per year), the repayment-capacity ratio, the maximum term, the minimum loan amount,
  the first-period interest rule, whether 异地贷款 (members of other centers) is offered. A center's own version
  of a code overrides the national one (center NULL) from its effective date. The rates are the national policy
  values `loan.rate.<first|second>.<le5|gt5>` (openhpf/loans/products.py reads them with the repricing rule).
- `RetirementAge`: rows per birth-month range, sex and original retirement age: the retirement age in months
  (NPCSC decision of 2024-09-13, in force 2025-01-01). Data seeded by migration 0002, not code."""

from __future__ import annotations

from django.db import models

from openhpf.approvals.models import CheckedVersion
from openhpf.core.codes import Sex


class LoanProduct(CheckedVersion):
    class Kind(models.TextChoices):
        HPF = "hpf", "公积金贷款"
        COMBINATION = "combination", "组合贷款"  # the HPF part booked here, the commercial part referenced

    class Property(models.TextChoices):
        NEW = "new", "新房"
        SECOND_HAND = "second_hand", "二手房"
        PRESALE = "presale", "期房"

    class MultipleBasis(models.TextChoices):
        BALANCE = "balance", "账户余额 × 倍数"
        YEARS = "years", "缴存年限 × 每年额度"

    class FirstPeriod(models.TextChoices):
        DAYS = "days", "按实际天数（年利率 / 360）"
        MONTH = "month", "按整月"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    code = models.CharField("产品代码", max_length=20)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期")
    name = models.CharField("产品名称", max_length=60)
    kind = models.CharField("贷款种类", max_length=12, choices=Kind.choices)
    properties = models.JSONField("适用房屋类型", default=list)  # Property values
    cap_single = models.BigIntegerField("最高额度：单缴存职工（分）")
    cap_couple = models.BigIntegerField("最高额度：夫妻双方缴存（分）")
    uplift_multichild = models.BigIntegerField("多子女家庭上浮额度（分）", default=0)
    uplift_green = models.BigIntegerField("绿色建筑上浮额度（分）", default=0)
    down_first = models.DecimalField("首套最低首付比例", max_digits=5, decimal_places=4)
    down_second = models.DecimalField("二套最低首付比例", max_digits=5, decimal_places=4)
    multiple_basis = models.CharField("额度倍数依据", max_length=8, choices=MultipleBasis.choices)
    balance_multiple = models.DecimalField("账户余额倍数", max_digits=6, decimal_places=2, default=0)
    per_year_amount = models.BigIntegerField("每缴存一年可贷额度（分）", default=0)
    capacity_ratio = models.DecimalField("还款能力比例（月供占月收入上限）", max_digits=5, decimal_places=4)
    max_term_months = models.PositiveSmallIntegerField("最长贷款期限（月）")
    min_amount = models.BigIntegerField("最低贷款额（分）")
    first_period = models.CharField("首期利息", max_length=6, choices=FirstPeriod.choices)
    remote_allowed = models.BooleanField("受理异地贷款", default=False)
    guarantor_required = models.BooleanField("须提供保证人（担保方式 03 保证）", default=False)

    class Meta:
        verbose_name = "贷款产品"
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["center", "code", "version"], name="loan_product_version"),
                       models.UniqueConstraint(fields=["code", "version"], condition=models.Q(center__isnull=True),
                                               name="loan_product_national_version")]

    def __str__(self) -> str:
        return f"{self.code} {self.name} 第 {self.version} 版"


class RetirementAge(models.Model):
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    original_age = models.PositiveSmallIntegerField("原法定退休年龄（岁）")
    birth_from = models.DateField("出生年月起（含）")
    birth_to = models.DateField("出生年月止（含，空为此后）", null=True, blank=True)
    age_months = models.PositiveSmallIntegerField("改革后法定退休年龄（月）")
    source = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = "法定退休年龄"
        ordering = ["sex", "original_age", "birth_from"]
        constraints = [models.UniqueConstraint(fields=["sex", "original_age", "birth_from"],
                                               name="retirement_age_row")]

    def __str__(self) -> str:
        years, months = divmod(self.age_months, 12)
        return f"{self.get_sex_display()} {self.original_age} 岁 {self.birth_from:%Y-%m} 起：{years} 岁 {months} 个月"
