"""The employer transactions at the counter (柜面): 单位开户, 单位信息变更, 单位封存, 单位启封, 单位销户.

Each is a CounterTransaction (documents.counter): form → 确认 page → services → 业务回单. The rules stay in
accounts.services: the 确认 page runs the service in a transaction that is rolled back (`_dry_run`), so what it
shows — the new 单位账号 aside — and every refusal are exactly the service's, before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.urls import reverse

from openhpf.core.codes import EconomicType, EmployerStatus, Industry
from openhpf.core.errors import DomainError
from openhpf.core.formfields import PercentField, PhoneField, ReasonField
from openhpf.core.ids import validate_credit_code
from openhpf.core.masking import mask_name, mask_phone
from openhpf.core.models import Branch, Center
from openhpf.core.money import format_ratio
from openhpf.documents.counter import CounterTransaction, Done, Line, dry_run

from . import selectors, services
from .lookups import console_center as _center
from .lookups import employer_or_404 as _employer
from .models import Employer
from .panels import EmployerLink, register_employer_action

T = TypeVar("T")


def register() -> None:
    """The 「办理」 links of the employer page (accounts.panels), by the employer's status."""
    es = EmployerStatus
    for link in (
        EmployerLink("单位信息变更", "accounts:employer_change", "accounts.change", order=10,
                     statuses=(es.NORMAL, es.OPENING, es.DEFERRED, es.SEALED)),
        EmployerLink("单位封存", "accounts:employer_suspend", "accounts.change", order=20,
                     statuses=(es.NORMAL, es.DEFERRED)),
        EmployerLink("单位启封", "accounts:employer_resume", "accounts.change", order=21, statuses=(es.SEALED,)),
        EmployerLink("单位销户", "accounts:employer_close", "accounts.change", order=90,
                     statuses=(es.NORMAL, es.OPENING, es.SEALED)),
    ):
        register_employer_action(link)


def _dry_run(fn: Callable[[], T], show: Callable[[T], list[Line]]) -> list[Line]:
    """Run a service and roll it back: its refusals are the 确认 page's, its result what the page shows."""
    return dry_run(lambda: show(fn()))


def _coded(choices: Any) -> list[tuple[str, str]]:
    return [("", "请选择"), *((v, f"{v} {label}") for v, label in choices.choices)]


def _label(choices: Any, code: str) -> str:
    try:
        return f"{code} {choices(code).label}"
    except ValueError:
        return code


def _branches(center: Center) -> list[tuple[str, str]]:
    return [(str(b.pk), f"{b.code} {b.name}") for b in Branch.objects.filter(center=center).order_by("code")]


def _payday_field(**kw: Any) -> forms.IntegerField:
    return forms.IntegerField(label="发薪日（每月几日）", min_value=1, max_value=31, error_messages={
        "invalid": "发薪日应为 1 至 31 的整数", "min_value": "发薪日应为 1 至 31", "max_value": "发薪日应为 1 至 31",
        "required": "请填写发薪日"}, **kw)


def _ratio_field(label: str, **kw: Any) -> PercentField:
    return PercentField(label=label, min_percent=0, max_percent=100, help_text="按百分数填写，如 12 表示 12%", **kw)


class EmployerForm(forms.Form):
    """单位开户: what the center registers (Art14)."""

    name = forms.CharField(label="单位名称", max_length=120, error_messages={"required": "请填写单位名称"})
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18,
                                  error_messages={"required": "请填写统一社会信用代码"})
    economic_type = forms.ChoiceField(label="经济类型", choices=_coded(EconomicType),
                                      error_messages={"required": "请选择经济类型"})
    industry = forms.ChoiceField(label="所属行业", choices=_coded(Industry), error_messages={"required": "请选择所属行业"})
    branch = forms.ChoiceField(label="所属网点", choices=[], error_messages={"required": "请选择所属网点",
                                                                          "invalid_choice": "网点不属于本中心"})
    payday = _payday_field()
    employer_ratio = _ratio_field("单位缴存比例（%）")
    member_ratio = _ratio_field("个人缴存比例（%）")
    address = forms.CharField(label="单位地址", max_length=200, required=False)
    contact_name = forms.CharField(label="经办人", max_length=40, required=False)
    contact_phone = PhoneField(label="经办人电话", required=False,
                               help_text="手机号码，或带区号的固定电话（如 0571-87654321）")

    def __init__(self, *args: Any, center: Center | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if center is not None:
            self.fields["branch"].choices = _branches(center)  # type: ignore[attr-defined]

    def clean_credit_code(self) -> str:
        try:
            return validate_credit_code(self.cleaned_data["credit_code"])
        except DomainError as e:
            raise forms.ValidationError(e.message) from None


def _register_lines(data: dict[str, Any], center: Center, *, masked: bool) -> list[Line]:
    """The 核对 page shows what the clerk typed, to check it; the 回单 (kept, printed) masks the contact."""
    branch = Branch.objects.filter(center=center, pk=data["branch"]).first()
    return [
        Line("单位名称", data["name"]),
        Line("统一社会信用代码", data["credit_code"]),
        Line("经济类型", _label(EconomicType, data["economic_type"])),
        Line("所属行业", _label(Industry, data["industry"])),
        Line("所属网点", f"{branch.code} {branch.name}" if branch else "—"),
        Line("发薪日", f"每月 {data['payday']} 日"),
        Line("单位缴存比例", format_ratio(data["employer_ratio"])),
        Line("个人缴存比例", format_ratio(data["member_ratio"])),
        Line("单位地址", data.get("address") or "—"),
        Line("经办人", (mask_name(data["contact_name"]) if masked else data["contact_name"])
             if data.get("contact_name") else "—"),
        Line("经办人电话", (mask_phone(data["contact_phone"]) if masked else data["contact_phone"])
             if data.get("contact_phone") else "—"),
    ]


class EmployerRegister(CounterTransaction):
    kind = "accounts.employer.register"
    title = "单位开户"
    permission = "accounts.open"
    form_class = EmployerForm
    money_moving = False
    template = "accounts/counter/register_form.html"

    def form_kwargs(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        return {"center": _center(request)}

    def _register(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any) -> Employer:
        center = _center(request)
        return services.employer_register(
            center=center, name=data["name"], credit_code=data["credit_code"], economic_type=data["economic_type"],
            industry=data["industry"], payday=data["payday"], employer_ratio=data["employer_ratio"],
            member_ratio=data["member_ratio"], branch=Branch.objects.filter(center=center, pk=data["branch"]).first(),
            contact_name=data.get("contact_name") or "", contact_phone=data.get("contact_phone") or "",
            address=data.get("address") or "", actor=actor, business_date=business_date)

    def preview(self, request: HttpRequest, data: dict[str, Any], **url_kwargs: Any) -> list[Line]:
        center = _center(request)
        return _dry_run(lambda: self._register(request, data, actor=request.user, business_date=center.business_date),
                        lambda _e: _register_lines(data, center, masked=False))

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any,
                **url_kwargs: Any) -> Done:
        e = self._register(request, data, actor=actor, business_date=business_date)
        return Done(lines=[Line("单位账号", e.account_no), *_register_lines(data, _center(request), masked=True),
                           Line("开户日期", business_date.strftime("%Y-%m-%d")), Line("单位状态", e.get_status_display())],
                    object=e, back_url=reverse("accounts:employer_detail", args=[e.account_no]))


# ---------------------------------------------------------------- 单位信息变更


class EmployerChangeForm(forms.Form):
    """单位信息变更: the fields employer_change takes. The 经办人 and the phone are personal data: left blank they
    stay as they are (the page shows them masked)."""

    name = forms.CharField(label="单位名称", max_length=120, error_messages={"required": "请填写单位名称"})
    payday = _payday_field()
    employer_ratio = _ratio_field("单位缴存比例（%）")
    member_ratio = _ratio_field("个人缴存比例（%）")
    address = forms.CharField(label="单位地址", max_length=200, required=False)
    contact_name = forms.CharField(label="新经办人", max_length=40, required=False, help_text="留空则不变更")
    contact_phone = PhoneField(label="新经办人电话", required=False,
                               help_text="留空则不变更；手机号码，或带区号的固定电话（如 0571-87654321）")


_CHANGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "单位名称"), ("payday", "发薪日"), ("employer_ratio", "单位缴存比例"), ("member_ratio", "个人缴存比例"),
    ("address", "单位地址"), ("contact_name", "经办人"), ("contact_phone", "经办人电话"))


def _shown(field: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field in ("employer_ratio", "member_ratio"):
        return format_ratio(Decimal(value))
    if field == "payday":
        return f"每月 {value} 日"
    if field == "contact_name":
        return mask_name(str(value))
    if field == "contact_phone":
        return mask_phone(str(value))
    return str(value)


def _changes(e: Employer, data: dict[str, Any]) -> dict[str, Any]:
    """The fields the clerk changed (blank 经办人 / phone: unchanged)."""
    out: dict[str, Any] = {}
    for f, _ in _CHANGE_FIELDS:
        new = data.get(f)
        new = "" if new is None else new
        if f in ("contact_name", "contact_phone") and not new:
            continue
        if new != getattr(e, f):  # ratios: Decimal('0.12') == Decimal('0.1200')
            out[f] = new
    return out


def _change_lines(before: dict[str, Any], after: Employer, changed: dict[str, Any]) -> list[Line]:
    return [Line(label, f"{_shown(f, before[f])} → {_shown(f, getattr(after, f))}")
            for f, label in _CHANGE_FIELDS if f in changed]


class EmployerChange(CounterTransaction):
    kind = "accounts.employer.change"
    title = "单位信息变更"
    permission = "accounts.change"
    form_class = EmployerChangeForm
    money_moving = False
    template = "accounts/counter/employer_form.html"

    def context(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        return _employer_context(request, url_kwargs["account_no"])

    def initial(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        e = _employer(request, url_kwargs["account_no"])
        return {"name": e.name, "payday": e.payday, "employer_ratio": e.employer_ratio,
                "member_ratio": e.member_ratio, "address": e.address}

    def _change(self, e: Employer, changed: dict[str, Any], *, actor: Any, business_date: Any) -> Employer:
        return services.employer_change(employer=e, actor=actor, business_date=business_date, **changed)

    def preview(self, request: HttpRequest, data: dict[str, Any], **url_kwargs: Any) -> list[Line]:
        e = _employer(request, url_kwargs["account_no"])
        before = {f: getattr(e, f) for f, _ in _CHANGE_FIELDS}
        changed = _changes(e, data)
        bd = _center(request).business_date
        return [Line("单位", f"{e.account_no} {e.name}"),
                *_dry_run(lambda: self._change(e, changed, actor=request.user, business_date=bd),
                          lambda after: _change_lines(before, after, changed))]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any,
                **url_kwargs: Any) -> Done:
        e = _employer(request, url_kwargs["account_no"])
        before = {f: getattr(e, f) for f, _ in _CHANGE_FIELDS}
        changed = _changes(e, data)
        after = self._change(e, changed, actor=actor, business_date=business_date)
        return Done(lines=[Line("单位账号", after.account_no), Line("单位名称", after.name),
                           *_change_lines(before, after, changed)],
                    object=after, back_url=reverse("accounts:employer_detail", args=[after.account_no]))


# ---------------------------------------------------------------- 单位封存 / 启封 / 销户


class EmployerReasonForm(forms.Form):
    reason = ReasonField(label="原因")


def _employer_context(request: HttpRequest, account_no: str) -> dict[str, Any]:
    e = _employer(request, account_no)
    d = selectors.employer_detail(employer=e, actor=request.user)
    return {"employer": d, "employer_ratio": format_ratio(d.employer_ratio),
            "member_ratio": format_ratio(d.member_ratio)}


class _EmployerMove(CounterTransaction):
    permission = "accounts.change"
    form_class = EmployerReasonForm
    money_moving = False
    template = "accounts/counter/employer_form.html"
    service: Callable[..., Employer]

    def context(self, request: HttpRequest, **url_kwargs: Any) -> dict[str, Any]:
        return _employer_context(request, url_kwargs["account_no"])

    def _lines(self, before: str, after: Employer, reason: str) -> list[Line]:
        return [Line("单位账号", after.account_no), Line("单位名称", after.name),
                Line("单位状态", f"{EmployerStatus(before).label} → {after.get_status_display()}"),
                Line("原因", reason)]

    def preview(self, request: HttpRequest, data: dict[str, Any], **url_kwargs: Any) -> list[Line]:
        e = _employer(request, url_kwargs["account_no"])
        bd = _center(request).business_date
        before = e.status
        return _dry_run(lambda: type(self).service(employer=e, reason=data["reason"], actor=request.user,
                                                   business_date=bd),
                        lambda after: self._lines(before, after, data["reason"]))

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Any, business_date: Any,
                **url_kwargs: Any) -> Done:
        e = _employer(request, url_kwargs["account_no"])
        before = e.status
        after = type(self).service(employer=e, reason=data["reason"], actor=actor, business_date=business_date)
        return Done(lines=self._lines(before, after, data["reason"]), object=after,
                    back_url=reverse("accounts:employer_detail", args=[after.account_no]))


class EmployerSuspend(_EmployerMove):
    kind = "accounts.employer.suspend"
    title = "单位封存"
    service = staticmethod(services.employer_suspend)


class EmployerResume(_EmployerMove):
    kind = "accounts.employer.resume"
    title = "单位启封"
    service = staticmethod(services.employer_resume)


class EmployerClose(_EmployerMove):
    kind = "accounts.employer.close"
    title = "单位销户"
    service = staticmethod(services.employer_close)
