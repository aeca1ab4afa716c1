"""Forms of the member-account console pages (个人明细 filter, 个人账户 counter transactions): validated on the
server, every message in Chinese."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

_DATE_MESSAGES = {"invalid": "日期格式不正确，应如 2026-11-30"}


class HistoryFilterForm(forms.Form):
    """个人明细's date filter (GET: business dates are not personal data)."""

    date_from = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"],
                                error_messages=_DATE_MESSAGES, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, input_formats=["%Y-%m-%d"],
                              error_messages=_DATE_MESSAGES, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo: date | None = data.get("date_from")
        hi: date | None = data.get("date_to")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
