"""The public calculator API (no sign-in, the general API rate limit per client IP applies), mounted at
/api/v1/loans/: `GET /calculator` with the principal in 元, the rate in % (or a product and first/second home
for the rate in force), the months, the method and the first due date; amounts in the answer in fen."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from openhpf.core.models import Center

from .calculator import calculate, calculator_input, method_label

router = Router(tags=["贷款试算"], auth=None)


class InstallmentOut(Schema):
    period: int
    due_date: date
    payment: int
    principal: int
    interest: int
    balance: int


class CalculatorOut(Schema):
    principal: int
    annual_rate: str
    months: int
    method: str
    method_name: str
    first_due: date
    product: str
    home: str
    first_payment: int
    last_payment: int
    total_interest: int
    total_payment: int
    periods: int
    schedule: list[InstallmentOut]


@router.get("/calculator", response=CalculatorOut,
            summary="贷款试算（无需认证）：月供、利息合计和还款计划（金额单位：分）")
def calculator(request: HttpRequest, principal: str = "", months: str = "", method: str = "equal-installment",
               annual_rate: str = "", first_due: str = "", product: str = "", home: str = "", center: str = ""):
    """principal 贷款金额（元）；annual_rate 年利率（%）；或 product 产品代码 + home first/second 取当日执行利率；
    months 期限（月）；method equal-installment 等额本息 / equal-principal 等额本金；first_due 首次还款日
    （默认下月今日）；center 中心代码（本中心的产品和利率）。"""
    own = Center.objects.filter(code=center).first() if center else None
    today = own.business_date if own is not None else timezone.localdate()
    data = calculator_input(principal=principal, annual_rate=annual_rate, months=months, method=method,
                            first_due=first_due, today=today, product=product, home=home, center=own)
    r = calculate(data)
    return {"principal": data.principal, "annual_rate": f"{data.annual_rate.normalize():f}", "months": data.months,
            "method": data.method, "method_name": method_label(data.method), "first_due": data.first_due,
            "product": data.product, "home": data.home, "first_payment": r.first_payment,
            "last_payment": r.last_payment, "total_interest": r.total_interest, "total_payment": r.total_payment,
            "periods": len(r.rows),
            "schedule": [{"period": p, "due_date": d, "payment": a + i, "principal": a, "interest": i, "balance": b}
                         for p, d, a, i, b in r.rows]}
