"""JSON API of loan servicing (mounted at /api/v1/loans before the loans router). Money in fen (integers).

- `GET /api/v1/loans/{number}/due` (`loans.view`): 应还明细 on the business date: penalty (estimate), overdue
  interest and principal, current interest and principal, total; the open dues with their overdue days.
- `POST /api/v1/loans/{number}/repayments` (`loans.operate`; Idempotency-Key): 柜台还款 of `amount` fen with the
  bank's `reference`; 409 LOAN_IN_COB while the close of business holds the loan, 422 LOAN_PAYMENT_INVALID for
  more than is due.
- `GET /api/v1/loans/{number}/payments` (`loans.view`): 还款记录 with the allocation of each payment.
- `POST /api/v1/loans/{number}/class` (`loans.operate`; Idempotency-Key): 五级分类人工认定 with reason and expiry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

try:  # django-ninja ≥ 1.5 answers a status other than 200 with Status(…); older ones with a tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

from openhpf.core.authz import staff_center_required
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center

from .override import class_override_set
from .repay import repayment_counter
from .selectors import loan_get
from .servicing_selectors import CLASS_LABELS, loan_due, loan_payments, payment_row

router = Router(tags=["个人住房贷款"])
VIEW, OPERATE = "loans.view", "loans.operate"


def _center(request: HttpRequest, perm: str) -> Center:
    return staff_center_required(request.user, perm=perm)


def _operator(request: HttpRequest, **_: Any) -> Center:
    return _center(request, OPERATE)


def _created(body: dict[str, Any]) -> Any:
    return Status(201, body) if Status is not None else (201, body)


@router.get("/{number}/due", summary="应还明细（罚息估算、逾期利息与本金、当期利息与本金）")
def due(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, VIEW)
    return loan_due(actor=request.user, center=center, number=number, on=center.business_date)


class RepaymentIn(Schema):
    amount: int  # fen
    reference: str  # the bank's reference of the money received at the counter


@router.post("/{number}/repayments", response={201: dict[str, Any]},
             summary="柜台还款（按罚息、逾期利息、逾期本金、当期利息、当期本金顺序冲还；日终批处理中返回 409）")
@idempotent(authorize=_operator, money_moving=True)
def repayments(request: HttpRequest, number: str, data: RepaymentIn):
    center = _center(request, OPERATE)
    loan = loan_get(center=center, number=number)
    with transaction.atomic(durable=True):
        pay = repayment_counter(loan_number=loan.number, amount=data.amount, reference=data.reference,
                                actor=request.user, business_date=center.business_date)
    loan.refresh_from_db()
    return _created({**payment_row(pay), "loan": loan.number, "loan_outstanding": loan.outstanding,
                     "loan_overdue_principal": loan.overdue_principal})


@router.get("/{number}/payments", summary="还款记录（含每笔的冲还明细）")
def payments(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, VIEW)
    return loan_payments(actor=request.user, center=center, number=number)


class ClassIn(Schema):
    to_class: str  # 01 正常 … 05 损失
    reason: str
    until: date | None = None


@router.post("/{number}/class", summary="五级分类人工认定（须说明理由并设定有效期）")
@idempotent(authorize=_operator)
def loan_class(request: HttpRequest, number: str, data: ClassIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    loan = loan_get(center=center, number=number)
    with transaction.atomic(durable=True):
        ch = class_override_set(loan_number=loan.number, to_class=data.to_class, reason=data.reason,
                                until=data.until, actor=request.user, business_date=center.business_date)
    return {"loan": loan.number, "risk_class": ch.to_class, "risk_class_label": CLASS_LABELS[ch.to_class],
            "from_class": ch.from_class, "until": ch.until, "reason": ch.reason, "on": ch.on}
