"""The statutory retirement date (法定退休日期) from the policy table `RetirementAge` (NPCSC decision of 2024-09-13,
in force 2025-01-01): keyed by birth month, sex and the original retirement age (60 men; 55 women cadres; 50 women
workers), the age rising by one month every 4 months of birth (every 2 months for women of 50)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from openhpf.core.codes import Sex
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .calculations import add_months
from .models import RetirementAge


def retirement_age_months(birth: date, sex: str, original_age: int) -> int:
    """The retirement age in months for a person born on `birth` (the table's row of the birth month)."""
    first = birth.replace(day=1)
    row = (RetirementAge.objects.filter(sex=sex, original_age=original_age, birth_from__lte=first)
           .filter(Q(birth_to__isnull=True) | Q(birth_to__gte=first)).order_by("-birth_from").first())
    if row is None:
        sex_text = Sex(sex).label if sex in Sex.values else sex
        raise DomainError(ErrorCode.RETIREMENT_AGE_UNKNOWN, field="original_age",
                          detail=f"性别 {sex_text}、原退休年龄 {original_age} 岁、出生于 {birth:%Y-%m}")
    return row.age_months


def retirement_date(birth: date, sex: str, original_age: int) -> date:
    """The day the person reaches the statutory retirement age: the birth date + the age in months (the month's
    last day when that month is shorter)."""
    return add_months(birth, retirement_age_months(birth, sex, original_age))


def original_age_for(sex: str, *, cadre: bool = False) -> int:
    """The original retirement age before the change: men 60; women 55 in cadre posts (管理和技术岗位), else 50."""
    if sex == Sex.MALE:
        return 60
    return 55 if cadre else 50
