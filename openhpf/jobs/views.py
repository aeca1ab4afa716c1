"""The job list: the full console page (作业) and the partial it and the home page poll with htmx; the
actions 续跑 and 取消 of a job found dead (中断) or failed."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from openhpf.core.authz import permission_required
from openhpf.core.errors import DomainError
from openhpf.core.paging import paginate

from .models import Job
from .runner import job_cancel, job_resume_registered
from .selectors import STATES, job_get, job_query

LIST_LIMIT = 20  # a page of the list; the partial (home page, the list's live first page) shows the newest as many


def _state(request: HttpRequest) -> str:
    state = request.GET.get("state", "")
    return state if state in STATES else ""


@require_GET
@permission_required("jobs.view")
def job_list_partial(request: HttpRequest) -> HttpResponse:
    """The newest LIST_LIMIT jobs (all of them, or the failed and interrupted ones) with the true total and, when
    there are more, a link to the paged list."""
    state = _state(request)
    page = paginate(job_query(user=request.user, state=state), 1, LIST_LIMIT)
    return render(request, "jobs/_job_list.html", {"jobs": page.items, "page": page, "state": state})


@require_GET
@permission_required("jobs.view")
def job_list_page(request: HttpRequest) -> HttpResponse:
    """Every job the user may see (or only the failed and interrupted ones: state=problem), newest first,
    LIST_LIMIT a page with the true total; the first page refreshes itself (the partial), later pages stay put."""
    state = _state(request)
    page = paginate(job_query(user=request.user, state=state), request.GET.get("page"), LIST_LIMIT)
    return render(request, "jobs/list.html", {"jobs": page.items, "page": page, "no_poll": page.page > 1,
                                              "state": state, "states": STATES.items(),
                                              "error": request.GET.get("error", "")[:200],
                                              "message": request.GET.get("message", "")[:200]})


def _back(**query: str) -> HttpResponse:
    return redirect(f"{reverse('jobs:list')}?{urlencode(query)}")


def _act(request: HttpRequest, pk: int, action: Callable[..., Job], done: Callable[[Job], str]) -> HttpResponse:
    """取消 / 续跑: run the action on the job as the signed-in user and come back to the list with its message."""
    try:
        job = action(job=job_get(pk, user=request.user), actor=request.user)
    except DomainError as e:
        return _back(error=e.message)
    return _back(message=done(job))


@require_POST
@permission_required("jobs.run")
def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, job_cancel, lambda job: f"作业 #{job.pk} 已取消")


@require_POST
@permission_required("jobs.run")
def job_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, job_resume_registered, lambda job: f"作业 #{job.pk} 已续跑：{job.state_label}")
