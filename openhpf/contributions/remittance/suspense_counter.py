"""暂存分配 at the counter: pay one of an employer's confirmed, due 汇缴单/补缴单 from the money waiting in its 暂存
(Dr 21901 / Cr 201), as a CounterTransaction (money moving: the 确认 page warns and asks for a tick; a double
submission lands on the first 回单). The rules are suspense_allocate's (services), checked for the 确认 page by
suspense_allocate_check without writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.urls import reverse

from openhpf.accounts.lookups import console_center as _center
from openhpf.accounts.lookups import employer_or_404 as _employer
from openhpf.accounts.models import Employer
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.documents.counter import CounterTransaction, Done, Line

from .. import selectors
from ..models import Remittance
from . import services


def _month(m: str) -> str:
    return f"{m[:4]}-{m[4:]}"


class AllocateForm(forms.Form):
    remittance = forms.TypedChoiceField(
        label="分配到（汇缴单/补缴单）", coerce=int, choices=[],
        error_messages={"required": "请选择要由暂存款支付的汇缴单或补缴单",
                        "invalid_choice": "所选汇缴单不能由暂存款支付（未确认、未到期、已匹配到账或已入账）"})

    def __init__(self, *args: Any, choices: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remittance"].choices = [("", "请选择"), *(choices or [])]  # type: ignore[attr-defined]


class SuspenseAllocate(CounterTransaction):
    kind = "contributions.suspense.allocate"
    title = "暂存分配"
    permission = "contributions.remit"
    form_class = AllocateForm
    money_moving = True
    template = "contributions/employer/allocate_form.html"

    def _allocatable(self, request: HttpRequest, e: Employer) -> list[selectors.EmployerRemittance]:
        return selectors.employer_allocatable(employer=e, user=request.user, business_date=_center(request).business_date)

    def form_kwargs(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        e = _employer(request, url_kwargs["account_no"])
        return {"choices": [(r.pk, f"#{r.pk} {r.kind_label} {_month(r.month)} · {r.lines} 人 · {format_fen(r.total)} 元")
                            for r in self._allocatable(request, e)]}

    def context(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        e = _employer(request, url_kwargs["account_no"])
        return {"employer": e, "suspense_balance": format_fen(e.suspense_balance),
                "allocatable": self._allocatable(request, e)}

    def _remittance(self, e: Employer, pk: int) -> Remittance:
        r = Remittance.objects.filter(employer_id=e.pk, pk=pk).first()
        if r is None:
            raise DomainError(ErrorCode.REMITTANCE_UNKNOWN, f"汇缴单 {pk} 不属于该单位", field="remittance")
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
        r = self._remittance(e, data["remittance"])
        plan = services.suspense_allocate_check(remittance=r, actor=request.user,
                                                business_date=_center(request).business_date)
        return self._lines(e, r, e.suspense_balance, e.suspense_balance - plan.total)

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any,
                **url_kwargs: Any) -> Done:
        e = _employer(request, url_kwargs["account_no"])
        r = self._remittance(e, data["remittance"])
        before = Employer.objects.filter(pk=e.pk).values_list("suspense_balance", flat=True).get()
        res = services.suspense_allocate(remittance=r, actor=actor, business_date=business_date)
        after = Employer.objects.filter(pk=e.pk).values_list("suspense_balance", flat=True).get()
        return Done(lines=[*self._lines(e, r, before, after), Line("记账凭证", res.voucher_no or "—")],
                    object=r, amount_fen=res.total,
                    back_url=reverse("accounts:employer_detail", args=[e.account_no]))
