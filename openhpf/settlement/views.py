"""Console pages of bank settlement: 专户 and bank channels, instructions, the notice work queue."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.core.paging import paginate
from openhpf.iam.services import console_center

from . import selectors, services
from .models import BankAccount, Instruction, Notice


def _back(name: str, error: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'error': error})}")


HOME_PAGE_SIZE = 20  # the home page's lists (deposits, payees), each with its own pager and the true total


def _center(request: HttpRequest) -> Center:
    return console_center(request.user)


@require_GET
@permission_required("settlement.view")
def home(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    counts = selectors.instruction_counts(center=center, user=request.user)
    states = [(v, label, counts.get(v, 0)) for v, label in Instruction.State.choices]
    return render(request, "settlement/home.html", {
        "accounts": selectors.bank_accounts(center=center, user=request.user), "states": states,
        "queue": selectors.notices(center=center, user=request.user, status=Notice.Status.QUEUE).count(),
        "kinds": BankAccount.Kind.choices, "error": request.GET.get("error", ""),
        "deposits": paginate(selectors.deposits(center=center, user=request.user), request.GET.get("dpage"),
                             HOME_PAGE_SIZE, param="dpage"),
        "payees": selectors.payees_page(center=center, actor=request.user, page=request.GET.get("ppage"),
                                        page_size=HOME_PAGE_SIZE),
        "can_operate": has_permission(request.user, "settlement.operate", center=center),
    })


@require_POST
@permission_required("settlement.operate")
def payee_add(request: HttpRequest) -> HttpResponse:
    """登记收款人: a request for a checker (the payee counts once approved)."""
    center = _center(request)
    try:
        with transaction.atomic(durable=True):
            services.payee_request(center=center, account_no=request.POST.get("account_no", ""),
                                   account_name=request.POST.get("account_name", ""),
                                   bank_name=request.POST.get("bank_name", ""),
                                   kind=request.POST.get("kind", "counterparty"), actor=request.user)
    except (DomainError, PermissionDenied) as e:
        return _back("settlement:home", e.message)
    return _back("settlement:home", "已提交复核：复核人批准后收款人生效")


@require_POST
@permission_required("settlement.operate")
def account_open(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    try:
        with transaction.atomic(durable=True):
            services.bank_account_open(
                center=center, bank_code=request.POST.get("bank_code", ""), bank_name=request.POST.get("bank_name", ""),
                account_no=request.POST.get("account_no", ""), account_name=request.POST.get("account_name", ""),
                kind=request.POST.get("kind", "101"), actor=request.user, business_date=center.business_date)
            if request.POST.get("url"):  # a request for a checker: the channel changes when it is approved
                services.bank_channel_request(center=center, bank_code=request.POST.get("bank_code", ""),
                                              url=request.POST["url"], actor=request.user)
    except DomainError as e:
        return _back("settlement:home", e.message)
    return redirect("settlement:home")


@require_GET
@permission_required("settlement.view")
def instruction_list(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    state = request.GET.get("state", "")
    page = paginate(selectors.instructions(center=center, user=request.user, state=state), request.GET.get("page"))
    return render(request, "settlement/instructions.html", {
        "page": page, "state": state, "states": Instruction.State.choices, "error": request.GET.get("error", "")})


@require_POST
@permission_required("settlement.operate")
def instruction_action(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    ins = get_object_or_404(Instruction, pk=pk, center=center)
    try:
        if ins.state == Instruction.State.HELD:
            raise DomainError(ErrorCode.INSTRUCTION_HELD, f"结算指令 {ins.seq} 待复核放行：复核人批准后才发送银行",
                              field="seq")
        if request.POST.get("action") == "send":
            services.instruction_send(instruction=ins, actor=request.user, business_date=center.business_date)
        else:
            services.instruction_resolve(instruction=ins, actor=request.user, business_date=center.business_date)
    except DomainError as e:
        return _back("settlement:instructions", e.message)
    return redirect("settlement:instructions")


@require_GET
@permission_required("settlement.view")
def notice_list(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    status = request.GET.get("status", Notice.Status.QUEUE)
    page = paginate(selectors.notices(center=center, user=request.user, status=status), request.GET.get("page"))
    return render(request, "settlement/notices.html", {
        "page": page, "status": status, "statuses": Notice.Status.choices, "error": request.GET.get("error", "")})


@require_POST
@permission_required("settlement.operate")
def notice_handle(request: HttpRequest, pk: int) -> HttpResponse:
    center = _center(request)
    n = get_object_or_404(Notice, pk=pk, center=center)
    try:
        with transaction.atomic(durable=True):
            services.notice_handle(notice=n, note=request.POST.get("note", ""), actor=request.user,
                                   business_date=center.business_date)
    except DomainError as e:
        return _back("settlement:notices", e.message)
    return redirect("settlement:notices")


@require_POST
@permission_required("settlement.operate")
def notices_pull(request: HttpRequest) -> HttpResponse:
    """拉取到账通知 (BDC124) from every linked bank now, as day-end would; the result by what became of them."""
    center = _center(request)
    before = selectors.notice_last_pk(center=center)
    try:
        counts = services.notices_pull(center=center, actor=request.user, business_date=center.business_date)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("settlement:home")
    lines = selectors.notices_after(center=center, user=request.user, after_pk=before)
    parts = [f"{ln.label} {ln.count} 笔 {format_fen(ln.amount)} 元" for ln in lines]
    messages.success(request, f"已拉取到账通知：新通知 {counts['new']} 笔" + (f"（{'，'.join(parts)}）" if parts else "")
                     + (f"，重复 {counts['received'] - counts['new']} 笔" if counts["received"] > counts["new"] else ""))
    return redirect("settlement:home")


@csrf_exempt
@require_POST
def notice_push(request: HttpRequest, center_code: str, bank_code: str) -> HttpResponse:
    """SBDC100 pushed by a bank: no staff session; the channel's token, in the header X-HPF-Push-Token,
    authenticates it. A token in the URL is refused: a URL reaches access logs and proxies."""
    if "token" in request.GET:
        return JsonResponse({"code": ErrorCode.FORBIDDEN.value,
                             "message": "推送令牌不得放在网址中，请放在请求头 X-HPF-Push-Token"}, status=403)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    try:
        outcome = services.notice_push(center_code=center_code, bank_code=bank_code,
                                       token=request.headers.get("X-HPF-Push-Token", ""), payload=payload)
    except PermissionDenied as e:  # the bank's answer, not the console's 403 page
        return JsonResponse({"code": e.code, "message": e.message}, status=403)
    return JsonResponse({"result": outcome})
