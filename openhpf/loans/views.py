"""Console screens of 个人住房贷款.

- `loans:list` — the portfolio (贷款台账): filters 状态, 产品, 网点, 放款日期 from/to; paged with the true total;
  borrowers masked by clearance; the read is audited (`loans.loan.list`).
- `loans:detail` — one loan: terms, parties, contract, disbursement, and the stored schedule (`loans.loan.view`).
- `loans:cases` — 逾期催收: the collection cases (the 待办 queue's page), borrowers masked, read-audited.
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
from openhpf.core.errors import DomainError
from openhpf.core.models import Branch
from openhpf.core.paging import page_number
from openhpf.documents.pdf import content_disposition

from .collection import case_page
from .models import Loan, LoanContract
from .selectors import PRODUCT_LABELS, LoanFilter, loan_detail, loan_page

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
    return render(request, "loans/detail.html", {"loan": loan, "title": f"贷款 {loan['number']}"})


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
@permission_required(VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    """逾期催收: the open (or closed) collection cases, oldest overdue first (the 待办 queue's page); the screen
    with actions, restructuring and write-off builds on `collection.case_page` / `case_detail`."""
    center = console_center(request)
    state = request.GET.get("state", "open").strip()
    state = state if state in ("open", "closed", "") else "open"
    page = case_page(actor=request.user, center=center, state=state, page=page_number(request.GET.get("page")),
                     page_size=20)
    return render(request, "loans/cases.html", {"page": page, "rows": page.items, "state": state,
                                                "title": "逾期催收"})
