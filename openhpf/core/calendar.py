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


# ---------------------------------------------------------------- time limits of applications (办件时限)

# The units a time limit is stated in: the 条例's 日 (natural days, 民法典 Art201/203) and a center's 工作日.
NATURAL_DAY, WORKING_DAY = "natural_day", "working_day"
LIMIT_UNITS = {NATURAL_DAY: "日", WORKING_DAY: "工作日"}


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (0 when end ≤ start)."""
    if end <= start:
        return 0
    window = _exceptions(start, end)
    count, cur = 0, start
    while cur < end:
        cur += timedelta(days=1)
        k = window.get(cur)
        if k == CalendarDay.Kind.WORKDAY or (k != CalendarDay.Kind.HOLIDAY and cur.weekday() < 5):
            count += 1
    return count


def limit_due(start: date, n: int, unit: str) -> date:
    """The last day of a limit of `n` `unit`s counted from the event day `start` (受理).

    `natural_day` (条例 Art25 3 日, Art26 15 日): counted from the next day, a last day on a rest day or holiday
    moves to the next working day (民法典 Art201, 203): accepted 2026-02-13 + 3 日 → 02-16 is 春节 → 02-24.
    `working_day` (承诺时限): the n-th working day after `start`, make-up working days (调休上班日) counting."""
    if n < 0:
        raise ValueError("a time limit is not negative")
    if unit == NATURAL_DAY:
        return deadline_after(start, n, DEADLINE_CALENDAR)
    if unit == WORKING_DAY:
        return add_working_days(start, n)
    raise ValueError(f"unknown time-limit unit {unit!r}")


def limit_used(start: date, until: date, unit: str) -> int:
    """How much of a limit counted from `start` is used up by `until` (a pause: 补正 requested that day)."""
    if unit == NATURAL_DAY:
        return max((until - start).days, 0)
    if unit == WORKING_DAY:
        return working_days_between(start, until)
    raise ValueError(f"unknown time-limit unit {unit!r}")


def limit_resume_due(resumed_on: date, remaining: int, unit: str) -> date:
    """The new last day when a paused clock resumes with `remaining` units left: counted again from the day
    the missing materials came in, by the same rules (a last 日 on a rest day moves on)."""
    return limit_due(resumed_on, max(remaining, 0), unit)
