"""Settlement's day-end steps (registered with the platform's day-end runner, openhpf.jobs.dayend): send what
waits and resolve what has no answer; pull the account-change notices (BDC124 → receipts, matching, 暂存); fetch
each 专户's statement (BDC113) into the reconciliation store."""

from __future__ import annotations

from typing import Any

from openhpf.jobs.dayend import Day, register_step, run_each, run_once
from openhpf.jobs.runner import StepContext

from .selectors import dayend_bank_accounts
from .services import instructions_process, notices_pull, statement_fetch


def _instructions(day: Day, ctx: StepContext) -> dict[str, Any]:
    return run_once(day, ctx, lambda: instructions_process(center=day.center, actor=day.actor, business_date=day.on))


def _notices(day: Day, ctx: StepContext) -> dict[str, Any]:
    return run_once(day, ctx, lambda: notices_pull(center=day.center, actor=day.actor, business_date=day.on))


def _statements(day: Day, ctx: StepContext) -> dict[str, Any]:
    def fetch(a: Any) -> Any:
        st = statement_fetch(bank_account=a, on=day.on, actor=day.actor, business_date=day.on)
        return getattr(st, "line_count", None)

    return run_each(ctx, dayend_bank_accounts(day.center, day.on), fetch, key=lambda a: a.account_no)


def register() -> None:
    register_step("instructions", order=10, label="结算指令发送与查证", run=_instructions, app="settlement")
    register_step("notices", order=20, label="账户变动通知与到账匹配", run=_notices, app="settlement")
    register_step("statements", order=30, label="下载银行对账单", run=_statements, app="settlement")
