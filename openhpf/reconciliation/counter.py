"""The ways out of a reconciliation difference as counter transactions (填写 → 核对 → 提交复核, with a 业务回单):
补记凭证 for a bank line the books lack (a fee, interest) and 冲正 of a voucher no bank executed. Both only submit
a maker-checker command (ledger.entry_post / ledger.entry_reverse): the voucher is posted when a checker
approves it, and the next reconciliation matches it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import Http404, HttpRequest
from django.urls import reverse

from openhpf.core.actors import Actor
from openhpf.core.errors import DomainError
from openhpf.core.formfields import ReasonField
from openhpf.core.money import format_fen
from openhpf.documents.counter import CounterTransaction, Done, Line
from openhpf.iam.services import console_center

from . import selectors, services
from .models import Direction

NOTE = "提交复核：复核人批准后记账；记账后重新对账即可勾对"


class BookForm(forms.Form):
    account = forms.ChoiceField(label="对方科目", choices=(),
                                error_messages={"required": "请选择对方科目", "invalid_choice": "请选择列出的对方科目"})
    description = forms.CharField(label="凭证摘要", max_length=200,
                                  error_messages={"required": "请填写凭证摘要", "max_length": "凭证摘要不能超过 200 个字"})

    def __init__(self, *args: Any, choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "请选择"), *(choices or [])]  # type: ignore[attr-defined]


class ReverseForm(forms.Form):
    reason = ReasonField(label="冲正原因", error_messages={"required": "请填写冲正原因",
                                                       "min_length": "请填写冲正原因（至少 2 个字）",
                                                       "max_length": "冲正原因不能超过 200 个字"})


def _view(request: HttpRequest, pk: int) -> selectors.ItemView:
    try:
        return selectors.item_view_get(center=console_center(request.user), pk=pk, user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None


def _item_lines(v: selectors.ItemView) -> list[Line]:
    it = v.item
    return [Line("差异", f"{it.pk}（{it.get_reason_display()}）"),
            Line("专户", f"{it.bank_account.bank_name} {it.bank_account.account_no}"),
            Line("发生日期", it.line_date.isoformat()),
            Line("金额", f"{'支出' if it.direction == Direction.OUT else '收入'} {format_fen(it.amount)} 元"),
            Line("流水号/凭证", v.bank_seq or v.voucher_no or it.ref_key), Line("摘要", v.summary or v.memo)]


def _account(code: str, gl_name: str = "") -> str:
    return f"{code} {gl_name or selectors.account_name(code)}"


class _ItemCounter(CounterTransaction):
    permission = services.PERMISSION
    template = "reconciliation/counter_item.html"

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        v = _view(request, kwargs["pk"])
        return {"item_lines": _item_lines(v), "pending_command": v.pending_command, "booked_command": v.booked_command}


class ItemBook(_ItemCounter):
    """补记凭证 of a bank-side item."""

    kind = "reconciliation.item.book"
    title = "补记凭证"
    form_class = BookForm

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"choices": _view(request, kwargs["pk"]).book_choices}

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        v = _view(request, kwargs["pk"])
        out = v.item.direction == Direction.OUT
        return {"account": v.book_choices[0][0],
                "description": f"{'银行扣收手续费' if out else '银行结息'} {v.bank_seq}".strip()}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        v = _view(request, kwargs["pk"])
        params = services.recon_item_book_plan(item=v.item, account=data["account"], description=data["description"])
        gl = v.item.bank_account.gl_account
        entries = [Line("借" if ln.get("debit") else "贷",
                        f"{_account(ln['account'], gl.name if ln['account'] == gl.code else '')} "
                        f"{format_fen(ln.get('debit') or ln.get('credit'))} 元") for ln in params["lines"]]
        return [*_item_lines(v), *entries, Line("凭证摘要", params["description"]), Line("办理方式", NOTE)]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        lines = self.preview(request, data, **kwargs)
        v = _view(request, kwargs["pk"])
        cmd = services.recon_item_book(item=v.item, account=data["account"], description=data["description"],
                                       actor=actor, business_date=business_date)
        return Done(lines=[Line("复核单号", f"#{cmd.pk}"), *lines], object=cmd, title="补记凭证（已提交复核）",
                    amount_fen=v.item.amount, back_url=reverse("reconciliation:items"))


class ItemReverse(_ItemCounter):
    """冲正 of the voucher of a book-side item."""

    kind = "reconciliation.item.reverse"
    title = "冲正凭证"
    form_class = ReverseForm

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        v = _view(request, kwargs["pk"])
        params = services.recon_item_reverse_plan(item=v.item, reason=data["reason"])
        return [*_item_lines(v), Line("冲正凭证", params["voucher_no"]), Line("冲正原因", params["reason"]),
                Line("办理方式", "提交复核：复核人批准后按原凭证红字冲正；冲正后重新对账，原凭证与冲正凭证相互抵销")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        lines = self.preview(request, data, **kwargs)
        v = _view(request, kwargs["pk"])
        cmd = services.recon_item_reverse(item=v.item, reason=data["reason"], actor=actor, business_date=business_date)
        return Done(lines=[Line("复核单号", f"#{cmd.pk}"), *lines], object=cmd, title="冲正凭证（已提交复核）",
                    amount_fen=v.item.amount, back_url=reverse("reconciliation:items"))
