"""Console pages of the ledger (账务): the trial balance (试算平衡表) of a month, in yuan."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openhpf.core.authz import permission_required, staff_center
from openhpf.core.money import format_fen

from .selectors import TrialBalanceRow, trial_balance

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def _period(value: str, default: tuple[int, int]) -> tuple[tuple[int, int], str | None]:
    """'2026-11' → (2026, 11); anything else → the default and an error message (empty → no message)."""
    m = PERIOD.match((value or "").strip())
    if m and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) >= 1900:
        return (int(m.group(1)), int(m.group(2))), None
    return default, (f"会计期间“{value}”格式不正确，应为 YYYY-MM" if value else None)


def _totals(rows: list[TrialBalanceRow]) -> dict[str, Any]:
    """Totals over the top-level accounts (3-digit codes; children roll up into them), as `hpf trial_balance`."""
    top = [r for r in rows if len(r.code) == 3]
    debit, credit = sum(r.debit for r in top), sum(r.credit for r in top)
    closing_d = sum(r.closing for r in top if r.normal_side == "D")
    closing_c = sum(r.closing for r in top if r.normal_side == "C")
    return {"debit": format_fen(debit), "credit": format_fen(credit), "closing_debit": format_fen(closing_d),
            "closing_credit": format_fen(closing_c), "balanced": debit == credit and closing_d == closing_c}


@require_GET
@permission_required("ledger.view")
def home(request: HttpRequest) -> HttpResponse:
    center = staff_center(request.user)
    if center is None:
        raise PermissionDenied("当前用户未归属任何管理中心")
    bd = center.business_date
    (year, month), error = _period(request.GET.get("period", ""), (bd.year, bd.month))
    show_all = request.GET.get("all") == "1"
    rows = trial_balance(center=center, year=year, month=month, user=request.user)
    shown = [
        {"code": r.code, "name": r.name, "side": "借" if r.normal_side == "D" else "贷", "depth": (len(r.code) - 3) // 2,
         "opening": format_fen(r.opening), "debit": format_fen(r.debit), "credit": format_fen(r.credit),
         "closing": format_fen(r.closing)}
        for r in rows if show_all or r.opening or r.debit or r.credit or r.closing
    ]
    ctx = {"period": f"{year:04d}-{month:02d}", "error": error, "show_all": show_all, "rows": shown,
           "hidden": len(rows) - len(shown), "totals": _totals(rows)}
    return render(request, "ledger/home.html", ctx)
