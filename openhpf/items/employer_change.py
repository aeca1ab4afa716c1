"""单位缴存信息变更 (HPF-E-CHANGE) on the application engine: an employer's agent (or a clerk at the counter for
the employer) asks to change the employer's 经办人, 经办人电话, 单位地址, 发薪日, or its own 开户银行 and 账号; a
reviewer checks it at the item's one review level (初审); the approved change is applied through the accounts
services (`employer_change`, `employer_pay_account_change`), each writing its own audit event.

The payload holds only the fields that change, their values as registered when the application was checked
(`before`, so the review screen shows before → after in a clerk's words even after the change), and the reason.
Every problem is told at once (一次告知): each field's error, nothing to change, a value equal to the registered
one, a bank name without an account number (or the reverse), and at the counter a missing 授权委托书."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from openhpf.accounts.models import Employer
from openhpf.accounts.services import employer_change, employer_pay_account_change
from openhpf.applications.registry import Handler, Payload, register_handler
from openhpf.core.formfields import PhoneField
from openhpf.core.masking import mask_bank_card, mask_name, mask_phone

ITEM_CODE = "HPF-E-CHANGE"

# the fields an agent may change, in the order a clerk reads them
FIELDS: tuple[tuple[str, str], ...] = (
    ("contact_name", "经办人"), ("contact_phone", "经办人电话"), ("address", "单位地址"), ("payday", "发薪日"),
    ("pay_bank_name", "开户银行"), ("pay_account_no", "单位银行账号"))
LABELS = dict(FIELDS)
BANK = ("pay_bank_name", "pay_account_no")


class EmployerChangeApplicationForm(forms.Form):
    """The payload of 单位缴存信息变更 as a form: fill only what changes (blank = unchanged)."""

    contact_name = forms.CharField(label="新经办人", max_length=40, required=False,
                                   error_messages={"max_length": "经办人姓名不能超过 40 个字"})
    contact_phone = PhoneField(label="新经办人电话", required=False,
                               help_text="手机号码，或带区号的固定电话（如 0571-87654321）")
    address = forms.CharField(label="新单位地址", max_length=200, required=False,
                              error_messages={"max_length": "单位地址不能超过 200 个字"})
    payday = forms.IntegerField(label="新发薪日", required=False, min_value=1, max_value=31,
                                help_text="每月几日发放工资（1–31）",
                                error_messages={"invalid": "发薪日应为 1 至 31 的整数",
                                                "min_value": "发薪日应为 1 至 31 的整数",
                                                "max_value": "发薪日应为 1 至 31 的整数"})
    pay_bank_name = forms.CharField(label="新开户银行", max_length=60, required=False,
                                    error_messages={"max_length": "开户银行不能超过 60 个字"})
    pay_account_no = forms.CharField(label="新单位银行账号", max_length=40, required=False,
                                     error_messages={"max_length": "银行账号应为 8 至 40 位数字"})
    reason = forms.CharField(label="变更原因", max_length=200, required=False,
                             error_messages={"max_length": "变更原因不能超过 200 个字"})

    def clean_pay_account_no(self) -> str:
        no = (self.cleaned_data.get("pay_account_no") or "").replace(" ", "")
        if no and not (no.isdigit() and 8 <= len(no) <= 40):
            raise forms.ValidationError("银行账号应为 8 至 40 位数字", code="account_no")
        return no


def _registered(employer: Employer, field: str) -> Any:
    value = getattr(employer, field)
    return "" if value is None else value


def _text(field: str, value: Any) -> str:
    """A value in a clerk's words: personal data and the bank account masked."""
    if value in (None, ""):
        return "（未登记）"
    if field == "payday":
        return f"每月 {value} 日"
    if field == "contact_name":
        return mask_name(str(value))
    if field == "contact_phone":
        return mask_phone(str(value))
    if field == "pay_account_no":
        return mask_bank_card(str(value))
    return str(value)


def validate(payload: Payload, application: Any) -> tuple[Payload, list[str]]:
    """The change checked whole: (normalised payload, every problem in Chinese)."""
    raw = {k: payload.get(k) for k in (*LABELS, "reason")}
    form = EmployerChangeApplicationForm(data={k: ("" if v is None else v) for k, v in raw.items()})
    problems: list[str] = []
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = LABELS.get(field, "变更原因")
            problems += [f"{label}：{e}" for e in errors]
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    employer: Employer | None = getattr(application, "employer", None)
    wanted = {f: data[f] for f, _ in FIELDS if f in data and data[f] not in (None, "")}
    if "pay_bank_name" in wanted and "pay_account_no" not in wanted and "pay_account_no" not in form.errors:
        problems.append("变更开户银行须同时填写新的单位银行账号")
    if "pay_account_no" in wanted and "pay_bank_name" not in wanted and "pay_bank_name" not in form.errors:
        problems.append("变更单位银行账号须同时填写开户银行")
    before: dict[str, Any] = {}
    if employer is not None:
        same = [f for f, v in wanted.items() if v == _registered(employer, f)]
        if set(BANK) <= set(wanted) and all(f in same for f in BANK):
            problems.append("开户银行和单位银行账号与现登记的相同")
        for f in same:
            if f not in BANK:
                problems.append(f"{LABELS[f]}与现登记的相同，无须变更")
        before = {f: _registered(employer, f) for f in wanted}
    if not wanted and not form.errors:
        problems.append("请至少填写一项需要变更的信息")
    at_counter = application is not None and getattr(application, "channel", "") == "counter" and application.pk
    if at_counter and not application.materials.filter(material_code="agent_letter").exists():
        problems.append("柜台办理须提交经办人授权委托书")
    out: Payload = {**wanted, "reason": (data.get("reason") or "").strip(), "before": before}
    return out, problems


def rule_inputs(application: Any) -> dict[str, Any]:
    changed = [f for f, _ in FIELDS if f in application.payload]
    return {"changes_bank": any(f in BANK for f in changed), "changes_payday": "payday" in changed,
            "fields_changed": len(changed)}


def describe(payload: Payload) -> list[tuple[str, str]]:
    """Before → after, a row per changed field, masked where personal; the reason last."""
    before = payload.get("before") or {}
    rows = [(label, f"{_text(f, before.get(f))} → {_text(f, payload[f])}") for f, label in FIELDS if f in payload]
    if payload.get("reason"):
        rows.append(("变更原因", str(payload["reason"])))
    return rows


def execute(application: Any, actor: Any, business_date: date) -> dict[str, Any]:
    """Apply the approved change through the accounts services (each audited)."""
    p = application.payload
    employer = application.employer
    changed: list[str] = []
    plain = {f: p[f] for f in ("contact_name", "contact_phone", "address", "payday") if f in p}
    if plain:
        employer = employer_change(employer=employer, actor=actor, business_date=business_date, **plain)
        changed += list(plain)
    if "pay_account_no" in p:
        employer_pay_account_change(employer=employer, bank_name=p.get("pay_bank_name", ""),
                                    account_no=p["pay_account_no"], actor=actor, business_date=business_date)
        changed += list(BANK)
    return {"changed": changed, "employer": employer.account_no}


HANDLER = Handler(item_code=ITEM_CODE, validate=validate, rule_inputs=rule_inputs, execute=execute,
                  form=EmployerChangeApplicationForm, describe=describe)


def register() -> None:
    register_handler(HANDLER)
