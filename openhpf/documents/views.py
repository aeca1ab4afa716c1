"""Console pages of documents: the 业务回单 of a counter transaction, as a print page and as a PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.core.authz import permission_required, staff_center_required
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen

from .models import Receipt
from .receipts import amount_in_words, receipt_pdf
from .selectors import receipt_read


def _receipt(request: HttpRequest, number: str) -> Receipt:
    center = staff_center_required(request.user, perm="documents.view")
    try:
        return receipt_read(center=center, number=number, actor=request.user)
    except DomainError as e:
        raise Http404(e.message) from None


@require_GET
@permission_required("documents.view")
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """业务回单: printable (the print stylesheet hides the menu and the buttons)."""
    r = _receipt(request, number)
    ctx = {
        "r": r, "lines": [(a, b) for a, b in r.lines], "repeat": request.GET.get("repeat") == "1",
        "amount": None if r.amount is None else format_fen(r.amount),
        "amount_words": None if r.amount is None else "人民币" + amount_in_words(r.amount),
    }
    return render(request, "documents/receipt.html", ctx)


@require_GET
@permission_required("documents.view")
def receipt_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    r = _receipt(request, number)
    try:
        body = receipt_pdf(r, center_name=r.center.name, printed_on=r.center.business_date)
    except DomainError as e:
        return HttpResponse(e.message, status=503, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{r.number}.pdf"'
    return resp
