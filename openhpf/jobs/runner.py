"""The job runner: long work as named steps with resume cursors, progress persisted while it runs.

Usage (an entry point: a command, a batch, a worker; never inside an open transaction)::

    job = job_start(kind="ledger.bulk_post", key=f"bulk_post:{batch_id}", params={...},
                    center=center, business_date=center.business_date, actor=user)
    run_job(job, steps=[Step("stage", stage), Step("apply", apply, weight=3)], progress="rich")

A step function receives a `StepContext`. For exactly-once work it processes its input chunk by chunk, each
chunk in its own ``transaction.atomic(durable=True)``, and calls ``ctx.advance(n, cursor=...)`` inside that
transaction: the cursor then commits together with the chunk, so a crash either keeps both or neither, and a
re-run continues from ``ctx.cursor``. Called outside a transaction, ``advance`` writes in its own short
transaction (progress and heartbeat only; the step must then be idempotent by itself).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.authz import check_permission
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center

from .models import INTERRUPTED, Job, JobLog, JobStep, stale_after_seconds
from .registry import job_kind, resume_refusal

logger = logging.getLogger("openhpf.jobs")

# A running job whose heartbeat is older than the setting HPF_JOB_STALE_SECONDS (read each time, see
# models.stale_after_seconds) is taken as crashed: it shows as 中断 and may be resumed or cancelled.
# Progress without a cursor change is written at most this often (seconds).
FLUSH_INTERVAL = 0.5

ProgressMode = Literal["rich"] | None


@dataclass(frozen=True)
class Step:
    """A named step of a job. `weight` is its share of the job's percent; `label` is shown on the progress bar."""

    name: str
    fn: Callable[[StepContext], Any]
    weight: int = 1
    label: str = ""


@dataclass(frozen=True)
class Rejected:
    """What a step returns when the work it checked is refused as a whole (a roster file with errors): its
    `output` goes into the job's result (with ``rejected: True``), the steps after it are skipped and the job
    ends 失败 with `message` and `code`, without an exception: the caller reads its own outcome, and nothing was
    done that would need undoing. A rejected job is final: it is not resumed (the file has to be corrected)."""

    code: ErrorCode
    message: str
    output: dict[str, Any] | None = None


def _write(fn: Callable[[], Any]) -> Any:
    """Join the caller's transaction if there is one (so a cursor commits with its chunk), else open a short one."""
    if transaction.get_connection().in_atomic_block:
        return fn()
    with transaction.atomic(durable=True):
        return fn()


class JobSuperseded(DomainError):
    """Another run took this job over (this one was taken for crashed): stop without touching it."""

    def __init__(self, job: Job) -> None:
        super().__init__(ErrorCode.JOB_SUPERSEDED, f"作业 #{job.pk} 已由另一次运行接管，本次运行停止")


def _job_update(job: Job, **fields: Any) -> None:
    """Update this run's job row; fenced by the run token."""
    if not Job.objects.filter(pk=job.pk, run_token=job.run_token).update(**fields):
        raise JobSuperseded(job)


def _percent(steps: Sequence[JobStep]) -> int:
    """Job percent, weighted by steps; 100 is reserved for a job that has succeeded."""
    total_weight = sum(s.weight for s in steps) or 1
    value = int(100 * sum(s.weight * s.fraction for s in steps) / total_weight)
    return max(0, min(99, value))


class _Bars:
    """Rich progress bars on the CLI (one per step); does nothing when progress is None (tests, workers)."""

    def __init__(self, mode: ProgressMode, job: Job, specs: Sequence[Step], rows: Sequence[JobStep]) -> None:
        self.progress = None
        self.tasks: dict[int, Any] = {}
        if mode != "rich":
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        for spec, row in zip(specs, rows, strict=True):
            description = f"#{job.pk} {spec.label or spec.name}"
            self.tasks[row.pk] = self.progress.add_task(description, total=row.total, completed=row.done)

    def __enter__(self) -> _Bars:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, row: JobStep) -> None:
        if self.progress is None:
            return
        if row.status == JobStep.Status.DONE:
            total = row.total if row.total else max(row.done, 1)
            self.progress.update(self.tasks[row.pk], total=total, completed=total)
        else:
            self.progress.update(self.tasks[row.pk], total=row.total, completed=row.done)


class StepContext:
    """What a step function sees: its job, where to resume (`cursor`), and how to report progress."""

    def __init__(self, *, job: Job, step: JobStep, rows: Sequence[JobStep], bars: _Bars) -> None:
        self.job = job
        self.step = step
        self.cursor: Any = step.cursor
        self._rows = rows
        self._bars = bars
        self._last_flush = time.monotonic()

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params or {}

    @property
    def done(self) -> int:
        return self.step.done

    @property
    def total(self) -> int | None:
        return self.step.total

    def advance(self, n: int = 1, total: int | None = None, cursor: Any = None) -> None:
        """Count `n` more units done; set the total if known; record the resume position if given.

        Written at once when the cursor changes, otherwise at most every FLUSH_INTERVAL seconds."""
        self.step.done += n
        if total is not None:
            self.step.total = total
        cursor_changed = cursor is not None and cursor != self.cursor
        if cursor_changed:
            self.cursor = cursor
            self.step.cursor = cursor
        now = time.monotonic()
        if cursor_changed or now - self._last_flush >= FLUSH_INTERVAL:
            self.flush()
            self._last_flush = now
        self._bars.update(self.step)

    def flush(self) -> None:
        """Persist done/total/cursor, the job's percent and its heartbeat now."""
        step, job = self.step, self.job
        job.percent = _percent(self._rows)
        job.heartbeat_at = timezone.now()

        def write() -> None:
            # Job first: a superseded run fails here and its chunk (when inside one) rolls back with it.
            _job_update(job, percent=job.percent, heartbeat_at=job.heartbeat_at)
            JobStep.objects.filter(pk=step.pk).update(done=step.done, total=step.total, cursor=step.cursor)

        _write(write)

    def log(self, message: str, level: str = JobLog.Level.INFO) -> None:
        """A line in the job's log (and the application log)."""
        _log(self.job, message, level=level)


def _log(job: Job, message: str, *, level: str = JobLog.Level.INFO) -> None:
    # Routine lines stay in the job's own log (DEBUG here), so the CLI's progress bars are not interrupted.
    logger.log(
        {"warning": logging.WARNING, "error": logging.ERROR}.get(level, logging.DEBUG),
        "job %s %s: %s",
        job.pk,
        job.kind,
        message,
    )
    _write(lambda: JobLog.objects.create(job=job, at=timezone.now(), level=level, message=message))


def job_start(
    *,
    kind: str,
    actor: Actor,
    key: str | None = None,
    params: dict[str, Any] | None = None,
    center: Center | None = None,
    business_date: date | None = None,
    title: str = "",
) -> Job:
    """Record a job to run. With an idempotency key, a replay returns the job already recorded for it."""
    if not kind:
        raise DomainError(ErrorCode.JOB_KIND, "作业类型不能为空", field="kind")
    key = key or None
    with transaction.atomic():
        if key is not None:
            existing = Job.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return _same_kind(existing, kind, key)
        try:
            with transaction.atomic():  # a concurrent start with the same key loses the race cleanly
                job = Job.objects.create(
                    center=center,
                    kind=kind,
                    title=title,
                    idempotency_key=key,
                    params=params or {},
                    business_date=business_date,
                    created_by=actor_label(actor)[0],
                )
        except IntegrityError:
            if key is None:
                raise
            return _same_kind(Job.objects.get(idempotency_key=key), kind, key)
        JobLog.objects.create(job=job, at=timezone.now(), message=f"创建作业（{job.created_by}）")
        audit_log(
            actor=actor,
            action=AuditEvent.JOB_START,
            obj=job,
            center=center,
            business_date=business_date,
            after={"kind": kind, "key": key, "params": job.params},
        )
        return job


def _same_kind(job: Job, kind: str, key: str) -> Job:
    if job.kind != kind:
        raise DomainError(ErrorCode.JOB_KEY_CONFLICT, f"幂等键 {key} 已用于另一类作业（{job.kind}）", field="key")
    return job


def job_is_stale(job: Job, *, seconds: int | None = None) -> bool:
    """A running job that has not reported a heartbeat for `seconds` is taken as crashed."""
    return job.is_stale(stale_after_seconds() if seconds is None else seconds)


def jobs_mark_stale(*, seconds: int | None = None) -> int:
    """Mark crashed jobs (running, heartbeat too old) as failed so the console stops showing them as running.

    They can be resumed with `job_resume`. Returns how many were marked."""
    marked = 0
    with transaction.atomic():
        for job in Job.objects.select_for_update().filter(status=Job.Status.RUNNING).order_by("pk"):
            if not job_is_stale(job, seconds=seconds):
                continue
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                error="心跳超时，作业视为中断，可续跑",
                error_code=ErrorCode.JOB_STALE,
                finished_at=timezone.now(),
                run_token="",  # should the old run still be alive, its next write stops it
            )
            JobStep.objects.filter(job=job, status=JobStep.Status.RUNNING).update(
                status=JobStep.Status.FAILED
            )
            _log(job, "心跳超时，作业视为中断", level=JobLog.Level.WARNING)
            marked += 1
    return marked


def _claim(job: Job, specs: Sequence[Step], stale_after: int | None) -> tuple[Job, list[JobStep], bool]:
    """Lock the job, create its step rows and mark it running. Returns (job, steps, should_run)."""
    with transaction.atomic(durable=True):
        # Lock, then refresh the caller's own instance so it reflects the run as it goes.
        Job.objects.select_for_update().only("pk").get(pk=job.pk)
        job.refresh_from_db()
        if job.status == Job.Status.SUCCEEDED:
            return job, list(job.steps.order_by("order")), False
        if job.status == Job.Status.CANCELLED:
            raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk}（{job.kind}）已取消，不能再运行",
                              field="job")
        if job.rejected:
            raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk} 未通过（{job.error}），不能再运行，请修改后重新提交",
                              field="job")
        resumed = job.status in (Job.Status.FAILED, Job.Status.RUNNING) or job.steps.exists()
        if job.status == Job.Status.RUNNING:
            if not job_is_stale(job, seconds=stale_after):
                raise DomainError(ErrorCode.JOB_RUNNING, f"作业 #{job.pk} 正在运行，不能重复启动")
            _log(job, f"上次运行心跳超时（{job.heartbeat_at}），视为中断并续跑", level=JobLog.Level.WARNING)
        existing = {s.name: s for s in job.steps.all()}
        rows: list[JobStep] = []
        for order, spec in enumerate(specs, start=1):
            row = existing.get(spec.name)
            if row is None:
                row = JobStep.objects.create(job=job, order=order, name=spec.name, weight=spec.weight)
            elif (row.order, row.weight) != (order, spec.weight):
                row.order, row.weight = order, spec.weight
                row.save(update_fields=["order", "weight"])
            rows.append(row)
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.finished_at = None
        job.error = ""
        job.error_code = ""
        job.percent = _percent(rows)
        job.run_token = uuid.uuid4().hex  # fences off any earlier run of this job that is still alive
        job.save(
            update_fields=[
                "run_token",
                "status",
                "started_at",
                "heartbeat_at",
                "finished_at",
                "error",
                "error_code",
                "percent",
            ]
        )
        if resumed:
            first = next((r.name for r in rows if r.status != JobStep.Status.DONE), "")
            _log(job, f"续跑，从步骤 {first} 开始")
        else:
            _log(job, "开始运行")
        return job, rows, True


def _step_begin(job: Job, row: JobStep) -> None:
    now = timezone.now()
    with transaction.atomic(durable=True):
        _job_update(job, current_step=row.name, heartbeat_at=now)
        JobStep.objects.filter(pk=row.pk).update(
            status=JobStep.Status.RUNNING, started_at=row.started_at or now, finished_at=None
        )
    row.status, row.started_at = JobStep.Status.RUNNING, row.started_at or now
    job.current_step, job.heartbeat_at = row.name, now


def _step_done(job: Job, row: JobStep, rows: Sequence[JobStep], output: Any) -> None:
    now = timezone.now()
    result = dict(job.result or {})
    if isinstance(output, dict):
        result.update(output)
    elif output is not None:
        result[row.name] = output
    row.status, row.finished_at = JobStep.Status.DONE, now
    job.result, job.percent, job.heartbeat_at = result or None, _percent(rows), now
    with transaction.atomic(durable=True):
        _job_update(job, result=job.result, percent=job.percent, heartbeat_at=now)
        # done/total/cursor are written too: a step that did not call advance() still ends at its last state.
        JobStep.objects.filter(pk=row.pk).update(
            status=row.status, finished_at=now, done=row.done, total=row.total, cursor=row.cursor
        )


def _fail(job: Job, row: JobStep | None, exc: BaseException) -> None:
    """Record the failure. Only status fields are written: the step's cursor stays at its last committed value."""
    if isinstance(exc, DomainError):
        code, message = exc.code, exc.message
    elif isinstance(exc, KeyboardInterrupt):
        code, message = ErrorCode.JOB_INTERRUPTED, "作业被中断"
    else:
        code, message = ErrorCode.JOB_ERROR, f"{type(exc).__name__}: {exc}"
    now = timezone.now()
    with transaction.atomic(durable=True):
        fields = {"status": Job.Status.FAILED, "error": message, "error_code": code, "finished_at": now}
        if not Job.objects.filter(pk=job.pk, run_token=job.run_token).update(heartbeat_at=now, **fields):
            return  # superseded meanwhile: the job belongs to the other run
        if row is not None:
            JobStep.objects.filter(pk=row.pk).update(status=JobStep.Status.FAILED, finished_at=now)
        where = f"步骤 {row.name} " if row is not None else ""
        JobLog.objects.create(
            job=job, at=now, level=JobLog.Level.ERROR, message=f"{where}失败：[{code}] {message}"
        )
    logger.warning("job %s %s failed: [%s] %s", job.pk, job.kind, code, message)
    if row is not None:
        row.status = JobStep.Status.FAILED
    job.status, job.error, job.error_code, job.finished_at = Job.Status.FAILED, message, code, now


def _reject(job: Job, rejected: Rejected) -> None:
    """End a job whose work was refused (Rejected): 失败, with the refusal's message; the steps left are not run."""
    now = timezone.now()
    fields = {"status": Job.Status.FAILED, "error": rejected.message, "error_code": rejected.code,
              "current_step": "", "finished_at": now}
    with transaction.atomic(durable=True):
        _job_update(job, heartbeat_at=now, **fields)
        JobLog.objects.create(job=job, at=now, level=JobLog.Level.ERROR,
                              message=f"未通过：[{rejected.code}] {rejected.message}")
    logger.info("job %s %s rejected: [%s] %s", job.pk, job.kind, rejected.code, rejected.message)
    job.status, job.error, job.error_code, job.current_step, job.finished_at = (
        Job.Status.FAILED, rejected.message, rejected.code, "", now)


def _succeed(job: Job) -> None:
    now = timezone.now()
    with transaction.atomic(durable=True):
        _job_update(
            job, status=Job.Status.SUCCEEDED, percent=100, current_step="", finished_at=now, heartbeat_at=now
        )
        JobLog.objects.create(job=job, at=now, message="作业完成")
    job.status, job.percent, job.current_step, job.finished_at = Job.Status.SUCCEEDED, 100, "", now


def run_job(
    job: Job, *, steps: Sequence[Step], progress: ProgressMode = None, stale_after: int | None = None
) -> Job:
    """Run (or resume) a job: steps already done are skipped, a failed step resumes from its saved cursor.

    A succeeded job is not run again; it is returned with its stored result. An exception in a step marks the
    step and the job failed (the DomainError message is kept) and is re-raised."""
    names = [s.name for s in steps]
    if not steps or len(set(names)) != len(names):
        raise DomainError(ErrorCode.JOB_STEPS, "作业步骤不能为空，且步骤名称不能重复", field="steps")
    job, rows, should_run = _claim(job, steps, stale_after)
    if not should_run:
        return job
    with _Bars(progress, job, steps, rows) as bars:
        for spec, row in zip(steps, rows, strict=True):
            if row.status == JobStep.Status.DONE:
                bars.update(row)
                continue
            try:
                _step_begin(job, row)
                ctx = StepContext(job=job, step=row, rows=rows, bars=bars)
                output = spec.fn(ctx)
                if isinstance(output, Rejected):
                    _step_done(job, row, rows, {**(output.output or {}), "rejected": True})
                    _reject(job, output)
                    bars.update(row)
                    return job
                _step_done(job, row, rows, output)
            except JobSuperseded:
                raise
            except BaseException as exc:
                _fail(job, row, exc)
                raise
            bars.update(row)
    _succeed(job)
    return job


def job_resume(
    *, job: Job, steps: Sequence[Step], progress: ProgressMode = None, stale_after: int | None = None
) -> Job:
    """Resume a failed job, or a running one whose heartbeat is stale (crashed); a live one is refused."""
    job.refresh_from_db()
    if job.status == Job.Status.RUNNING and not job_is_stale(job, seconds=stale_after):
        raise DomainError(ErrorCode.JOB_RUNNING, f"作业 #{job.pk} 正在运行，心跳未超时，不能续跑")
    return run_job(job, steps=steps, progress=progress, stale_after=stale_after)


def job_cancel(*, job: Job, actor: Actor) -> Job:
    """取消 a job that is pending, failed, or running with a heartbeat too old (中断); a live one is refused.

    The job becomes `cancelled`; a run of it still alive stops at its next write (run token cleared); its
    idempotency key is released (kept in the log) so the same work can be started afresh; and the hook its
    kind registered moves what it owns to failed (a roster import to 失败) and removes its work files."""
    check_permission(actor, "jobs.run", center=job.center_id)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        state = locked.state
        if not locked.can_cancel:
            raise DomainError(ErrorCode.JOB_NOT_CANCELLABLE, f"作业 #{locked.pk} 状态为{locked.state_label}，不能取消",
                              field="job")
        label = actor_label(actor)[0]
        now = timezone.now()
        key = locked.idempotency_key
        Job.objects.filter(pk=locked.pk).update(
            status=Job.Status.CANCELLED, error=f"作业已由 {label} 取消", error_code=ErrorCode.JOB_CANCELLED,
            finished_at=now, run_token="", idempotency_key=None)
        JobStep.objects.filter(job=locked, status=JobStep.Status.RUNNING).update(status=JobStep.Status.FAILED,
                                                                                finished_at=now)
        note = f"（原幂等键 {key} 已释放）" if key else ""
        JobLog.objects.create(job=locked, at=now, level=JobLog.Level.WARNING,
                              message=f"作业由 {label} 取消，取消前状态：{_state_label(state)}{note}")
        entry = job_kind(locked.kind)
        if entry is not None and entry.cancel is not None:
            entry.cancel(locked)
        audit_log(actor=actor, action=AuditEvent.JOB_CANCEL, obj=locked, center=locked.center,
                  business_date=locked.business_date, before={"status": state, "key": key},
                  after={"status": Job.Status.CANCELLED.value})
    locked.refresh_from_db()
    return locked


def _state_label(state: str) -> str:
    return "中断" if state == INTERRUPTED else str(Job.Status(state).label)


def job_resume_registered(*, job: Job, actor: Actor) -> Job:
    """续跑 from the console, the API or `hpf jobs --resume`: through the hook the job's kind registered."""
    check_permission(actor, "jobs.run", center=job.center_id)
    job.refresh_from_db()
    entry = job_kind(job.kind)
    if entry is None or entry.resume is None:
        raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk}（{job.kind}）不能在此续跑，请用启动它的命令重新运行",
                          field="job")
    if job.state not in (Job.Status.FAILED, INTERRUPTED):
        raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk} 状态为{job.state_label}，不能续跑", field="job")
    refusal = resume_refusal(job)
    if refusal:
        raise DomainError(ErrorCode.JOB_NOT_RESUMABLE, f"作业 #{job.pk} 不能续跑：{refusal}", field="job")
    out = entry.resume(job, actor)
    return out if isinstance(out, Job) else Job.objects.get(pk=job.pk)
