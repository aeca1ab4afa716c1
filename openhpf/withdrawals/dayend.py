"""Withdrawals' day-end step: the day's 约定提取 / 逐月代扣 run (15, after the instructions are sent and before
the notices are pulled). Idempotent per agreement and month; resumable (see `agreed.agreed_run`)."""

from __future__ import annotations

from typing import Any

from openhpf.jobs.dayend import Day, register_step
from openhpf.jobs.runner import StepContext

from .agreed import agreed_run


def _agreed(day: Day, ctx: StepContext) -> dict[str, Any]:
    def progress(done: int, total: int) -> None:
        ctx.advance(1 if done else 0, total=total)

    run = agreed_run(center=day.center, actor=day.actor, business_date=day.on, progress=progress)
    return {"run": run.pk, "status": run.status, "held": run.count, "skipped": run.skipped, "total": run.total,
            "seq": run.instruction_seq, "report": run.report.get("items", [])}


def register() -> None:
    register_step("agreed", order=15, label="约定提取逐月代扣", run=_agreed, app="withdrawals")
