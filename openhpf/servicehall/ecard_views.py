"""The member's electronic HPF card (电子公积金卡) in the online hall: the account number and a QR code that the
counter scans to identify the member (accounts.ecard). The code is good for a short time; the page fetches a
fresh one (htmx) before it lapses, and a button renews it at once."""

from __future__ import annotations

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openhpf.accounts.ecard import ecard_issue
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.masking import mask_name
from openhpf.iam import policy

from .selectors import member_my_accounts
from .session import member_required


@require_GET
@never_cache
@member_required
def ecard(request: HttpRequest) -> HttpResponse:
    actor = request.hall_actor  # type: ignore[attr-defined]
    accounts = member_my_accounts(actor=actor)
    wanted = request.GET.get("account") or ""
    current = next((a for a in accounts if a.account_no == wanted), None) or next(
        (a for a in accounts if a.status == MemberAccountStatus.NORMAL), accounts[0] if accounts else None)
    ctx: dict = {"name": mask_name(actor.principal.member.name), "hall_signed_in": True, "accounts": accounts,
                 "current": current, "renew_seconds": max(int(policy.value("ECARD_TOKEN_SECONDS")) - 20, 10)}
    if current is not None:
        card = ecard_issue(actor=actor, account_no=current.account_no)
        ctx["card"] = card
        ctx["qr_svg"] = segno.make(card.token, error="m").svg_inline(scale=5, border=2, title="电子公积金卡二维码")
    template = "hall/_ecard_code.html" if request.headers.get("HX-Request") else "hall/ecard.html"
    return render(request, template, ctx)
