"""日终 (day-end) of one center's business date: a resumable job whose steps the apps register.

Each app registers its ordered steps at start-up (its AppConfig.ready), so the runner imports none of them:

    register_step("notices", order=20, label="账户变动通知与到账匹配", run=lambda day, ctx: {...})

The registry is the plan: `plan()` (and `hpf dayend --plan`, which prints it) lists the registered steps by
order, then the runner's own closing step. At the time of writing it reads: contributions' year-end guard
refuses to start after an unsettled 6/30 (5); settlement sends and resolves instructions (10), pulls notices (20)
and statements (30); reconciliation reconciles each 专户 (40); contributions closes the 积数 period on a new
deposit rate's effective date (47), accrues interest at month-end (50), settles the year on 6/30 (57) and ends
hardship terms (60); loans debit the borrowers' cards for what falls due (63) and offset long-overdue loans from
HPF balances (65); finance snapshots liquidity (70); reconciliation's gate (90) refuses to close with an
unexplained difference; this app seals the audit trail and the ledger digests (95, the periodic sealer of
hardship terms (60); finance snapshots liquidity (70); loans opens and closes collection cases (71);
reconciliation's gate (90) refuses to close with an unexplained difference; this app seals the audit trail and the ledger digests (95, the periodic sealer of
audit.services); the closing step (1000) advances the business date.

Each step is idempotent, so a rerun after a crash (or after finance explained a difference) continues from the
first step not done. The starter needs `settlement.operate`; the steps run as the system actor
`SystemActor("dayend", on_behalf_of=starter)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openhpf.audit.services import audit_seal
from openhpf.core import authz
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.services import center_advance_business_date

from .models import Job
from .registry import register_kind
from .runner import Step, StepContext, job_start, run_job

JOB_KIND = "settlement.dayend"  # the kind of the job rows (kept from the first day-end, so old jobs resume)
CLOSE_ORDER = 1000


@dataclass(frozen=True)
class Day:
    """What every step gets: the center, the business date being closed and the system actor to act as."""

    center: Center
    on: date
    actor: Any


StepRun = Callable[[Day, StepContext], dict[str, Any]]


@dataclass(frozen=True)
class DayendStep:
    name: str
    order: int
    label: str
    run: StepRun
    weight: int = 1
    app: str = ""


_STEPS: dict[str, DayendStep] = {}


def register_step(name: str, *, order: int, label: str, run: StepRun, weight: int = 1, app: str = "") -> DayendStep:
    """Add a step to every center's day-end. Names are unique (a job resumes by them); orders are unique."""
    step = DayendStep(name=name, order=order, label=label, run=run, weight=weight, app=app)
    existing = _STEPS.get(name)
    if existing is not None and (existing.order, existing.app) != (order, app):
        raise ValueError(f"day-end step {name!r} registered twice")
    clash = [s.name for s in _STEPS.values() if s.order == order and s.name != name]
    if clash or order >= CLOSE_ORDER:
        raise ValueError(f"day-end step {name!r}: order {order} is taken or reserved ({clash})")
    _STEPS[name] = step
    return step


def plan() -> list[DayendStep]:
    """The registered steps in the order they run, then the runner's closing step."""
    return [*sorted(_STEPS.values(), key=lambda s: s.order),
            DayendStep(name="close", order=CLOSE_ORDER, label="日终结束、推进业务日期", run=_close, app="jobs")]


def _close(day: Day, ctx: StepContext) -> dict[str, Any]:
    ctx.advance(0, total=1)
    c = Center.objects.get(pk=day.center.pk)
    if c.business_date == day.on:
        center_advance_business_date(center=c, to=day.on + timedelta(days=1), actor=day.actor)
    ctx.advance(1)
    return {"next_business_date": (day.on + timedelta(days=1)).isoformat()}


def _seal(day: Day, ctx: StepContext) -> dict[str, Any]:
    """The periodic sealer as a day-end step: everything the day wrote is chained, signed and anchored."""
    ctx.advance(0, total=1)
    r = audit_seal()
    ctx.advance(1)
    return {"rows": r.rows, "checkpoints": r.checkpoints, "anchored": r.anchored, "sources": r.sources,
            "seconds": round(r.seconds, 2)}


def register() -> None:
    register_step("seal", order=95, label="审计封存与账簿摘要", run=_seal, app="jobs")


def dayend_run(*, center: Center, actor: Any, on: date | None = None, progress: Any = None) -> Job:
    """Run (or resume) the day-end of the center's business date; `on` other than it only returns a finished job."""
    authz.check_permission(actor, "settlement.operate", center=center)
    system = actor if isinstance(actor, SystemActor) else SystemActor("dayend", on_behalf_of=actor)
    center = Center.objects.get(pk=center.pk)
    on = on or center.business_date
    key = f"dayend:{center.code}:{on}"
    if on != center.business_date:
        job = Job.objects.filter(idempotency_key=key).first()
        if job is not None and job.status == Job.Status.SUCCEEDED:
            return job
        raise DomainError(ErrorCode.DAYEND_DATE, f"日终只能对当前业务日期 {center.business_date} 运行", field="on")
    job = job_start(kind=JOB_KIND, key=key, actor=actor, center=center, business_date=on, title=f"日终 {on}",
                    params={"on": on.isoformat()})
    day = Day(center=center, on=on, actor=system)

    def bind(s: DayendStep) -> Callable[[StepContext], dict[str, Any]]:
        return lambda ctx: s.run(day, ctx)

    steps = [Step(s.name, bind(s), weight=s.weight, label=s.label) for s in plan()]
    return run_job(job, steps=steps, progress=progress, stale_after=0)


def dayend_job(*, center: Center, on: date) -> Job | None:
    """The day-end job of `on` (None before it first started), with its steps."""
    return (Job.objects.filter(idempotency_key=f"dayend:{center.code}:{on}").prefetch_related("steps", "logs")
            .first())


def dayend_jobs(*, center: Center, limit: int = 10) -> list[Job]:
    """The center's latest day-end jobs, newest first."""
    return list(Job.objects.filter(center=center, kind=JOB_KIND).order_by("-created_at", "-id")[:limit])


def run_each(ctx: StepContext, items: list[Any], fn: Callable[[Any], Any], key: Callable[[Any], str]) -> dict[str, Any]:
    """A step over a list (the 专户, say): progress one per item, the results by key."""
    ctx.advance(0, total=len(items))
    out = {}
    for item in items:
        out[key(item)] = fn(item)
        ctx.advance(1)
    return out


def run_once(day: Day, ctx: StepContext, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A step that is one call: progress 0 → 1 around it."""
    ctx.advance(0, total=1)
    out = fn()
    ctx.advance(1)
    return out


def _dayend_resume(job: Job, actor: Any) -> Job:
    """续跑 of a day-end from the job list: run the day-end of its center again (it continues from its first step
    not done)."""
    if job.center is None:
        raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk}（{job.kind}）不能在此续跑", field="job")
    return dayend_run(center=job.center, actor=actor)


register_kind(JOB_KIND, resume=_dayend_resume)
