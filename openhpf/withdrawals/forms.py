"""The payload forms of the withdrawal reasons (`Handler.form`): the engine's counter intake builds its page from
them (and the online hall will), so each reason's form is a plain Django form whose cleaned data IS the payload
the reason's `validate` takes: amounts in 元 cleaned to integer fen, flags as booleans, dates as dates (the
intake turns them into ISO text). Another reason adds its own form here, or in its own module, the same way."""

from __future__ import annotations

from django import forms

from openhpf.core.formfields import YuanField

from .sources import RETIREMENT_PROOFS

YES_NO = [("", "请选择"), ("1", "是"), ("0", "否")]


def _flag(value: str) -> bool:
    return value == "1"


class RentForm(forms.Form):
    """07 房租: the amount (元), the months of rent it covers, the member's declaration of no own home in the city,
    whether the lease is registered."""

    amount = YuanField(label="提取金额（元）", allow_zero=False, error_messages={"required": "请填写提取金额"})
    months = forms.TypedChoiceField(label="租房月数", coerce=int, choices=[("", "请选择")] + [
        (str(n), f"{n} 个月") for n in range(1, 13)], error_messages={"required": "请选择租房月数"})
    no_own_home = forms.TypedChoiceField(label="本人及配偶在本市无自有住房（个人承诺）", coerce=_flag, choices=YES_NO,
                                         error_messages={"required": "请确认本人及配偶在本市有无自有住房"})
    lease_registered = forms.TypedChoiceField(label="租赁合同已登记备案", coerce=_flag, choices=YES_NO[1:],
                                              initial="0")


class RetirementForm(forms.Form):
    """03 离休退休: how the retirement is proven (人社 record or the 退休证 checked at the counter), the date, the
    certificate number when the certificate is the proof. The amount is the whole balance plus interest."""

    retirement_proof = forms.ChoiceField(label="离退休证明方式", choices=[("", "请选择"), *RETIREMENT_PROOFS.items()],
                                         error_messages={"required": "请选择离退休的证明方式"})
    retirement_date = forms.DateField(label="离退休日期", widget=forms.DateInput(attrs={"type": "date"}),
                                      error_messages={"required": "请填写离退休日期",
                                                      "invalid": "离退休日期格式不正确（应为 YYYY-MM-DD）"})
    certificate_no = forms.CharField(label="退休证编号（以退休证证明时填写）", max_length=40, required=False)
