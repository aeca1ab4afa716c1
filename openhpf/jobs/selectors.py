"""Reads of job records for the console and the CLI."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from openhpf.core.actors import Actor
from openhpf.core.authz import check_permission, scope_queryset
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center

from .models import Job, stale_after_seconds

# The job list's filters: "problem" is what the home page's 待办 counts (failed, or running with a dead heartbeat:
# 中断); each stays until it is resumed (续跑) or cancelled (取消).
STATES = {"": "全部", "problem": "失败或中断"}


def _problems(qs: QuerySet[Job]) -> QuerySet[Job]:
    """Failed jobs and running ones found dead (Job.state == interrupted, as a filter)."""
    limit = timezone.now() - timedelta(seconds=stale_after_seconds())
    dead = Q(status=Job.Status.RUNNING) & (Q(heartbeat_at__lt=limit) | Q(
        heartbeat_at__isnull=True) & (Q(started_at__isnull=True) | Q(started_at__lt=limit)))
    return qs.filter(Q(status=Job.Status.FAILED) | dead)


def job_list(*, center: Center | None = None, limit: int = 50, user: Actor | None = None,
             state: str = "") -> QuerySet[Job]:
    """The most recent jobs, newest first; with a center, that center's jobs only. With a user (the console),
    only if it holds jobs.view, and only the jobs of its centers and the instance-wide ones. `state` "problem":
    only the failed and interrupted ones."""
    return job_query(center=center, user=user, state=state)[:limit]


def job_problem_count(*, user: Actor, center: Center | None = None) -> int:
    """How many jobs job_query(state="problem") finds for `user` (the 待办 count of 失败或中断的作业)."""
    return job_query(center=center, user=user, state="problem").count()


def job_query(*, center: Center | None = None, user: Actor | None = None, state: str = "") -> QuerySet[Job]:
    """Every job job_list would list, unsliced (the console pages through it with the true total)."""
    qs = Job.objects.select_related("center").order_by("-created_at", "-id")
    if user is not None:
        check_permission(user, "jobs.view")
        qs = qs.filter(Q(center__isnull=True) | Q(pk__in=scope_queryset(user, Job.objects.all()).values("pk")))
    if center is not None:
        qs = qs.filter(center=center)
    return _problems(qs) if state == "problem" else qs


def job_get(job_id: int, *, user: Actor | None = None) -> Job:
    """One job with its steps and log (prefetched). With a user (the console, the API), only a job it may see
    (jobs.view, its centers' jobs and the instance-wide ones); another answers as not found."""
    qs = Job.objects.select_related("center").prefetch_related("steps", "logs").filter(pk=job_id)
    if user is not None:
        check_permission(user, "jobs.view")
        qs = qs.filter(Q(center__isnull=True) | Q(pk__in=scope_queryset(user, Job.objects.all()).values("pk")))
    job = qs.first()
    if job is None:
        raise DomainError(ErrorCode.JOB_NOT_FOUND, f"作业 #{job_id} 不存在", field="id")
    return job
