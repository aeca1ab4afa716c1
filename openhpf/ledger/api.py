"""Ledger endpoints: trial balance and vouchers (read-only; postings come from the business services)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from openhpf.core.authz import check_permission, staff_center_required

from .models import JournalEntry
from .selectors import trial_balance

router = Router(tags=["账务"])


class TrialBalanceRowOut(Schema):
    code: str
    name: str
    normal_side: str
    opening: int
    debit: int
    credit: int
    closing: int


class LineOut(Schema):
    line_no: int
    account: str
    debit: int
    credit: int
    memo: str


class EntryOut(Schema):
    voucher_no: str
    business_date: str
    value_date: str
    source: str
    description: str
    total: int
    reversal_of: str | None
    lines: list[LineOut]


def _center(request):
    return staff_center_required(request.user)


@router.get("/trial-balance", response=list[TrialBalanceRowOut], summary="试算平衡表（金额单位：分）")
def trial_balance_get(request, year: int, month: int):
    return [r.__dict__ for r in trial_balance(center=_center(request), year=year, month=month, user=request.user)]


@router.get("/entries/{voucher_no}", response=EntryOut, summary="记账凭证")
def entry_get(request, voucher_no: str):
    check_permission(request.user, "ledger.view", center=_center(request))
    e = get_object_or_404(JournalEntry.objects.select_related("reversal_of"), center=_center(request), voucher_no=voucher_no)
    return {
        "voucher_no": e.voucher_no, "business_date": e.business_date.isoformat(), "value_date": e.value_date.isoformat(),
        "source": e.source, "description": e.description, "total": e.total,
        "reversal_of": e.reversal_of.voucher_no if e.reversal_of else None,
        "lines": [{"line_no": ln.line_no, "account": ln.account.code, "debit": ln.debit, "credit": ln.credit, "memo": ln.memo}
                  for ln in e.lines.select_related("account").order_by("line_no")],
    }
