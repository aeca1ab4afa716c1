"""Finance's day-end step: the daily liquidity snapshot (70)."""

from __future__ import annotations

from typing import Any

from openhpf.jobs.dayend import Day, register_step, run_once
from openhpf.jobs.runner import StepContext

from .liquidity import liquidity_snapshot


def _liquidity(day: Day, ctx: StepContext) -> dict[str, Any]:
    def snapshot() -> dict[str, Any]:
        snap = liquidity_snapshot(center=day.center, on=day.on, actor=day.actor)
        return {"snapshot": getattr(snap, "pk", None)}

    return run_once(day, ctx, snapshot)


def register() -> None:
    register_step("liquidity", order=70, label="流动性监测", run=_liquidity, app="finance")
