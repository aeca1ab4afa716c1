"""The 汇缴 deadline (条例 Art19 发放工资之日起5日内): calendar days from the day after payday, a last day on a rest
day or holiday moved to the next working day (民法典 Art201, 203); working days by local policy (issue 14
item 16)."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.contributions.relief.arrears import payment_deadline
from openhpf.core.actors import SystemActor
from openhpf.core.calendar import deadline_after, is_working_day
from openhpf.core.models import CalendarDay
from openhpf.core.policy import policy_value
from openhpf.core.services import policy_set


@pytest.mark.django_db
def test_the_calendar_holds_the_2025_national_day_holidays():
    holidays = set(CalendarDay.objects.filter(date__range=(date(2025, 9, 28), date(2025, 10, 11)),
                                              kind=CalendarDay.Kind.HOLIDAY).values_list("date", flat=True))
    assert holidays == {date(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)}  # 国庆节、中秋节 on weekdays
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))  # 1–8 October off, weekend included
    assert is_working_day(date(2025, 9, 28)) and is_working_day(date(2025, 10, 11))  # 调休 Sunday and Saturday
    assert not is_working_day(date(2025, 10, 5)) and is_working_day(date(2025, 10, 9))


@pytest.mark.django_db
def test_the_national_rule_is_calendar_days_rolled_forward():
    assert policy_value("contribution.deadline.counting", on=date(2025, 8, 20)) == "calendar"
    assert policy_value("contribution.deadline.days", on=date(2025, 8, 20)) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(("payday", "deadline"), [
    (date(2025, 8, 20), date(2025, 8, 25)),   # Wednesday + 5 = Monday 25th
    (date(2025, 9, 30), date(2025, 10, 9)),   # 5 October is in the National Day holiday → Thursday 9th
    (date(2025, 8, 18), date(2025, 8, 25)),   # Saturday 23rd → Monday 25th
    (date(2025, 9, 23), date(2025, 9, 28)),   # Sunday 28th is a make-up working day
])
def test_calendar_days_from_the_day_after_payday(payday, deadline):
    assert deadline_after(payday, 5) == deadline


@pytest.mark.parametrize(("payday", "deadline"), [(date(2025, 8, 20), date(2025, 8, 25)),
                                                  (date(2025, 9, 30), date(2025, 10, 9))])
def test_payment_deadline_follows_the_policy(center, payday, deadline):
    month = f"{payday:%Y%m}"
    assert payment_deadline(month=month, payday=payday.day, center=center) == deadline
    policy_set(key="contribution.deadline.counting", value="working", value_type="str",
               effective_from=date(2025, 1, 1), approved_by="杭州市住房公积金管理委员会", actor=SystemActor("test"),
               center=center)
    working = {date(2025, 8, 20): date(2025, 8, 27), date(2025, 9, 30): date(2025, 10, 14)}[payday]
    assert payment_deadline(month=month, payday=payday.day, center=center) == working


def test_an_unknown_counting_rule_is_an_error():
    with pytest.raises(ValueError):
        deadline_after(date(2025, 8, 20), 5, "lunar")
