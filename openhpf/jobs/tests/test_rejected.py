"""A step that refuses its work (runner.Rejected) ends the job 失败 with its message: the steps after it are not
run, nothing raises, and the job is final (neither 续跑 nor 取消)."""

from __future__ import annotations

import pytest

from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.jobs.models import Job, JobLog, JobStep
from openhpf.jobs.registry import job_links, register_kind
from openhpf.jobs.runner import Rejected, Step, job_cancel, job_start, run_job

SYS = SystemActor("test")


def test_a_rejected_step_fails_the_job_and_skips_the_rest(center):
    ran: list[str] = []
    job = job_start(kind="test.reject", actor=SYS, center=center, title="清册导入「一月.xlsx」")

    def check(ctx):
        ran.append("check")
        return Rejected(ErrorCode.VALIDATION, "校验未通过：共 3 处错误", {"errors": 3})

    def create(ctx):
        ran.append("create")

    out = run_job(job, steps=[Step("check", check), Step("create", create)])
    assert ran == ["check"]
    job = Job.objects.get(pk=out.pk)
    assert job.status == Job.Status.FAILED and job.rejected and job.state_label == "失败"
    assert job.error == "校验未通过：共 3 处错误" and job.error_code == ErrorCode.VALIDATION
    assert job.result == {"errors": 3, "rejected": True}
    assert list(job.steps.values_list("name", "status")) == [("check", JobStep.Status.DONE),
                                                            ("create", JobStep.Status.PENDING)]
    assert JobLog.objects.filter(job=job, level=JobLog.Level.ERROR, message__contains="未通过").exists()
    assert not job.can_resume and not job.can_cancel
    with pytest.raises(DomainError) as e:  # run again: refused, it stays 失败
        run_job(job, steps=[Step("check", check), Step("create", create)])
    assert e.value.code == ErrorCode.JOB_NOT_RESUMABLE and ran == ["check"]
    with pytest.raises(DomainError) as e:
        job_cancel(job=job, actor=SYS)
    assert e.value.code == ErrorCode.JOB_NOT_CANCELLABLE
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED


def test_an_ordinary_failure_is_not_a_rejection(center):
    job = job_start(kind="test.reject", actor=SYS, center=center)

    def boom(ctx):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_job(job, steps=[Step("boom", boom)])
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.rejected and job.can_cancel


def test_a_kind_registers_its_links(center):
    job = job_start(kind="test.linked", actor=SYS, center=center)
    assert job_links(job) == [] and job.links == []
    register_kind("test.linked", links=lambda j: [("错误清单", f"/x/{j.pk}/")])
    assert job.links == [("错误清单", f"/x/{job.pk}/")]
