"""Time limits of applications: the 条例's 日 with a last rest day moved on, promised 工作日 across make-up working
days (调休上班日), and a clock that pauses for 补正 and resumes."""

from datetime import date, timedelta

import pytest

from openhpf.core.calendar import (
    NATURAL_DAY,
    WORKING_DAY,
    limit_due,
    limit_resume_due,
    limit_used,
    working_days_between,
)
from openhpf.core.models import CalendarDay

pytestmark = pytest.mark.django_db

SPRING_FESTIVAL_2026 = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 2/15–2/23 放假
MAKE_UP_2026 = [date(2026, 2, 14), date(2026, 2, 28)]  # Saturdays worked (调休上班)


@pytest.fixture
def spring_festival():
    """The State Council's 2026 schedule, written here so the test does not depend on the seeded years."""
    for d in SPRING_FESTIVAL_2026:
        CalendarDay.objects.update_or_create(date=d, defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": "春节"})
    for d in MAKE_UP_2026:
        CalendarDay.objects.update_or_create(date=d, defaults={"kind": CalendarDay.Kind.WORKDAY, "name": "春节调休"})


def test_legal_three_days_across_the_spring_festival_move_to_the_first_working_day(spring_festival):
    # 受理 on Friday 2/13: counted from 2/14, the third day is 2/16, inside the holiday → the first working day 2/24
    assert limit_due(date(2026, 2, 13), 3, NATURAL_DAY) == date(2026, 2, 24)
    # the days of the holiday count (natural days): accepted 2/11 + 3 → 2/14, a make-up working day, stays
    assert limit_due(date(2026, 2, 11), 3, NATURAL_DAY) == date(2026, 2, 14)
    # Art26's 15 日 from 2/10 ends 2/25, a working day: no move
    assert limit_due(date(2026, 2, 10), 15, NATURAL_DAY) == date(2026, 2, 25)


def test_promised_working_days_count_the_make_up_saturday(spring_festival):
    # 3 工作日 from Thursday 2/12: 2/13 (Fri), 2/14 (Sat, 调休上班), then the holiday, 2/24
    assert limit_due(date(2026, 2, 12), 3, WORKING_DAY) == date(2026, 2, 24)
    # without the make-up day it would be 2/25: the calendar data decides
    CalendarDay.objects.filter(date=date(2026, 2, 14)).delete()
    assert limit_due(date(2026, 2, 12), 3, WORKING_DAY) == date(2026, 2, 25)


def test_working_days_between_counts_after_the_start_up_to_the_end(spring_festival):
    assert working_days_between(date(2026, 2, 12), date(2026, 2, 24)) == 3  # 2/13, 2/14, 2/24
    assert working_days_between(date(2026, 2, 24), date(2026, 2, 24)) == 0
    assert working_days_between(date(2026, 2, 27), date(2026, 3, 2)) == 2  # 2/28 (调休), 3/2


def test_a_paused_clock_counts_only_what_was_left_from_the_day_it_resumes(spring_festival):
    accepted = date(2026, 2, 9)  # Monday
    # 补正 on 2/10: one natural day and one working day used
    assert limit_used(accepted, date(2026, 2, 10), NATURAL_DAY) == 1
    assert limit_used(accepted, date(2026, 2, 10), WORKING_DAY) == 1
    # the materials come in 2/13: 2 日 left → 2/15, in the holiday → 2/24; 2 工作日 left → 2/14 (调休), 2/24
    assert limit_resume_due(date(2026, 2, 13), 3 - 1, NATURAL_DAY) == date(2026, 2, 24)
    assert limit_resume_due(date(2026, 2, 13), 3 - 1, WORKING_DAY) == date(2026, 2, 24)
    # resuming on 3/2 with 2 日 left: 3/4, a Wednesday
    assert limit_resume_due(date(2026, 3, 2), 2, NATURAL_DAY) == date(2026, 3, 4)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        limit_due(date(2026, 2, 9), 3, "month")
