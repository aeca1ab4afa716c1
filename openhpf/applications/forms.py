"""Forms of the work queue's screens: counter intake (the item's own payload form with the member or employer and
one file per 申请材料), and the review actions."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django import forms

from openhpf.catalog.models import ItemKind, ServiceItemVersion

from . import registry

PAYLOAD_PREFIX = "p_"
MATERIAL_PREFIX = "m_"


class IntakeForm(forms.Form):
    """The item's `Handler.form` fields (prefixed p_), the member's 个人账号 or the employer's 单位账号, and a file
    field per material of the item as the center implements it (its 实施清单's local materials too; required when
the list says the material is)."""

    def __init__(self, *args: Any, version: ServiceItemVersion, materials: list[dict[str, Any]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        if version.kind == ItemKind.PERSON:
            self.fields["account_no"] = forms.CharField(label="个人账号", max_length=20,
                                                        error_messages={"required": "请填写个人账号"})
        else:
            self.fields["employer_no"] = forms.CharField(label="单位账号", max_length=20,
                                                         error_messages={"required": "请填写单位账号"})
        handler = registry.handler_if_any(version.item.code)
        if handler is not None and handler.form is not None:
            form_class = cast(type[forms.Form], handler.form)
            for name, field in form_class.base_fields.items():
                self.fields[PAYLOAD_PREFIX + name] = copy.deepcopy(field)
        for m in version.materials if materials is None else materials:  # the center's list: with its local ones
            self.fields[MATERIAL_PREFIX + m["code"]] = forms.FileField(
                label=f"{m['name']}（扫描件）", required=bool(m["required"]),
                error_messages={"required": f"请扫描上传：{m['name']}"})

    def payload(self) -> dict[str, Any]:
        """The payload as JSON (dates as ISO text, decimals as text); the handler normalises it."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith(PAYLOAD_PREFIX):
                continue
            if isinstance(value, datetime | date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            out[name[len(PAYLOAD_PREFIX):]] = value
        return out

    def uploads(self) -> list[tuple[str, Any]]:
        return [(name[len(MATERIAL_PREFIX):], f) for name, f in self.cleaned_data.items()
                if name.startswith(MATERIAL_PREFIX) and f]


def split_lines(text: str) -> list[str]:
    """A list of reasons or problems typed one a line (一次告知: every one at once)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
