"""Member (缴存职工) and employer-agent (单位经办人) API: sign-in with password + one-time code, and reads of
one's own data only. Mounted at /api/v1/member/ and /api/v1/agent/."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.core.actors import AgentActor, MemberActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.documents.pdf import content_disposition
from openhpf.iam import policy, ratelimit
from openhpf.iam.auth import AgentTokenAuth, MemberTokenAuth
from openhpf.iam.models import EmployerAgent, MemberPrincipal, PrincipalKind
from openhpf.iam.services import portal_login_otp, portal_login_password
from openhpf.items.certificate import certificate_apply, certificate_of_application, verify_url
from openhpf.items.certificate_models import Certificate
from openhpf.items.certificate_selectors import (
    certificate_of_member,
    certificate_read_pdf,
    certificates_of_member,
    purpose_text,
)

from .selectors import agent_employer, agent_members, member_my_account, member_my_accounts
from .session import too_many

member_router = Router(tags=["网厅·缴存职工"], auth=MemberTokenAuth())
agent_router = Router(tags=["网厅·单位经办人"], auth=AgentTokenAuth())


class MemberRequest(HttpRequest):
    """A request that passed MemberTokenAuth: ninja sets `auth` to the signed-in member."""

    auth: MemberPrincipal
    actor: MemberActor


class AgentRequest(HttpRequest):
    """A request that passed AgentTokenAuth: ninja sets `auth` to the signed-in employer agent."""

    auth: EmployerAgent
    actor: AgentActor


class LoginIn(Schema):
    login: str
    password: str


class ChallengeOut(Schema):
    challenge: str
    phone_hint: str
    expires_in: int


class OtpIn(Schema):
    challenge: str
    code: str


class PortalTokenOut(Schema):
    access_token: str
    token_type: str
    expires_at: datetime


class Problem(Schema):
    code: str
    message: str


_LOGIN_RESPONSES = {200: ChallengeOut, 401: Problem, 422: Problem, 423: Problem, 429: Problem}
_OTP_RESPONSES = {200: PortalTokenOut, 401: Problem, 429: Problem}


def _password_step(request: HttpRequest, kind: str, data: LoginIn):
    if too_many(request, kind, data.login):
        return 429, {"code": ErrorCode.RATE_LIMITED, "message": "尝试过于频繁，请稍后再试"}
    with transaction.atomic(durable=True):
        r = portal_login_password(kind=kind, login=data.login, password=data.password,
                                  ip=ratelimit.client_ip(request))
    if not r.ok:
        code = ErrorCode.of(r.code)  # the status of a refused login is the catalogue's
        return code.status, {"code": code, "message": r.message}
    return 200, {"challenge": r.challenge, "phone_hint": r.phone_hint, "expires_in": policy.value("OTP_TTL_SECONDS")}


def _otp_step(request: HttpRequest, kind: str, data: OtpIn):
    if too_many(request, kind, "otp", data.challenge[:64]):
        return 429, {"code": ErrorCode.RATE_LIMITED, "message": "尝试过于频繁，请稍后再试"}
    with transaction.atomic(durable=True):
        r = portal_login_otp(kind=kind, challenge=data.challenge, code=data.code, ip=ratelimit.client_ip(request))
    if not r.ok:
        code = ErrorCode.of(r.code)  # the status of a refused login is the catalogue's
        return code.status, {"code": code, "message": r.message}
    return 200, {"access_token": r.token, "token_type": "Bearer", "expires_at": r.expires_at}


@member_router.post("/login", auth=None, response=_LOGIN_RESPONSES, summary="职工登录第一步：证件号码或个人账号 + 密码")
def member_login(request: HttpRequest, data: LoginIn):
    return _password_step(request, PrincipalKind.MEMBER, data)


@member_router.post("/otp", auth=None, response=_OTP_RESPONSES, summary="职工登录第二步：短信验证码")
def member_otp(request: HttpRequest, data: OtpIn):
    return _otp_step(request, PrincipalKind.MEMBER, data)


@agent_router.post("/login", auth=None, response=_LOGIN_RESPONSES, summary="单位经办人登录第一步：登录名 + 密码")
def agent_login(request: HttpRequest, data: LoginIn):
    return _password_step(request, PrincipalKind.AGENT, data)


@agent_router.post("/otp", auth=None, response=_OTP_RESPONSES, summary="单位经办人登录第二步：短信验证码")
def agent_otp(request: HttpRequest, data: OtpIn):
    return _otp_step(request, PrincipalKind.AGENT, data)


class MyAccountOut(Schema):
    account_no: str
    name: str
    employer_name: str
    status: str
    status_label: str
    balance: int
    available: int
    frozen_amount: int
    monthly_amount: int
    paid_up_to: str
    opened_date: date


class NotFound(Schema):
    code: str
    message: str
    field: str | None = None


@member_router.get("/accounts", response=list[MyAccountOut], summary="我的个人账户（余额以分为单位）")
def my_accounts(request: MemberRequest):
    return member_my_accounts(actor=request.actor)


@member_router.get("/accounts/{account_no}", response={200: MyAccountOut, 404: NotFound},
                   summary="我的某个个人账户（不是本人的账号一律 404）")
def my_account(request: MemberRequest, account_no: str):
    try:
        return 200, member_my_account(actor=request.actor, account_no=account_no)
    except DomainError as e:
        return 404, {"code": e.code, "message": e.message, "field": e.field}


class AgentEmployerOut(Schema):
    account_no: str
    name: str
    credit_code: str
    status: str
    status_label: str
    payday: int
    employer_ratio: str
    member_ratio: str
    paid_up_to: str
    suspense_balance: int
    members_normal: int
    members_sealed: int
    monthly_amount: int


class EmployeeOut(Schema):
    account_no: str
    name: str
    id_number: str
    status: str
    status_label: str
    base: int
    monthly_amount: int
    paid_up_to: str


class EmployeePageOut(Schema):
    items: list[EmployeeOut]
    total: int
    page: int
    page_size: int


@agent_router.get("/employer", response=AgentEmployerOut, summary="本单位信息")
def my_employer(request: AgentRequest):
    return agent_employer(actor=request.actor)


@agent_router.get("/members", response=EmployeePageOut, summary="本单位职工账户（脱敏）")
def my_members(request: AgentRequest, page: int = 1, page_size: int = 50):
    return agent_members(actor=request.actor, page=page, page_size=page_size)


# ---- 个人住房公积金缴存使用证明 (item HPF-P-CERT): applied for online, issued at once (即时办结)


class CertificateIn(Schema):
    purpose: str = "remote_loan"  # remote_loan 异地贷款, loan 本地贷款, settlement 落户、入学等证明, other 其他
    note: str = ""
    account_no: str = ""  # one of the member's accounts; empty: the most recently opened


class CertificateOut(Schema):
    number: str
    issued_on: date
    purpose: str
    account_no: str
    application: str
    pdf_url: str
    verify_url: str


class CertificateAppliedOut(Schema):
    application: str
    state: str
    state_label: str
    certificate: CertificateOut | None = None


def _certificate_out(c: Certificate) -> dict:
    return {"number": c.number, "issued_on": c.issued_on, "purpose": purpose_text(c),
            "account_no": c.account.account_no, "application": c.application.number if c.application else "",
            "pdf_url": f"/api/v1/member/certificates/{c.number}/pdf", "verify_url": verify_url(c.number)}


@member_router.post("/certificates", response={201: CertificateAppliedOut},
                    summary="申请个人住房公积金缴存使用证明（即时办结，返回证明）")
def certificate_apply_api(request: MemberRequest, data: CertificateIn):
    member = request.auth.member
    app = certificate_apply(center=member.center, actor=request.actor, channel=Channel.WEB,
                            identity_level=IdentityLevel.PASSWORD_CODE, business_date=member.center.business_date,
                            payload=data.dict())
    cert = certificate_of_application(app)
    return 201, {"application": app.number, "state": app.state, "state_label": app.get_state_display(),
                 "certificate": _certificate_out(cert) if cert else None}


@member_router.get("/certificates", response=list[CertificateOut], summary="我的缴存使用证明")
def certificate_list_api(request: MemberRequest):
    return [_certificate_out(c) for c in certificates_of_member(actor=request.actor).select_related("account")]


@member_router.get("/certificates/{number}/pdf", response={200: None, 404: NotFound},
                   summary="下载我的缴存使用证明（PDF，附 SM2 签名；不是本人的一律 404）")
def certificate_pdf_api(request: MemberRequest, number: str):
    cert = certificate_of_member(actor=request.actor, number=number)
    resp = HttpResponse(certificate_read_pdf(actor=request.actor, cert=cert), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition(cert.document.original_name)
    return resp
