"""Console actions on personal data: the audited unmask (查看明文) of a member and the watermarked .xlsx export
of a member search. Thin: the rules live in access.services and the accounts selectors."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.services import export_watermark, personal_data_unmask
from openhpf.core.errors import DomainError
from openhpf.documents.exports import xlsx_response
from openhpf.iam.services import console_center

from . import selectors as account_selectors

UNMASK_FIELDS = {"name": "姓名", "id_number": "证件号码", "phone": "手机号码"}


def _center(request: HttpRequest):
    return console_center(request.user)  # refused (403) for a user without a center


@require_POST
@permission_required("personal_data.unmask")
def member_unmask(request: HttpRequest, account_no: str) -> HttpResponse:
    """查看明文 with a reason: returns the fragment with the clear values, or the form with the error."""
    center = _center(request)
    try:
        account = account_selectors.member_account_get(center=center, account_no=account_no, user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None
    fields = [f for f in request.POST.getlist("fields") if f in UNMASK_FIELDS] or list(UNMASK_FIELDS)
    reason = request.POST.get("reason", "")
    try:
        with transaction.atomic(durable=True):
            values = personal_data_unmask(user=request.user, obj=account.member, fields=fields, reason=reason)
    except DomainError as e:
        return render(request, "access/_unmask.html", {"account_no": account_no, "error": e.message,
                                                       "labels": UNMASK_FIELDS, "reason": reason}, status=422)
    rows = [(UNMASK_FIELDS[f], values[f]) for f in fields]
    return render(request, "access/_unmask.html", {"account_no": account_no, "rows": rows, "reason": reason})


@require_POST
@permission_required("accounts.export")
def member_export(request: HttpRequest) -> HttpResponseBase:
    """个人账户查询结果导出 (.xlsx, masked as on screen, the watermark on top): every account the search finds, or
    a refusal saying how many when they are more than the cap; the export is audited with its reason."""
    center = _center(request)
    q = request.POST.get("q", "").strip()
    reason = request.POST.get("reason", "")
    try:
        mark = export_watermark(request.user, reason)
        with transaction.atomic(durable=True):
            rows = account_selectors.member_export(center=center, q=q, reason=reason, actor=request.user)
    except DomainError as e:
        page = account_selectors.member_search_page(center=center, q=q, actor=request.user) if q else None
        return render(request, "accounts/member_list.html", {
            "q": q, "searched": bool(q), "page": page, "export_error": e.message,
            "reason": reason, "can_export": True, "can_open": False}, status=e.code.status)
    return xlsx_response(
        filename="个人账户查询结果.xlsx", title="个人账户查询结果", watermark=mark,
        header=["个人账号", "姓名", "证件号码", "手机号码", "单位账号", "单位名称", "账户状态"],
        rows=([r.account_no, r.name, r.id_number, r.phone, r.employer_no, r.employer_name, r.status_label]
              for r in rows),
        totals=["合计", f"{len(rows)} 户", "", "", "", "", ""], widths=[16, 10, 22, 14, 14, 30, 10])
