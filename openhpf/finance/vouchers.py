"""Console pages of vouchers (记账凭证): the list, the viewer (借/贷 lines with account names, totals in 元, status,
maker and checker, links to its source) with its print stylesheet, and the printable 记账凭证 as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.approvals.selectors import person_label
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.documents.pdf import Col, printed_pdf, yuan
from openhpf.iam.services import staff_center_required
from openhpf.ledger.selectors import Voucher, voucher_get, vouchers_recent

from . import selectors
from .reports import attachment_header


def _center(request: HttpRequest) -> Center:
    return staff_center_required(request.user)


@dataclass
class VoucherPage:
    v: Voucher
    origin: selectors.VoucherOrigin
    status: str
    maker: str
    checker: str
    source_url: str


def voucher_page(center: Center, voucher_no: str, user: Any) -> VoucherPage:
    try:
        v = voucher_get(center=center, voucher_no=voucher_no, user=user)
    except DomainError as err:
        raise Http404(err.message) from None
    e = v.entry
    origin = selectors.voucher_origin(center=center, voucher_no=e.voucher_no, source=e.source,
                                      reversal=v.reversal_of is not None)
    if v.reversed_by:
        status = f"已记账，已被 {v.reversed_by} 冲正"
    elif v.reversal_of:
        status = f"已记账（冲正 {v.reversal_of}）"
    else:
        status = "已记账"
    if v.period_closed:
        status += f"；会计期间 {e.period.label} 已结账"
    source_url = ""
    if origin.command_id is not None:
        source_url = reverse("approvals:detail", args=[origin.command_id])
    elif origin.year is not None:
        source_url = f"{reverse('finance:value_added')}?year={origin.year}"
    return VoucherPage(v=v, origin=origin, status=status,
                       maker=person_label(origin.maker) if origin.maker is not None else e.created_by,
                       checker=person_label(origin.checker) if origin.checker is not None else "",
                       source_url=source_url)


@require_GET
@permission_required("ledger.view")
def voucher_list(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    q = request.GET.get("q", "").strip()[:60]
    on_text = request.GET.get("on", "").strip()
    on, error = None, None
    if on_text:
        try:
            on = date.fromisoformat(on_text)
        except ValueError:
            error = f"业务日期格式不正确（应为 YYYY-MM-DD）：{on_text}"
    rows = vouchers_recent(center=center, user=request.user, q=q, on=on) if error is None else []
    ctx = {"q": q, "on": on_text, "error": error, "rows": rows,
           "can_post": has_permission(request.user, "ledger.post_manual", center=center)}
    return render(request, "finance/vouchers.html", ctx, status=200 if error is None else 422)


@require_GET
@permission_required("ledger.view")
def voucher_detail(request: HttpRequest, voucher_no: str) -> HttpResponse:
    center = _center(request)
    page = voucher_page(center, voucher_no, request.user)
    e = page.v.entry
    can_reverse = (has_permission(request.user, "ledger.post_manual", center=center) and page.v.reversal_of is None
                   and page.v.reversed_by is None)
    return render(request, "finance/voucher.html", {"p": page, "e": e, "can_reverse": can_reverse})


# ---------------------------------------------------------------- the printable 记账凭证 (PDF)


def voucher_pdf_bytes(page: VoucherPage, *, center_name: str, printed_on: date) -> bytes:
    e = page.v.entry
    pdf = printed_pdf(center_name=center_name, title="记 账 凭 证", printed_on=printed_on, orientation="L",
                      page=(148.0, 210.0), margin=10)  # A5 landscape
    pdf.heading(size=13)
    third = pdf.usable / 3
    pdf.set_font("cjk", size=9)
    pdf.cell(third, 6, f"业务日期：{e.business_date:%Y-%m-%d}")
    pdf.cell(third, 6, f"起息日：{e.value_date:%Y-%m-%d}", align="C")
    pdf.cell(third, 6, f"凭证号：{e.voucher_no}", align="R", new_x="LMARGIN", new_y="NEXT")
    cols = (Col("摘要", 34), Col("会计科目", 30), Col("借方金额（元）", 18, "R"), Col("贷方金额（元）", 18, "R"))
    rows = [(ln.memo or e.description, f"{ln.code} {ln.name}", yuan(ln.debit) if ln.debit else "",
             yuan(ln.credit) if ln.credit else "") for ln in page.v.lines]
    pdf.data_table(cols, rows, totals=[("合计", "", yuan(page.v.debit), yuan(page.v.credit))])
    pdf.ln(2)
    pdf.paragraph(f"摘要：{e.description}", size=8)
    pdf.paragraph(f"来源：{page.origin.source_label}    状态：{page.status}", size=8)
    pdf.signoff(("制单", "复核"), names={"制单": page.maker, "复核": page.checker or "—"})
    return pdf.to_bytes()


@require_GET
@permission_required("ledger.view")
def voucher_pdf(request: HttpRequest, voucher_no: str) -> HttpResponse:
    center = _center(request)
    page = voucher_page(center, voucher_no, request.user)
    data = voucher_pdf_bytes(page, center_name=center.name, printed_on=center.business_date)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = attachment_header(f"记账凭证_{page.v.entry.voucher_no}.pdf")
    return resp
