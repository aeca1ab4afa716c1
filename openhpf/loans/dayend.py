"""The loans app's own day-end step (the COB's steps 61–69 register elsewhere): collection cases (71,
`loan_cases`), after the overdue step and the liquidity snapshot, opening the cases of the day and closing those
whose loan is current again. Idempotent: a rerun opens and closes nothing more."""

from __future__ import annotations

from typing import Any

from openhpf.jobs.dayend import Day, register_step, run_once
from openhpf.jobs.runner import StepContext

from .collection import cases_open

STEP, ORDER = "loan_cases", 71


def _cases(day: Day, ctx: StepContext) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        r = cases_open(center=day.center, on=day.on, actor=day.actor)
        return {"opened": r.opened, "closed": r.closed}

    return run_once(day, ctx, run)


def register() -> None:
    register_step(STEP, order=ORDER, label="逾期贷款立案催收与结案", run=_cases, app="loans")
