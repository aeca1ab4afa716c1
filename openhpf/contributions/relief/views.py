"""Console pages of the relief services: the arrears reminder list (催缴清单) with its export, and hardship
applications (缓缴/降比例), both paged with their true totals."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.access.services import export_watermark
from openhpf.accounts.lookups import employer_or_404
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.paging import PAGE_SIZE, Page, page_number, paginate
from openhpf.documents.exports import export_audit, xlsx_response, yuan_text
from openhpf.documents.pdf import content_disposition, yuan
from openhpf.documents.receipts import operator_name
from openhpf.iam.services import console_center

from ..models import HardshipApplication
from ..months import ym, ym_parse
from .arrears import arrears_default_month, arrears_list
from .hardship import hardship_query
from .notice import LEGAL_BASIS, arrears_notice, default_deadline, notice_body, notice_days, notice_pdf

MEMBERS_PAGE_SIZE = 100


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


def _ym_label(v: str) -> str:
    return f"{v[:4]}-{v[4:]}" if len(v or "") == 6 else (v or "—")


@require_GET
@permission_required("accounts.view")
def arrears_page(request: HttpRequest) -> HttpResponse:
    """催缴清单: one month's employers in arrears (paged, with the true count and amount), and with 列出职工 a page of
    their members. Without a month it opens on the latest month that has arrears, and says so."""
    center = _center(request)
    g = request.GET
    error, report, month, default_note, mpage = None, None, g.get("month", "").strip(), "", 1
    show_members = bool(g.get("members"))
    try:
        if month:
            month = ym_parse(month)
        else:
            month, found = arrears_default_month(center=center, user=request.user)
            default_note = ("（未指定年月：显示最近一个有欠缴的月份）" if found else
                            "（未指定年月：近几个月均无欠缴，显示上月）")
        mpage = page_number(g.get("mpage"))
        report = arrears_list(center=center, month=month, user=request.user, with_members=show_members,
                              member_limit=MEMBERS_PAGE_SIZE, member_offset=(mpage - 1) * MEMBERS_PAGE_SIZE)
        last = max(1, -(-report.member_count // MEMBERS_PAGE_SIZE))
        if show_members and mpage > last:  # past the end: the last page, like every other list
            mpage = last
            report = arrears_list(center=center, month=month, user=request.user, with_members=True,
                                  member_limit=MEMBERS_PAGE_SIZE, member_offset=(mpage - 1) * MEMBERS_PAGE_SIZE)
    except DomainError as e:
        error = e.message
    page = paginate(report.employers if report else [], g.get("page"), PAGE_SIZE)
    rows = [{**e.__dict__, "amount_yuan": format_fen(e.amount), "paid_up_to": _ym_label(e.paid_up_to)}
            for e in page.items]
    members = [] if report is None else [
        {**m.__dict__, "amount_yuan": format_fen(m.amount), "monthly_yuan": format_fen(m.monthly_amount),
         "paid_up_to": _ym_label(m.paid_up_to)} for m in report.members]
    member_page = paginate([], 1) if report is None else _member_page(report, mpage)
    return render(request, "contributions/relief/arrears.html", {
        "month": _ym_label(month) if len(month) == 6 else month, "month_value": month, "error": error,
        "rows": rows, "page": page, "members": members, "member_page": member_page, "show_members": show_members,
        "default_note": default_note, "employers": len(report.employers) if report else 0,
        "total": format_fen(report.total) if report else "0.00", "on": report.on if report else center.business_date,
        "can_export": has_permission(request.user, "accounts.export", center=center),
    })


def _member_page(report: Any, n: int) -> Page[Any]:
    """The page of members read (the report holds that page only, already clamped into range), with the true count
    of members in arrears."""
    return Page(items=report.members, total=report.member_count, page=n, page_size=MEMBERS_PAGE_SIZE, param="mpage")


ARREARS_HEADER = ["单位账号", "单位名称", "发薪日", "缴存期限", "缴至年月", "欠缴月数", "欠缴人数", "欠缴金额（元）"]


@require_POST
@permission_required("accounts.export")
def arrears_export(request: HttpRequest) -> HttpResponseBase:
    """催缴清单 of a month as .xlsx, one row per employer (months owed, members, amount) and the totals; watermarked
    and audited (no personal data: members are not listed)."""
    center = _center(request)
    month, reason = request.POST.get("month", ""), request.POST.get("reason", "")
    try:
        m = ym_parse(month)
        mark = export_watermark(request.user, reason)
        report = arrears_list(center=center, month=m, user=request.user, with_members=False)
        with transaction.atomic(durable=True):
            export_audit(actor=request.user, event=AuditEvent.CONTRIBUTIONS_ARREARS_EXPORT, center=center,
                         reason=reason, rows=len(report.employers), filters={"month": m},
                         obj=("contributions.arrears", m))
    except DomainError as e:
        messages.error(request, f"未能导出：{e.message}")
        return redirect(f"{reverse('relief:arrears')}?{urlencode({'month': month})}")
    return xlsx_response(
        filename=f"欠缴催缴清单{m}.xlsx", title=f"欠缴催缴清单（所属年月 {_ym_label(m)}，截至 {report.on}）",
        header=ARREARS_HEADER, watermark=mark,
        rows=([e.account_no, e.name, e.payday, e.deadline, _ym_label(e.paid_up_to), e.months, e.members,
               yuan_text(e.amount)] for e in report.employers),
        totals=["合计", f"{len(report.employers)} 个单位", "", "", "", "", report.member_count,
                yuan_text(report.total)],
        widths=[16, 30, 8, 12, 10, 10, 10, 16])


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
        "legal_basis": LEGAL_BASIS, "preparer": operator_name(request.user), "notice_days": notice_days(center),
    }, status=200 if error is None else 422)


@require_GET
@permission_required("accounts.view")
def hardship_page(request: HttpRequest) -> HttpResponse:
    """缓缴与降比例 applications: filtered by status, type and employer, paged with the true total."""
    center = _center(request)
    g = request.GET
    f = {"status": g.get("status", ""), "kind": g.get("kind", ""), "employer": g.get("employer", "").strip()[:20]}
    raw = g.get("expiring", "")
    expiring = min(int(raw), 366) if raw.isdigit() else None  # 缓缴到期: in force, ending within so many days
    error, page = None, paginate([], 1)
    try:
        page = paginate(hardship_query(center=center, user=request.user, status=f["status"] or None,
                                       kind=f["kind"] or None, employer_no=f["employer"], expiring_within=expiring),
                        g.get("page"))
    except DomainError as e:
        error = e.message
    return render(request, "contributions/relief/hardship.html", {
        "applications": page.items, "page": page, "f": f, "error": error, "expiring": expiring,
        "statuses": HardshipApplication.Status.choices, "kinds": HardshipApplication.Kind.choices})
