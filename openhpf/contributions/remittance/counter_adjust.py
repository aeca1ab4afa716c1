"""Counter screens (柜面) of an employer's money and terms: the annual July 年度基数调整 (an .xlsx/.csv of new bases
previewed with every error by row and column, then applied), 退缴 of a posted remittance (submitted for
maker-checker: the 回单 says 已提交复核) and 手工登记到账 (registered and matched only; confirmed by a checker or by
the bank's own line, as receipt_register_manual rules).

Each is a CounterTransaction (documents.counter); the rules stay in the services."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.http import Http404, HttpRequest
from django.urls import reverse

from openhpf.accounts import selectors as account_selectors
from openhpf.accounts.models import Employer
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.formfields import ReasonField, YuanField
from openhpf.core.ingest import CSV_SUFFIXES, EXCEL_SUFFIXES, Limits
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.documents.counter import CounterTransaction, Done, Line
from openhpf.iam.services import console_center

from .. import selectors
from ..models import BaseAdjustment, Receipt, Remittance
from . import adjustments, services

COLUMN_LABELS = {"account_no": "个人账号", "id_number": "证件号码", "name": "姓名", "base": "新缴存基数"}
MODE_CHOICES = [("", "按中心政策")] + [(m.value, m.label) for m in BaseAdjustment.Mode]
REFUND_TO = [("suspense", "转入单位暂存款"), ("bank", "退回单位银行账户")]
REPORT_ROWS = 500  # errors listed on the page (the count covers all)


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


def _employer(request: HttpRequest, account_no: str) -> Employer:
    try:
        return account_selectors.employer_get(center=_center(request), account_no=account_no, user=request.user)
    except DomainError as e:
        raise Http404(e.message) from None


def _employer_context(e: Employer) -> dict[str, Any]:
    return {"employer": e, "back_url": reverse("accounts:employer_detail", args=[e.account_no])}


# ---------------------------------------------------------------- 年度基数调整 (July)


class BaseAdjustForm(forms.Form):
    year = forms.IntegerField(label="缴存年度", min_value=2000, max_value=2100,
                              help_text="新基数自该年 7 月 1 日起执行",
                              error_messages={"required": "请填写缴存年度", "invalid": "缴存年度应为四位数字，如 2026",
                                              "min_value": "缴存年度不正确", "max_value": "缴存年度不正确"})
    mode = forms.ChoiceField(label="超出基数上下限的", choices=MODE_CHOICES, required=False,
                             error_messages={"invalid_choice": "处理方式不正确"})
    file = forms.FileField(label="基数清单（.xlsx 或 .csv）",
                           help_text="列：个人账号、证件号码、姓名、新缴存基数（元，最多两位小数）；第一行为列名",
                           error_messages={"required": "请选择基数清单文件（.xlsx 或 .csv）",
                                           "empty": "上传的文件是空文件", "invalid": "请选择基数清单文件"})

    def clean_file(self) -> Any:
        f = self.cleaned_data.get("file")
        if f is not None and Path(str(f.name or "")).suffix.lower() not in EXCEL_SUFFIXES + CSV_SUFFIXES:
            raise forms.ValidationError("只接受 .xlsx、.xls 或 .csv 文件")
        return f


class EmployerBaseAdjust(CounterTransaction):
    """年度基数调整 of one employer: upload its file of new bases, see every error by row and column or what will
    change (before → after, in 元), then confirm."""

    kind = "contributions.base_adjust"
    title = "年度缴存基数调整"
    permission = "accounts.change"
    form_class = BaseAdjustForm
    template = "contributions/counter/base_adjust_form.html"
    confirm_template = "contributions/counter/base_adjust_confirm.html"

    errors: list[dict[str, Any]]
    error_count = 0
    preview_rows: list[dict[str, Any]]
    summary: adjustments.BasePreview | None = None

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        self.errors, self.preview_rows = [], []
        return _employer_context(_employer(request, kwargs["account_no"]))

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"year": _center(request).business_date.year}

    def _read(self, request: HttpRequest, data: dict[str, Any]) -> tuple[bytes, str]:
        f = data["file"]
        center = _center(request)
        name = str(f.name or "upload.xlsx")
        Limits.for_upload(on=center.business_date, center=center).check_size(int(f.size or 0), name)
        f.seek(0)
        content = f.read()
        f.seek(0)  # the counter keeps the file for the 确认 step: it reads it again
        return content, name

    def _report(self, report: ValidationReport) -> DomainError:
        self.error_count = len(report.errors)
        self.errors = [{"row": e.row or "—", "column": COLUMN_LABELS.get(e.field or "", "—"), "code": str(e.code),
                        "message": e.message} for e in report.errors[:REPORT_ROWS]]
        return DomainError(ErrorCode.VALIDATION, f"基数清单有 {len(report.errors)} 处错误，未做任何调整：请按下表逐行修正后重新上传",
                           field="file")

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        employer = _employer(request, kwargs["account_no"])
        content, name = self._read(request, data)
        center = _center(request)
        try:
            p = adjustments.base_adjust_file_preview(
                center=center, content=content, name=name, year=data["year"], actor=request.user,
                business_date=center.business_date, mode=data["mode"] or None,
                limits=Limits.for_upload(on=center.business_date, center=center), employer=employer)
        except ValidationReport as report:
            raise self._report(report) from None
        self.summary = p
        self.preview_rows = [{"row": r.row, "account_no": r.account_no, "base": (format_fen(r.base_before), format_fen(r.base_after)),
                              "monthly": (format_fen(r.monthly_before), format_fen(r.monthly_after)),
                              "changed": r.base_before != r.base_after, "clamped": r.clamped} for r in p.lines]
        return self._lines(employer, p, name)

    @staticmethod
    def _lines(employer: Employer, p: adjustments.BasePreview, name: str) -> list[Line]:
        return [Line("单位", f"{employer.name}（{employer.account_no}）"),
                Line("生效日期", p.effective_date.isoformat()), Line("文件", name),
                Line("基数上下限", f"{format_fen(p.floor)} 元 – {format_fen(p.cap)} 元（{BaseAdjustment.Mode(p.mode).label}）"),
                Line("清单人数", str(p.rows)), Line("基数变化人数", str(p.changed)),
                Line("按上下限调整人数", str(p.clamped)),
                Line("月缴存额合计", f"{format_fen(p.monthly_before)} 元 → {format_fen(p.monthly_after)} 元")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        employer = _employer(request, kwargs["account_no"])
        content, name = self._read(request, data)
        center = _center(request)
        try:
            adj = adjustments.base_adjust_file(
                center=center, content=content, name=name, year=data["year"], actor=actor,
                business_date=business_date, mode=data["mode"] or None,
                limits=Limits.for_upload(on=business_date, center=center), employer=employer)
        except ValidationReport as report:
            raise self._report(report) from None
        lines = self._lines(employer, self.summary, name) if self.summary is not None else []
        lines = [ln for ln in lines if ln.label not in ("基数变化人数", "按上下限调整人数")]
        lines += [Line("已调整人数", str(adj.changed)), Line("按上下限调整人数", str(adj.clamped))]
        return Done(lines=lines, object=adj, back_url=reverse("accounts:employer_detail", args=[employer.account_no]))


# ---------------------------------------------------------------- 退缴 (maker-checker)


class RefundForm(forms.Form):
    to = forms.ChoiceField(label="退缴去向", choices=REFUND_TO, widget=forms.RadioSelect, initial="suspense",
                           error_messages={"required": "请选择退缴去向", "invalid_choice": "退缴去向不正确"})
    reason = ReasonField(label="退缴原因", error_messages={"required": "请填写退缴原因",
                                                         "min_length": "请填写退缴原因（至少 2 个字）",
                                                         "max_length": "退缴原因不能超过 200 个字"})


class RemittanceRefund(CounterTransaction):
    """退缴 (错缴更正) of a posted 汇缴单 or 补缴单: the command is submitted for a checker; nothing is booked until
    the checker approves it."""

    kind = "contributions.refund"
    title = "退缴"
    permission = "contributions.remit"
    form_class = RefundForm
    money_moving = True
    template = "contributions/counter/remittance_form.html"
    confirm_template = "contributions/counter/remittance_confirm.html"
    confirm_label = "提交复核"

    def _remittance(self, request: HttpRequest, pk: int) -> Remittance:
        try:
            return selectors.remittance_get(center=_center(request), pk=pk, user=request.user)
        except DomainError as e:
            raise Http404(e.message) from None

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        r = self._remittance(request, kwargs["pk"])
        return {"r": r, "back_url": reverse("remit:detail", args=[r.pk])}

    def _lines(self, r: Remittance, data: dict[str, Any]) -> list[Line]:
        kind = "补缴" if r.is_back_payment else "汇缴"
        return [Line("汇缴单号", str(r.pk)), Line("单位", f"{r.employer.name}（{r.employer.account_no}）"),
                Line("类型", kind), Line("所属年月", f"{r.month[:4]}-{r.month[4:]}"), Line("人数", str(r.lines)),
                Line("退缴金额", f"{format_fen(r.total)} 元"), Line("退缴去向", dict(REFUND_TO)[data["to"]]),
                Line("退缴原因", data["reason"])]

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        r = self._remittance(request, kwargs["pk"])
        services.remittance_refund_check(remittance=r, actor=request.user)
        return [*self._lines(r, data), Line("复核", "提交后由复核员批准才记账；批准前不退款")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        r = self._remittance(request, kwargs["pk"])
        services.remittance_refund_check(remittance=r, actor=actor)
        cmd = services.remittance_refund_submit(remittance=r, reason=data["reason"], to=data["to"], actor=actor,
                                                business_date=business_date)
        return Done(lines=[*self._lines(r, data), Line("复核状态", "已提交复核，待复核员批准后记账"),
                           Line("复核单号", str(cmd.pk))],
                    object=r, back_url=reverse("remit:detail", args=[r.pk]), title="退缴申请（已提交复核）",
                    amount_fen=r.total)


# ---------------------------------------------------------------- 手工登记到账


class ManualReceiptForm(forms.Form):
    employer_no = forms.CharField(label="单位账号", max_length=24, required=False,
                                  help_text="付款单位的单位账号；不填则按付款账号、户名识别")
    amount = YuanField(label="到账金额（元）", min_fen=1, error_messages={"required": "请填写到账金额"})
    value_date = forms.DateField(label="到账日期", widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": "请填写到账日期", "invalid": "到账日期格式不正确，应如 2026-11-30"})
    bank_ref = forms.CharField(label="银行流水号", max_length=60,
                               error_messages={"required": "请填写银行流水号", "max_length": "银行流水号不能超过 60 个字符"})
    payer_account = forms.CharField(label="付款账号", max_length=40, required=False,
                                    error_messages={"max_length": "付款账号不能超过 40 个字符"})
    payer_name = forms.CharField(label="付款户名", max_length=120, required=False,
                                 error_messages={"max_length": "付款户名不能超过 120 个字"})
    remittance = forms.IntegerField(label="汇缴单号", required=False, min_value=1,
                                    help_text="这笔钱所缴的汇缴单（不填则按单位和金额匹配）",
                                    error_messages={"invalid": "汇缴单号应为数字", "min_value": "汇缴单号不正确"})

    def clean_employer_no(self) -> str:
        return (self.cleaned_data.get("employer_no") or "").strip()

    def clean_bank_ref(self) -> str:
        return (self.cleaned_data.get("bank_ref") or "").strip()


class ManualReceipt(CounterTransaction):
    """手工登记到账: a receipt typed from the bank's paper; registered and matched, never booked by its maker (it
    is booked when a checker confirms it or the bank's own line arrives)."""

    kind = "contributions.receipt_manual"
    title = "手工登记到账"
    permission = "contributions.remit"
    form_class = ManualReceiptForm
    money_moving = True
    template = "contributions/counter/receipt_form.html"
    confirm_label = "确认登记"

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"employer_no": (kwargs.get("account_no") or request.GET.get("employer", ""))[:24],
                "value_date": _center(request).business_date}

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"back_url": reverse("remit:receipts")}

    def _resolve(self, request: HttpRequest, data: dict[str, Any]) -> tuple[Employer | None, Remittance | None]:
        center = _center(request)
        employer = None
        if data["employer_no"]:
            try:
                employer = account_selectors.employer_get(center=center, account_no=data["employer_no"],
                                                          user=request.user)
            except DomainError as e:
                raise DomainError(e.code, e.message, field="employer_no") from None
        remittance = None
        if data.get("remittance"):
            try:
                remittance = selectors.remittance_get(center=center, pk=data["remittance"], user=request.user)
            except DomainError as e:
                raise DomainError(e.code, e.message, field="remittance") from None
            if employer is not None and remittance.employer_id != employer.pk:
                raise DomainError(ErrorCode.EMPLOYER_MISMATCH,
                                  f"汇缴单 {remittance.pk} 不是单位 {employer.account_no} 的", field="remittance")
        if data["value_date"] > center.business_date:
            raise DomainError(ErrorCode.VALUE_DATE_FUTURE,
                              f"到账日期 {data['value_date']} 晚于业务日期 {center.business_date}", field="value_date")
        return employer, remittance

    def _lines(self, data: dict[str, Any], employer: Employer | None, remittance: Remittance | None) -> list[Line]:
        lines = [Line("付款单位", f"{employer.name}（{employer.account_no}）" if employer else "按付款账号、户名识别"),
                 Line("到账金额", f"{format_fen(data['amount'])} 元"), Line("到账日期", data["value_date"].isoformat()),
                 Line("银行流水号", data["bank_ref"])]
        if data["payer_account"] or data["payer_name"]:
            lines.append(Line("付款账号 / 户名", f"{data['payer_account'] or '—'} / {data['payer_name'] or '—'}"))
        if remittance is not None:
            lines.append(Line("汇缴单", f"{remittance.pk}（{remittance.month[:4]}-{remittance.month[4:]}，"
                                       f"{format_fen(remittance.total)} 元）"))
        return lines

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        employer, remittance = self._resolve(request, data)
        return [*self._lines(data, employer, remittance),
                Line("入账", "登记后待复核员确认（或银行流水到达）才入账，登记本身不记账")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        employer, remittance = self._resolve(request, data)
        rc = services.receipt_register_manual(
            center=_center(request), amount=data["amount"], value_date=data["value_date"], bank_ref=data["bank_ref"],
            actor=actor, business_date=business_date, payer_account=data["payer_account"],
            payer_name=data["payer_name"], employer=employer, remittance=remittance)
        status = Receipt.Status(rc.status).label
        title = "手工登记到账（已提交复核）" if rc.status == Receipt.Status.UNCONFIRMED else None
        return Done(lines=[*self._lines(data, employer, remittance), Line("到账状态", status)], object=rc,
                    back_url=reverse("remit:receipts"), title=title, amount_fen=rc.amount)
