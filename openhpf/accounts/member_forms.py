"""Forms of the member-account console pages (个人明细 filter, 个人账户 counter transactions): validated on the
server, every message in Chinese."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from openhpf.core.codes import IdType, MaritalStatus, Sex
from openhpf.core.errors import DomainError
from openhpf.core.formfields import MobileField, PercentField, ReasonField, YuanField
from openhpf.core.ids import validate_resident_id

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


# ---------------------------------------------------------------- counter transactions (个人账户)

_CHOICE_MESSAGES = {"invalid_choice": "请从列表中选择", "required": "请选择"}


class EmployerNoField(forms.CharField):
    """单位账号 (14 digits): the employer an account opens at or moves to; the screen shows its name to check."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "单位账号")
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "14 位单位账号，核对页显示单位名称")
        kwargs.setdefault("error_messages", {"required": "请填写单位账号"})
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "numeric", "autocomplete": "off"}

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if text and not (text.isdigit() and len(text) == 14):
            raise forms.ValidationError("单位账号应为 14 位数字", code="employer_no")
        return text


class MemberOpenForm(forms.Form):
    """个人开户: the person, the employer, the base in 元 and the ratios in % (blank: the employer's)."""

    employer_no = EmployerNoField()
    name = forms.CharField(label="姓名", max_length=60, error_messages={"required": "请填写姓名"})
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices, initial=IdType.RESIDENT_ID,
                                error_messages=_CHOICE_MESSAGES)
    id_number = forms.CharField(label="证件号码", max_length=32, error_messages={"required": "请填写证件号码"},
                                help_text="身份证号码自动校验校验位、出生日期与地区码")
    birth_date = forms.DateField(label="出生日期", required=False, input_formats=["%Y-%m-%d"],
                                 error_messages=_DATE_MESSAGES, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="非身份证开户必填；身份证开户由证件号码得出")
    sex = forms.ChoiceField(label="性别", required=False, choices=[("", "（由身份证号码得出）"), *Sex.choices],
                            error_messages=_CHOICE_MESSAGES, help_text="非身份证开户必填")
    phone = MobileField(label="手机号码", required=False, help_text="11 位手机号码，以 1 开头")
    marital_status = forms.ChoiceField(label="婚姻状况", choices=MaritalStatus.choices,
                                       initial=MaritalStatus.UNKNOWN, error_messages=_CHOICE_MESSAGES)
    base = YuanField(label="缴存基数（元）", allow_zero=False, error_messages={"required": "请填写缴存基数"},
                     help_text="月工资基数，以元为单位，最多两位小数；须在本中心上下限之间")
    employer_ratio = PercentField(label="单位缴存比例（%）", required=False, help_text="不填则按单位比例")
    member_ratio = PercentField(label="个人缴存比例（%）", required=False, help_text="不填则按单位比例")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("id_type") == IdType.RESIDENT_ID and data.get("id_number"):
            try:
                rid = validate_resident_id(data["id_number"])
            except DomainError as e:
                self.add_error("id_number", e.message)
            else:
                data["id_number"] = rid.number
        elif data.get("id_type"):
            if not data.get("birth_date"):
                self.add_error("birth_date", "非身份证开户须填写出生日期")
            if not data.get("sex"):
                self.add_error("sex", "非身份证开户须选择性别")
        return data


class MemberSealForm(forms.Form):
    reason = ReasonField(label="封存原因", max_length=100, help_text="如：离职、退休、出国定居",
                         error_messages={"required": "请填写封存原因", "min_length": "请填写封存原因（至少 2 个字）",
                                         "max_length": "封存原因不能超过 100 个字"})


class MemberMoveForm(forms.Form):
    """启封 / 内部转移: the employer the account goes to; base and ratios blank keep the base and take the
    employer's ratios."""

    employer_no = EmployerNoField(label="转入单位账号")
    base = YuanField(label="缴存基数（元）", required=False, allow_zero=False, help_text="不填则沿用原缴存基数")
    employer_ratio = PercentField(label="单位缴存比例（%）", required=False, help_text="不填则按转入单位比例")
    member_ratio = PercentField(label="个人缴存比例（%）", required=False, help_text="不填则按转入单位比例")


class MemberMergeForm(forms.Form):
    into = forms.CharField(label="并入个人账号", max_length=24, error_messages={"required": "请填写并入的个人账号"},
                           help_text="同一职工的另一个个人账户：本账户余额、当年积数与缴存月份并入该账户，本账户合并销户")
    reason = ReasonField(label="合并原因", max_length=100,
                         error_messages={"required": "请填写合并原因", "min_length": "请填写合并原因（至少 2 个字）",
                                         "max_length": "合并原因不能超过 100 个字"})

    def clean_into(self) -> str:
        text = str(self.cleaned_data.get("into") or "").strip()
        if not (text.isdigit() and len(text) == 16):
            raise forms.ValidationError("个人账号应为 16 位数字", code="account_no")
        return text
