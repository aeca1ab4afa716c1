"""The employer page's remittance panels and transactions (单位缴存历史, 暂存 movements, 暂存分配).

accounts sits below contributions and must not import it: these panels and links are registered with
accounts.panels (register(), from ContributionsConfig.ready()); the employer page loads each panel from its URL
here as an htmx fragment. Opened without htmx, a panel URL is a page of its own (paging works without script)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from openhpf.access.decorators import permission_required
from openhpf.accounts.lookups import employer_or_404 as _employer
from openhpf.accounts.models import Employer
from openhpf.accounts.panels import EmployerLink, register_employer_action, register_employer_panel
from openhpf.core.paging import Page

from .. import selectors

PANEL_PAGE_SIZE = 10


def register() -> None:
    register_employer_action(EmployerLink("汇缴", "remit:employer_month", "contributions.remit", order=10,
                                          testid="act-remit-month", statuses=("01", "02", "03")))
    register_employer_action(EmployerLink("补缴", "remit:employer_back", "contributions.remit", order=20,
                                          testid="act-remit-back", statuses=("01", "02", "03", "05")))
    register_employer_action(EmployerLink("年度基数调整", "remit:employer_base_adjust", "accounts.change", order=40,
                                          testid="act-base-adjust", statuses=("01", "02", "03")))
    register_employer_action(EmployerLink("手工登记到账", "remit:employer_receipt_manual", "contributions.remit",
                                          order=50, testid="act-receipt-manual"))
    register_employer_action(EmployerLink("暂存分配", "remit:employer_suspense_allocate", "contributions.remit", order=30,
                                          statuses=("01", "02", "03", "05")))
    register_employer_panel(EmployerLink("单位缴存历史", "remit:employer_remittances", "accounts.view", order=10,
                                         testid="panel-remittances"))
    register_employer_panel(EmployerLink("暂存款变动", "remit:employer_suspense", "accounts.view", order=20,
                                         testid="panel-suspense"))


def _page(request: HttpRequest) -> str | None:
    return request.GET.get("page")


def _panel(request: HttpRequest, employer: Employer, template: str, title: str, p: Page[Any],
           name: str) -> HttpResponse:
    ctx: dict[str, Any] = {"employer": employer, "p": p, "title": title, "panel": template, "url_name": name,
                           "panel_url": reverse(name, args=[employer.account_no])}
    htmx = request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
    return render(request, template if htmx else "contributions/employer/panel_page.html", ctx)


@require_GET
@permission_required("accounts.view")
@vary_on_headers("HX-Request")
def employer_remittances(request: HttpRequest, account_no: str) -> HttpResponse:
    """单位缴存历史: the employer's 汇缴单/补缴单 by 所属年月, paged."""
    e = _employer(request, account_no)
    p = selectors.employer_remittances(employer=e, user=request.user, page=_page(request), page_size=PANEL_PAGE_SIZE)
    return _panel(request, e, "contributions/employer/_remittances.html", "单位缴存历史", p,
                  "remit:employer_remittances")


@require_GET
@permission_required("accounts.view")
@vary_on_headers("HX-Request")
def employer_suspense(request: HttpRequest, account_no: str) -> HttpResponse:
    """暂存款变动: money into and out of the employer's 暂存, paged, with the balance after each."""
    e = _employer(request, account_no)
    p = selectors.employer_suspense_moves(employer=e, user=request.user, page=_page(request),
                                          page_size=PANEL_PAGE_SIZE)
    return _panel(request, e, "contributions/employer/_suspense.html", "暂存款变动", p, "remit:employer_suspense")
