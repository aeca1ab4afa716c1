"""Dead jobs (issue 13, item 6): a running job whose heartbeat is too old reads as 中断; 取消 stops it for good
(a run of it still alive is fenced off at its next write), releases its key and calls its kind's hook; 续跑 goes
through the hook its kind registered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.jobs.dayend import JOB_KIND as DAYEND_KIND
from openhpf.jobs.models import Job
from openhpf.jobs.registry import job_kind, register_kind, resumable
from openhpf.jobs.runner import Step, job_cancel, job_resume_registered, job_start, run_job

ACTOR = SystemActor("test")


def _interrupted(kind: str = "test.dead", key: str | None = None) -> Job:
    job = job_start(kind=kind, actor=ACTOR, key=key)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_run_still_alive_is_stopped_by_the_cancel():
    """The attack: a job taken for dead is cancelled while its process is in fact still writing."""
    seen: list[str] = []

    def step(ctx):
        ctx.advance(1, total=3, cursor={"i": 1})
        Job.objects.filter(pk=ctx.job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        job_cancel(job=Job.objects.get(pk=ctx.job.pk), actor=ACTOR)  # meanwhile, from the console
        seen.append("cancelled")
        ctx.advance(1, cursor={"i": 2})  # the old run's next write
        seen.append("wrote on")

    job = job_start(kind="test.fenced", actor=ACTOR)
    with pytest.raises(DomainError) as e:
        run_job(job, steps=[Step("s", step)])
    assert e.value.code == "JOB_SUPERSEDED" and seen == ["cancelled"]
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.steps.get().cursor == {"i": 1}


@pytest.mark.django_db
def test_cancel_calls_the_hook_releases_the_key_and_refuses_a_rerun():
    hooked: list[int] = []
    register_kind("test.hooked", cancel=lambda job: hooked.append(job.pk))
    job = _interrupted("test.hooked", key="k-1")
    assert job.state == "interrupted" and job.can_cancel and not job.can_resume
    job = job_cancel(job=job, actor=ACTOR)
    assert hooked == [job.pk]
    assert job.status == Job.Status.CANCELLED and job.state_label == "已取消" and job.error_code == "JOB_CANCELLED"
    assert job.idempotency_key is None and "k-1" in job.logs.last().message
    with pytest.raises(DomainError) as e:
        run_job(job, steps=[Step("s", lambda ctx: None)])
    assert e.value.code == "JOB_NOT_RESUMABLE"
    fresh = job_start(kind="test.hooked", actor=ACTOR, key="k-1")  # the same work may start afresh
    assert fresh.pk != job.pk


@pytest.mark.django_db
def test_what_may_be_cancelled():
    pending = job_start(kind="test.p", actor=ACTOR)
    assert job_cancel(job=pending, actor=ACTOR).status == Job.Status.CANCELLED
    done = job_start(kind="test.d", actor=ACTOR)
    run_job(done, steps=[Step("s", lambda ctx: None)])
    live = job_start(kind="test.l", actor=ACTOR)
    Job.objects.filter(pk=live.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    for job in (done, live):
        with pytest.raises(DomainError) as e:
            job_cancel(job=Job.objects.get(pk=job.pk), actor=ACTOR)
        assert e.value.code == "JOB_NOT_CANCELLABLE"


@pytest.mark.django_db
def test_resume_goes_through_the_registered_hook():
    assert resumable(DAYEND_KIND) and job_kind(DAYEND_KIND).resume is not None
    job = _interrupted("test.no_resume")
    with pytest.raises(DomainError) as e:
        job_resume_registered(job=job, actor=ACTOR)
    assert e.value.code == "JOB_NOT_RESUMABLE"
    ran: list[int] = []

    def resume(j, actor):
        ran.append(j.pk)
        return run_job(j, steps=[Step("s", lambda ctx: None)])

    register_kind("test.resumable", resume=resume)
    job = _interrupted("test.resumable")
    assert job.can_resume
    out = job_resume_registered(job=job, actor=ACTOR)
    assert ran == [job.pk] and out.status == Job.Status.SUCCEEDED
