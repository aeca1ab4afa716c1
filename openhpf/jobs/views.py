"""The job list partial the console home page polls with htmx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import job_list


@login_required
@require_GET
def job_list_partial(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/_job_list.html", {"jobs": job_list(limit=20)})
