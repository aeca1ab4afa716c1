"""The job list: the full console page (作业) and the partial it and the home page poll with htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.core.authz import permission_required

from .selectors import job_list

LIST_LIMIT = 20  # the partial's own refresh shows as many


@require_GET
@permission_required("jobs.view")
def job_list_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/_job_list.html", {"jobs": job_list(limit=LIST_LIMIT, user=request.user)})


@require_GET
@permission_required("jobs.view")
def job_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/list.html", {"jobs": job_list(limit=LIST_LIMIT, user=request.user),
                                              "limit": LIST_LIMIT})
