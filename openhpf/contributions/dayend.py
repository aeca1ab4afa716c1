"""Contributions' day-end steps: the year-end guard (5), the 积数 close on a new deposit rate's effective date (47),
the month-end interest accrual (50), the 6/30 year-end settlement (57) and hardship terms that ended (60).

The guard refuses a day-end after an unsettled 6/30 before anything else runs (finance settles it with
`hpf interest settle --late`); the settlement makes 6/30's day-end settle the year and roll it, so the day-end
never closes 6/30 unless the year is settled (a failure stops the job; its rerun continues from the step)."""

from __future__ import annotations

import calendar
from typing import Any

from django.db import transaction

from openhpf.core.calendar import interest_year
from openhpf.core.models import Center
from openhpf.jobs.dayend import Day, register_step, run_once
from openhpf.jobs.runner import StepContext

from .interest.periods import rate_period_close
from .interest.services import interest_accrue, interest_settle
from .interest.yearend import require_year_settled
from .relief.hardship import hardship_expire


def _accrual(day: Day, ctx: StepContext) -> dict[str, Any]:
    def accrue() -> dict[str, Any]:
        on = day.on
        if on.day != calendar.monthrange(on.year, on.month)[1]:
            return {"accrued": None}
        entry = interest_accrue(center=Center.objects.get(pk=day.center.pk), year=on.year, month=on.month,
                                actor=day.actor)
        return {"accrued": entry.total if entry is not None else 0}

    return run_once(day, ctx, accrue)


def _rate_period(day: Day, ctx: StepContext) -> dict[str, Any]:
    def close() -> dict[str, Any]:
        with transaction.atomic(durable=True):
            done = rate_period_close(center=Center.objects.get(pk=day.center.pk), on=day.on, actor=day.actor)
        return {"rate_period": None if done is None else {"starts_on": done.starts_on.isoformat(),
                                                          "accounts": done.accounts}}

    return run_once(day, ctx, close)


def _year_guard(day: Day, ctx: StepContext) -> dict[str, Any]:
    def check() -> dict[str, Any]:
        require_year_settled(day.center, day.on)
        return {}

    return run_once(day, ctx, check)


def _settlement(day: Day, ctx: StepContext) -> dict[str, Any]:
    def settle() -> dict[str, Any]:
        if day.on != interest_year(day.on)[1]:
            return {}
        with transaction.atomic(durable=True):
            batch = interest_settle(center=Center.objects.get(pk=day.center.pk), settle_date=day.on, actor=day.actor)
        return {"settled": batch.total_amount, "settled_accounts": batch.rows_posted}

    return run_once(day, ctx, settle)


def _hardship(day: Day, ctx: StepContext) -> dict[str, Any]:
    def expire() -> dict[str, Any]:
        with transaction.atomic(durable=True):
            return hardship_expire(center=day.center, on=day.on, actor=day.actor)

    return run_once(day, ctx, expire)


def register() -> None:
    register_step("year_guard", order=5, label="检查上年度是否已结息", run=_year_guard, app="contributions")
    register_step("rate_period", order=47, label="利率调整积数分段", run=_rate_period, app="contributions")
    register_step("accrual", order=50, label="月末计提利息", run=_accrual, app="contributions")
    register_step("settlement", order=57, label="6月30日年度结息", run=_settlement, app="contributions")
    register_step("hardship", order=60, label="缓缴到期处理", run=_hardship, app="contributions")
