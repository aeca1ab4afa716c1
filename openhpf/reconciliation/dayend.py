"""Reconciliation's day-end steps: reconcile each 专户 against its statement (40), and the gate before the
business date moves on (90): accounts left unbalanced are reconciled again (finance may have booked what was
missing, a bank fee say), and the day cannot close with an unexplained difference."""

from __future__ import annotations

from typing import Any

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.jobs.dayend import Day, register_step, run_each
from openhpf.jobs.runner import StepContext
from openhpf.settlement.selectors import dayend_bank_accounts

from .models import Reconciliation
from .selectors import reconciliation_day_ok
from .services import reconcile


def _reconcile(day: Day, ctx: StepContext) -> dict[str, Any]:
    def one(a: Any) -> str:
        return str(getattr(reconcile(bank_account=a, on=day.on, actor=day.actor, business_date=day.on), "status", ""))

    return run_each(ctx, dayend_bank_accounts(day.center, day.on), one, key=lambda a: a.account_no)


def _gate(day: Day, ctx: StepContext) -> dict[str, Any]:
    ctx.advance(0, total=1)
    for a in dayend_bank_accounts(day.center, day.on):
        r = Reconciliation.objects.filter(bank_account=a, recon_date=day.on).first()
        if r is not None and r.status != Reconciliation.Status.BALANCED:
            reconcile(bank_account=a, on=day.on, actor=day.actor, business_date=day.on)
    ok, problems = reconciliation_day_ok(center=day.center, on=day.on)
    if not ok:
        raise DomainError(ErrorCode.DAYEND_UNRECONCILED, f"{day.on} 对账未平，日终不能结束：" + "；".join(problems[:5]),
                          field="on")
    ctx.advance(1)
    return {"reconciled": True}


def register() -> None:
    register_step("reconcile", order=40, label="日终对账", run=_reconcile, weight=3, app="reconciliation")
    register_step("gate", order=90, label="对账检查（未平不得结束日终）", run=_gate, app="reconciliation")
