"""政策参数 on the console: the values in force, each parameter's history, and the change form whose submission is
a core.policy_set command (maker-checker; the value takes effect from its date once a checker approves it).

Values are typed as people read them: amounts in 元 (stored in fen), ratios and rates in % (stored as fractions
of one), yes/no, whole numbers, text. Structured (JSON) parameters are shown but not edited here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q

from openhpf.core.errors import DomainError
from openhpf.core.models import Center, PolicyParameter
from openhpf.core.money import parse_yuan
from openhpf.core.policy import KEYS, MONEY_KEYS, PERCENT_KEYS, policy_label, policy_value_text

from .models import PendingCommand

VT = PolicyParameter.ValueType


def _rows(center: Center, key: str | None = None) -> Any:
    qs = PolicyParameter.objects.filter(Q(center=center) | Q(center__isnull=True))
    return qs.filter(key=key) if key is not None else qs


def _in_force(rows: list[PolicyParameter], center: Center, on: date) -> PolicyParameter | None:
    """The center's own latest row in force on `on`, else the national one (core.policy.policy_row's rule)."""
    live = sorted((r for r in rows if r.effective_from <= on), key=lambda r: r.effective_from, reverse=True)
    return next((r for r in live if r.center_id == center.pk), None) or next(
        (r for r in live if r.center_id is None), None)


def value_type(center: Center, key: str) -> str:
    row = _rows(center, key).order_by("-effective_from").first()
    if row is not None:
        return str(row.value_type)
    return VT.INTEGER if key in MONEY_KEYS else VT.DECIMAL if key in PERCENT_KEYS else VT.STRING


def editable(center: Center, key: str) -> bool:
    """Whether the console form changes it (structured parameters are not edited here)."""
    return value_type(center, key) != VT.JSON


@dataclass(frozen=True)
class OverviewRow:
    key: str
    label: str
    value: str
    since: date | None
    scope: str
    next_value: str
    next_from: date | None


def overview(*, center: Center, on: date) -> list[OverviewRow]:
    by_key: dict[str, list[PolicyParameter]] = {}
    for r in _rows(center):
        by_key.setdefault(r.key, []).append(r)
    out = []
    for key in KEYS:
        rows = by_key.get(key, [])
        now = _in_force(rows, center, on)
        later = sorted((r for r in rows if r.effective_from > on and (r.center_id == center.pk or r.center_id is None)),
                       key=lambda r: r.effective_from)
        nxt = later[0] if later else None
        out.append(OverviewRow(key=key, label=policy_label(key),
                               value=policy_value_text(key, now.value) if now else "（未设置）",
                               since=now.effective_from if now else None,
                               scope=("本中心" if now.center_id else "全国默认") if now else "",
                               next_value=policy_value_text(key, nxt.value) if nxt else "",
                               next_from=nxt.effective_from if nxt else None))
    return out


@dataclass(frozen=True)
class InForce:
    value: str
    since: date
    scope: str


def in_force(*, center: Center, key: str, on: date) -> InForce | None:
    """The value of the parameter in force for this center on `on`, as people read it."""
    row = _in_force(list(_rows(center, key)), center, on)
    if row is None:
        return None
    return InForce(value=policy_value_text(key, row.value), since=row.effective_from,
                   scope="本中心" if row.center_id else "全国默认")


@dataclass(frozen=True)
class HistoryRow:
    effective_from: date
    value: str
    scope: str
    state: str
    approved_by: str
    source: str
    note: str


def history(*, center: Center, key: str, on: date) -> list[HistoryRow]:
    """Every value of the parameter for this center (its own and the national ones), newest first."""
    rows = list(_rows(center, key).order_by("-effective_from", "-pk"))
    now = _in_force(rows, center, on)
    out = []
    for r in rows:
        state = "生效中" if now is not None and r.pk == now.pk else "待生效" if r.effective_from > on else "已失效"
        out.append(HistoryRow(effective_from=r.effective_from, value=policy_value_text(key, r.value),
                              scope="本中心" if r.center_id else "全国默认", state=state, approved_by=r.approved_by,
                              source=r.source, note=r.note))
    return out


def pending(*, center: Center, key: str) -> list[PendingCommand]:
    return list(PendingCommand.objects.filter(center=center, name="core.policy_set", params__key=key,
                                              status=PendingCommand.Status.PENDING)
                .select_related("maker", "maker__staff_profile", "checker", "checker__staff_profile")
                .order_by("made_at"))


def _yuan(text: str) -> int:
    try:
        fen = parse_yuan(text, field="value")
    except DomainError:
        raise forms.ValidationError("请输入金额（元），最多两位小数") from None
    if fen < 0:
        raise forms.ValidationError("金额不能为负数")
    return fen


def _percent(text: str) -> str:
    """'12' or '1.5%' (percent) → '0.12', '0.015' (a fraction of one, exactly)."""
    try:
        pct = Decimal(text.replace("%", "").replace("％", "").strip())
    except InvalidOperation:
        raise forms.ValidationError("请填写百分数，如 12 或 1.5") from None
    if not pct.is_finite() or pct < 0 or pct > 100:
        raise forms.ValidationError("百分数应在 0 至 100 之间")
    if -int(pct.as_tuple().exponent) > 4:
        raise forms.ValidationError("百分数最多四位小数")
    return str(pct.scaleb(-2).normalize())


class PolicyChangeForm(forms.Form):
    value = forms.CharField(label="新值", max_length=200, error_messages={"required": "请填写新值"})
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     error_messages={"required": "请填写生效日期",
                                                     "invalid": "生效日期格式不正确（应为 YYYY-MM-DD）"})
    source = forms.CharField(label="依据（文件文号）", max_length=200, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, key: str, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key, self.center = key, center
        self.vt = value_type(center, key)
        f = self.fields["value"]
        if key in MONEY_KEYS:
            f.label = "新值（元）"
            f.widget.attrs.update(inputmode="decimal", placeholder="如 36000.00")
        elif key in PERCENT_KEYS:
            f.label = "新值（%）"
            f.widget.attrs.update(inputmode="decimal", placeholder="如 12 或 1.5")
        elif self.vt == VT.BOOLEAN:
            self.fields["value"] = forms.ChoiceField(label="新值", choices=[("true", "是"), ("false", "否")])
        elif self.vt == VT.INTEGER:
            f.widget.attrs.update(inputmode="numeric")
        self.fields["effective_from"].widget.attrs["min"] = center.business_date.isoformat()

    def clean_value(self) -> Any:
        text = str(self.cleaned_data["value"]).strip()
        if self.vt == VT.JSON:
            raise forms.ValidationError("该参数为结构化参数，不能在此调整")
        if self.key in MONEY_KEYS:
            return _yuan(text)
        if self.key in PERCENT_KEYS:
            return _percent(text)
        if self.vt == VT.BOOLEAN:
            return text == "true"
        if self.vt == VT.INTEGER:
            if not text.lstrip("-").isdigit():
                raise forms.ValidationError("请填写整数")
            return int(text)
        if self.vt == VT.DECIMAL:
            try:
                d = Decimal(text)
            except InvalidOperation:
                raise forms.ValidationError("请填写数字") from None
            if not d.is_finite():
                raise forms.ValidationError("请填写数字")
            return str(d)
        if not text:
            raise forms.ValidationError("请填写新值")
        return text

    def clean_effective_from(self) -> date:
        d: date = self.cleaned_data["effective_from"]
        bd = self.center.business_date
        if d < bd:
            raise forms.ValidationError(f"生效日期不能早于业务日期 {bd}（政策参数不能追溯调整）")
        return d

    def params(self) -> dict[str, Any]:
        return change_params(key=self.key, value_type=self.vt, data=self.cleaned_data)


def change_params(*, key: str, value_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The core.policy_set command's parameters from the form's cleaned data."""
    return {"key": key, "value": data["value"], "value_type": value_type,
            "effective_from": data["effective_from"].isoformat(), "source": data.get("source", ""),
            "note": data.get("note", "")}

