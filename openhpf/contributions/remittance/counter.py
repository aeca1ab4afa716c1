"""Counter transactions of remittances (柜面, documents.counter): 汇缴 of a month as a clerk does it (the roster
derived from the employer's accounts, the totals previewed, then the 汇缴单 created and confirmed) and 补缴 /
差额补缴 with a reason (the candidates of the month from the paid-month store). Rules stay in the services
(services.remittance_create, services.back_payment_create, backpay); these screens call them and show their
errors. Each issues a 业务回单."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse

from openhpf.accounts import selectors as account_selectors
from openhpf.accounts.models import Employer
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.formfields import ReasonField, YearMonthField
from openhpf.core.money import format_fen, format_ratio_e4
from openhpf.documents.counter import CounterTransaction, Done, Line, dry_run
from openhpf.iam.services import console_center

from ..models import Remittance, RemittanceLine
from ..months import ym, ym_add
from . import services
from .backpay import back_payment_candidates, owed_lines


def _label(month: str) -> str:
    return f"{month[:4]}-{month[4:]}"


def _employer(request: HttpRequest, employer_no: str) -> Employer:
    return account_selectors.employer_get(center=console_center(request.user), account_no=employer_no,
                                          user=request.user)


def _ratio_lines(r: Remittance) -> list[Line]:
    """The ratios of the roster, in %, with how many people each pair covers."""
    pairs = (RemittanceLine.objects.filter(remittance=r).values("employer_ratio_e4", "member_ratio_e4")
             .annotate(n=Count("pk")).order_by("-n")[:5])
    return [Line("缴存比例", "；".join(f"单位 {format_ratio_e4(p['employer_ratio_e4'])} / 个人 "
                                    f"{format_ratio_e4(p['member_ratio_e4'])}（{p['n']} 人）" for p in pairs) or "—")]


def _totals(r: Remittance) -> list[Line]:
    return [Line("人数", f"{r.lines} 人"), *_ratio_lines(r),
            Line("单位缴存额", f"{format_fen(r.employer_total)} 元"),
            Line("个人缴存额", f"{format_fen(r.member_total)} 元"),
            Line("合计", f"{format_fen(r.total)} 元")]


def _head(e: Employer, r: Remittance) -> list[Line]:
    kind = "汇缴" if not r.is_back_payment else f"补缴（{r.get_back_kind_display()}）"
    return [Line("单位", f"{e.account_no} {e.name}"), Line("所属年月", _label(r.month)), Line("业务类型", kind)]


def _empty(r: Remittance) -> None:
    if r.lines == 0 or r.total <= 0:
        raise DomainError(ErrorCode.REMITTANCE_EMPTY, f"{_label(r.month)} 没有需要缴存的人员或金额为零", field="month")


# ---------------------------------------------------------------- 汇缴


class RemitMonthForm(forms.Form):
    employer_no = forms.CharField(label="单位账号", max_length=40)
    month = YearMonthField(label="缴存年月")


class RemitMonth(CounterTransaction):
    """汇缴: the month's roster derived from the employer's accounts (services.remittance_create), its totals
    previewed; 确认办理 creates the 汇缴单 and confirms it (now awaiting money)."""

    kind = "contributions.remit.month"
    title = "汇缴（按月生成汇缴单）"
    permission = "contributions.remit"
    form_class = RemitMonthForm
    money_moving = True

    def initial(self, request: HttpRequest, **url_kwargs: Any) -> dict:
        bd = console_center(request.user).business_date
        return {"employer_no": url_kwargs.get("account_no") or request.GET.get("employer", ""), "month": _label(ym(bd))}

    def preview(self, request: HttpRequest, data: dict, **url_kwargs: Any) -> list[Line]:
        e = _employer(request, data["employer_no"])
        bd = console_center(request.user).business_date

        def build() -> list[Line]:  # the roster the service would create, exactly, then rolled back
            r = services.remittance_create(employer=e, month=data["month"], actor=request.user, business_date=bd)
            _empty(r)
            return [*_head(e, r), *_totals(r)]

        return dry_run(build)

    def execute(self, request: HttpRequest, data: dict, *, actor: Actor, business_date: Any,
                **url_kwargs: Any) -> Done:
        e = _employer(request, data["employer_no"])
        r = services.remittance_create(employer=e, month=data["month"], actor=actor, business_date=business_date)
        _empty(r)
        r = services.remittance_confirm(remittance=r, actor=actor, business_date=business_date)
        return Done(lines=[Line("汇缴单编号", str(r.pk)), *_head(e, r), *_totals(r),
                           Line("状态", r.get_status_display())],
                    object=r, back_url=reverse("remit:detail", args=[r.pk]), amount_fen=r.total)


# ---------------------------------------------------------------- 补缴


KINDS = [(Remittance.BackKind.FULL.value, "全额补缴（该月名册中未缴的全部人员）"),
         (Remittance.BackKind.AD_HOC.value, "个别补缴（所选人员该月未缴的金额）"),
         (Remittance.BackKind.DIFFERENCE.value, "差额补缴（基数调整后少缴的差额）")]


class BackPayForm(forms.Form):
    employer_no = forms.CharField(label="单位账号", max_length=40)
    month = YearMonthField(label="补缴年月")
    back_kind = forms.ChoiceField(label="补缴类型", choices=KINDS, initial=Remittance.BackKind.AD_HOC.value)
    accounts = forms.CharField(label="补缴人员（个人账号，每行一个）", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="个别补缴须填写；差额补缴不填则按基数调整自动计算；全额补缴不填")
    reason = ReasonField(label="补缴原因")

    def clean_accounts(self) -> list[str]:
        nos = [x for x in re.split(r"[\s,，、;；]+", self.cleaned_data.get("accounts") or "") if x]
        if len(nos) != len(set(nos)):
            raise forms.ValidationError("补缴人员中有重复的个人账号")
        if len(nos) > 200:
            raise forms.ValidationError("一次最多补缴 200 人；人数更多请办理全额补缴或上传清册")
        return nos

    def clean(self) -> dict:
        data = super().clean() or {}
        kind, nos = data.get("back_kind"), data.get("accounts") or []
        if kind == Remittance.BackKind.FULL and nos:
            self.add_error("accounts", "全额补缴按该月名册补缴全部未缴人员，无需填写人员；补缴部分人员请选「个别补缴」")
        if kind == Remittance.BackKind.AD_HOC and not nos:
            self.add_error("accounts", "个别补缴须填写补缴人员的个人账号")
        return data


class BackPay(CounterTransaction):
    """补缴 / 差额补缴 with a reason: the month's candidates are listed (on the roster of that month, month not
    paid), the clerk picks the members (or the whole roster, or the base-change differences), the amounts are
    previewed in 元; 确认办理 creates the 补缴单 (services.back_payment_create, checked by backpay) and confirms it."""

    kind = "contributions.remit.back"
    title = "补缴"
    permission = "contributions.remit"
    form_class = BackPayForm
    money_moving = True
    template = "contributions/remit/back_form.html"

    def initial(self, request: HttpRequest, **url_kwargs: Any) -> dict:
        bd = console_center(request.user).business_date
        return {"employer_no": url_kwargs.get("account_no") or request.GET.get("employer", ""),
                "month": request.GET.get("month") or _label(ym_add(ym(bd), -1)),
                "back_kind": Remittance.BackKind.AD_HOC.value}

    def context(self, request: HttpRequest, **url_kwargs: Any) -> dict:
        """The 补缴 candidates of the employer and month asked for (查询: GET ?employer=&month=, or the form's)."""
        q = request.POST if request.method == "POST" else request.GET
        employer_no = (q.get("employer_no") or request.GET.get("employer") or url_kwargs.get("account_no") or "").strip()
        month = (q.get("month") or "").strip()
        out: dict[str, Any] = {"query_employer": employer_no, "query_month": month, "candidates_employer": None}
        if not (employer_no and month):
            return out
        center = console_center(request.user)
        try:
            e = _employer(request, employer_no)
            m = YearMonthField(label="补缴年月").clean(month)
            rows, total = back_payment_candidates(employer=e, month=m, business_date=center.business_date,
                                                  actor=request.user)
        except (DomainError, forms.ValidationError) as exc:
            message = exc.message if isinstance(exc, DomainError) else "；".join(exc.messages)
            return {**out, "candidates_error": message}
        return {**out, "candidates": rows, "candidates_total": total, "candidates_employer": e,
                "query_month": _label(m)}

    def _lines(self, e: Employer, data: dict) -> list[tuple[str, int, int]] | None:
        if data["back_kind"] == Remittance.BackKind.FULL or not data["accounts"]:
            return None
        return owed_lines(employer=e, month=data["month"], account_nos=data["accounts"])

    def _create(self, request: HttpRequest, data: dict, actor: Actor, business_date: Any) -> tuple[Employer, Remittance]:
        e = _employer(request, data["employer_no"])
        r = services.back_payment_create(employer=e, month=data["month"], back_kind=data["back_kind"],
                                         reason=data["reason"], lines=self._lines(e, data), actor=actor,
                                         business_date=business_date)
        _empty(r)
        return e, r

    def preview(self, request: HttpRequest, data: dict, **url_kwargs: Any) -> list[Line]:
        bd = console_center(request.user).business_date

        def build() -> list[Line]:
            e, r = self._create(request, data, request.user, bd)
            people = [Line("补缴人员", "、".join(
                f"{ln.account.account_no}（单位 {format_fen(ln.employer_amount)} 元 / 个人 "
                f"{format_fen(ln.member_amount)} 元）"
                for ln in RemittanceLine.objects.filter(remittance=r).select_related("account").order_by("seq")[:20])
                + (f" 等 {r.lines} 人" if r.lines > 20 else ""))]
            return [*_head(e, r), *people, *_totals(r), Line("补缴原因", r.reason)]

        return dry_run(build)

    def execute(self, request: HttpRequest, data: dict, *, actor: Actor, business_date: Any,
                **url_kwargs: Any) -> Done:
        e, r = self._create(request, data, actor, business_date)
        r = services.remittance_confirm(remittance=r, actor=actor, business_date=business_date)
        return Done(lines=[Line("补缴单编号", str(r.pk)), *_head(e, r), *_totals(r), Line("补缴原因", r.reason),
                           Line("状态", r.get_status_display())],
                    object=r, back_url=reverse("remit:detail", args=[r.pk]), amount_fen=r.total)
