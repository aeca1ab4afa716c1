"""Console print pages of accounts: 个人明细 of a member account for a date range, as a print page and as a PDF
(format=pdf). Both are personal reads (accounts.statement.account_statement writes the audit row)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.core.errors import DomainError
from openhpf.documents.pdf import content_disposition, yuan
from openhpf.documents.receipts import operator_name

from .lookups import console_center, member_account_or_404
from .member_forms import HistoryFilterForm
from .statement import account_statement, flow_of, month_label, statement_pdf


@require_GET
@permission_required("accounts.view")
def member_statement(request: HttpRequest, account_no: str) -> HttpResponse:
    center = console_center(request)
    account = member_account_or_404(request, account_no)
    form = HistoryFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "accounts/member_statement.html", {"account_no": account_no, "form": form, "st": None},
                      status=422)
    data = form.cleaned_data if form.is_bound else {}
    pdf = request.GET.get("format") == "pdf"
    try:
        st = account_statement(account=account, actor=request.user, date_from=data.get("date_from"),
                               date_to=data.get("date_to"), purpose="pdf" if pdf else "print")
    except DomainError as e:
        return render(request, "accounts/member_statement.html",
                      {"account_no": account_no, "form": form, "st": None, "error": e.message}, status=422)
    printed_by = operator_name(request.user)
    if pdf:
        resp = HttpResponse(statement_pdf(st, center_name=center.name, printed_on=center.business_date,
                                          printed_by=printed_by), content_type="application/pdf")
        resp["Content-Disposition"] = content_disposition(f"个人明细_{account_no}.pdf")
        return resp
    rows = [{"date": r.business_date, "month": month_label(r.month) or "—", "biz": r.biz_label,
             "summary": r.summary or "—", "amount": yuan(r.amount), "neg": r.amount < 0,
             "balance": yuan(r.balance_after), "flow": flow_of(account_no, r)} for r in st.rows]
    query = "&".join(f"{k}={v.isoformat()}" for k, v in (("date_from", st.date_from), ("date_to", st.date_to)) if v)
    return render(request, "accounts/member_statement.html", {
        "account_no": account_no, "form": form, "st": st, "d": st.detail, "rows": rows, "query": query,
        "money": {k: yuan(getattr(st, k)) for k in ("opening", "closing", "credits", "debits")},
        "printed_by": printed_by,
    })
