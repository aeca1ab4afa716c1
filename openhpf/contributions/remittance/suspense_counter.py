"""暂存分配 at the counter: pay one of an employer's confirmed, due 汇缴单/补缴单 from the money waiting in its 暂存
(Dr 21901 / Cr 201), as a CounterTransaction (money moving: the 确认 page warns and asks for a tick; a double
submission lands on the first 回单). The rules are suspense_allocate's (services), checked for the 确认 page by
suspense_allocate_check without writing. The 汇缴单 is chosen with a search-as-you-type picker (htmx,
allocate_choices): the employer may have any number of them, and none is left out of a capped list."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.accounts.lookups import console_center as _center
from openhpf.accounts.lookups import employer_or_404 as _employer
from openhpf.accounts.models import Employer
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.paging import Page
from openhpf.documents.counter import CounterTransaction, Done, Line

from .. import selectors
from ..models import Remittance
from . import services


def _month(m: str) -> str:
    return f"{m[:4]}-{m[4:]}"


def option_label(r: selectors.EmployerRemittance) -> str:
    return f"#{r.pk} {r.kind_label} {_month(r.month)} · {r.lines} 人 · {format_fen(r.total)} 元"


PICK_PAGE = 20  # rows the picker shows at once (the search finds the others)


class RemittancePicker(forms.Widget):
    """Search as you type (htmx): a search box over the employer's allocatable 汇缴单 and one radio button per
    汇缴单 found (the first page of the search; the chosen one stays listed), never a capped list."""

    template_name = "contributions/employer/allocate_picker.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.search_url = ""
        self.options: Page[selectors.EmployerRemittance] | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        ctx = super().get_context(name, value, attrs)
        ctx.update(search_url=self.search_url, options=_options(self.options, value))
        return ctx


def _options(page: Page[selectors.EmployerRemittance] | None, value: Any) -> dict[str, Any]:
    """What the options partial shows: the rows (label, checked), the true total and whether there are more."""
    rows = list(page.items) if page is not None else []
    return {"rows": [(r.pk, option_label(r), str(r.pk) == str(value)) for r in rows],
            "total": page.total if page is not None else 0, "more": page is not None and page.total > len(rows)}


class AllocateForm(forms.Form):
    remittance = forms.IntegerField(
        label="分配到（汇缴单/补缴单）", widget=RemittancePicker,
        error_messages={"required": "请选择要由暂存款支付的汇缴单或补缴单", "invalid": "请选择要由暂存款支付的汇缴单或补缴单"})

    def __init__(self, *args: Any, search_url: str = "",
                 options: Page[selectors.EmployerRemittance] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        picker = cast(RemittancePicker, self.fields["remittance"].widget)
        picker.search_url, picker.options = search_url, options


class SuspenseAllocate(CounterTransaction):
    kind = "contributions.suspense.allocate"
    title = "暂存分配"
    permission = "contributions.remit"
    form_class = AllocateForm
    money_moving = True
    template = "contributions/employer/allocate_form.html"

    def _allocatable(self, request: HttpRequest, e: Employer, q: str = "") -> Page[selectors.EmployerRemittance]:
        return selectors.employer_allocatable(employer=e, user=request.user, q=q, page_size=PICK_PAGE,
                                              business_date=_center(request).business_date)

    def form_kwargs(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        e = _employer(request, url_kwargs["account_no"])
        options = self._allocatable(request, e)
        chosen = str(request.POST.get("remittance", "")).strip()
        if chosen.isdigit() and int(chosen) not in {r.pk for r in options.items}:  # keep the chosen one listed
            found = self._allocatable(request, e, q=f"#{chosen}")
            extra = [r for r in found.items if r.pk == int(chosen)]
            options = Page(items=[*extra, *options.items], total=options.total, page=1, page_size=options.page_size)
        return {"search_url": reverse("remit:employer_suspense_choices", args=[e.account_no]), "options": options}

    def context(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        e = _employer(request, url_kwargs["account_no"])
        return {"employer": e, "suspense_balance": format_fen(e.suspense_balance),
                "allocatable": self._allocatable(request, e).total}

    def _remittance(self, request: HttpRequest, e: Employer, pk: int) -> Remittance:
        """The chosen 汇缴单, if it is one the picker offers (the employer's, allocatable on the business date)."""
        offered = {r.pk for r in self._allocatable(request, e, q=f"#{pk}").items}
        r = Remittance.objects.filter(employer_id=e.pk, pk=pk).first() if pk in offered else None
        if r is None:
            raise DomainError(ErrorCode.REMITTANCE_UNKNOWN, "所选汇缴单不能由暂存款支付（须为本单位已确认、已到期、"
                              "未匹配到账的汇缴单或补缴单）", field="remittance")
        return r

    def _lines(self, e: Employer, r: Remittance, balance_before: int, balance_after: int) -> list[Line]:
        return [
            Line("单位", f"{e.account_no} {e.name}"),
            Line("汇缴单", f"#{r.pk} {'补缴' if r.is_back_payment else '汇缴'} · 所属年月 {_month(r.month)}"),
            Line("人数", f"{r.lines} 人"),
            Line("分配金额（元）", format_fen(r.total)),
            Line("单位暂存款余额（元）", f"{format_fen(balance_before)} → {format_fen(balance_after)}"),
        ]

    def preview(self, request: HttpRequest, data: dict[str, Any], **url_kwargs: Any) -> list[Line]:
        e = _employer(request, url_kwargs["account_no"])
        r = self._remittance(request, e, data["remittance"])
        plan = services.suspense_allocate_check(remittance=r, actor=request.user,
                                                business_date=_center(request).business_date)
        return self._lines(e, r, e.suspense_balance, e.suspense_balance - plan.total)

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any,
                **url_kwargs: Any) -> Done:
        e = _employer(request, url_kwargs["account_no"])
        r = self._remittance(request, e, data["remittance"])
        before = Employer.objects.filter(pk=e.pk).values_list("suspense_balance", flat=True).get()
        res = services.suspense_allocate(remittance=r, actor=actor, business_date=business_date)
        after = Employer.objects.filter(pk=e.pk).values_list("suspense_balance", flat=True).get()
        return Done(lines=[*self._lines(e, r, before, after), Line("记账凭证", res.voucher_no or "—")],
                    object=r, amount_fen=res.total,
                    back_url=reverse("accounts:employer_detail", args=[e.account_no]))


@require_GET
@permission_required("contributions.remit")
def allocate_choices(request: HttpRequest, account_no: str) -> HttpResponse:
    """The picker's htmx search: the employer's allocatable 汇缴单 matching `q` (first page, the true total)."""
    e = _employer(request, account_no)
    page = selectors.employer_allocatable(employer=e, user=request.user, q=request.GET.get("q", ""),
                                          page_size=PICK_PAGE, business_date=_center(request).business_date)
    return render(request, "contributions/employer/_allocate_options.html",
                  {"options": _options(page, request.GET.get("remittance", ""))})
