"""Counter screens (柜面) of a member account's freeze and contribution terms: 冻结 / 解冻 with the legal document
archived (documents app, linked to the account), 基数调整 and 比例调整 with before → after on the 确认 page.

Each is a CounterTransaction (documents.counter): the rules stay in accounts.services (the `…_preview` functions
check what the change would do without writing; the change itself re-checks under its lock)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.http import Http404, HttpRequest
from django.urls import reverse

from openhpf.core.actors import Actor
from openhpf.core.codes import FreezeKind, RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.formfields import PercentField, ReasonField, YuanField
from openhpf.core.models import Center
from openhpf.core.money import format_fen, format_ratio
from openhpf.documents.counter import CounterTransaction, Done, Line
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.iam.services import console_center

from . import selectors, services
from .models import MemberAccount

# a scan or a photograph of the document: what a counter's scanner and a phone produce
LEGAL_SUFFIXES = (".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
LEGAL_MAX_BYTES = 20 * 1024 * 1024
FREEZE_KINDS = [(k.value, k.label) for k in (FreezeKind.FULL, FreezeKind.PARTIAL, FreezeKind.REMOTE_LOAN)]


class _LegalDocumentForm(forms.Form):
    """What 冻结 and 解冻 both take: a reason, the legal document's number and its scan (checked here; archived
    with the account at 办理). A subclass names its action (冻结 / 解冻) and the document number's hint."""

    action: str = ""
    reference_help: str = ""

    reason = ReasonField(label="原因", max_length=100)
    reference = forms.CharField(label="文书编号", max_length=40,
                                error_messages={"required": "请填写法律文书的编号", "max_length": "文书编号不能超过 40 个字"})
    document = forms.FileField(
        label="法律文书", help_text="裁定书、协助执行通知书、异地贷款担保函等的扫描件（PDF 或图片，不超过 20 MB）",
        error_messages={"required": f"{ErrorCode.FREEZE_DOCUMENT_REQUIRED.template}（FREEZE_DOCUMENT_REQUIRED）",
                        "empty": "上传的法律文书是空文件，请重新选择", "invalid": "请选择法律文书文件"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        what = f"{self.action}原因"
        self.fields["reason"].label = what
        self.fields["reason"].error_messages.update({
            "required": f"请填写{what}", "min_length": f"请填写{what}（至少 2 个字）",
            "max_length": f"{what}不能超过 100 个字"})
        self.fields["reference"].help_text = self.reference_help

    def clean_document(self) -> Any:
        f = self.cleaned_data.get("document")
        if f is None:
            return f
        if Path(str(f.name or "")).suffix.lower() not in LEGAL_SUFFIXES:
            raise forms.ValidationError("法律文书应为 PDF、OFD 或图片（JPG、PNG、TIFF）文件")
        if (f.size or 0) > LEGAL_MAX_BYTES:
            raise forms.ValidationError("法律文书不能超过 20 MB")
        return f


class FreezeForm(_LegalDocumentForm):
    action = "冻结"
    reference_help = "如（2026）浙0106执1234号"
    field_order = ["kind", "amount", "reason", "reference", "document"]

    kind = forms.ChoiceField(label="冻结类型", choices=FREEZE_KINDS, widget=forms.RadioSelect,
                             error_messages={"required": "请选择冻结类型", "invalid_choice": "冻结类型不正确"})
    amount = YuanField(label="冻结金额（元）", required=False, min_fen=0,
                       help_text="部分冻结、异地贷款担保冻结填写；全部冻结不填（冻结全部可用余额）")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, amount = data.get("kind"), data.get("amount")
        if kind == FreezeKind.FULL and amount:
            self.add_error("amount", "全部冻结不填写冻结金额")
        elif kind in (FreezeKind.PARTIAL, FreezeKind.REMOTE_LOAN) and not amount and "amount" not in self.errors:
            self.add_error("amount", "部分冻结、异地贷款担保冻结须填写大于零的冻结金额")
        if kind == FreezeKind.FULL:
            data["amount"] = None
        return data


class UnfreezeForm(_LegalDocumentForm):
    action = "解冻"
    reference_help = "解除冻结的裁定书、协助执行通知书等的编号"


class BaseForm(forms.Form):
    base = YuanField(label="新缴存基数（元）", min_fen=1, help_text="职工上一年度月平均工资",
                     error_messages={"required": "请填写新缴存基数"})


class RatioForm(forms.Form):
    employer_ratio = PercentField(label="单位缴存比例（%）", error_messages={"required": "请填写单位缴存比例"})
    member_ratio = PercentField(label="个人缴存比例（%）", error_messages={"required": "请填写个人缴存比例"})


# ---------------------------------------------------------------- the account the screen works on


class _AccountTransaction(CounterTransaction):
    template = "accounts/counter/form.html"
    confirm_template = "accounts/counter/confirm.html"

    def _center(self, request: HttpRequest) -> Center:
        return console_center(request.user)

    def account(self, request: HttpRequest, account_no: str) -> MemberAccount:
        try:
            return selectors.member_account_get(center=self._center(request), account_no=account_no, user=request.user)
        except DomainError as e:
            raise Http404(e.message) from None

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        d = selectors.member_account_detail(account=self.account(request, kwargs["account_no"]), actor=request.user)
        self.detail = d
        money = {k: format_fen(getattr(d, k)) for k in (
            "base", "employer_amount", "member_amount", "monthly_amount", "balance", "frozen_amount", "available")}
        return {"acct": d, "acct_money": money, "acct_ratios": {"employer": format_ratio(d.employer_ratio),
                                                                "member": format_ratio(d.member_ratio)},
                "back_url": reverse("accounts:member_detail", args=[d.account_no])}

    def _who(self) -> list[Line]:
        return [Line("个人账号", self.detail.account_no), Line("姓名", self.detail.name)]

    def _back(self, acct: MemberAccount) -> str:
        return reverse("accounts:member_detail", args=[acct.account_no])


def _archive(request: HttpRequest, acct: MemberAccount, upload: Any, *, actor: Actor, business_date: date) -> Any:
    if upload is None:  # the form requires it; a caller that got past the form still archives nothing without it
        raise DomainError(ErrorCode.FREEZE_DOCUMENT_REQUIRED, field="document")
    return document_store(center=acct.center, content=upload, original_name=upload.name or "法律文书",
                          doc_type=DocType.LEGAL_DOCUMENT, retention=RetentionClass.LONG_30Y, actor=actor,
                          business_date=business_date, obj=acct, content_type=getattr(upload, "content_type", "") or "")


class MemberFreeze(_AccountTransaction):
    """冻结 (全部、部分、异地贷款担保): the legal document is archived and linked to the account."""

    kind = "accounts.member.freeze"
    title = "个人账户冻结"
    permission = "accounts.freeze"
    form_class = FreezeForm

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        acct = self.account(request, kwargs["account_no"])
        frozen = services.member_account_freeze_preview(account=acct, kind=data["kind"], amount=data["amount"],
                                                        actor=request.user)
        available = self.detail.available
        return [*self._who(), Line("冻结类型", FreezeKind(data["kind"]).label),
                Line("冻结金额", f"{format_fen(frozen)} 元"),
                Line("可用余额", f"{format_fen(available)} 元 → {format_fen(available - frozen)} 元"),
                Line("冻结原因", data["reason"]), Line("文书编号", data["reference"])]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        acct = self.account(request, kwargs["account_no"])
        acct = services.member_account_freeze(account=acct, kind=data["kind"], amount=data["amount"],
                                              reason=data["reason"], reference=data["reference"], actor=actor,
                                              business_date=business_date)
        doc = _archive(request, acct, data.get("document"), actor=actor, business_date=business_date)
        frozen = int(acct.sub.frozen_amount)
        return Done(lines=[*self._who(), Line("冻结类型", FreezeKind(data["kind"]).label),
                           Line("冻结金额", f"{format_fen(frozen)} 元"), Line("冻结原因", data["reason"]),
                           Line("文书编号", data["reference"]), Line("法律文书", f"{doc.original_name}（档案号 {doc.pk}）")],
                    object=acct, back_url=self._back(acct), amount_fen=frozen)


class MemberUnfreeze(_AccountTransaction):
    """解冻: the whole frozen amount is released; the legal document is archived and linked to the account."""

    kind = "accounts.member.unfreeze"
    title = "个人账户解冻"
    permission = "accounts.freeze"
    form_class = UnfreezeForm

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        acct = self.account(request, kwargs["account_no"])
        frozen = services.member_account_unfreeze_preview(account=acct, actor=request.user)
        available = self.detail.available
        return [*self._who(), Line("当前冻结", FreezeKind(acct.freeze_kind).label),
                Line("解冻金额", f"{format_fen(frozen)} 元"),
                Line("可用余额", f"{format_fen(available)} 元 → {format_fen(available + frozen)} 元"),
                Line("解冻原因", data["reason"]), Line("文书编号", data["reference"])]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        acct = self.account(request, kwargs["account_no"])
        was = FreezeKind(acct.freeze_kind).label
        frozen = services.member_account_unfreeze_preview(account=acct, actor=actor)
        acct = services.member_account_unfreeze(account=acct, reason=data["reason"], reference=data["reference"],
                                                actor=actor, business_date=business_date)
        doc = _archive(request, acct, data.get("document"), actor=actor, business_date=business_date)
        return Done(lines=[*self._who(), Line("原冻结类型", was), Line("解冻金额", f"{format_fen(frozen)} 元"),
                           Line("解冻原因", data["reason"]), Line("文书编号", data["reference"]),
                           Line("法律文书", f"{doc.original_name}（档案号 {doc.pk}）")],
                    object=acct, back_url=self._back(acct), amount_fen=frozen)


def _terms_lines(before: MemberAccount, after: services.AmountsPreview) -> list[Line]:
    def change(b: int, a: int) -> str:
        return f"{format_fen(b)} 元 → {format_fen(a)} 元"

    return [
        Line("缴存基数", change(before.base, after.base)),
        Line("缴存比例", f"单位 {format_ratio(before.employer_ratio)} · 个人 {format_ratio(before.member_ratio)} → "
                     f"单位 {format_ratio(after.employer_ratio)} · 个人 {format_ratio(after.member_ratio)}"),
        Line("单位月缴存额", change(before.employer_amount, after.employer_amount)),
        Line("个人月缴存额", change(before.member_amount, after.member_amount)),
        Line("月缴存额合计", change(before.employer_amount + before.member_amount,
                               after.employer_amount + after.member_amount)),
    ]


class MemberChangeBase(_AccountTransaction):
    """基数调整 of one account: the new base (元) and the monthly amounts it gives, before → after."""

    kind = "accounts.member.change_base"
    title = "个人缴存基数调整"
    permission = "accounts.change"
    form_class = BaseForm

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        acct = self.account(request, kwargs["account_no"])
        after = services.member_account_change_base_preview(account=acct, base=data["base"], actor=request.user,
                                                            business_date=self._center(request).business_date)
        return [*self._who(), *_terms_lines(acct, after)]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        before = self.account(request, kwargs["account_no"])
        acct = services.member_account_change_base(account=before, base=data["base"], actor=actor,
                                                   business_date=business_date)
        after = services.AmountsPreview(acct.base, acct.employer_ratio, acct.member_ratio, acct.employer_amount,
                                        acct.member_amount)
        return Done(lines=[*self._who(), *_terms_lines(before, after)], object=acct, back_url=self._back(acct))


class MemberChangeRatio(_AccountTransaction):
    """比例调整 of one account: both ratios (%), within the policy range or an approved reduction."""

    kind = "accounts.member.change_ratio"
    title = "个人缴存比例调整"
    permission = "accounts.change"
    form_class = RatioForm

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        acct = self.account(request, kwargs["account_no"])
        return {"employer_ratio": acct.employer_ratio, "member_ratio": acct.member_ratio}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        acct = self.account(request, kwargs["account_no"])
        after = services.member_account_change_ratio_preview(
            account=acct, employer_ratio=data["employer_ratio"], member_ratio=data["member_ratio"],
            actor=request.user, business_date=self._center(request).business_date)
        return [*self._who(), *_terms_lines(acct, after)]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        before = self.account(request, kwargs["account_no"])
        acct = services.member_account_change_ratio(account=before, employer_ratio=data["employer_ratio"],
                                                    member_ratio=data["member_ratio"], actor=actor,
                                                    business_date=business_date)
        after = services.AmountsPreview(acct.base, acct.employer_ratio, acct.member_ratio, acct.employer_amount,
                                        acct.member_amount)
        return Done(lines=[*self._who(), *_terms_lines(before, after)], object=acct, back_url=self._back(acct))
