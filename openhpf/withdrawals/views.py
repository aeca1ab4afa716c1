"""Console screens of 提取 (so far: the member's bank cards on the member page).

- `withdrawals:member_cards` — the 结算银行卡 panel of the member page (registered with accounts.panels, loaded
  with htmx; opened without htmx, a page of its own): every card of the member, newest first, the number masked
  to its last four digits, the holder's name masked; the read is audited (cards_of).
- `withdrawals:card_add` — 登记 / 变更银行卡 at the counter (accounts.change): the new card waits for verification.
- `withdrawals:card_verify` — a second person (applications.review) confirms or refuses a card waiting."""

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

from .cards import card_add, card_get, card_verify, cards_of


def register() -> None:
    register_member_panel(EmployerLink("结算银行卡", "withdrawals:member_cards", "accounts.view", order=10,
                                       testid="panel-bank-cards"))


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
