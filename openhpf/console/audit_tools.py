"""The security auditor's tools beside the audit viewer, which need apps above audit (so they live at the edge):
the chain check as a job with progress (jobs), and the xlsx export of the audit log (documents.exports).

审计链校验: POST starts a job (kind audit.chain_verify) and, for htmx, answers with a panel that runs it (its own
request) while polling its progress each second; the outcome (rows checked, breaches) is the job's result. Without
htmx the check runs in the request and the audit page shows the job's outcome."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.services import export_watermark
from openhpf.audit.display import diff_text
from openhpf.audit.selectors import audit_chain_verify, audit_records_export
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent, AuditObject
from openhpf.core.errors import DomainError
from openhpf.documents.exports import xlsx_response
from openhpf.jobs.models import Job
from openhpf.jobs.runner import Step, StepContext, job_start, run_job

VIEW = "audit.view"
KIND = "audit.chain_verify"
EXPORT_LIMIT = 100_000


def chain_job_start(*, actor: Actor) -> Job:
    """Record a chain check to run (one per click; the job list keeps each outcome)."""
    with transaction.atomic(durable=True):
        return job_start(kind=KIND, actor=actor, title="审计链校验")


def chain_job_run(job: Job, *, actor: Actor) -> Job:
    """Run the check as the job's one step, its progress the rows checked of the sealed rows."""
    def verify(ctx: StepContext) -> dict[str, Any]:
        checked, breaches = audit_chain_verify(user=actor, progress=lambda n, total: ctx.advance(n, total=total))
        return {"checked": checked, "breaches": breaches}

    return run_job(job, steps=[Step("verify", verify, label="校验审计链")])


def _chain_job(job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind=KIND).prefetch_related("steps").first()
    if job is None:
        raise Http404("校验作业不存在")
    return job


def _progress_context(job: Job) -> dict[str, Any]:
    step = next(iter(job.steps.all()), None)
    result = job.result or {}
    return {"job": job, "done": step.done if step else 0, "total": step.total if step else None,
            "running": job.is_active and not job.is_stale(), "checked": result.get("checked", 0),
            "breaches": result.get("breaches", [])}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_POST
@permission_required(VIEW)
def audit_chain(request: HttpRequest) -> HttpResponse:
    """校验审计链: start the job; htmx gets the live panel, a plain form post runs it and goes back to the list."""
    if request.POST.get("step") == "run":  # the live panel's own request: run the job it started
        job = _chain_job(int(request.POST.get("job") or 0))
        if job.status == Job.Status.PENDING:
            # a failure is recorded on the job (failed, with its message): the progress panel shows it
            with contextlib.suppress(DomainError):
                chain_job_run(job, actor=request.user)
        return HttpResponse(status=204)
    job = chain_job_start(actor=request.user)
    if _is_htmx(request):
        return render(request, "console/_audit_chain.html", {**_progress_context(job), "start": True})
    with contextlib.suppress(DomainError):
        chain_job_run(job, actor=request.user)
    return redirect(f"{reverse('audit:list')}?{urlencode({'chain_job': job.pk})}")


@require_GET
@permission_required(VIEW)
def audit_chain_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The check's progress (polled while it runs) and, once done, its outcome."""
    job = _chain_job(job_id)
    return render(request, "console/_audit_chain.html", _progress_context(job))


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


@require_POST
@permission_required(VIEW)
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """导出审计日志 (xlsx): the rows of the viewer's current filters (as stored: masked), with the watermark of
    who, when and why; the export is audited (audit.records.export) with its filters, reason and row count."""
    f = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "object_type", "object_id", "date_from",
                                                     "date_to")}
    reason = request.POST.get("reason", "")
    try:
        mark = export_watermark(request.user, reason)
    except DomainError as e:
        return HttpResponse(e.message, status=e.code.status, content_type="text/plain; charset=utf-8")
    with transaction.atomic(durable=True):
        records = audit_records_export(actor=request.user, reason=reason.strip(), by=f["actor"], action=f["action"],
                                       object_type=f["object_type"], object_id=f["object_id"],
                                       date_from=_date(f["date_from"]), date_to=_date(f["date_to"]),
                                       limit=EXPORT_LIMIT)

    def rows() -> Any:
        for r in records:
            event, obj = AuditEvent.lookup(r.action), AuditObject.lookup(r.object_type)
            before, after = diff_text(r.object_type, r.before, r.after)
            yield [r.created_at, r.seq if r.seq is not None else "未封存", r.actor,
                   event.label if event else f"{r.action}（未编目）", obj.label if obj else r.object_type, r.object_id,
                   r.business_date, before, after]

    return xlsx_response(filename="audit-log.xlsx", title="审计日志", watermark=mark, rows=rows(),
                         header=["时间", "链序号", "操作人", "事件", "对象类型", "对象编号", "业务日期", "变更前",
                                 "变更后"], widths=[20, 10, 20, 24, 16, 16, 12, 50, 50])
