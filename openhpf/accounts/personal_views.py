"""Console actions on personal data: the audited unmask (查看明文) of a member and the watermarked CSV export
of a member search. Thin: the rules live in access.services and the accounts selectors."""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.services import export_watermark, personal_data_unmask
from openhpf.core.cells import safe_row
from openhpf.core.errors import DomainError
from openhpf.iam.services import console_center

from . import selectors as account_selectors

UNMASK_FIELDS = {"name": "姓名", "id_number": "证件号码", "phone": "手机号码"}
EXPORT_LIMIT = 100


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
def member_export(request: HttpRequest) -> HttpResponse:
    """个人账户查询结果导出 (CSV, masked as on screen), with the watermark line first; the export is audited."""
    center = _center(request)
    q = request.POST.get("q", "").strip()
    try:
        mark = export_watermark(request.user, request.POST.get("reason", ""))
    except DomainError as e:
        return HttpResponse(e.message, status=e.code.status, content_type="text/plain; charset=utf-8")
    with transaction.atomic(durable=True):
        rows = account_selectors.member_export(center=center, q=q, reason=request.POST.get("reason", ""),
                                               actor=request.user, limit=EXPORT_LIMIT)
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel opens UTF-8 CSV with a BOM
    w = csv.writer(buf)
    w.writerow(safe_row([f"# {mark}"]))
    w.writerow(["个人账号", "姓名", "证件号码", "手机号码", "单位账号", "单位名称", "账户状态"])
    for r in rows:  # every cell escaped: a name or employer starting with = + - @ is text, never a formula
        w.writerow(safe_row([r.account_no, r.name, r.id_number, r.phone, r.employer_no, r.employer_name,
                             r.status_label]))
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="members.csv"'
    resp["X-HPF-Watermark"] = mark.encode("utf-8").decode("latin-1")
    return resp
