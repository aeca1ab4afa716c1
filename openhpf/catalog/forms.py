"""The console form a staff member (catalog.change) fills to submit a change of the center's 实施清单 of one item:
turned into the params of the maker-checker command `catalog.implementation_change`."""

from __future__ import annotations

from typing import Any

from django import forms

from openhpf.core.formfields import ReasonField

from .models import Channel, IdentityLevel, LimitUnit, ServiceItemVersion


class ImplementationForm(forms.Form):
    offered = forms.BooleanField(label="本中心开办此事项", required=False)
    promised_limit = forms.IntegerField(label="承诺时限", required=False, min_value=0, max_value=365,
                                        help_text="留空则按基本目录；0 为即时办结",
                                        error_messages={"min_value": "承诺时限应为 0–365",
                                                        "max_value": "承诺时限应为 0–365",
                                                        "invalid": "承诺时限应为整数"})
    promised_limit_unit = forms.ChoiceField(label="承诺时限单位", choices=LimitUnit.choices)
    extra_materials = forms.CharField(
        label="本地增补材料", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项：材料编码 材料名称（如 local_proof 居住证明）；行末写「视情况」则为非必须")
    place = forms.CharField(label="办理地点", required=False, max_length=200)
    hours = forms.CharField(label="办理时间", required=False, max_length=200)
    phone = forms.CharField(label="咨询电话", required=False, max_length=60)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}),
                                     error_messages={"invalid": "日期格式不正确（应为 YYYY-MM-DD）",
                                                     "required": "请填写生效日期"})
    reason = ReasonField(label="变更原因")

    def __init__(self, *args: Any, national: ServiceItemVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.national = national
        levels = [(v, label) for v, label in IdentityLevel.choices]
        for c in national.channels:
            name = Channel(c["channel"]).label
            self.fields[f"ch_{c['channel']}"] = forms.BooleanField(label=f"开通「{name}」", required=False)
            self.fields[f"lv_{c['channel']}"] = forms.TypedChoiceField(
                label=f"「{name}」身份核验", choices=[(v, lab) for v, lab in levels if v >= c["min_identity"]],
                coerce=int, initial=c["min_identity"], required=False, empty_value=c["min_identity"])

    def channel_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"ch_{c['channel']}"], self[f"lv_{c['channel']}"]) for c in self.national.channels]

    @staticmethod
    def initial_from(spec: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {k: spec.get(k) for k in ("offered", "promised_limit", "promised_limit_unit", "place",
                                                        "hours", "phone", "note")}
        out["extra_materials"] = "\n".join(f"{m['code']} {m['name']}{'' if m['required'] else ' 视情况'}"
                                           for m in spec.get("extra_materials", []))
        for c in spec.get("channels", []):
            out[f"ch_{c['channel']}"] = True
            out[f"lv_{c['channel']}"] = c["min_identity"]
        return out

    def clean_extra_materials(self) -> list[dict[str, Any]]:
        out = []
        for n, line in enumerate(self.cleaned_data.get("extra_materials", "").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            required = parts[-1] != "视情况"
            if not required:
                parts = parts[:-1]
            if len(parts) < 2:
                raise forms.ValidationError(f"第 {n} 行应为「材料编码 材料名称」")
            out.append({"code": parts[0], "name": " ".join(parts[1:]), "required": required})
        return out

    def spec(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "offered": d["offered"], "promised_limit": d["promised_limit"],
            "promised_limit_unit": d["promised_limit_unit"], "extra_materials": d["extra_materials"],
            "channels": [{"channel": c["channel"], "min_identity": d[f"lv_{c['channel']}"]}
                         for c in self.national.channels if d.get(f"ch_{c['channel']}")],
            "place": d["place"], "hours": d["hours"], "phone": d["phone"], "note": d["note"]}
