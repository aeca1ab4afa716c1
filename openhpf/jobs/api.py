"""JSON API of background jobs (mounted at /api/v1/jobs/): the list (paged, with the true total; `state=problem`
for the failed and interrupted ones) with each job's state as shown (a running job with an old heartbeat is
`interrupted`, 中断), and the actions 续跑 (resume) and 取消 (cancel)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from openhpf.core.authz import check_permission
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.paging import paginate

from .models import Job
from .runner import job_cancel, job_resume_registered
from .selectors import STATES, job_get, job_query

router = Router(tags=["作业"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    center: str
    status: str  # stored: pending / running / succeeded / failed / cancelled
    state: str  # as shown: the status, or interrupted for a running job found dead
    state_label: str
    percent: int
    current_step: str
    error: str
    error_code: str
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    can_resume: bool
    can_cancel: bool


def _out(j: Job) -> dict[str, Any]:
    return {"id": j.pk, "kind": j.kind, "title": j.display_name, "center": j.center.code if j.center else "",
            "status": j.status, "state": j.state, "state_label": j.state_label, "percent": j.percent,
            "current_step": j.current_step, "error": j.error, "error_code": j.error_code,
            "started_at": j.started_at, "finished_at": j.finished_at, "heartbeat_at": j.heartbeat_at,
            "can_resume": j.can_resume, "can_cancel": j.can_cancel}


class JobPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[JobOut]


@router.get("", response=JobPageOut,
            summary="作业（新的在前；state=problem 只列失败或中断的；心跳超时的运行中作业显示为中断；分页，total 为总数）")
def jobs(request: HttpRequest, state: str = "", page: int = 1, page_size: int = 50):
    jobs = job_query(user=request.user, state=state)  # checks jobs.view first: a refused caller learns nothing
    if state not in STATES:
        raise DomainError(ErrorCode.STATE_INVALID, "作业状态筛选应为 problem（失败或中断），或不填（全部）", field="state")
    p = paginate(jobs, page, page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": [_out(j) for j in p.items]}


@router.post("/{pk}/cancel", response=JobOut, summary="取消作业（等待、失败或中断的作业；其导入转为失败）")
def cancel(request: HttpRequest, pk: int):
    check_permission(request.user, "jobs.run")  # before the job is looked up: a refused caller learns nothing
    with transaction.atomic(durable=True):
        return _out(job_cancel(job=job_get(pk, user=request.user), actor=request.user))


@router.post("/{pk}/resume", response=JobOut, summary="续跑作业（失败或中断、且登记了续跑方式的作业）")
def resume(request: HttpRequest, pk: int):
    check_permission(request.user, "jobs.run")
    return _out(job_resume_registered(job=job_get(pk, user=request.user), actor=request.user))
