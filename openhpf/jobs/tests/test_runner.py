from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from openhpf.audit.models import AuditRecord
from openhpf.audit.services import audit_log
from openhpf.core.actors import SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.jobs import runner
from openhpf.jobs.models import Job, JobLog, JobStep
from openhpf.jobs.runner import Step, job_is_stale, job_resume, job_start, jobs_mark_stale, run_job

UNITS = 10
CHUNK = 3


def unit_counts() -> Counter:
    return Counter(
        int(pk) for pk in AuditRecord.objects.filter(action=AuditEvent.LEDGER_ENTRY_POST, object_type="test.unit").values_list("object_id", flat=True)
    )


def chunked_work(fail_at: list[int | None]):
    """A step that applies units chunk by chunk, each chunk and its cursor in one durable transaction."""

    def work(ctx):
        start = ctx.cursor["next"] if ctx.cursor else 0
        ctx.advance(0, total=UNITS)
        for lo in range(start, UNITS, CHUNK):
            hi = min(lo + CHUNK, UNITS)
            with transaction.atomic(durable=True):
                for unit in range(lo, hi):
                    if unit == fail_at[0]:
                        raise RuntimeError(f"boom at {unit}")
                    audit_log(actor=SystemActor("test"), action=AuditEvent.LEDGER_ENTRY_POST, obj=("test.unit", unit))
                ctx.advance(hi - lo, cursor={"next": hi})
        return {"applied": UNITS}

    return work


@pytest.mark.django_db
def test_succeeded_job_is_not_run_again(center):
    calls = []

    def step(ctx):
        calls.append(ctx.job.pk)
        return {"posted": 3}

    job = job_start(
        kind="test.post",
        key="post:1",
        params={"n": 3},
        center=center,
        business_date=center.business_date,
        actor=SystemActor("test"),
    )
    run_job(job, steps=[Step("post", step)])
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100
    assert job.result == {"posted": 3}

    again = job_start(
        kind="test.post",
        key="post:1",
        params={"n": 3},
        center=center,
        business_date=center.business_date,
        actor=SystemActor("test"),
    )
    assert again.pk == job.pk
    out = run_job(again, steps=[Step("post", step)])
    assert calls == [job.pk]
    assert out.status == Job.Status.SUCCEEDED
    assert out.result == {"posted": 3}
    assert Job.objects.filter(idempotency_key="post:1").count() == 1
    assert AuditRecord.objects.filter(action="job.start", object_id=str(job.pk)).count() == 1


@pytest.mark.django_db
def test_key_reused_for_another_kind_is_refused():
    job_start(kind="test.a", key="k", actor=SystemActor("test"))
    with pytest.raises(DomainError) as e:
        job_start(kind="test.b", key="k", actor=SystemActor("test"))
    assert e.value.code == "JOB_KEY_CONFLICT"
    assert "幂等键" in e.value.message


@pytest.mark.django_db(transaction=True)
def test_crash_mid_step_then_rerun_resumes_from_cursor_exactly_once(center):
    fail_at: list[int | None] = [7]
    first_calls = []

    def prepare(ctx):
        first_calls.append(1)
        ctx.advance(1, total=1)

    steps = [Step("prepare", prepare), Step("apply", chunked_work(fail_at), weight=3)]
    job = job_start(kind="test.apply", key="apply:1", center=center, actor=SystemActor("test"))

    with pytest.raises(RuntimeError, match="boom at 7"):
        run_job(job, steps=steps)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "RuntimeError: boom at 7" and job.error_code == "JOB_ERROR"
    apply = JobStep.objects.get(job=job, name="apply")
    assert apply.status == JobStep.Status.FAILED
    # Chunk 6–8 rolled back with its cursor: the saved position is the last committed chunk.
    assert apply.cursor == {"next": 6} and apply.done == 6 and apply.total == UNITS
    assert JobStep.objects.get(job=job, name="prepare").status == JobStep.Status.DONE
    assert unit_counts() == Counter(range(6))
    # prepare done (weight 1) + apply 6/10 (weight 3) → (1 + 1.8) / 4 = 70 %
    assert job.percent == 70
    assert JobLog.objects.filter(job=job, level=JobLog.Level.ERROR).exists()

    fail_at[0] = None
    run_job(job, steps=steps)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100 and job.error == ""
    assert job.result == {"applied": UNITS}
    assert unit_counts() == Counter(range(UNITS))  # each unit exactly once
    assert first_calls == [1]  # the done step was skipped on the re-run
    apply.refresh_from_db()
    assert apply.status == JobStep.Status.DONE and apply.done == UNITS
    assert JobLog.objects.filter(job=job, message__startswith="续跑").exists()


@pytest.mark.django_db
def test_domain_error_message_is_kept_and_reraised():
    def step(ctx):
        raise DomainError(ErrorCode.INSUFFICIENT_BALANCE, "余额不足", row=3)

    job = job_start(kind="test.fail", actor=SystemActor("test"))
    with pytest.raises(DomainError):
        run_job(job, steps=[Step("s", step)])
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert (job.error_code, job.error) == ("INSUFFICIENT_BALANCE", "余额不足")
    assert JobStep.objects.get(job=job).status == JobStep.Status.FAILED


@pytest.mark.django_db
def test_progress_is_persisted_while_the_step_runs(monkeypatch):
    seen: dict[str, Any] = {}

    def first(ctx):
        ctx.advance(4, total=4)

    def second(ctx):
        ctx.advance(5, total=10, cursor={"at": 5})  # a cursor change is written at once
        db_job = Job.objects.get(pk=ctx.job.pk)
        db_step = JobStep.objects.get(pk=ctx.step.pk)
        seen["cursor"] = (db_step.done, db_step.total, db_step.cursor, db_job.percent, db_job.current_step)
        seen["heartbeat"] = db_job.heartbeat_at
        ctx.advance(1)  # within FLUSH_INTERVAL and no cursor: not written yet
        seen["throttled"] = JobStep.objects.get(pk=ctx.step.pk).done
        monkeypatch.setattr(runner, "FLUSH_INTERVAL", 0)
        ctx.advance(1)
        seen["flushed"] = JobStep.objects.get(pk=ctx.step.pk).done
        ctx.log("半程")

    job = job_start(kind="test.progress", actor=SystemActor("test"))
    run_job(job, steps=[Step("first", first), Step("second", second, weight=3)])
    # first done (1) + second 5/10 (3 × 0.5) over weight 4 → 62 %
    assert seen["cursor"] == (5, 10, {"at": 5}, 62, "second")
    assert seen["heartbeat"] is not None
    assert seen["throttled"] == 5
    assert seen["flushed"] == 7
    assert JobLog.objects.filter(job=job, message="半程").exists()


@pytest.mark.django_db
def test_running_job_is_refused_until_its_heartbeat_is_stale():
    calls = []
    job = job_start(kind="test.stale", actor=SystemActor("test"))
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    job.refresh_from_db()
    assert not job_is_stale(job)
    with pytest.raises(DomainError) as e:
        run_job(job, steps=[Step("s", lambda ctx: calls.append(1))])
    assert e.value.code == "JOB_RUNNING"
    assert calls == []

    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=600))
    job.refresh_from_db()
    assert job_is_stale(job, seconds=60)
    job_resume(job=job, steps=[Step("s", lambda ctx: calls.append(1))], stale_after=60)
    assert calls == [1]
    assert job.status == Job.Status.SUCCEEDED


@pytest.mark.django_db
def test_mark_stale_fails_crashed_jobs_only():
    live = job_start(kind="test.live", actor=SystemActor("test"))
    dead = job_start(kind="test.dead", actor=SystemActor("test"))
    Job.objects.filter(pk=live.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    Job.objects.filter(pk=dead.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert jobs_mark_stale(seconds=60) == 1
    live.refresh_from_db()
    dead.refresh_from_db()
    assert live.status == Job.Status.RUNNING
    assert dead.status == Job.Status.FAILED and dead.error_code == "JOB_STALE"


@pytest.mark.django_db
def test_rich_progress_mode_runs(capsys):
    def step(ctx):
        for i in range(3):
            ctx.advance(1, total=3, cursor={"i": i})

    job = job_start(kind="test.rich", actor=SystemActor("test"))
    run_job(job, steps=[Step("s", step, label="测试")], progress="rich")
    assert job.status == Job.Status.SUCCEEDED


@pytest.mark.django_db
def test_duplicate_step_names_are_refused():
    job = job_start(kind="test.dup", actor=SystemActor("test"))
    with pytest.raises(DomainError) as e:
        run_job(job, steps=[Step("a", lambda ctx: None), Step("a", lambda ctx: None)])
    assert e.value.code == "JOB_STEPS"


@pytest.mark.django_db
def test_superseded_run_stops_without_applying_its_chunk(center):
    """A run wrongly taken for crashed (another run claimed the job) cannot commit a chunk twice."""

    def work(ctx):
        start = ctx.cursor["next"] if ctx.cursor else 0
        for lo in range(start, UNITS, CHUNK):
            hi = min(lo + CHUNK, UNITS)
            if lo == 3:  # meanwhile another run claims the job
                Job.objects.filter(pk=ctx.job.pk).update(run_token="other-run")
            with transaction.atomic(durable=True):
                for unit in range(lo, hi):
                    audit_log(actor=SystemActor("test"), action=AuditEvent.LEDGER_ENTRY_POST, obj=("test.unit", unit))
                ctx.advance(hi - lo, cursor={"next": hi})

    job = job_start(kind="test.zombie", center=center, actor=SystemActor("test"))
    with pytest.raises(runner.JobSuperseded):
        run_job(job, steps=[Step("apply", work)])
    assert unit_counts() == Counter(range(3))
    db_job = Job.objects.get(pk=job.pk)
    assert db_job.status == Job.Status.RUNNING and db_job.run_token == "other-run"
    assert JobStep.objects.get(job=job).cursor == {"next": 3}
