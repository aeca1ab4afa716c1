"""The loans app's seeds (migration 0002, and the test reseed after a flush): the national default products, the
statutory retirement age table and the policy value of the retirement term limit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

ONE_DAY = timedelta(days=1)
RETIREMENT_SOURCE = "全国人大常委会关于实施渐进式延迟法定退休年龄的决定（2024-09-13，2025-01-01 施行）"
# (sex, original age, first birth month of the change, months added per step, birth months per step, months added in all)
RETIREMENT_STEPS = [("1", 60, date(1965, 1, 1), 4, 36),  # men 60 → 63
                    ("2", 55, date(1970, 1, 1), 4, 36),  # women cadres 55 → 58
                    ("2", 50, date(1975, 1, 1), 2, 60)]  # women workers 50 → 55


def _month(start: date, k: int) -> date:
    y, m = divmod(start.month - 1 + k, 12)
    return date(start.year + y, m + 1, 1)


def retirement_rows() -> list[dict[str, Any]]:
    """One row before the change, one per step (a range of birth months), the last step open-ended."""
    rows: list[dict[str, Any]] = []
    for sex, age, start, per, steps in RETIREMENT_STEPS:
        rows.append({"sex": sex, "original_age": age, "birth_from": date(1900, 1, 1),
                     "birth_to": start - ONE_DAY,
                     "age_months": age * 12, "source": RETIREMENT_SOURCE})
        for k in range(1, steps + 1):
            first = _month(start, per * (k - 1))
            last = None if k == steps else _month(start, per * k) - ONE_DAY
            rows.append({"sex": sex, "original_age": age, "birth_from": first, "birth_to": last,
                         "age_months": age * 12 + k, "source": RETIREMENT_SOURCE})
    return rows


PRODUCT_DEFAULTS: dict[str, Any] = {
    "properties": ["new", "second_hand", "presale"], "cap_single": 80_000_000, "cap_couple": 120_000_000,
    "uplift_multichild": 20_000_000, "uplift_green": 0, "down_first": "0.2000", "down_second": "0.3000",
    "multiple_basis": "balance", "balance_multiple": "15", "per_year_amount": 0, "capacity_ratio": "0.5000",
    "max_term_months": 360, "min_amount": 1_000_000, "first_period": "days", "remote_allowed": True,
}
PRODUCTS = [("HPF", "个人住房公积金贷款", "hpf"), ("HPF-COMBO", "组合贷款（公积金部分）", "combination")]


def seed(apps: Any, schema_editor: Any) -> None:
    RetirementAge = apps.get_model("loans", "RetirementAge")
    LoanProduct = apps.get_model("loans", "LoanProduct")
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    if not RetirementAge.objects.exists():
        RetirementAge.objects.bulk_create([RetirementAge(**r) for r in retirement_rows()])
    for code, name, kind in PRODUCTS:
        if not LoanProduct.objects.filter(code=code, center__isnull=True).exists():
            LoanProduct.objects.create(code=code, version=1, effective_from=date(2024, 5, 18), name=name, kind=kind,
                                       reason="初始产品（全国默认值，各中心按本地政策调整）", made_by="系统初始化",
                                       approved_by="系统初始化", **PRODUCT_DEFAULTS)
    if not PolicyParameter.objects.filter(key="loan.term.retirement_plus_years", center__isnull=True).exists():
        PolicyParameter.objects.create(key="loan.term.retirement_plus_years", value_type="int", value=5,
                                       effective_from=date(1990, 1, 1), approved_by="系统初始化",
                                       source="贷款到期日不超过法定退休年龄后 5 年（地方通行做法）")


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("loans", "RetirementAge").objects.all().delete()
    apps.get_model("loans", "LoanProduct").objects.filter(center__isnull=True, version=1).delete()
    apps.get_model("core", "PolicyParameter").objects.filter(key="loan.term.retirement_plus_years").delete()
