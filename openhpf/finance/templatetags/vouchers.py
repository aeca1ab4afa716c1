"""Every voucher number on a console page links to its 记账凭证 page (for a reader who may see vouchers):

`{% load vouchers %}` then `{% voucher voucher_no %}` → a link (the bare number for a reader without ledger.view,
nothing when empty), `{% vouchers numbers %}` → the links of a list, separated by 、."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from openhpf.access.selectors import has_permission

register = template.Library()


def _may_view(context: Any) -> bool:
    request = context.get("request")
    if request is None:
        return False
    cached = getattr(request, "_hpf_ledger_view", None)
    if cached is None:
        cached = bool(request.user.is_authenticated and has_permission(request.user, "ledger.view"))
        request._hpf_ledger_view = cached
    return cached


def _link(voucher_no: str, linked: bool) -> str:
    if not linked:
        return format_html("{}", voucher_no)
    return format_html('<a class="voucher" href="{}">{}</a>', reverse("finance:voucher", args=[voucher_no]), voucher_no)


@register.simple_tag(takes_context=True)
def voucher(context: Any, voucher_no: str | None) -> str:
    return _link(voucher_no, _may_view(context)) if voucher_no else ""


@register.simple_tag(takes_context=True)
def vouchers(context: Any, numbers: Iterable[str] | None) -> str:
    linked = _may_view(context)
    return format_html_join("、", "{}", ((_link(n, linked),) for n in (numbers or []) if n))
