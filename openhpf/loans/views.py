"""Console screens of 个人住房贷款.

- `loans:list` — the portfolio (贷款台账): filters 状态, 产品, 网点, 放款日期 from/to; paged with the true total;
  borrowers masked by clearance; the read is audited (`loans.loan.list`).
- `loans:collateral_warnings` — the 待办 queue 抵押物预警待处置: open warnings of the collateral watch (no
  personal data on it; the disposal is recorded through the API).
- `loans:detail` — one loan (贷后管理页): terms, parties, contract, disbursement, the schedule and its earlier versions,
  what is due and overdue, payments, class history with the override form, collateral, collection, and the counter
  repayment form (servicing_views) (`loans.loan.view`).
- `loans:contract_pdf` — the sealed contract PDF (the stored document), read-audited as a view of the loan.
The loan officer's review of an application (each rule, the caps, the collateral, the schedule) is the section
贷款审查 on the engine's review screen (`applications:detail`), registered from `LoansConfig.ready()`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.accounts.lookups import console_center
from openhpf.core.authz import has_permission
from openhpf.core.codes import LoanClass
from openhpf.core.errors import DomainError
from openhpf.core.models import Branch
from openhpf.core.paging import page_number
from openhpf.documents.pdf import content_disposition

from .models import Loan, LoanContract
from .selectors import PRODUCT_LABELS, LoanFilter, loan_detail, loan_get, loan_page
from .servicing_selectors import servicing_sections
from .watch import warnings_open

VIEW = "loans.view"


def _day(v: str) -> date | None:
    try:
        return date.fromisoformat(v) if v else None
    except ValueError:
        return None


@require_GET
@permission_required(VIEW)
def loan_list(request: HttpRequest) -> HttpResponse:
    center = console_center(request)
    g = request.GET
    f = LoanFilter(status=g.get("status", "").strip(), product=g.get("product", "").strip(),
                   branch=g.get("branch", "").strip(), disbursed_from=_day(g.get("from", "")),
                   disbursed_to=_day(g.get("to", "")))
    page = loan_page(actor=request.user, center=center, filters=f, page=page_number(g.get("page")), page_size=20)
    ctx: dict[str, Any] = {"page": page, "rows": page.items, "f": f, "statuses": Loan.Status.choices,
                           "products": PRODUCT_LABELS, "branches": Branch.objects.filter(center=center).order_by("code"),
                           "title": "贷款台账"}
    return render(request, "loans/list.html", ctx)


@require_GET
@permission_required(VIEW)
def loan_view(request: HttpRequest, number: str) -> HttpResponse:
    center = console_center(request)
    try:
        loan = loan_detail(actor=request.user, center=center, number=number)
    except DomainError as e:
        raise Http404(e.message) from None
    sv = servicing_sections(loan_get(center=center, number=loan["number"]), center.business_date)
    return render(request, "loans/detail.html", {
        "loan": loan, "sv": sv, "title": f"贷款 {loan['number']}", "classes": LoanClass.choices,
        "can_operate": has_permission(request.user, "loans.operate", center=center)})


@require_GET
@permission_required(VIEW)
def contract_pdf(request: HttpRequest, number: str) -> FileResponse:
    center = console_center(request)
    try:
        loan = loan_detail(actor=request.user, center=center, number=number)  # the read, audited
    except DomainError as e:
        raise Http404(e.message) from None
    c = LoanContract.objects.filter(loan__number=loan["number"], center=center).select_related("document").first()
    if c is None:
        raise Http404("该贷款没有借款合同")
    resp = FileResponse(c.document.file.open("rb"), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition(f"借款合同-{c.contract_no}.pdf", inline=True)
    return resp


@require_GET
@permission_required("loans.operate")
def collateral_warnings(request: HttpRequest) -> HttpResponse:
    center = console_center(request)
    return render(request, "loans/collateral_warnings.html",
                  {"rows": warnings_open(center), "title": "抵押物预警待处置"})
