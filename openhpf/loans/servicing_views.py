"""Console screens of loan servicing (贷后管理).

- `loans:repay` — 柜台还款 on the servicing page (htmx): step 1 shows how the amount would be allocated (罚息 →
  逾期利息 → 逾期本金 → 当期利息 → 当期本金) and asks to confirm; step 2 records it (`repay.repayment_counter`)
  and answers with the voucher, the 还款记录 section swapped in place.
- `loans:class_override` — 五级分类人工认定 with reason and expiry (`override.class_override_set`).
- `loans:cases` — 催收工作台: the open collection cases, longest overdue first; filters, paging; borrowers masked,
  the read audited (`loans.case.list`).
- `loans:dashboard` — 贷款风险看板: balance and overdue rate (‰) by month, class mix, vintage; ECharts (vendored)
  with each chart's figures in a table below."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import permission_required
from openhpf.accounts.lookups import console_center
from openhpf.core.codes import LoanClass
from openhpf.core.errors import DomainError
from openhpf.core.money import parse_yuan
from openhpf.core.paging import page_number

from .collection import case_page
from .models import CollectionCase
from .override import class_override_set
from .repay import repayment_counter
from .selectors import loan_get
from .servicing_selectors import (
    case_assignees,
    case_filter,
    dashboard_chart,
    payment_rows,
    portfolio_dashboard,
    repayment_preview,
)

VIEW, OPERATE = "loans.view", "loans.operate"


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_POST
@permission_required(OPERATE)
def repay(request: HttpRequest, number: str) -> HttpResponse:
    center = console_center(request)
    try:
        loan = loan_get(center=center, number=number)
    except DomainError as e:
        raise Http404(e.message) from None
    bd = center.business_date
    ctx: dict[str, Any] = {"number": loan.number, "amount_text": request.POST.get("amount", "").strip(),
                           "reference": request.POST.get("reference", "").strip()}
    step = request.POST.get("step", "preview")
    try:
        amount = parse_yuan(ctx["amount_text"] or "0", field="amount")
        ctx["amount"] = amount
        if step == "apply":
            with transaction.atomic(durable=True):
                pay = repayment_counter(loan_number=loan.number, amount=amount, reference=ctx["reference"],
                                        actor=request.user, business_date=bd)
            loan.refresh_from_db()
            ctx.update(done=True, voucher=pay.entry.voucher_no if pay.entry is not None else "", pay=pay,
                       outstanding=loan.outstanding, payments=payment_rows(loan))
        else:
            if amount <= 0:
                ctx["error"] = "请填写还款金额（元，大于零）"
            else:
                ctx["preview"] = repayment_preview(loan, amount, bd)
    except DomainError as e:
        ctx["error"] = e.message
    if not _htmx(request):
        if ctx.get("done"):
            messages.success(request, f"柜台还款已入账，记账凭证 {ctx['voucher']}")
        elif ctx.get("error"):
            messages.error(request, ctx["error"])
        return redirect("loans:detail", number=loan.number)
    return render(request, "loans/_repay.html", ctx)


@require_POST
@permission_required(OPERATE)
def class_override(request: HttpRequest, number: str) -> HttpResponse:
    center = console_center(request)
    try:
        loan = loan_get(center=center, number=number)
    except DomainError as e:
        raise Http404(e.message) from None
    until_text = request.POST.get("until", "").strip()
    try:
        until = date.fromisoformat(until_text) if until_text else None
    except ValueError:
        until = None
    try:
        with transaction.atomic(durable=True):
            ch = class_override_set(loan_number=loan.number, to_class=request.POST.get("to_class", ""),
                                    reason=request.POST.get("reason", ""), until=until, actor=request.user,
                                    business_date=center.business_date)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已认定为「{LoanClass(ch.to_class).label}」，有效期至 {ch.until:%Y年%m月%d日}")
    return redirect("loans:detail", number=loan.number)


@require_GET
@permission_required(VIEW)
def cases(request: HttpRequest) -> HttpResponse:
    center = console_center(request)
    g = request.GET
    f = case_filter(state=g.get("state", ""), risk_class=g.get("class", ""), assignee=g.get("assignee", ""),
                    min_days=g.get("days", ""))
    page = case_page(actor=request.user, center=center, state=f.state or "open", assignee=f.assignee,
                     risk_class=f.risk_class, min_days=f.min_days, page=page_number(g.get("page")), page_size=20)
    return render(request, "loans/cases.html", {
        "page": page, "rows": page.items, "f": f, "on": center.business_date, "title": "催收工作台",
        "states": [c for c in CollectionCase.State.choices if c[0] != CollectionCase.State.CLOSED],
        "classes": LoanClass.choices, "assignees": case_assignees(center=center)})


@require_GET
@permission_required(VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    center = console_center(request)
    d = portfolio_dashboard(actor=request.user, center=center, on=center.business_date)
    return render(request, "loans/dashboard.html", {"d": d, "chart": dashboard_chart(d), "load_echarts": True,
                                                    "title": "贷款风险看板"})
