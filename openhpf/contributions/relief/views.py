"""Console pages of the relief services: the arrears reminder list (催缴清单) and hardship applications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.iam.services import console_center

from ..months import ym
from .arrears import arrears_list
from .hardship import hardship_applications


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


@require_GET
@permission_required("accounts.view")
def arrears_page(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    month = request.GET.get("month") or f"{ym(center.business_date)[:4]}-{ym(center.business_date)[4:]}"
    error, report = None, None
    try:
        report = arrears_list(center=center, month=month, user=request.user, with_members=bool(request.GET.get("members")),
                              member_limit=2000)
    except DomainError as e:
        error = e.message
    rows = [] if report is None else [
        {**e.__dict__, "amount_yuan": format_fen(e.amount)} for e in report.employers]
    members = [] if report is None else [
        {**m.__dict__, "amount_yuan": format_fen(m.amount), "monthly_yuan": format_fen(m.monthly_amount)}
        for m in report.members]
    return render(request, "contributions/relief/arrears.html", {
        "month": month, "error": error, "rows": rows, "members": members, "show_members": bool(request.GET.get("members")),
        "total": format_fen(report.total) if report else "0.00", "on": report.on if report else center.business_date,
    })


@require_GET
@permission_required("accounts.view")
def hardship_page(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    raw = request.GET.get("expiring", "")
    expiring = min(int(raw), 366) if raw.isdigit() else None  # 缓缴到期: in force, ending within so many days
    apps = hardship_applications(center=center, user=request.user, status=request.GET.get("status") or None,
                                 expiring_within=expiring)
    return render(request, "contributions/relief/hardship.html", {"applications": apps, "expiring": expiring})
