"""Console pages of fund management (资金管理): the 定期/通知存款 with their 专户, and the 增值收益 transfers,
each list paged with its true total."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.access.decorators import permission_required
from openhpf.access.selectors import has_permission
from openhpf.core.money import format_fen
from openhpf.core.paging import paginate
from openhpf.iam.services import staff_center_required
from openhpf.settlement import selectors as settlement

from . import services

PAGE_SIZE = 20  # each list of the page (core.paging: the true total; its own page parameter)
TRANSFER_SOURCE = "value_added.transfer"


@require_GET
@permission_required("finance.view")
def deposits(request: HttpRequest) -> HttpResponse:
    center = staff_center_required(request.user)
    accounts = settlement.bank_accounts(center=center, user=request.user)
    page = paginate(settlement.deposits(center=center, user=request.user), request.GET.get("page"), PAGE_SIZE)
    rows = [{"d": d, "principal": format_fen(d.principal), "original": format_fen(d.original_principal),
             "interest": format_fen(d.interest_received),
             "term": f"{d.term_months} 个月" if d.term_months else (f"{d.notice_days} 天通知" if d.notice_days else "—"),
             "can_withdraw": d.status == d.Status.OPEN and bool(d.deposit_no),
             "can_notify": (d.kind == d.Kind.NOTICE and d.status == d.Status.OPEN and bool(d.deposit_no)
                            and d.notice_amount is None),
             "notice": (f"已通知 {d.notice_date:%Y-%m-%d} 支取 {format_fen(d.notice_amount)} 元"
                        if d.notice_amount is not None and d.notice_date else "")}
            for d in page.items]
    tpage = paginate(settlement.instructions(center=center, user=request.user).filter(source=TRANSFER_SOURCE),
                     request.GET.get("tpage"), PAGE_SIZE, param="tpage")
    transfers = [{"i": i, "amount": format_fen(i.amount)} for i in tpage.items]
    ctx = {"rows": rows, "page": page, "transfers": transfers, "tpage": tpage,
           "accounts": [{"a": r.account, "balance": format_fen(r.book_balance), "available": format_fen(r.available)}
                        for r in accounts if r.account.status == r.account.Status.ACTIVE],
           "can_manage": has_permission(request.user, services.MANAGE, center=center)}
    return render(request, "finance/deposits.html", ctx)
