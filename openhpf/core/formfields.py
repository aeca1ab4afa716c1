"""Console form fields that speak the center's language: money typed in 元 (cleaned to integer fen), ratios in %
(cleaned to an exact Decimal ratio), mainland mobile and landline numbers, 年月. Every message is Chinese; nothing
is rounded silently (money and ratios below their unit are refused, as core.money does).

The phone rules are plain functions too (`is_mobile`, `is_landline`), so services check what the forms check."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from .errors import DomainError
from .money import format_fen, parse_yuan

MOBILE_RE = re.compile(r"^1\d{10}$")
# 区号 (0 and 2–3 more digits) - 号码 (7–8 digits, not starting with 0 or 1), optional -分机
LANDLINE_RE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$")
MOBILE_MESSAGE = "手机号码应为以 1 开头的 11 位数字"
PHONE_MESSAGE = "联系电话应为以 1 开头的 11 位手机号码，或带区号的固定电话（如 0571-87654321）"


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.match(value or ""))


def is_landline(value: str) -> bool:
    return bool(LANDLINE_RE.match(value or ""))


def _digits(value: Any) -> str:
    return str(value or "").strip().replace(" ", "").replace("—", "-").replace("－", "-")


class YuanField(forms.CharField):
    """An amount in 元 ('12,345.60'): cleaned to int fen. `min_fen` (default 0; None: negatives allowed) and
    `max_fen` bound it; more than two decimals is refused, never rounded."""

    def __init__(self, *, min_fen: int | None = 0, max_fen: int | None = None, allow_zero: bool = True,
                 **kwargs: Any) -> None:
        self.min_fen, self.max_fen, self.allow_zero = min_fen, max_fen, allow_zero
        super().__init__(**kwargs)  # no max_length: its validator would measure the cleaned int

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "placeholder": "元", "maxlength": "24"})
        return attrs

    def prepare_value(self, value: Any) -> Any:
        return format_fen(value, grouping=False) if isinstance(value, int) and not isinstance(value, bool) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            fen = parse_yuan(text)
        except DomainError:
            raise forms.ValidationError("请输入金额（元），最多两位小数，如 1234.56", code="invalid") from None
        return fen

    def validate(self, value: Any) -> None:
        super().validate("" if value is None else str(value))
        if value is None:
            return
        if self.min_fen is not None and value < self.min_fen:
            raise forms.ValidationError(f"金额不能小于 {format_fen(self.min_fen)} 元", code="min_value")
        if self.max_fen is not None and value > self.max_fen:
            raise forms.ValidationError(f"金额不能大于 {format_fen(self.max_fen)} 元", code="max_value")
        if not self.allow_zero and value == 0:
            raise forms.ValidationError("金额不能为零", code="zero")


class PercentField(forms.CharField):
    """A ratio typed in % ('12', '12.5', '12.5%'): cleaned to the exact Decimal ratio (0.12, 0.125). More precision
    than 0.01 % is refused, never rounded. `min_percent` / `max_percent` bound it (in %)."""

    def __init__(self, *, min_percent: Decimal | int | None = 0, max_percent: Decimal | int | None = 100,
                 **kwargs: Any) -> None:
        self.min_percent, self.max_percent = min_percent, max_percent
        super().__init__(**kwargs)  # no max_length: its validator would measure the cleaned Decimal

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "placeholder": "%", "maxlength": "12"})
        return attrs

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(((value * 100).normalize()), "f")
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = str(super().to_python(value) or "").replace("％", "").replace("%", "").strip()
        if not text:
            return None
        try:
            pct = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError("请输入百分数，如 12 或 12.5", code="invalid") from None
        if not pct.is_finite():
            raise forms.ValidationError("请输入百分数，如 12 或 12.5", code="invalid")
        if pct != pct.quantize(Decimal("0.01")):
            raise forms.ValidationError("比例最多精确到 0.01%，不能四舍五入", code="precision")
        return pct / 100

    def validate(self, value: Any) -> None:
        super().validate("" if value is None else str(value))
        if value is None:
            return
        if self.min_percent is not None and value * 100 < Decimal(self.min_percent):
            raise forms.ValidationError(f"比例不能小于 {self.min_percent}%", code="min_value")
        if self.max_percent is not None and value * 100 > Decimal(self.max_percent):
            raise forms.ValidationError(f"比例不能大于 {self.max_percent}%", code="max_value")


class _TelField(forms.CharField):
    """A telephone number typed on a phone's dial pad; `max_length` is the subclass's default."""

    max_length_default = 20

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.max_length_default)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "tel", "autocomplete": "off"})
        return attrs


class MobileField(_TelField):
    """A mainland mobile number: 11 digits starting with 1."""

    def clean(self, value: Any) -> str:
        text = _digits(super().clean(value)).replace("-", "")
        if text and not is_mobile(text):
            raise forms.ValidationError(MOBILE_MESSAGE, code="mobile")
        return text


class PhoneField(_TelField):
    """An employer's contact phone: a mainland mobile, or a landline with its area code (0571-87654321)."""

    max_length_default = 24

    def clean(self, value: Any) -> str:
        text = _digits(super().clean(value))
        if text and not (is_mobile(text) or is_landline(text)):
            raise forms.ValidationError(PHONE_MESSAGE, code="phone")
        return text


class YearMonthField(forms.CharField):
    """所属年月: '2026-11', '202611' or '2026年11月' → '202611'."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and len(value) == 6 and value.isdigit():
            return f"{value[:4]}-{value[4:]}"
        return value

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip().replace("年", "-").replace("月", "").replace("/", "-")
        if not text:
            return ""
        m = re.match(r"^(\d{4})-?(\d{1,2})$", text)
        if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2100:
            raise forms.ValidationError("年月格式不正确，应如 2026-11", code="month")
        return f"{m.group(1)}{int(m.group(2)):02d}"


class ReasonField(forms.CharField):
    """原因 / 摘要: 2–200 characters of text."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "原因")
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("error_messages", {"min_length": "请填写原因（至少 2 个字）",
                                             "max_length": "原因不能超过 200 个字"})
        super().__init__(**kwargs)
