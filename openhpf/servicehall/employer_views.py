"""The employer pages of the online hall (单位网厅), phone first, for an employer's agent (单位经办人): sign-in with
password + one-time code, the roster with search, hire (open or unseal) and leave (seal), the monthly
remittance (derived roster confirmed, or an .xlsx roster uploaded with every error by row and column, fixed and
resubmitted) with the bank details and the amount to transfer, 补缴, the July base adjustment from a file, and
the remittance history.

An edge: it parses the form, scopes every object to the agent's own employer (another employer's number is a
404), calls one domain service (accounts, contributions) and renders. Writes run as
`SystemActor("hall", on_behalf_of=<agent>)` (employer_session.hall_system)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.selectors import member_by_id_number
from openhpf.accounts.services import member_account_open, member_account_seal, member_account_unseal
from openhpf.contributions.months import ym
from openhpf.contributions.remittance.adjustments import base_adjust_file
from openhpf.contributions.remittance.fileimport import remittance_import
from openhpf.contributions.remittance.services import (
    back_payment_create,
    remittance_confirm,
    remittance_create,
)
from openhpf.core.codes import IdType, MaritalStatus, MemberAccountStatus
from openhpf.core.errors import DomainError, ValidationReport
from openhpf.core.masking import mask_name
from openhpf.iam.services import portal_token_revoke

from . import employer_selectors as sel
from .employer_session import AGENT, COOKIE, PATH, agent_required, agent_token, hall_system

MAX_UPLOAD = 20 * 1024 * 1024


def _page(request: HttpRequest, template: str, ctx: dict, status: int = 200) -> HttpResponse:
    agent = request.hall_agent  # type: ignore[attr-defined]
    ctx = {"agent_name": mask_name(agent.name), "employer": agent.employer, "emp_signed_in": True, **ctx}
    return render(request, f"hall/employer/{template}", ctx, status=status)


def _bd(request: HttpRequest):  # the center's business date, never the wall clock
    return request.hall_employer.center.business_date  # type: ignore[attr-defined]


# ---------------------------------------------------------------- sign-in


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    return AGENT.login_view(request)


@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    return AGENT.otp_view(request, {"relogin": reverse("hallemp:login")})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    portal_token_revoke(plaintext=agent_token(request))
    resp = redirect("hallemp:login")
    resp.delete_cookie(COOKIE, path=PATH)
    return resp


# ---------------------------------------------------------------- roster: search, hire, leave


class HireForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证号码", max_length=18, min_length=18)
    phone = forms.CharField(label="手机号码", max_length=11, min_length=11)
    marital_status = forms.ChoiceField(label="婚姻状况", choices=MaritalStatus.choices, initial=MaritalStatus.UNKNOWN)
    base = forms.DecimalField(label="缴存基数（元）", min_value=Decimal("0.01"), max_digits=12, decimal_places=2)


def _fen(yuan: Decimal) -> int:
    return int((yuan * 100).quantize(Decimal("1")))


@require_GET
@agent_required
def home(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:40]
    page = request.GET.get("page", "1")
    roster = sel.agent_roster(actor=request.hall_actor, q=q,  # type: ignore[attr-defined]
                              page=int(page) if page.isdigit() else 1)
    return _page(request, "home.html", {"roster": roster, "q": q, "hire_form": HireForm()})


@require_http_methods(["GET", "POST"])
@agent_required
def hire(request: HttpRequest) -> HttpResponse:
    """录用: a new person gets an account opened, a person whose account is sealed gets it unsealed here."""
    form = HireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        e, actor, bd = request.hall_employer, hall_system(request.hall_actor), _bd(request)  # type: ignore[attr-defined]
        try:
            member = member_by_id_number(d["id_number"].upper(), id_type=IdType.RESIDENT_ID)
            sealed = (MemberAccount.objects.filter(member=member, status=MemberAccountStatus.SEALED).first()
                      if member is not None else None)
            if sealed is not None:
                a = member_account_unseal(account=sealed, employer=e, base=_fen(d["base"]), actor=actor,
                                          business_date=bd)
                messages.success(request, f"已启封个人账号 {a.account_no}（{mask_name(d['name'])}）")
            else:
                a = member_account_open(center=e.center, employer=e, name=d["name"], id_type=IdType.RESIDENT_ID,
                                        id_number=d["id_number"].upper(), phone=d["phone"],
                                        marital_status=d["marital_status"], base=_fen(d["base"]), actor=actor,
                                        business_date=bd)
                messages.success(request, f"已开立个人账号 {a.account_no}（{mask_name(d['name'])}）")
            return redirect("hallemp:home")
        except DomainError as ex:
            form.add_error(ex.field if ex.field in form.fields else None, ex.message)
    return _page(request, "hire.html", {"form": form}, status=400 if request.method == "POST" else 200)


@require_POST
@agent_required
def leave(request: HttpRequest, account_no: str) -> HttpResponse:
    """离职: the account is sealed (封存); another employer's number is a 404."""
    try:
        a = sel.agent_account(actor=request.hall_actor, account_no=account_no)  # type: ignore[attr-defined]
    except DomainError:
        raise Http404("本单位没有该个人账号") from None
    reason = (request.POST.get("reason") or "离职").strip()[:100]
    try:
        member_account_seal(account=a, reason=reason, actor=hall_system(request.hall_actor),  # type: ignore[attr-defined]
                            business_date=_bd(request))
        messages.success(request, f"个人账号 {a.account_no} 已封存")
    except DomainError as ex:
        messages.error(request, f"个人账号 {a.account_no}：{ex.message}")
    return redirect("hallemp:home")


# ---------------------------------------------------------------- monthly remittance, upload, pay


def _month_of(value: str, default: str) -> str:
    v = (value or "").replace("-", "").strip()
    return v if len(v) == 6 and v.isdigit() else default


@require_http_methods(["GET", "POST"])
@agent_required
def remit(request: HttpRequest) -> HttpResponse:
    """汇缴: 确认本月名册 (the roster derived from the employer's accounts) creates and confirms the 汇缴单."""
    bd = _bd(request)
    month = _month_of(request.POST.get("month", "") or request.GET.get("month", ""), ym(bd))
    error = ""
    if request.method == "POST":
        actor = hall_system(request.hall_actor)  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                r = remittance_create(employer=request.hall_employer, month=month, actor=actor,  # type: ignore[attr-defined]
                                      business_date=bd)
                r = remittance_confirm(remittance=r, actor=actor, business_date=bd)
            return redirect("hallemp:pay", r.pk)
        except DomainError as ex:
            error = ex.message
    return _page(request, "remit.html", {"month": f"{month[:4]}-{month[4:]}", "error": error},
                 status=422 if error else 200)


@require_POST
@agent_required
def upload(request: HttpRequest) -> HttpResponse:
    """上传缴存清册 (.xlsx/.csv) for a month: every error by row and column and nothing created, or the 汇缴单."""
    bd = _bd(request)
    month = _month_of(request.POST.get("month", ""), ym(bd))
    f = request.FILES.get("file")
    ctx: dict = {"month": f"{month[:4]}-{month[4:]}"}
    if f is None or not (f.name or "").lower().endswith((".xlsx", ".csv")):
        ctx["error"] = "请选择缴存清册文件（.xlsx 或 .csv）"
        return _page(request, "remit.html", ctx, status=400)
    if f.size is not None and f.size > MAX_UPLOAD:
        ctx["error"] = "文件过大，请分批上传"
        return _page(request, "remit.html", ctx, status=400)
    with tempfile.TemporaryDirectory(prefix="hall-remit-") as d:
        path = Path(d) / ("roster" + Path(f.name or "x.xlsx").suffix.lower())
        with path.open("wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
        try:
            result = remittance_import(center=request.hall_employer.center, path=path, month=month,  # type: ignore[attr-defined]
                                       actor=hall_system(request.hall_actor),  # type: ignore[attr-defined]
                                       business_date=bd, employer=request.hall_employer,  # type: ignore[attr-defined]
                                       file_name=f.name or "")
        except DomainError as ex:
            ctx["error"] = ex.message
            return _page(request, "remit.html", ctx, status=422)
    if not result.accepted:
        ctx.update(result=result, error=result.message or f"清册有 {result.errors} 处错误，未生成汇缴单；请改正后重新上传")
        return _page(request, "remit.html", ctx, status=422)
    if not result.remittance_ids:
        ctx["error"] = "清册中没有本单位的人员"
        return _page(request, "remit.html", ctx, status=422)
    return redirect("hallemp:pay", result.remittance_ids[0])


@require_GET
@agent_required
def pay(request: HttpRequest, pk: str) -> HttpResponse:
    """缴款: the amount to transfer and the center's bank account to transfer it to."""
    try:
        r = sel.agent_remittance(actor=request.hall_actor, pk=pk)  # type: ignore[attr-defined]
    except DomainError:
        raise Http404("汇缴单不存在") from None
    return _page(request, "pay.html", {"r": r, "to": sel.agent_pay_to(actor=request.hall_actor)})  # type: ignore[attr-defined]


@require_GET
@agent_required
def history(request: HttpRequest) -> HttpResponse:
    rows = list(sel.agent_remittances(actor=request.hall_actor)[:100])  # type: ignore[attr-defined]
    owed = [r for r in rows if r.status in ("draft", "confirmed")]
    return _page(request, "history.html", {"rows": rows, "owed": owed})


# ---------------------------------------------------------------- 补缴, July base adjustment


@require_http_methods(["GET", "POST"])
@agent_required
def backpay(request: HttpRequest) -> HttpResponse:
    """补缴 (全额) of a past month with its reason: the 补缴单 is confirmed and its payment shown."""
    bd = _bd(request)
    error, month, reason = "", request.POST.get("month", ""), (request.POST.get("reason") or "").strip()
    if request.method == "POST":
        m = _month_of(month, "")
        if not m:
            error = "补缴年月：请按 年-月 填写，如 2026-03"
        else:
            actor = hall_system(request.hall_actor)  # type: ignore[attr-defined]
            try:
                with transaction.atomic():
                    r = back_payment_create(employer=request.hall_employer, month=m, back_kind="full",  # type: ignore[attr-defined]
                                            reason=reason, actor=actor, business_date=bd)
                    if not r.lines:
                        raise _Nothing
                    r = remittance_confirm(remittance=r, actor=actor, business_date=bd)
                return redirect("hallemp:pay", r.pk)
            except _Nothing:
                error = f"{m[:4]}-{m[4:]} 没有需要补缴的人员，未生成补缴单"
            except DomainError as ex:
                error = ex.message
    return _page(request, "backpay.html", {"error": error, "month": month, "reason": reason},
                 status=422 if error else 200)


@require_http_methods(["GET", "POST"])
@agent_required
def base_adjust(request: HttpRequest) -> HttpResponse:
    """年度基数调整 (每年 7 月): a file of the employer's accounts with their new bases; every error by row and
    column and nothing written, or every listed account's new base from 7 月 1 日."""
    bd = _bd(request)
    ctx: dict = {"year": bd.year}
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            ctx["error"] = "请选择基数调整文件（.xlsx 或 .csv）"
            return _page(request, "base_adjust.html", ctx, status=400)
        try:
            adj = base_adjust_file(center=request.hall_employer.center, content=f.read(), name=f.name or "",  # type: ignore[attr-defined]
                                   year=bd.year, actor=hall_system(request.hall_actor),  # type: ignore[attr-defined]
                                   business_date=bd, employer=request.hall_employer)  # type: ignore[attr-defined]
        except ValidationReport as rep:
            ctx.update(errors=rep.errors, error=f"文件有 {len(rep.errors)} 处错误，未做任何调整；请改正后重新上传")
            return _page(request, "base_adjust.html", ctx, status=422)
        except DomainError as ex:
            ctx["error"] = ex.message
            return _page(request, "base_adjust.html", ctx, status=422)
        messages.success(request, f"年度基数调整已生效（自 {adj.effective_date:%Y年%m月%d日}），调整 {adj.changed} 人")
        return redirect("hallemp:home")
    return _page(request, "base_adjust.html", ctx)


class _Nothing(Exception):
    """A 补缴 month with nobody to pay for: the empty 补缴单 is rolled back."""
