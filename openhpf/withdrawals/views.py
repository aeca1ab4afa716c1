"""Console screens of 提取: the member page's panels (bank cards, withdrawal history, 司法扣划), the 司法扣划
entry and payment, and the list of withdrawals past their legal limit of 3 日.

- `withdrawals:member_cards` — the 结算银行卡 panel of the member page (registered with accounts.panels, loaded
  with htmx; opened without htmx, a page of its own): every card of the member, newest first, the number masked
  to its last four digits, the holder's name masked; the read is audited (cards_of).
- `withdrawals:card_add` — 登记 / 变更银行卡 at the counter (accounts.change): the new card waits for verification.
- `withdrawals:card_verify` — a second person (applications.review) confirms or refuses a card waiting.
- `withdrawals:member_history` — 提取记录 panel (accounts.view): every withdrawal of the member, its reason, amount,
  state, what was paid, when and the bank's reference, the legal limit; the read is audited.
- `withdrawals:member_court` — 司法扣划 panel (accounts.view); `withdrawals:court_new` enters a 协助执行通知书
  (accounts.freeze) for a checker; `withdrawals:court_pay` pays an approved one (settlement.operate).
- `withdrawals:overdue` — open withdrawals past the legal limit (applications.view), the 待办 count's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.accounts.lookups import console_center, member_account_or_404
from openhpf.accounts.panels import EmployerLink, register_member_panel
from openhpf.core.actors import actor_label
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.masking import mask_name
from openhpf.core.money import parse_yuan
from openhpf.core.paging import paginate
from openhpf.core.todo import register_todo

from .cards import card_add, card_get, card_verify, cards_of
from .court import (
    PAY_PERMISSION,
    court_deduction_get,
    court_deduction_pay,
    court_deduction_submit,
    court_deductions_of,
)
from .court import PERMISSION as COURT_PERMISSION
from .selectors import history_of, legal_limit, overdue_count, overdue_withdrawals, reason_names


def register() -> None:
    register_member_panel(EmployerLink("结算银行卡", "withdrawals:member_cards", "accounts.view", order=10,
                                       testid="panel-bank-cards"))
    register_member_panel(EmployerLink("提取记录", "withdrawals:member_history", "accounts.view", order=11,
                                       testid="panel-withdrawals"))
    register_member_panel(EmployerLink("司法扣划", "withdrawals:member_court", "accounts.view", order=12,
                                       testid="panel-court"))
    register_todo("withdrawals.overdue", "超过法定时限的提取", "applications.view", count=overdue_count,
                  url_name="withdrawals:overdue", order=45, hint="受理之日起 3 日内未办结（条例第二十五条）")


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _rows(cards: list[Any]) -> list[dict[str, Any]]:
    return [{"pk": c.pk, "masked": c.masked, "bank": f"{c.bank_name}（{c.bank_code}）", "holder": mask_name(c.holder_name),
             "status": c.get_status_display(), "pending": c.status == c.Status.PENDING, "created_on": c.created_on,
             "created_by": c.created_by, "verified_by": c.verified_by, "verified_on": c.verified_on,
             "reason": c.reason} for c in cards]


@require_GET
@permission_required("accounts.view")
@vary_on_headers("HX-Request")
def member_cards(request: HttpRequest, account_no: str) -> HttpResponse:
    center = console_center(request)
    account = member_account_or_404(request, account_no)
    cards = cards_of(member=account.member, actor=request.user, business_date=center.business_date)
    me = actor_label(request.user)
    ctx = {"account": account, "rows": _rows(cards),
           "can_add": has_permission(request.user, "accounts.change", center=center),
           "can_verify": has_permission(request.user, "applications.review", center=center),
           "me": me, "title": "结算银行卡"}
    htmx = request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
    return render(request, "withdrawals/_cards.html" if htmx else "withdrawals/cards_page.html", ctx)


@require_http_methods(["GET", "POST"])
@permission_required("accounts.change")
def card_add_view(request: HttpRequest, account_no: str) -> HttpResponse:
    center = console_center(request)
    account = member_account_or_404(request, account_no)
    error, field = "", ""
    if request.method == "POST":
        try:
            with transaction.atomic(durable=True):
                card_add(member=account.member, card_no=request.POST.get("card_no", ""),
                         bank_code=request.POST.get("bank_code", ""), bank_name=request.POST.get("bank_name", ""),
                         holder_name=request.POST.get("holder_name", ""), reason=request.POST.get("reason", ""),
                         actor=request.user, business_date=center.business_date)
        except (DomainError, PermissionDenied) as e:
            error, field = e.message, getattr(e, "field", "") or ""
        else:
            messages.success(request, "银行卡已登记，待另一名工作人员核验后生效")
            return redirect(reverse("accounts:member_detail", args=[account.account_no]) + "#panel-bank-cards")
    return render(request, "withdrawals/card_add.html", {
        "account": account, "error": error, "field": field,
        "values": {k: request.POST.get(k, "") for k in ("bank_code", "bank_name", "reason")}})


@require_POST
@permission_required("applications.review")
def card_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    center = console_center(request)
    try:
        card = card_get(pk=pk, center=center)
    except DomainError as e:
        raise Http404(e.message) from None
    account_no = request.POST.get("account_no", "")
    try:
        with transaction.atomic(durable=True):
            card_verify(card=card, actor=request.user, business_date=center.business_date,
                        ok=request.POST.get("ok") == "1", note=request.POST.get("note", ""))
    except (DomainError, PermissionDenied) as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已核验" if request.POST.get("ok") == "1" else "已退回：核验不通过")
    if account_no:
        member_account_or_404(request, account_no)
        return redirect(reverse("accounts:member_detail", args=[account_no]) + "#panel-bank-cards")
    return redirect("console:home")


# ---------------------------------------------------------------- 提取记录 (member page)


@require_GET
@permission_required("accounts.view")
@vary_on_headers("HX-Request")
def member_history(request: HttpRequest, account_no: str) -> HttpResponse:
    center = console_center(request)
    account = member_account_or_404(request, account_no)
    rows = history_of(member=account.member, actor=request.user, business_date=center.business_date)
    ctx = {"account": account, "rows": rows, "title": "提取记录",
           "can_intake": has_permission(request.user, "applications.accept", center=center)}
    return render(request, "withdrawals/_history.html" if _htmx(request) else "withdrawals/panel_page.html",
                  {**ctx, "panel": "withdrawals/_history.html"})


# ---------------------------------------------------------------- 司法扣划


@require_GET
@permission_required("accounts.view")
@vary_on_headers("HX-Request")
def member_court(request: HttpRequest, account_no: str) -> HttpResponse:
    center = console_center(request)
    account = member_account_or_404(request, account_no)
    rows = court_deductions_of(account=account, actor=request.user, business_date=center.business_date)
    ctx = {"account": account, "rows": rows, "title": "司法扣划",
           "can_add": has_permission(request.user, COURT_PERMISSION, center=center),
           "can_pay": has_permission(request.user, PAY_PERMISSION, center=center)}
    return render(request, "withdrawals/_court.html" if _htmx(request) else "withdrawals/panel_page.html",
                  {**ctx, "panel": "withdrawals/_court.html"})


COURT_FIELDS = ("document_no", "court", "amount", "payee_account", "payee_name", "payee_bank")


@require_http_methods(["GET", "POST"])
@permission_required(COURT_PERMISSION)
def court_new(request: HttpRequest, account_no: str) -> HttpResponse:
    """Enter a 协助执行通知书 for a checker: refused with nothing written when the account is not frozen, the
    amount is above the frozen amount, or the notice was entered already."""
    center = console_center(request)
    account = member_account_or_404(request, account_no)
    error, field, status = "", "", 200
    values = {k: request.POST.get(k, "") for k in COURT_FIELDS}
    if request.method == "POST":
        try:
            amount = parse_yuan(values["amount"], field="amount")
            with transaction.atomic(durable=True):
                d = court_deduction_submit(center=center, actor=request.user, business_date=center.business_date,
                                           params={**values, "amount": amount, "account_no": account.account_no})
        except (DomainError, PermissionDenied) as e:
            error, field, status = f"{e.message}（{e.code}）", getattr(e, "field", "") or "", e.code.status
        else:
            messages.success(request, f"司法扣划 {d.number} 已登记，待另一名工作人员复核")
            return redirect(reverse("accounts:member_detail", args=[account.account_no]) + "#panel-court")
    return render(request, "withdrawals/court_new.html",
                  {"account": account, "error": error, "field": field, "values": values}, status=status)


@require_POST
@permission_required(PAY_PERMISSION)
def court_pay(request: HttpRequest, number: str) -> HttpResponse:
    center = console_center(request)
    try:
        d = court_deduction_get(center=center, number=number)
    except DomainError as e:
        raise Http404(e.message) from None
    try:
        with transaction.atomic(durable=True):
            d = court_deduction_pay(deduction=d, actor=request.user, business_date=center.business_date)
    except (DomainError, PermissionDenied) as e:
        messages.error(request, f"{e.message}（{e.code}）")
    else:
        messages.success(request, f"司法扣划 {d.number} 已提交银行付款（{d.instruction_seq}）")
    return redirect(reverse("accounts:member_detail", args=[d.account.account_no]) + "#panel-court")


# ---------------------------------------------------------------- the 3 日 limit


@require_GET
@permission_required("applications.view")
def overdue(request: HttpRequest) -> HttpResponse:
    """Open withdrawals past their legal limit of 3 日 from 受理, oldest due first, days overdue in red."""
    center = console_center(request)
    names = reason_names()
    page = paginate(overdue_withdrawals(center, center.business_date), request.GET.get("page"), 50)
    rows = [{"number": a.number, "reason": names.get(a.item_code, a.item_code), "state": a.get_state_display(),
             "amount": a.amount, "branch": a.branch.name if a.branch_id and a.branch else "",
             "limit": legal_limit(a, center.business_date)} for a in page.items]
    return render(request, "withdrawals/overdue.html", {"page": page, "rows": rows, "title": "超过法定时限的提取"})
