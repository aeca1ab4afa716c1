"""Console pages of the relief services: the arrears reminder list (催缴清单) and hardship applications."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.accounts.lookups import employer_or_404
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.documents.pdf import content_disposition, yuan
from openhpf.documents.receipts import operator_name
from openhpf.iam.services import console_center

from ..months import ym
from .arrears import arrears_list
from .hardship import hardship_applications
from .notice import LEGAL_BASIS, arrears_notice, default_deadline, notice_body, notice_pdf


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
def employer_arrears_notice(request: HttpRequest, account_no: str) -> HttpResponse:
    """催缴通知书 of one employer for a month of the 催缴清单: the print page, or the PDF (format=pdf)."""
    center = _center(request)
    employer = employer_or_404(request, account_no)
    bd = center.business_date
    month = request.GET.get("month") or f"{ym(bd)[:4]}-{ym(bd)[4:]}"
    deadline_text = (request.GET.get("deadline") or "").strip()
    error, notice = None, None
    try:
        try:
            deadline = date.fromisoformat(deadline_text) if deadline_text else default_deadline(center)
        except ValueError:
            raise DomainError(ErrorCode.DATE_FORMAT, f"缴存期限格式不正确（应为 YYYY-MM-DD）：{deadline_text}",
                              field="deadline") from None
        notice = arrears_notice(center=center, employer=employer, month=month, user=request.user, deadline=deadline)
    except DomainError as e:
        error, deadline = e.message, default_deadline(center)
    if notice is not None and request.GET.get("format") == "pdf":
        resp = HttpResponse(notice_pdf(notice, printed_on=bd, preparer=operator_name(request.user)),
                            content_type="application/pdf")
        resp["Content-Disposition"] = content_disposition(f"催缴通知书_{notice.employer_no}_{notice.month}.pdf")
        return resp
    return render(request, "contributions/relief/arrears_notice.html", {
        "employer": employer, "month": month, "deadline": deadline_text or f"{deadline:%Y-%m-%d}", "error": error,
        "n": notice, "body": notice_body(notice) if notice else [], "amount": yuan(notice.amount) if notice else "",
        "legal_basis": LEGAL_BASIS, "preparer": operator_name(request.user),
    }, status=200 if error is None else 422)


@require_GET
@permission_required("accounts.view")
def hardship_page(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    raw = request.GET.get("expiring", "")
    expiring = min(int(raw), 366) if raw.isdigit() else None  # 缓缴到期: in force, ending within so many days
    apps = hardship_applications(center=center, user=request.user, status=request.GET.get("status") or None,
                                 expiring_within=expiring)
    return render(request, "contributions/relief/hardship.html", {"applications": apps, "expiring": expiring})
