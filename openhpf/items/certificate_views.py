"""Pages of 缴存使用证明: the public verification page (no sign-in) and the counter's issue for a member."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from openhpf.accounts.models import MemberAccount
from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.core.authz import permission_required, staff_center_required
from openhpf.core.errors import DomainError
from openhpf.documents.pdf import content_disposition
from openhpf.iam.ratelimit import client_ip

from .certificate import FILE_BAD, CertificateForm, certificate_apply, certificate_of_application
from .certificate_selectors import (
    certificate_of_center,
    certificate_public,
    certificate_read_pdf,
    full_rows,
    masked_rows,
    purpose_text,
)
from .certificate_verify import certificate_verify_code, certificate_verify_file

ISSUE_PERMISSION = "applications.accept"


def _problems(e: DomainError) -> list[str]:
    return list((e.details or {}).get("problems") or [e.message])


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """住房公积金缴存使用证明核验: the masked facts; the full ones with the printed code; an uploaded copy checked."""
    try:
        cert = certificate_public(number)
    except DomainError:
        raise Http404("证明不存在") from None
    ctx: dict = {"cert": cert, "rows": masked_rows(cert), "purpose": purpose_text(cert), "full": False,
                 "file_check": None, "code_error": "", "file_error": ""}
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        if request.POST.get("action") == "file":
            upload = request.FILES.get("file")
            try:
                _, check = certificate_verify_file(number=number, content=upload.read() if upload else None, ip=ip)
                ctx["file_check"] = check
            except DomainError as e:
                ctx["file_error"] = e.message
                status = 400
        else:
            try:
                certificate_verify_code(number=number, code=request.POST.get("code", ""), ip=ip)
                ctx.update(full=True, rows=full_rows(cert))
            except DomainError as e:
                ctx["code_error"] = e.message
                status = e.code.status
    ctx["file_bad"] = FILE_BAD
    return render(request, "items/certificate_verify.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(ISSUE_PERMISSION)
def issue(request: HttpRequest, account_no: str) -> HttpResponse:
    """柜台代为开具缴存使用证明: the clerk fills the item's form for the member (identity checked at the counter);
    the certificate is issued at once."""
    center = staff_center_required(request.user, perm=ISSUE_PERMISSION)
    account = MemberAccount.objects.select_related("member").filter(center=center, account_no=account_no).first()
    if account is None:
        raise Http404("个人账户不存在")
    form = CertificateForm(request.POST or None, initial={"account_no": account.account_no})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            app = certificate_apply(center=center, actor=request.user, channel=Channel.COUNTER,
                                    identity_level=IdentityLevel.COUNTER_CHECK, business_date=center.business_date,
                                    payload={**form.cleaned_data, "account_no": account.account_no},
                                    member_id=account.member_id)
        except DomainError as e:
            problems = _problems(e)
        else:
            cert = certificate_of_application(app)
            if cert is None:
                messages.warning(request, f"办件 {app.number} {app.get_state_display()}，未出具证明")
                return redirect(reverse("certificates:issue", args=[account.account_no]))
            messages.success(request, f"已出具缴存使用证明 {cert.number}（办件 {app.number}）")
            return redirect(reverse("certificates:issued", args=[cert.number]))
    return render(request, "items/certificate_issue.html",
                  {"form": form, "account": account, "problems": problems})


@require_GET
@permission_required(ISSUE_PERMISSION)
def issued(request: HttpRequest, number: str) -> HttpResponse:
    center = staff_center_required(request.user, perm=ISSUE_PERMISSION)
    try:
        cert = certificate_of_center(center=center, number=number)
    except DomainError:
        raise Http404("证明不存在") from None
    return render(request, "items/certificate_issued.html",
                  {"cert": cert, "rows": masked_rows(cert), "purpose": purpose_text(cert)})


@require_GET
@permission_required(ISSUE_PERMISSION)
def pdf(request: HttpRequest, number: str) -> HttpResponse:
    center = staff_center_required(request.user, perm=ISSUE_PERMISSION)
    try:
        cert = certificate_of_center(center=center, number=number)
    except DomainError:
        raise Http404("证明不存在") from None
    resp = HttpResponse(certificate_read_pdf(actor=request.user, cert=cert), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition(cert.document.original_name)
    return resp
