"""A URLconf for the counter-pattern tests: the whole console plus two sample transactions built on it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import path, reverse

from openhpf.accounts import services as account_services
from openhpf.accounts.models import MemberAccount
from openhpf.core.formfields import ReasonField, YuanField
from openhpf.documents.counter import CounterTransaction, Done, Line
from openhpf.urls import urlpatterns as console_urlpatterns


class SealForm(forms.Form):
    reason = ReasonField(label="封存原因")
    document = forms.FileField(label="证明材料", required=False)


class SampleSeal(CounterTransaction):
    kind = "test.member.seal"
    title = "个人账户封存"
    permission = "accounts.change"
    form_class = SealForm

    def _account(self, request: Any, account_no: str) -> MemberAccount:
        return MemberAccount.objects.get(account_no=account_no)

    def context(self, request: Any, account_no: str = "", **_: Any) -> dict[str, Any]:
        return {"account_no": account_no}

    def preview(self, request: Any, data: dict[str, Any], account_no: str = "", **_: Any) -> list[Line]:
        return [Line("个人账号", account_no), Line("封存原因", data["reason"])]

    def execute(self, request: Any, data: dict[str, Any], *, actor: Any, business_date: Any, account_no: str = "",
                **_: Any) -> Done:
        acct = account_services.member_account_seal(account=self._account(request, account_no),
                                                    reason=data["reason"], actor=actor, business_date=business_date)
        lines = [Line("个人账号", acct.account_no), Line("封存原因", data["reason"])]
        if data.get("document"):
            lines.append(Line("证明材料", f"{data['document'].name}（{data['document'].size} 字节）"))
        return Done(lines=lines, object=acct, back_url=reverse("accounts:member_detail", args=[acct.account_no]))


class AmountForm(forms.Form):
    amount = YuanField(label="金额（元）", allow_zero=False)


class SampleMoney(CounterTransaction):
    kind = "test.money"
    title = "测试资金业务"
    permission = "accounts.change"
    form_class = AmountForm
    money_moving = True
    runs: list[int] = []

    def preview(self, request: Any, data: dict[str, Any], **_: Any) -> list[Line]:
        return [Line("金额（元）", f"{data['amount'] / 100:.2f}")]

    def execute(self, request: Any, data: dict[str, Any], *, actor: Any, business_date: Any, **_: Any) -> Done:
        SampleMoney.runs.append(data["amount"])
        return Done(lines=[Line("说明", "测试")], amount_fen=data["amount"])


urlpatterns = [
    path("test-counter/seal/<str:account_no>/", SampleSeal.as_view(), name="test_counter_seal"),
    path("test-counter/money/", SampleMoney.as_view(), name="test_counter_money"),
    *console_urlpatterns,
]
