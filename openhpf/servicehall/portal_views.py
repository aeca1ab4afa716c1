"""The member portal of the online hall (网上营业厅), phone first: first-time registration, the home with balances
and loans, the account's 明细 with filters and the 年度对账单 PDF, online withdrawals (租房, 退休) that show every
rule's result before submitting (一次告知), the progress of every own application with its clocks and 好差评,
own data (masked) with a phone change re-verified by a code to the new number, the inbox, and 长辈模式.

An edge: it parses the form, calls one domain selector or service (accounts, applications, withdrawals, iam,
notifications, verification) and renders. Another member's number is always "not found" (404)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openhpf.accounts.selectors import member_for_registration
from openhpf.accounts.services import member_phone_change_own
from openhpf.applications import services as engine
from openhpf.applications.models import RatingLevel
from openhpf.applications.ratings import rating_submit
from openhpf.applications.registry import handler_for
from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.catalog.selectors import item_for_center
from openhpf.core.actors import AnonymousCaller, MemberActor, SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_name, mask_phone
from openhpf.documents.models import DocType
from openhpf.documents.pdf import content_disposition
from openhpf.documents.services import document_store
from openhpf.iam import ratelimit
from openhpf.iam.services import (
    member_phone_code_send,
    member_register_begin,
    member_register_complete,
    portal_step_code_check,
)
from openhpf.verification.services import verify
from openhpf.withdrawals.cards import card_current
from openhpf.withdrawals.handlers import RENT, RETIREMENT

from . import selectors as sel
from .session import PATH, TOO_MANY, member_required, too_many

ELDER_COOKIE = "hpf_elder"
REGISTER_COOKIE = "hpf_hall_register"
PHONE_COOKIE = "hpf_hall_phone"
REASONS = {"rent": RENT, "retire": RETIREMENT}  # the online withdrawals (path name → catalogue item)
MAX_UPLOAD = 8 * 1024 * 1024
RULE_LABELS = {  # what each rule checks, in the member's words (the rule's message says what fails)
    "STATUS": "个人账户状态允许提取", "CARD": "已登记并核验本人银行卡", "CARD_RECENT": "银行卡近期未变更",
    "FROZEN": "个人账户未冻结", "MONTHS": "连续足额缴存满 3 个月", "OWN_HOME": "本人及配偶在本市无自有住房",
    "CAP": "不超过租房提取限额（每月限额 × 月数）", "FREQUENCY": "距上次同类提取已满规定间隔",
    "AVAILABLE": "不超过可用余额", "RETIRED": "已核实离休、退休", "BALANCE": "个人账户有余额", "AGE": "年龄核对",
    "RISK_LOAN_OVERDUE": "住房公积金贷款无逾期", "RISK_PROPERTY": "该房屋未办理过提取",
    "RISK_FREQUENCY": "近 12 个月提取次数未超上限", "RISK_AMOUNT": "提取金额与以往相符",
}
VERDICTS = {"block": "不符合，不能办理", "manual": "需人工审核", "warn": "提示"}


def _ctx(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    actor = getattr(request, "hall_actor", None)
    name = mask_name(actor.principal.member.name) if actor is not None else ""
    return {"hall_signed_in": actor is not None, "name": name, **extra}


def _actor(request: HttpRequest) -> MemberActor:
    return request.hall_actor  # type: ignore[attr-defined,no-any-return]


def _today(request: HttpRequest) -> date:
    return _actor(request).principal.member.center.business_date  # type: ignore[no-any-return]


# ---------------------------------------------------------------- 长辈模式


@require_POST
def elder_toggle(request: HttpRequest) -> HttpResponse:
    """Turn 长辈模式 on or off (a cookie of the hall: larger text and targets, high contrast, simpler pages)."""
    back = request.POST.get("next") or reverse("hall:home")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(PATH):
        back = reverse("hall:home")
    resp = redirect(back)
    if request.COOKIES.get(ELDER_COOKIE) == "1":
        resp.delete_cookie(ELDER_COOKIE, path=PATH)
    else:
        resp.set_cookie(ELDER_COOKIE, "1", max_age=365 * 86400, path=PATH, samesite="Lax", httponly=True)
    return resp


# ---------------------------------------------------------------- 首次注册


class RegisterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(label="证件号码", max_length=40, error_messages={"required": "请填写证件号码"})
    account_no = forms.CharField(label="个人账号", max_length=40, error_messages={"required": "请填写个人账号"})
    phone = forms.CharField(label="登记的手机号码", max_length=20, error_messages={"required": "请填写登记的手机号码"})


class RegisterCodeForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=6, error_messages={"required": "请填写短信验证码"})
    password = forms.CharField(label="设置密码", widget=forms.PasswordInput, error_messages={"required": "请设置密码"},
                               help_text="至少 12 位，含大写字母、小写字母和数字")
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput,
                                error_messages={"required": "请再次输入密码"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致")
        return data


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """首次注册, step 1: name, ID number, account number and phone checked against the account; a code goes to
    the registered phone."""
    form = RegisterForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if too_many(request, "register", d["account_no"]):
            error = TOO_MANY
        else:
            error, challenge, member = _register_check(request, d)
            if not error:
                resp = redirect("hall:register_code")
                resp.set_signed_cookie(REGISTER_COOKIE, f"{member.pk}:{challenge}", salt="hall-register", path=PATH,
                                       max_age=600, httponly=True, samesite="Lax", secure=request.is_secure())
                return resp
    status = 400 if request.method == "POST" else 200
    return render(request, "hall/register.html", _ctx(request, form=form, error=error), status=status)


def _register_check(request: HttpRequest, d: dict[str, Any]) -> tuple[str, str, Any]:
    ip = ratelimit.client_ip(request)
    with transaction.atomic(durable=True):  # the code goes out when this commits
        member = member_for_registration(account_no=d["account_no"], id_number=d["id_number"], name=d["name"],
                                         phone=d["phone"])
        if member is None:
            audit_log(actor=AnonymousCaller(f"member:{d['account_no'][:40]}"),
                      action=AuditEvent.IAM_MEMBER_REGISTER_MISMATCH, after={"ip": ip, "account_no": d["account_no"]})
            return str(DomainError(ErrorCode.PORTAL_REGISTER_MISMATCH).message), "", None
        try:
            challenge = member_register_begin(member=member, ip=ip)
        except DomainError as e:
            return e.message, "", None
    return "", challenge, member


@require_http_methods(["GET", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    """首次注册, step 2: the code from the registered phone and a password (the password policy)."""
    held = str(request.get_signed_cookie(REGISTER_COOKIE, default="", salt="hall-register") or "")
    member_pk, _, challenge = held.partition(":")
    member = sel.registering_member(member_pk)
    if member is None or not challenge:
        return redirect("hall:register")
    form = RegisterCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if too_many(request, "register_code", challenge[:64]):
            error = TOO_MANY
        else:
            try:
                with transaction.atomic(durable=True):
                    p, error = member_register_complete(member=member, challenge=challenge,
                                                        code=form.cleaned_data["code"],
                                                        password=form.cleaned_data["password"],
                                                        ip=ratelimit.client_ip(request))
            except DomainError as e:
                error = e.message
            if not error and p is not None:
                messages.success(request, "网上服务大厅已开通，请用个人账号或证件号码和新密码登录")
                resp = redirect("hall:login")
                resp.delete_cookie(REGISTER_COOKIE, path=PATH)
                return resp
    return render(request, "hall/register_code.html",
                  _ctx(request, form=form, error=error, phone=mask_phone(member.phone)),
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- 首页、明细、对账单


class HistoryForm(forms.Form):
    account = forms.CharField(required=False)
    kind = forms.ChoiceField(label="业务类型", required=False,
                             choices=[("", "全部"), *[(k, v[0]) for k, v in sel.HISTORY_KINDS.items()]])
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "起始日期格式不正确（应为 YYYY-MM-DD）"})
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "截止日期格式不正确（应为 YYYY-MM-DD）"})
    page = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_from", "起始日期不能晚于截止日期")
        return data


@require_GET
@member_required
def history(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = HistoryForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    account = sel.own_account(actor, d.get("account") or request.GET.get("account", "")[:40])
    if account is None:
        raise Http404("个人账号不存在")
    page = sel.member_history(actor=actor, account=account, kind=d.get("kind") or "", date_from=d.get("date_from"),
                              date_to=d.get("date_to"), page=d.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    this_year = _today(request).year
    return render(request, "hall/history.html", _ctx(
        request, form=form, account=account, page=page, query=query.urlencode(), accounts=sel.own_rows(actor),
        years=list(range(this_year, max(account.opened_date.year, this_year - 9) - 1, -1))))


@require_GET
@member_required
def annual_statement(request: HttpRequest, account_no: str) -> HttpResponse:
    """年度对账单 of `?year=` (this year by default) of an own account, as a PDF."""
    actor = _actor(request)
    account = sel.own_account(actor, account_no)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else _today(request).year
    if account is None or not 1990 <= year <= _today(request).year:
        raise Http404("对账单不存在")
    try:
        pdf = sel.member_annual_statement(actor=actor, account=account, year=year)
    except DomainError as e:
        raise Http404(e.message) from None
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition(f"年度对账单-{account.account_no}-{year}.pdf")
    return resp


# ---------------------------------------------------------------- 网上提取（一次告知）


def _reason(reason: str) -> str:
    if reason not in REASONS:
        raise Http404("提取原因不存在")
    return REASONS[reason]


@require_GET
@member_required
def withdraw_index(request: HttpRequest) -> HttpResponse:
    center, on = _actor(request).principal.member.center, _today(request)
    items = [(key, item_for_center(code, center, on)) for key, code in REASONS.items()]
    return render(request, "hall/withdraw_index.html", _ctx(request, items=[(k, it) for k, it in items if it]))


def _payload_form(item_code: str, data: Any = None) -> forms.Form:
    form_class = handler_for(item_code).form
    if form_class is None:
        raise Http404("该事项不能在网上办理")
    return form_class(data)  # type: ignore[no-any-return]


def _payload(form: forms.Form) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in form.cleaned_data.items()}


@require_http_methods(["GET", "POST"])
@never_cache
@member_required
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """The form of one reason: 「核对」 shows every rule's result (nothing written); 「提交申请」 steps up to face
    verification, stores the photos taken and submits through the engine."""
    actor, item_code, reason = _actor(request), _reason(code), code
    member = actor.principal.member
    here = item_for_center(item_code, member.center, _today(request))
    if here is None:
        raise Http404("该事项不存在")
    form = _payload_form(item_code, request.POST or None)
    ctx = _ctx(request, reason=reason, item=here, form=form, card=card_current(member.pk),
               materials=here.materials, problems=[], checks=[], rows=[])
    if request.method == "POST" and form.is_valid():
        payload = _payload(form)
        try:
            if request.POST.get("action") == "submit":
                app = _withdraw_submit(request, item_code, payload)
                messages.success(request, f"申请已提交，办件编号 {app.number}；请留意短信通知")
                return redirect("hall:application", number=app.number)
            ctx["rows"], ctx["problems"], results = engine.application_preview(
                center=member.center, item_code=item_code, channel=Channel.WEB, identity_level=IdentityLevel.FACE,
                actor=actor, business_date=_today(request), payload=payload)
            ctx["checks"] = [{"label": RULE_LABELS.get(r.code, r.code), "holds": r.holds, "message": r.message,
                              "verdict": "符合" if r.holds else VERDICTS.get(r.severity, r.severity),
                              "severity": r.severity} for r in results]
            ctx["blocked"] = any(not r.holds and r.severity == "block" for r in results) or bool(ctx["problems"])
        except DomainError as e:
            ctx["problems"] = list((e.details or {}).get("problems") or [e.message])
    status = 400 if request.method == "POST" and (ctx["problems"] or not form.is_valid()) else 200
    return render(request, "hall/withdraw.html", ctx, status=status)


def _face_step_up(actor: MemberActor) -> int:
    """Paying out money online steps up to the catalogue's level: 人脸核验 through the verification source."""
    member = actor.principal.member
    answer = verify("face", subject=member.id_number, purpose="网上提取：人脸核验", requester=actor,
                    center=member.center_id)
    if answer.status != "confirmed":
        raise DomainError(ErrorCode.PORTAL_FACE_FAILED, summary=answer.summary or "未能比对")
    return int(IdentityLevel.FACE)


def _uploads(request: HttpRequest, materials: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any]]:
    out, bad = [], []
    for m in materials:
        f = request.FILES.get(f"material_{m['code']}")
        if f is None:
            continue
        if not f.size or f.size > MAX_UPLOAD:
            bad.append(f"材料「{m['name']}」的照片为空或超过 8 MB")
            continue
        out.append((m, f))
    if bad:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(bad), problems="；".join(bad),
                          details={"problems": bad})
    return out


def _withdraw_submit(request: HttpRequest, item_code: str, payload: dict[str, Any]) -> Any:
    actor = _actor(request)
    member, day = actor.principal.member, _today(request)
    here = item_for_center(item_code, member.center, day)
    files = _uploads(request, here.materials if here else [])
    level = _face_step_up(actor)
    account = sel.own_account(actor)
    stored: list[Any] = []
    try:
        with transaction.atomic(durable=True):
            app = engine.application_create(center=member.center, item_code=item_code, channel=Channel.WEB,
                                            identity_level=level, actor=actor, business_date=day, payload=payload,
                                            branch_id=account.branch_id if account else None)
            for m, f in files:
                doc = document_store(center=member.center, content=f, original_name=(f.name or m["code"])[:200],
                                     doc_type=m["code"] if m["code"] in DocType.values else DocType.OTHER,
                                     retention=RetentionClass.LONG_30Y, business_date=day, obj=app,
                                     actor=SystemActor("servicehall", on_behalf_of=actor),
                                     content_type=(getattr(f, "content_type", "") or "")[:100])
                stored.append(doc)
                engine.application_attach(application=app, material_code=m["code"], document=doc, actor=actor,
                                          business_date=day)
            return engine.application_submit(application=app, actor=actor, business_date=day)
    except DomainError:
        for doc in stored:
            doc.file.storage.delete(doc.file.name)
        raise


# ---------------------------------------------------------------- 办件进度与好差评


@require_GET
@member_required
def applications(request: HttpRequest) -> HttpResponse:
    try:
        page_no = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page_no = 1
    page = sel.member_applications(actor=_actor(request), page=page_no)
    return render(request, "hall/applications.html", _ctx(request, page=page, today=_today(request)))


class RatingForm(forms.Form):
    level = forms.ChoiceField(label="评价", choices=RatingLevel.choices, widget=forms.RadioSelect,
                              error_messages={"required": "请选择评价等级"})
    comment = forms.CharField(label="评价内容（选填）", required=False, max_length=500, widget=forms.Textarea(
        attrs={"rows": 3}))


@require_http_methods(["GET", "POST"])
@member_required
def application(request: HttpRequest, number: str) -> HttpResponse:
    actor = _actor(request)
    try:
        d = sel.member_application(actor=actor, number=number)
    except DomainError:
        raise Http404("办件不存在") from None
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic(durable=True):
                rating_submit(number=number, actor=actor, level=form.cleaned_data["level"],
                              comment=form.cleaned_data["comment"], business_date=_today(request))
            messages.success(request, "感谢您的评价")
            return redirect("hall:application", number=number)
        except DomainError as e:
            form.add_error(None, e.message)
    return render(request, "hall/application.html", _ctx(request, app=d, form=form, today=_today(request)),
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- 个人信息、修改手机号码、消息


class PhoneForm(forms.Form):
    phone = forms.RegexField(label="新手机号码", regex=r"^1\d{10}$", error_messages={
        "required": "请填写新手机号码", "invalid": "手机号码应为以 1 开头的 11 位数字"})


class PhoneCodeForm(forms.Form):
    code = forms.CharField(label="新号码收到的验证码", max_length=6, error_messages={"required": "请填写验证码"})


@require_http_methods(["GET", "POST"])
@never_cache
@member_required
def profile(request: HttpRequest) -> HttpResponse:
    """Own data (masked as the member's own read gives it) and 修改手机号码, step 1: a code to the new number."""
    actor = _actor(request)
    accounts, _loans = sel.member_home(actor=actor)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if too_many(request, "phone", str(actor.member_id)):
            form.add_error("phone", TOO_MANY)
        else:
            with transaction.atomic(durable=True):
                challenge = member_phone_code_send(member=actor.principal.member, phone=phone, actor=actor)
            resp = redirect("hall:phone_code")
            resp.set_signed_cookie(PHONE_COOKIE, f"{phone}:{challenge}", salt="hall-phone", path=PATH, max_age=600,
                                   httponly=True, samesite="Lax", secure=request.is_secure())
            return resp
    return render(request, "hall/profile.html", _ctx(request, accounts=accounts, form=form,
                                                     card=card_current(actor.member_id)),
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@never_cache
@member_required
def phone_code(request: HttpRequest) -> HttpResponse:
    """修改手机号码, step 2: the code sent to the new number makes it the registered one."""
    actor = _actor(request)
    phone, _, challenge = str(request.get_signed_cookie(PHONE_COOKIE, default="", salt="hall-phone") or "").partition(":")
    if not challenge:
        return redirect("hall:profile")
    form = PhoneCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic(durable=True):
            problem = portal_step_code_check(purpose="phone", subject=f"member:{actor.member_id}:{phone}",
                                             challenge=challenge, code=form.cleaned_data["code"])
        if problem:
            form.add_error("code", problem)
        else:
            try:
                with transaction.atomic(durable=True):
                    member_phone_change_own(member=actor.principal.member, phone=phone, actor=actor,
                                            business_date=_today(request))
            except DomainError as e:
                form.add_error("code", e.message)
            else:
                messages.success(request, f"登记的手机号码已改为 {mask_phone(phone)}")
                resp = redirect("hall:profile")
                resp.delete_cookie(PHONE_COOKIE, path=PATH)
                return resp
    return render(request, "hall/phone_code.html", _ctx(request, form=form, phone=mask_phone(phone)),
                  status=400 if request.method == "POST" else 200)


@require_GET
@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/inbox.html", _ctx(request, notices=sel.member_inbox(actor=_actor(request))))
