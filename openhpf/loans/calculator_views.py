"""The public calculator page (贷款试算, no sign-in, phone width): the inputs, the monthly payment, the total
interest and the schedule; the form answers with the result fragment through htmx (a whole page without it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openhpf.core.codes import RepaymentMethod
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen

from .calculator import HOMES, METHOD_NAMES, calculate, calculator_input, method_label
from .products import products_in_force

FIELDS = ("principal", "annual_rate", "months", "method", "first_due", "product", "home")


def _yuan(fen: int) -> str:
    return format_fen(fen)


def _result(request: HttpRequest) -> dict[str, Any]:
    q = {f: request.GET.get(f, "").strip() for f in FIELDS}
    if not q["principal"]:
        return {"q": q}
    try:
        data = calculator_input(principal=q["principal"], annual_rate=q["annual_rate"], months=q["months"],
                                method=q["method"] or "equal-installment", first_due=q["first_due"],
                                today=timezone.localdate(), product=q["product"], home=q["home"])
    except DomainError as e:
        return {"q": q, "error": e.message, "error_field": e.field}
    r = calculate(data)
    annuity = data.method == RepaymentMethod.ANNUITY
    rows = [{"period": p, "due": d, "payment": _yuan(a + i), "principal": _yuan(a), "interest": _yuan(i),
             "balance": _yuan(b)} for p, d, a, i, b in r.rows]
    return {"q": q, "result": {
        "principal": _yuan(data.principal), "rate": f"{data.annual_rate.normalize():f}%", "months": data.months,
        "method": method_label(data.method), "annuity": annuity, "first": _yuan(r.first_payment),
        "last": _yuan(r.last_payment), "interest": _yuan(r.total_interest), "total": _yuan(r.total_payment),
        "periods": len(r.rows), "first_due": data.first_due, "home": HOMES.get(data.home, ""),
        "decrease": _yuan(r.rows[0][2] + r.rows[0][3] - r.rows[1][2] - r.rows[1][3]) if len(r.rows) > 1 else "",
        "rows": rows}}


@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    context = _result(request)
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true":
        return render(request, "loans/_calculator_result.html", context)
    context["methods"] = [(k, method_label(v)) for k, v in METHOD_NAMES.items()]
    context["homes"] = list(HOMES.items())
    context["products"] = products_in_force(on=timezone.localdate())
    return render(request, "loans/calculator.html", context)
