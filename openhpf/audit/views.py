"""审计日志 console pages (security auditor only): the filtered, paginated trail. The chain check runs as a job with
progress (console.audit_tools, /audit-tools/chain/)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.core.audit_events import DOMAINS, AuditEvent, AuditObject, grouped
from openhpf.core.authz import permission_required
from openhpf.core.paging import paginate

from .display import diff
from .selectors import audit_records

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
    page = paginate(qs, request.GET.get("page"), PAGE_SIZE)
    # stored codes mapped to the catalogue for display (None: a code outside it, shown as 未编目); before and
    # after as a table of field label → value (as stored: masked when written)
    rows = [(r, AuditEvent.lookup(r.action), AuditObject.lookup(r.object_type), diff(r.object_type, r.before, r.after))
            for r in page]
    query = urlencode({k: v for k, v in f.items() if v})
    pickers = {
        "event_groups": grouped(),
        "object_types": [o for o in AuditObject if o],
        # a chosen value the pickers do not offer (a legacy code typed into the address): kept, shown as it is
        "action_other": f["action"] if f["action"] and f["action"] not in DOMAINS
        and AuditEvent.lookup(f["action"]) is None else "",
        "object_type_other": f["object_type"] if f["object_type"]
        and AuditObject.lookup(f["object_type"]) is None else "",
    }
    return render(request, "audit/list.html", {"f": f, "page": page, "rows": rows, "query": query,
                                               "chain_job": request.GET.get("chain_job", ""), **pickers})
