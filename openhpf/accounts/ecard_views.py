"""The counter's 扫码识别: a QR scanner types the electronic HPF card's token into the field (and presses Enter),
or the clerk pastes it; a valid card of this center opens the member's account page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openhpf.access.decorators import permission_required
from openhpf.core.errors import DomainError
from openhpf.iam.services import staff_center

from .ecard import ecard_scan


@require_http_methods(["GET", "POST"])
@permission_required("accounts.view")
def ecard_scan_view(request: HttpRequest) -> HttpResponse:
    center = staff_center(request.user)
    if center is None:
        raise PermissionDenied("当前用户未归属任何管理中心")
    error = ""
    if request.method == "POST":
        try:
            acct = ecard_scan(actor=request.user, center=center, token=request.POST.get("token", ""))
        except DomainError as e:
            error = f"{e.message}（{e.code}）"
        else:
            return redirect("accounts:member_detail", account_no=acct.account_no)
    return render(request, "accounts/ecard_scan.html", {"error": error}, status=400 if error else 200)
