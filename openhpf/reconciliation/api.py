"""JSON API of 日终对账 (mounted at /api/v1/reconciliation/): reconciliations with their 调节表, the open items,
explaining and resolving items, running a day. Each POST opens the durable transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.paging import paginate
from openhpf.iam.services import staff_center_required

from . import selectors, services
from .models import Reconciliation, ReconItem

router = Router(tags=["日终对账"])


def _center(request: HttpRequest, perm: str = selectors.VIEW) -> Center:
    return staff_center_required(request.user, perm=perm)


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(ErrorCode.DATE_INVALID, f"日期格式应为 YYYY-MM-DD：{value}", field=field) from None


class ReconOut(Schema):
    id: int
    account_no: str
    bank_name: str
    recon_date: date
    status: str
    status_label: str
    bank_closing: int
    book_closing: int
    bank_in_open: int  # 银行已收单位未收
    bank_out_open: int  # 银行已付单位未付
    book_in_open: int  # 单位已收银行未收
    book_out_open: int  # 单位已付银行未付
    adjusted_bank: int
    adjusted_book: int
    difference: int
    statement_lines: int
    book_lines: int
    matched_by_key: int
    matched_by_sum: int
    matched_by_amount: int
    cancelled: int
    carried_items: int
    carried_closed: int
    items_new: int
    items_open: int
    items_unexplained: int
    mismatch_items: int
    opening_gap: int | None
    duration_ms: int


def _recon_out(r: Reconciliation) -> dict[str, Any]:
    out = {f: getattr(r, f) for f in ReconOut.model_fields if hasattr(r, f)}
    out.update(account_no=r.bank_account.account_no, bank_name=r.bank_account.bank_name,
               status_label=r.get_status_display())
    return out


class ReconItemOut(Schema):
    id: int
    account_no: str
    reason: str
    reason_label: str
    side: str
    direction: str
    amount: int
    ref_key: str
    line_date: date
    opened_on: date
    status: str
    note: str
    closed_on: date | None
    close_kind: str
    bank_seq: str
    counter_name: str
    counter_account: str
    summary: str
    voucher_no: str


def _items_out(request: HttpRequest, center: Center, items: list[ReconItem]) -> list[dict[str, Any]]:
    out = []
    for v in selectors.item_views(items, user=request.user, center=center):
        it = v.item
        out.append({"id": it.pk, "account_no": it.bank_account.account_no, "reason": it.reason,
                    "reason_label": it.get_reason_display(), "side": it.side, "direction": it.direction,
                    "amount": it.amount, "ref_key": it.ref_key, "line_date": it.line_date, "opened_on": it.opened_on,
                    "status": it.status, "note": it.note, "closed_on": it.closed_on, "close_kind": it.close_kind,
                    "bank_seq": v.bank_seq, "counter_name": v.counter_name, "counter_account": v.counter_account,
                    "summary": v.summary, "voucher_no": v.voucher_no})
    return out


@router.get("/reconciliations", response=list[ReconOut], summary="日终对账记录（含调节表数字）")
def reconciliation_list(request: HttpRequest, account_no: str = "", date_from: str = "", date_to: str = "",
                        status: str = "", limit: int = 100):
    center = _center(request)
    acct = selectors.bank_account_get(center=center, account_no=account_no, user=request.user) if account_no else None
    rows = selectors.reconciliation_list(center=center, user=request.user, bank_account=acct,
                                         date_from=_date(date_from, "date_from"), date_to=_date(date_to, "date_to"),
                                         status=status or None, limit=limit)
    return [_recon_out(r) for r in rows]


class ReconDetailOut(ReconOut):
    items: list[ReconItemOut]


@router.get("/reconciliations/{pk}", response=ReconDetailOut, summary="银行存款余额调节表及当日未达账项")
def reconciliation_detail(request: HttpRequest, pk: int):
    center = _center(request)
    r = selectors.reconciliation_get(center=center, pk=pk, user=request.user)
    items = selectors.item_list(center=center, user=request.user, bank_account=r.bank_account,
                                open_on=r.recon_date, limit=5000)
    return {**_recon_out(r), "items": _items_out(request, center, items)}


class ItemPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[ReconItemOut]


@router.get("/items", response=ItemPageOut,
            summary="差异工作队列（未达账项与金额不符，早的在前；分页，total 为符合条件的总数）")
def item_list(request: HttpRequest, account_no: str = "", reason: str = "", state: str = "open", page: int = 1,
              page_size: int = 50):
    center = _center(request)
    acct = selectors.bank_account_get(center=center, account_no=account_no, user=request.user) if account_no else None
    if state not in selectors.ITEM_STATES:
        raise DomainError(ErrorCode.STATE_INVALID, f"状态应为 {'、'.join(selectors.ITEM_STATES)} 之一", field="state")
    p = paginate(selectors.item_query(center=center, user=request.user, bank_account=acct, reason=reason or None,
                                      state=state), page, page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": _items_out(request, center, p.items)}


class ExplainIn(Schema):
    note: str


@router.post("/items/{pk}/explain", response=ReconItemOut, summary="说明差异")
def item_explain(request: HttpRequest, pk: int, body: ExplainIn):
    center = _center(request, services.PERMISSION)
    item = selectors.item_get(center=center, pk=pk, user=request.user)
    with transaction.atomic(durable=True):
        item = services.recon_item_explain(item=item, note=body.note, actor=request.user,
                                           business_date=center.business_date)
    return _items_out(request, center, [item])[0]


class ResolveIn(Schema):
    ids: list[int]
    note: str


@router.post("/items/resolve", response=list[ReconItemOut], summary="核销差异（须相互抵销或使调节表平衡）")
def items_resolve(request: HttpRequest, body: ResolveIn):
    center = _center(request, services.PERMISSION)
    items = selectors.items_get(center=center, pks=body.ids, user=request.user)
    with transaction.atomic(durable=True):
        done = services.recon_items_resolve(items=items, note=body.note, actor=request.user,
                                            business_date=center.business_date)
    return _items_out(request, center, done)


class RunIn(Schema):
    account_no: str
    date: date


@router.post("/run", response=ReconOut, summary="运行日终对账（同一日重做则替换结果）")
def run(request: HttpRequest, body: RunIn):
    center = _center(request, services.PERMISSION)
    acct = selectors.bank_account_get(center=center, account_no=body.account_no, user=request.user)
    with transaction.atomic(durable=True):
        r = services.reconcile(bank_account=acct, on=body.date, actor=request.user, business_date=center.business_date)
    return _recon_out(r)


class DayEndOut(Schema):
    date: date
    ok: bool
    problems: list[str]


@router.get("/day-end", response=DayEndOut, summary="日终对账检查（日终能否关闭）")
def day_end(request: HttpRequest, on: str = ""):
    center = _center(request)
    day = _date(on, "on") or center.business_date
    ok, problems = selectors.reconciliation_day_ok(center=center, on=day)
    return {"date": day, "ok": ok, "problems": problems}
