"""日终 (day-end) for one center and its business date, as a resumable job:

instructions (send what waits, resolve what has no answer) → notices (BDC124 → receipts, matching, 暂存) →
statements (BDC113 per 专户) → reconciliation (per 专户; the day cannot close with an unexplained difference) →
month-end interest accrual → hardship terms that ended → liquidity snapshot → close (advance the business date).

Each step is idempotent, so a rerun after a crash (or after finance explained a difference) continues from the
first step not done; `hpf dayend` runs it with progress."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.audit.services import actor_label
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.services import center_advance_business_date
from openhpf.jobs.models import Job
from openhpf.jobs.runner import Step, StepContext, job_start, run_job

from .models import BankAccount, BankChannel
from .services import instructions_process, notices_pull, statement_fetch


def _accounts(center: Center, on: date) -> list[BankAccount]:
    """The active 专户 whose bank the gateway reaches (accounts without a channel are reconciled from files)."""
    banks = set(BankChannel.objects.filter(center=center, active=True).values_list("bank_code", flat=True))
    return [a for a in BankAccount.objects.filter(center=center, status=BankAccount.Status.ACTIVE)
            .select_related("gl_account", "center").order_by("gl_account__code")
            if a.bank_code in banks and (a.reconcile_from is None or a.reconcile_from <= on)]


def dayend_run(*, center: Center, actor: Any, on: date | None = None, progress: Any = None) -> Job:
    """Run (or resume) the day-end of the center's business date. The starter needs settlement.operate; the
    steps run as the system batch on their behalf (recorded as system:dayend:<starter> in the audit trail)."""
    check_permission(actor, "settlement.operate", center=center)
    starter = actor
    label = actor_label(actor)[0]
    actor = label if label.startswith("system") else f"system:dayend:{label}"
    center = Center.objects.get(pk=center.pk)
    on = on or center.business_date
    if on != center.business_date:
        job = Job.objects.filter(idempotency_key=f"dayend:{center.code}:{on}").first()
        if job is not None and job.status == Job.Status.SUCCEEDED:
            return job
        raise DomainError("DAYEND_DATE", f"日终只能对当前业务日期 {center.business_date} 运行", field="on")
    job = job_start(kind="settlement.dayend", key=f"dayend:{center.code}:{on}", actor=starter, center=center,
                    business_date=on, title=f"日终 {on}", params={"on": on.isoformat()})

    def instructions(ctx: StepContext) -> dict[str, Any]:
        ctx.advance(0, total=1)
        r = instructions_process(center=center, actor=actor, business_date=on)
        ctx.advance(1)
        return r

    def notices(ctx: StepContext) -> dict[str, Any]:
        ctx.advance(0, total=1)
        r = notices_pull(center=center, actor=actor, business_date=on)
        ctx.advance(1)
        return r

    def statements(ctx: StepContext) -> dict[str, Any]:
        accts = _accounts(center, on)
        ctx.advance(0, total=len(accts))
        out = {}
        for a in accts:
            st = statement_fetch(bank_account=a, on=on, actor=actor, business_date=on)
            out[a.account_no] = getattr(st, "line_count", None)
            ctx.advance(1)
        return out

    def reconcile(ctx: StepContext) -> dict[str, Any]:
        from openhpf.reconciliation.services import reconcile as run_recon

        accts = _accounts(center, on)
        ctx.advance(0, total=len(accts))
        out = {}
        for a in accts:
            r = run_recon(bank_account=a, on=on, actor=actor, business_date=on)
            out[a.account_no] = str(getattr(r, "status", ""))
            ctx.advance(1)
        return out

    def accrual(ctx: StepContext) -> dict[str, Any]:
        from openhpf.contributions.interest import interest_accrue

        ctx.advance(0, total=1)
        last = calendar.monthrange(on.year, on.month)[1]
        if on.day != last:
            ctx.advance(1)
            return {"accrued": None}
        entry = interest_accrue(center=Center.objects.get(pk=center.pk), year=on.year, month=on.month, actor=actor)
        ctx.advance(1)
        return {"accrued": entry.total if entry is not None else 0}

    def hardship(ctx: StepContext) -> dict[str, Any]:
        from openhpf.contributions.hardship import hardship_expire

        ctx.advance(0, total=1)
        with transaction.atomic(durable=True):
            r = hardship_expire(center=center, on=on, actor=actor)
        ctx.advance(1)
        return r

    def liquidity(ctx: StepContext) -> dict[str, Any]:
        from openhpf.finance.liquidity import liquidity_snapshot

        ctx.advance(0, total=1)
        snap = liquidity_snapshot(center=center, on=on, actor=actor)
        ctx.advance(1)
        return {"snapshot": getattr(snap, "pk", None)}

    def close(ctx: StepContext) -> dict[str, Any]:
        from openhpf.reconciliation.models import Reconciliation
        from openhpf.reconciliation.services import reconcile as run_recon
        from openhpf.reconciliation.services import reconciliation_day_ok

        ctx.advance(0, total=1)
        # a rerun after finance posted what was missing (a bank fee, say) reconciles those accounts again
        for a in _accounts(center, on):
            r = Reconciliation.objects.filter(bank_account=a, recon_date=on).first()
            if r is not None and r.status != Reconciliation.Status.BALANCED:
                run_recon(bank_account=a, on=on, actor=actor, business_date=on)
        ok, problems = reconciliation_day_ok(center=center, on=on)
        if not ok:
            raise DomainError("DAYEND_UNRECONCILED", f"{on} 对账未平，日终不能结束：" + "；".join(problems[:5]),
                              field="on")
        c = Center.objects.get(pk=center.pk)
        if c.business_date == on:
            center_advance_business_date(center=c, to=on + timedelta(days=1), actor=actor)
        ctx.advance(1)
        return {"next_business_date": (on + timedelta(days=1)).isoformat()}

    return run_job(job, steps=[
        Step("instructions", instructions, label="结算指令发送与查证"),
        Step("notices", notices, label="账户变动通知与到账匹配"),
        Step("statements", statements, label="下载银行对账单"),
        Step("reconcile", reconcile, weight=3, label="日终对账"),
        Step("accrual", accrual, label="月末计提利息"),
        Step("hardship", hardship, label="缓缴到期处理"),
        Step("liquidity", liquidity, label="流动性监测"),
        Step("close", close, label="日终结束、推进业务日期"),
    ], progress=progress, stale_after=0)
