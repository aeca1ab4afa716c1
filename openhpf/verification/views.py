"""The console page of 核验: the query log (filtered by source, status and day; paged) and the breaker state of
each source."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.core.authz import permission_required, staff_center_required

from .models import Source, Status
from .selectors import VIEW_PERMISSION, breaker_states, query_page


def _day(raw: str, label: str, errors: list[str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label}应为 YYYY-MM-DD 格式的日期：{raw[:20]}")
        return None


@require_GET
@permission_required(VIEW_PERMISSION)
def query_list(request: HttpRequest) -> HttpResponse:
    center = staff_center_required(request.user, perm=VIEW_PERMISSION)
    errors: list[str] = []
    source = request.GET.get("source", "")
    status = request.GET.get("status", "")
    date_from = _day(request.GET.get("from", ""), "起始日期", errors)
    date_to = _day(request.GET.get("to", ""), "截止日期", errors)
    page = query_page(center=center, actor=request.user, source=source, status=status, date_from=date_from,
                      date_to=date_to, page=request.GET.get("page"))
    return render(request, "verification/queries.html", {
        "page": page, "breakers": breaker_states(), "sources": Source.choices, "statuses": Status.choices,
        "source": source, "status": status, "date_from": request.GET.get("from", "")[:10],
        "date_to": request.GET.get("to", "")[:10], "error": "；".join(errors)})
