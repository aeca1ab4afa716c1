"""The online hall (网上服务大厅) for members, phone first: sign-in with password + one-time code (iam's portal
services, the same as the member API), a home with 「开具缴存使用证明」 and the member's issued certificates to
download. The seed of the hall: more items come as their handlers land."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_name
from openhpf.documents.pdf import content_disposition
from openhpf.iam.services import portal_token_revoke
from openhpf.items.certificate import CertificateForm, certificate_apply, certificate_of_application
from openhpf.items.certificate_selectors import (
    certificate_of_member,
    certificate_read_pdf,
    certificates_of_member,
    purpose_text,
)

from .selectors import member_home, member_my_accounts
from .session import COOKIE, MEMBER, PATH, hall_token, member_required


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    return MEMBER.login_view(request)


@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    return MEMBER.otp_view(request)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    portal_token_revoke(plaintext=hall_token(request))
    resp = redirect("hall:login")
    resp.delete_cookie(COOKIE, path=PATH)
    return resp


def _home(request: HttpRequest, form: CertificateForm, problems: list[str], status: int = 200) -> HttpResponse:
    actor = request.hall_actor  # type: ignore[attr-defined]
    certs = [{"c": c, "purpose": purpose_text(c)} for c in certificates_of_member(actor=actor)]
    home_accounts, loans = member_home(actor=actor)
    return render(request, "hall/home.html", {
        "name": mask_name(actor.principal.member.name), "accounts": member_my_accounts(actor=actor),
        "home_accounts": home_accounts, "loans": loans,
        "form": form, "problems": problems, "certs": certs, "hall_signed_in": True}, status=status)


@require_GET
@member_required
def home(request: HttpRequest) -> HttpResponse:
    return _home(request, CertificateForm(), [])


@require_POST
@member_required
def certificate_apply_view(request: HttpRequest) -> HttpResponse:
    form = CertificateForm(request.POST)
    if not form.is_valid():
        return _home(request, form, [], status=400)
    principal = request.hall_principal  # type: ignore[attr-defined]
    member = principal.member
    try:
        app = certificate_apply(center=member.center, actor=request.hall_actor,  # type: ignore[attr-defined]
                                channel=Channel.WEB, identity_level=IdentityLevel.PASSWORD_CODE,
                                business_date=member.center.business_date, payload=dict(form.cleaned_data))
    except DomainError as e:
        return _home(request, form, list((e.details or {}).get("problems") or [e.message]), status=e.code.status)
    cert = certificate_of_application(app)
    if cert is None:
        messages.warning(request, f"办件 {app.number}：{app.get_state_display()}")
    else:
        messages.success(request, f"缴存使用证明已出具，证明编号 {cert.number}")
    return redirect("hall:home")


@require_GET
@member_required
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    actor = request.hall_actor  # type: ignore[attr-defined]
    try:
        cert = certificate_of_member(actor=actor, number=number)
    except DomainError:
        raise Http404("证明不存在") from None
    resp = HttpResponse(certificate_read_pdf(actor=actor, cert=cert), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition(cert.document.original_name)
    return resp
