"""审计日志 console pages (security auditor only): the filtered, paginated trail and the chain check."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from openhpf.core.authz import permission_required

from .selectors import audit_chain_verify, audit_records

PAGE_SIZE = 50


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


@require_GET
@permission_required("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    f = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "object_type", "object_id", "date_from",
                                                     "date_to")}
    qs = audit_records(actor=request.user, by=f["actor"], action=f["action"], object_type=f["object_type"],
                       object_id=f["object_id"], date_from=_date(f["date_from"]), date_to=_date(f["date_to"]))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(request, "audit/list.html", {"f": f, "page": page, "query": query})


@require_POST
@permission_required("audit.view")
def audit_verify(request: HttpRequest) -> HttpResponse:
    checked, breaches = audit_chain_verify(user=request.user)
    return render(request, "audit/_verify.html", {"checked": checked, "breaches": breaches})
