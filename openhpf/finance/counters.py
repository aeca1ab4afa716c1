"""Finance forms on the counter-transaction pattern (填写 → 核对 → 办理, a 业务回单 at the end):

- 手工记账 and 冲正: submit the approvals commands `ledger.entry_post` / `ledger.entry_reverse` (制单 → 复核 → 记账);
- 年末结转 and 增值收益分配: submit `finance.value_added_close` / `finance.value_added_distribute` for a checker;
- 通知存款支取通知 (BDC118): sent to the bank at 办理, after the 核对 page; nothing moves until the 支取;
- 定期/通知存款 存入 and 支取, 划转增值收益: bank instructions through the settlement services (an amount at or
  above the maker-checker threshold is held for a checker there)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest
from django.urls import reverse

from openhpf.approvals import registry
from openhpf.approvals.services import command_submit
from openhpf.core.actors import Actor
from openhpf.core.codes import BizType, GLCategory
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.formfields import PercentField, ReasonField, YuanField
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.documents.counter import CounterTransaction, Done, Line
from openhpf.iam.services import staff_center_required
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.selectors import account_names, postable_accounts
from openhpf.settlement import deposits as deposit_services
from openhpf.settlement.models import BankAccount, Deposit

from . import selectors, services
from .periods import parse_year
from .vouchers import voucher_page

VOUCHER_LINES = 8


def _center(request: HttpRequest) -> Center:
    return staff_center_required(request.user)


def _submitted(cmd: Any, title: str, lines: list[Line], amount: int | None = None) -> Done:
    return Done(lines=[Line("复核命令", f"#{cmd.pk}"), Line("摘要", cmd.summary), *lines], object=cmd,
                back_url=reverse("approvals:mine"), title=f"{title}（已提交复核）", amount_fen=amount)


# ---------------------------------------------------------------- 手工记账 (a manual voucher through maker-checker)


class FinanceCounter(CounterTransaction):
    """A finance back-office form: the clerk checks the figures and accounts, not a customer at the counter."""

    review_heading = "请核对以下内容"
    ack_label = "已核对金额和科目"


class VoucherForm(forms.Form):
    description = forms.CharField(label="摘要", max_length=200,
                                  error_messages={"required": "请填写摘要", "max_length": "摘要不能超过 200 个字"})
    biz_type = forms.ChoiceField(label="业务类型", choices=[(v, f"{v} {label}") for v, label in BizType.choices],
                                 initial=BizType.OTHER.value,
                                 error_messages={"required": "请选择业务类型",
                                                 "invalid_choice": "业务类型应为业务类型代码表中的一项"})
    value_date = forms.DateField(label="起息日", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"required": "请填写起息日", "invalid": "起息日格式不正确（应如 2026-11-30）"})

    def __init__(self, *args: Any, accounts: list[tuple[str, list[tuple[str, str]]]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", "请选择会计科目"), *(accounts or [])]
        self.line_numbers = range(1, VOUCHER_LINES + 1)
        for i in self.line_numbers:
            self.fields[f"account_{i}"] = forms.ChoiceField(
                label=f"第 {i} 行科目", choices=choices, required=False,
                error_messages={"invalid_choice": f"第 {i} 行：会计科目不可用于手工记账"})
            # data-debit / data-credit: the live 借贷平衡 check of finance/voucher.js adds these up
            self.fields[f"debit_{i}"] = YuanField(label=f"第 {i} 行借方金额", required=False,
                                                  widget=forms.TextInput(attrs={"data-debit": ""}))
            self.fields[f"credit_{i}"] = YuanField(label=f"第 {i} 行贷方金额", required=False,
                                                   widget=forms.TextInput(attrs={"data-credit": ""}))
            self.fields[f"memo_{i}"] = forms.CharField(label=f"第 {i} 行摘要", max_length=200, required=False)

    def rows(self) -> list[dict[str, Any]]:
        """The line fields grouped per row, for the template (a row shown when it has a value or is among the first 2)."""
        out = []
        for i in self.line_numbers:
            bf = {k: self[f"{k}_{i}"] for k in ("account", "debit", "credit", "memo")}
            filled = any(self.data.get(f"{k}_{i}") for k in ("account", "debit", "credit")) if self.is_bound else False
            out.append({"i": i, **bf, "shown": i <= 2 or filled,
                        "errors": [e for f in bf.values() for e in f.errors]})
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = []
        for i in self.line_numbers:
            account, debit, credit = data.get(f"account_{i}"), data.get(f"debit_{i}"), data.get(f"credit_{i}")
            if not account and not debit and not credit:
                continue
            if not account:
                raise forms.ValidationError(f"第 {i} 行：请选择会计科目")
            if bool(debit) == bool(credit):
                raise forms.ValidationError(f"第 {i} 行：借方、贷方须且只须填写一方，且金额大于零")
            lines.append({"account": account, "debit": debit or 0, "credit": credit or 0,
                          "memo": data.get(f"memo_{i}") or ""})
        if len(lines) < 2:
            raise forms.ValidationError("记账凭证至少需要一借一贷两行分录")
        d, c = sum(ln["debit"] for ln in lines), sum(ln["credit"] for ln in lines)
        if d != c:
            raise forms.ValidationError(f"借贷不平：借方合计 {format_fen(d)} 元，贷方合计 {format_fen(c)} 元，"
                                        f"差额 {format_fen(abs(d - c))} 元")
        data["lines"] = lines
        data["total"] = d
        return data


def _voucher_params(data: dict[str, Any]) -> dict[str, Any]:
    return {"description": data["description"].strip(), "lines": data["lines"], "biz_type": data["biz_type"],
            "value_date": data["value_date"].isoformat()}


class ManualVoucher(FinanceCounter):
    kind = "finance.voucher.manual"
    title = "手工记账"
    permission = "ledger.post_manual"
    form_class = VoucherForm
    money_moving = True
    template = "finance/voucher_form.html"
    submit_label = "下一步：核对凭证"
    confirm_label = "确认提交复核"

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"value_date": _center(request).business_date, "biz_type": BizType.OTHER.value}

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        groups: dict[str, list[tuple[str, str]]] = {}
        # 201 moves with member sub-ledger rows only: its adjustments are made by the members' own business
        for a in postable_accounts(center=_center(request), exclude=(MEMBER_CONTROL,)):
            groups.setdefault(GLCategory(a.category).label, []).append((a.code, f"{a.code} {a.name}"))
        return {"accounts": list(groups.items())}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        center = _center(request)
        params = _voucher_params(data)
        spec = registry.get("ledger.entry_post")
        if spec.validate is not None:  # the ledger's own rules, as a dry run: nothing is written
            spec.validate(params, request.user, center, center.business_date)
        names = account_names(center=center, codes=[ln["account"] for ln in data["lines"]])
        out = [Line("摘要", params["description"]), Line("业务类型", BizType(data["biz_type"]).label),
               Line("起息日", params["value_date"])]
        for ln in data["lines"]:
            side, amount = ("借", ln["debit"]) if ln["debit"] else ("贷", ln["credit"])
            memo = f"（{ln['memo']}）" if ln["memo"] else ""
            out.append(Line(f"{side} {ln['account']} {names.get(ln['account'], '')}", f"{format_fen(amount)} 元{memo}"))
        out.append(Line("借方合计 / 贷方合计", f"{format_fen(data['total'])} 元 / {format_fen(data['total'])} 元"))
        out.append(Line("下一步", "提交复核；复核通过后记账并生成凭证号"))
        return out

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        cmd = command_submit(name="ledger.entry_post", params=_voucher_params(data), actor=actor,
                             center=_center(request), business_date=business_date)
        return _submitted(cmd, "手工记账凭证", [Line("借贷合计", f"{format_fen(data['total'])} 元")], data["total"])


# ---------------------------------------------------------------- 冲正


class ReverseForm(forms.Form):
    reason = ReasonField(label="冲正原因")


class VoucherReverse(FinanceCounter):
    kind = "finance.voucher.reverse"
    title = "冲正记账凭证"
    permission = "ledger.post_manual"
    form_class = ReverseForm
    money_moving = True
    template = "finance/voucher_reverse.html"
    confirm_label = "确认提交复核"

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        page = voucher_page(_center(request), kwargs["voucher_no"], request.user)
        return {"p": page, "e": page.v.entry}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        center = _center(request)
        page = voucher_page(center, kwargs["voucher_no"], request.user)
        params = {"voucher_no": page.v.entry.voucher_no, "reason": data["reason"]}
        spec = registry.get("ledger.entry_reverse")
        if spec.validate is not None:
            spec.validate(params, request.user, center, center.business_date)
        out = [Line("冲正凭证", page.v.entry.voucher_no), Line("原摘要", page.v.entry.description),
               Line("冲正原因", data["reason"])]
        for ln in page.v.lines:  # the reversal swaps every line's side
            side, amount = ("贷", ln.debit) if ln.debit else ("借", ln.credit)
            out.append(Line(f"{side} {ln.code} {ln.name}", f"{format_fen(amount)} 元"))
        if page.v.member_rows:
            out.append(Line("个人明细", f"{page.v.member_rows} 条按原起息日反向冲回"))
        return out

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        cmd = command_submit(name="ledger.entry_reverse", params={"voucher_no": kwargs["voucher_no"],
                                                                   "reason": data["reason"]},
                             actor=actor, center=_center(request), business_date=business_date)
        total = cmd.params.get("total")
        return _submitted(cmd, "冲正", [Line("被冲正凭证", kwargs["voucher_no"])],
                          total if isinstance(total, int) else None)


# ---------------------------------------------------------------- 年末结转 and 增值收益分配 (maker-checker)


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=1990, max_value=9999,
                              error_messages={"required": "请填写年度", "invalid": "年度应为四位数字，如 2025",
                                              "min_value": "年度不能早于 1990", "max_value": "年度格式不正确"})


def _year_initial(request: HttpRequest) -> dict[str, Any]:
    try:
        return {"year": parse_year(request.GET.get("year"))}
    except DomainError:
        return {}


def _accounts_text(rows: list[dict[str, Any]]) -> str:
    return "；".join(f"{r['code']} {r['name']} {format_fen(r['amount'])} 元" for r in rows) or "无"


class YearEndClose(FinanceCounter):
    kind = "finance.value_added.close"
    title = "年末损益结转"
    permission = services.MANAGE
    form_class = YearForm
    money_moving = True
    confirm_label = "确认提交复核"

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return _year_initial(request)

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        center = _center(request)
        p = services.year_end_close_plan(center=center, year=data["year"], business_date=center.business_date)
        return [Line("年度", f"{p['year']} 年（凭证日期 {p['year']}-12-31）"),
                Line("业务收入转入增值收益（借 401xx 贷 311）", f"{format_fen(p['revenue'])} 元"),
                Line("收入科目", _accounts_text(p["income_accounts"])),
                Line("业务支出转入增值收益（借 311 贷 411xx）", f"{format_fen(p['expense'])} 元"),
                Line("支出科目", _accounts_text(p["expense_accounts"])),
                Line("结转后增值收益（311）", f"{format_fen(p['value_added'])} 元"),
                Line("下一步", "提交复核；复核通过后记账")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        cmd = services.year_end_close_submit(center=_center(request), year=data["year"], actor=actor,
                                             business_date=business_date)
        return _submitted(cmd, "年末损益结转", [], cmd.params.get("revenue"))


class Distribution(FinanceCounter):
    kind = "finance.value_added.distribute"
    title = "增值收益分配"
    permission = services.MANAGE
    form_class = YearForm
    money_moving = True
    confirm_label = "确认提交复核"

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return _year_initial(request)

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        plan = selectors.distribution_plan(center=_center(request), year=data["year"])
        return [Line("年度", f"{data['year']} 年"),
                Line("可供分配的增值收益", f"{format_fen(plan.distributable)} 元"),
                Line("提取贷款风险准备金（借 32101 贷 301）", f"{format_fen(plan.risk_reserve)} 元"),
                Line("提取管理费用（借 32102 贷 21904 应付管理费用）", f"{format_fen(plan.management_fee)} 元"),
                Line("提取廉租住房补充资金（借 32103 贷 214）", f"{format_fen(plan.lowrent_fund)} 元"),
                Line("下一步", "提交复核；复核通过后记账，并结平 311 与 321")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        cmd = services.value_added_distribution_submit(center=_center(request), year=data["year"], actor=actor,
                                                       business_date=business_date)
        return _submitted(cmd, "增值收益分配", [], cmd.params.get("distributable"))


# ---------------------------------------------------------------- 定期/通知存款 and 划转增值收益


def _bank_choices(center: Center, kind: str) -> list[tuple[str, str]]:
    return [(str(a.pk), f"{a.bank_name} {a.account_no}（{a.gl_account.code}）")
            for a in BankAccount.objects.filter(center=center, kind=kind, status=BankAccount.Status.ACTIVE)
            .select_related("gl_account").order_by("gl_account__code")]


def _bank(center: Center, pk: str, kind: str, field: str) -> BankAccount:
    acct = BankAccount.objects.filter(center=center, pk=int(pk), kind=kind).first() if pk.isdigit() else None
    if acct is None:
        raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, "请选择本中心的专户", field=field)
    return acct


class DepositOpenForm(forms.Form):
    bank_account = forms.ChoiceField(label="存出专户", error_messages={"required": "请选择存出专户",
                                                                   "invalid_choice": "请选择本中心的住房公积金存款专户"})
    kind = forms.ChoiceField(label="存款种类", choices=Deposit.Kind.choices,
                             error_messages={"required": "请选择存款种类", "invalid_choice": "存款种类应为定期或通知"})
    amount = YuanField(label="存入金额（元）", allow_zero=False)
    rate = PercentField(label="年利率（%）", min_percent=0, max_percent=20)
    term_months = forms.TypedChoiceField(label="定期期限", required=False, coerce=int, empty_value=None,
                                         choices=[("", "—"), *((m, f"{m} 个月") for m in (3, 6, 12, 24, 36, 60))],
                                         error_messages={"invalid_choice": "定期存款期限应为 3、6、12、24、36 或 60 个月"})
    notice_days = forms.TypedChoiceField(label="通知期限", required=False, coerce=int, empty_value=None,
                                         choices=[("", "—"), (1, "1 天通知"), (7, "7 天通知")],
                                         error_messages={"invalid_choice": "通知存款应为 1 天或 7 天通知"})

    def __init__(self, *args: Any, banks: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].choices = banks or []  # type: ignore[attr-defined]


def _rate_text(ratio: Decimal) -> str:
    return format((ratio * 100).normalize(), "f")


class DepositOpen(FinanceCounter):
    kind = "finance.deposit.open"
    title = "定期/通知存款存入"
    permission = services.MANAGE
    form_class = DepositOpenForm
    money_moving = True

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"banks": _bank_choices(_center(request), BankAccount.Kind.FUND)}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        acct = _bank(_center(request), data["bank_account"], BankAccount.Kind.FUND, "bank_account")
        if data["kind"] == Deposit.Kind.TIME and not data.get("term_months"):
            raise DomainError(ErrorCode.TERM_INVALID, "请选择定期存款期限", field="term_months")
        if data["kind"] == Deposit.Kind.NOTICE and not data.get("notice_days"):
            raise DomainError(ErrorCode.NOTICE_DAYS, "请选择通知存款期限", field="notice_days")
        term = (f"{data['term_months']} 个月" if data["kind"] == Deposit.Kind.TIME else f"{data['notice_days']} 天通知")
        return [Line("存出专户", f"{acct.bank_name} {acct.account_no}"), Line("存款种类", Deposit.Kind(data["kind"]).label),
                Line("期限", term), Line("存入金额", f"{format_fen(data['amount'])} 元"),
                Line("年利率", f"{_rate_text(data['rate'])}%"),
                Line("下一步", "生成银行指令（日终或在「结算」页发送）；达到复核金额的须经复核放行")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        center = _center(request)
        acct = _bank(center, data["bank_account"], BankAccount.Kind.FUND, "bank_account")
        time = data["kind"] == Deposit.Kind.TIME
        dep = deposit_services.deposit_open(
            center=center, bank_account=acct, kind=data["kind"], amount=data["amount"], rate=_rate_text(data["rate"]),
            actor=actor, business_date=business_date, term_months=data.get("term_months") if time else None,
            notice_days=None if time else data.get("notice_days"))
        ins = dep.open_instruction
        return Done(lines=[Line("存款种类", dep.get_kind_display()), Line("存出专户", f"{acct.bank_name} {acct.account_no}"),
                           Line("银行指令", ins.seq), Line("指令状态", ins.get_state_display())],
                    object=dep, back_url=reverse("finance:deposits"), amount_fen=dep.principal)


class WithdrawForm(forms.Form):
    amount = YuanField(label="支取金额（元，通知存款可部分支取；不填则全部支取）", required=False, allow_zero=False)


class DepositWithdraw(FinanceCounter):
    kind = "finance.deposit.withdraw"
    title = "定期/通知存款支取"
    permission = services.MANAGE
    form_class = WithdrawForm
    money_moving = True
    template = "finance/deposit_withdraw.html"

    def _deposit(self, request: HttpRequest, pk: int) -> Deposit:
        dep = Deposit.objects.select_related("bank_account").filter(center=_center(request), pk=pk).first()
        if dep is None:
            raise Http404("存款不存在")
        return dep

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        dep = self._deposit(request, kwargs["pk"])
        return {"deposit_lines": [("存款", f"{dep.get_kind_display()} {dep.deposit_no or '—'}"),
                                  ("开户银行", dep.bank_account.bank_name),
                                  ("本金余额", f"{format_fen(dep.principal)} 元"), ("年利率", f"{dep.rate}%")]}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        dep = self._deposit(request, kwargs["pk"])
        amount = dep.principal if dep.kind == Deposit.Kind.TIME or not data.get("amount") else data["amount"]
        if amount > dep.principal:
            raise DomainError(ErrorCode.DEPOSIT_AMOUNT, f"支取金额超过存款余额 {format_fen(dep.principal)} 元",
                              field="amount")
        return [Line("存款", f"{dep.get_kind_display()} {dep.deposit_no}"), Line("开户银行", dep.bank_account.bank_name),
                Line("支取本金", f"{format_fen(amount)} 元"), Line("支取后本金余额", f"{format_fen(dep.principal - amount)} 元"),
                Line("利息", "以银行应答为准，记入 40101 住房公积金利息收入")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        dep = self._deposit(request, kwargs["pk"])
        ins = deposit_services.deposit_withdraw(deposit=dep, actor=actor, business_date=business_date,
                                                amount=data.get("amount"))
        return Done(lines=[Line("存款", f"{dep.get_kind_display()} {dep.deposit_no}"), Line("银行指令", ins.seq),
                           Line("指令状态", ins.get_state_display())],
                    object=ins, back_url=reverse("finance:deposits"), amount_fen=ins.amount)


class NoticeForm(forms.Form):
    amount = YuanField(label="通知支取金额（元）", allow_zero=False)
    withdraw_date = forms.DateField(label="预约支取日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    error_messages={"required": "请填写预约支取日期",
                                                    "invalid": "日期格式不正确（应如 2026-12-08）"})


class DepositNotify(FinanceCounter):
    """通知存款支取通知 (BDC118): the bank is told now, at 办理; the withdrawal itself is a later 支取 of the
    noticed amount on or after the date (at the notice rate; otherwise the bank pays the demand rate)."""

    kind = "finance.deposit.notify"
    title = "通知存款支取通知"
    permission = services.MANAGE
    form_class = NoticeForm
    money_moving = True
    template = "finance/deposit_withdraw.html"
    confirm_label = "确认发送支取通知"

    def _deposit(self, request: HttpRequest, pk: int) -> Deposit:
        dep = Deposit.objects.select_related("bank_account").filter(center=_center(request), pk=pk,
                                                                      kind=Deposit.Kind.NOTICE).first()
        if dep is None:
            raise Http404("通知存款不存在")
        return dep

    def context(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        dep = self._deposit(request, kwargs["pk"])
        lines = [("存款", f"{dep.get_kind_display()} {dep.deposit_no or '—'}"), ("开户银行", dep.bank_account.bank_name),
                 ("通知期限", f"{dep.notice_days} 天通知"), ("本金余额", f"{format_fen(dep.principal)} 元"),
                 ("年利率", f"{dep.rate}%")]
        if dep.notice_amount is not None:
            lines.append(("已有支取通知", f"{dep.notice_date:%Y-%m-%d} 支取 {format_fen(dep.notice_amount)} 元"))
        return {"deposit_lines": lines}

    def initial(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        dep = self._deposit(request, kwargs["pk"])
        bd = _center(request).business_date
        return {"amount": dep.principal, "withdraw_date": date.fromordinal(bd.toordinal() + (dep.notice_days or 1))}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        center = _center(request)
        dep = deposit_services.deposit_notify_check(deposit=self._deposit(request, kwargs["pk"]), amount=data["amount"],
                                                    withdraw_date=data["withdraw_date"],
                                                    business_date=center.business_date)
        return [Line("存款", f"{dep.get_kind_display()} {dep.deposit_no}"), Line("开户银行", dep.bank_account.bank_name),
                Line("通知期限", f"{dep.notice_days} 天通知"), Line("通知支取金额", f"{format_fen(data['amount'])} 元"),
                Line("预约支取日期", f"{data['withdraw_date']:%Y-%m-%d}"),
                Line("支取后本金余额", f"{format_fen(dep.principal - data['amount'])} 元"),
                Line("计息", f"在预约日或其后支取通知金额，按通知存款利率 {dep.rate}% 计息；否则按活期利率"),
                Line("下一步", "确认后立即向银行发送支取通知（不划转资金）；到期在本页「支取」办理")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        dep = deposit_services.deposit_notify(deposit=self._deposit(request, kwargs["pk"]), amount=data["amount"],
                                              withdraw_date=data["withdraw_date"], actor=actor,
                                              business_date=business_date)
        return Done(lines=[Line("存款", f"{dep.get_kind_display()} {dep.deposit_no}"),
                           Line("开户银行", dep.bank_account.bank_name),
                           Line("通知支取金额", f"{format_fen(data['amount'])} 元"),
                           Line("预约支取日期", f"{data['withdraw_date']:%Y-%m-%d}"), Line("银行应答", "已受理")],
                    object=dep, back_url=reverse("finance:deposits"), amount_fen=data["amount"])


class TransferForm(forms.Form):
    from_account = forms.ChoiceField(label="转出专户（住房公积金存款）",
                                     error_messages={"required": "请选择转出专户", "invalid_choice": "请选择本中心的住房公积金存款专户"})
    to_account = forms.ChoiceField(label="转入专户（增值收益存款）",
                                   error_messages={"required": "请选择转入专户", "invalid_choice": "请选择本中心的增值收益存款专户"})
    amount = YuanField(label="划转金额（元）", allow_zero=False)

    def __init__(self, *args: Any, fund: list[tuple[str, str]] | None = None,
                 value_added: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_account"].choices = fund or []  # type: ignore[attr-defined]
        self.fields["to_account"].choices = value_added or []  # type: ignore[attr-defined]


class ValueAddedTransfer(FinanceCounter):
    kind = "finance.value_added.transfer"
    title = "划转增值收益"
    permission = services.MANAGE
    form_class = TransferForm
    money_moving = True

    def form_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        center = _center(request)
        return {"fund": _bank_choices(center, BankAccount.Kind.FUND),
                "value_added": _bank_choices(center, BankAccount.Kind.VALUE_ADDED)}

    def preview(self, request: HttpRequest, data: dict[str, Any], **kwargs: Any) -> list[Line]:
        center = _center(request)
        src = _bank(center, data["from_account"], BankAccount.Kind.FUND, "from_account")
        dst = _bank(center, data["to_account"], BankAccount.Kind.VALUE_ADDED, "to_account")
        return [Line("转出专户", f"{src.bank_name} {src.account_no}（{src.gl_account.code}）"),
                Line("转入专户", f"{dst.bank_name} {dst.account_no}（{dst.gl_account.code}）"),
                Line("划转金额", f"{format_fen(data['amount'])} 元"),
                Line("记账", f"银行确认后 借 {dst.gl_account.code} 贷 {src.gl_account.code}"),
                Line("下一步", "生成银行指令（日终或在「结算」页发送）；达到复核金额的须经复核放行")]

    def execute(self, request: HttpRequest, data: dict[str, Any], *, actor: Actor, business_date: date,
                **kwargs: Any) -> Done:
        center = _center(request)
        src = _bank(center, data["from_account"], BankAccount.Kind.FUND, "from_account")
        dst = _bank(center, data["to_account"], BankAccount.Kind.VALUE_ADDED, "to_account")
        ins = deposit_services.value_added_transfer(center=center, amount=data["amount"], actor=actor,
                                                    business_date=business_date, from_account=src, to_account=dst)
        return Done(lines=[Line("转出专户", f"{src.bank_name} {src.account_no}"),
                           Line("转入专户", f"{dst.bank_name} {dst.account_no}"), Line("银行指令", ins.seq),
                           Line("指令状态", ins.get_state_display())],
                    object=ins, back_url=reverse("finance:deposits"), amount_fen=ins.amount)
