"""Working days as data: Monday–Friday unless the calendar table says holiday, plus make-up working days."""

from __future__ import annotations

from datetime import date, timedelta

from .models import CalendarDay


def _exceptions(start: date, end: date) -> dict[date, str]:
    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))


def is_working_day(d: date) -> bool:
    kind = _exceptions(d, d).get(d)
    if kind == CalendarDay.Kind.HOLIDAY:
        return False
    if kind == CalendarDay.Kind.WORKDAY:
        return True
    return d.weekday() < 5


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (n ≥ 0; n = 0 gives d itself if it is a working day, else the next)."""
    window = _exceptions(d, d + timedelta(days=n * 2 + 40))
    def working(x: date) -> bool:
        k = window.get(x)
        return k == CalendarDay.Kind.WORKDAY or (k != CalendarDay.Kind.HOLIDAY and x.weekday() < 5)
    cur = d
    while not working(cur):
        cur += timedelta(days=1)
    for _ in range(n):
        cur += timedelta(days=1)
        while not working(cur):
            cur += timedelta(days=1)
    return cur


def next_working_day(d: date) -> date:
    """d itself if it is a working day, else the first working day after it."""
    return add_working_days(d, 0)


DEADLINE_CALENDAR, DEADLINE_WORKING = "calendar", "working"


def deadline_after(d: date, n: int, counting: str = DEADLINE_CALENDAR) -> date:
    """The last day of a period of n days from event day d (the 汇缴 deadline: 发放工资之日起 n 日内).

    `calendar`: counted in calendar days from the day after d (民法典 Art201), a last day on a rest day or
    holiday moved to the next working day (Art203): payday 2025-09-30 + 5 → 10-05, in the National Day holiday
    → 2025-10-09. `working`: the n-th working day after d (a local rule)."""
    if counting == DEADLINE_WORKING:
        return add_working_days(d, n)
    if counting != DEADLINE_CALENDAR:
        raise ValueError(f"unknown deadline counting {counting!r}")
    return next_working_day(d + timedelta(days=n))


def interest_year(d: date) -> tuple[date, date]:
    """The interest year (结息年度) holding d: 7/1 to 6/30 inclusive."""
    start = date(d.year if d.month >= 7 else d.year - 1, 7, 1)
    return start, date(start.year + 1, 6, 30)


def month_start(d: date) -> date:
    return d.replace(day=1)
