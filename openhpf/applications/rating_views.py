"""Console pages of 好差评: the follow-ups (整改) of 差评, paged, and one follow-up where staff record what was
done and close it (applications.followup). No applicant's name is shown: the application number leads to it."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openhpf.access.decorators import permission_required
from openhpf.core.errors import DomainError
from openhpf.iam.services import console_center

from . import rating_selectors as sel
from .models import RatingFollowUp
from .ratings import followup_close

PERMISSION = "applications.followup"


@require_http_methods(["GET"])
@permission_required(PERMISSION)
def followups(request: HttpRequest) -> HttpResponse:
    center = console_center(request.user)
    status = request.GET.get("status", "open")
    status = status if status in ("", *RatingFollowUp.Status.values) else "open"
    page = sel.followup_page(center=center, user=request.user, status=status, page=request.GET.get("page"))
    rows = [(f, sel.followup_overdue(f, center.business_date)) for f in page.items]
    return render(request, "applications/followups.html", {
        "page": page, "rows": rows, "status": status, "statuses": RatingFollowUp.Status.choices,
        "today": center.business_date})


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def followup(request: HttpRequest, pk: int) -> HttpResponse:
    center = console_center(request.user)
    try:
        f = sel.followup_get(center=center, user=request.user, pk=pk)
    except DomainError as e:
        raise Http404(e.message) from None
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic(durable=True):
                followup_close(followup=f, actor=request.user, business_date=center.business_date,
                               result=request.POST.get("result", ""))
        except DomainError as e:
            error = e.message
        else:
            messages.success(request, f"差评整改 {f.pk}（办件 {f.rating.application.number}）已办结")
            return redirect(reverse("ratings:followups"))
    return render(request, "applications/followup.html", {
        "f": f, "error": error, "overdue": sel.followup_overdue(f, center.business_date),
        "result": request.POST.get("result", "") if request.method == "POST" else ""}, status=422 if error else 200)
