"""Contributions' day-end steps: the month-end interest accrual (50) and hardship terms that ended (60)."""

from __future__ import annotations

import calendar
from typing import Any

from django.db import transaction

from openhpf.core.models import Center
from openhpf.jobs.dayend import Day, register_step, run_once
from openhpf.jobs.runner import StepContext

from .interest.services import interest_accrue
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


def _hardship(day: Day, ctx: StepContext) -> dict[str, Any]:
    def expire() -> dict[str, Any]:
        with transaction.atomic(durable=True):
            return hardship_expire(center=day.center, on=day.on, actor=day.actor)

    return run_once(day, ctx, expire)


def register() -> None:
    register_step("accrual", order=50, label="月末计提利息", run=_accrual, app="contributions")
    register_step("hardship", order=60, label="缓缴到期处理", run=_hardship, app="contributions")
