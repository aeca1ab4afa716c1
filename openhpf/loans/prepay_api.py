"""JSON API of prepayment, payoff, the 贷款结清证明 and the collateral (mounted at /api/v1/loans, before the loans
router). Money in fen (integers). `{number}` is the 贷款账号.

- `POST /{number}/prepay/quote` (`loans.operate`): 试算 of a partial prepayment {amount, mode: term|payment}.
- `POST /{number}/prepay` (`loans.operate`; money-moving, Idempotency-Key): pay it {amount, mode, bank_ref,
  expected_total, account (the 专户's ledger code; default the center's fund account)}; the new schedule version.
- `POST /{number}/payoff/quote`, `POST /{number}/payoff` (likewise): 提前结清.
- `POST /{number}/certificate` (`loans.operate`): issue the 贷款结清证明 (once); `GET /{number}/certificate`
  (`loans.view`, a personal read, audited): the sealed PDF.
- `POST /{number}/collateral/release` (`loans.operate`): 解除抵押 after settlement.
- `GET /{number}/collateral-events` (`loans.view`), `POST /{number}/collateral-events` (`loans.operate`): the
  registry's status feed {status, source_ref, on, detail} (idempotent per source_ref);
  `POST /collateral-events/{event_id}/handle` (`loans.operate`): {to: handling|closed, note}."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import Router, Schema

from openhpf.core.authz import staff_center_required
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.documents.pdf import content_disposition
from openhpf.settlement.selectors import fund_account_for_payments

from .closing import certificate_issue, certificate_read, collateral_release
from .models import Loan, LoanPayment, LoanScheduleVersion
from .payments import Funding
from .prepay import Quote, payoff_apply, payoff_quote, prepay_apply, prepay_quote
from .watch import collateral_event_handle, collateral_status_ingest, events_of

router = Router(tags=["个人住房贷款"])
OPERATE, VIEW = "loans.operate", "loans.view"


def _center(request: HttpRequest, perm: str) -> Center:
    return staff_center_required(request.user, perm=perm)


def _loan(center: Center, number: str) -> Loan:
    ln = Loan.objects.filter(center=center, number=number).first()
    if ln is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=number, field="number")
    return ln


def _funding(center: Center, account: str, bank_ref: str) -> Funding:
    if not bank_ref.strip():
        raise DomainError(ErrorCode.LOAN_PAYMENT_INVALID, detail="缺少银行流水号", field="bank_ref")
    if not account:
        bank = fund_account_for_payments(center.pk)
        if bank is None:
            raise DomainError(ErrorCode.LOAN_NO_FUND_ACCOUNT, field="account")
        account = bank.gl_account.code
    return Funding(account, bank_ref=bank_ref.strip())


def _quote_out(q: Quote) -> dict[str, Any]:
    return q.as_dict()


def _paid_out(pay: LoanPayment, v: LoanScheduleVersion) -> dict[str, Any]:
    ln = Loan.objects.get(pk=pay.loan_id)
    return {"loan": ln.number, "status": ln.status, "status_label": ln.get_status_display(),
            "outstanding": ln.outstanding, "reference": pay.reference, "amount": pay.amount,
            "prepaid_principal": pay.prepaid_principal, "interest": pay.interest + pay.overdue_interest,
            "penalty": pay.penalty, "voucher": pay.entry.voucher_no if pay.entry else "",
            "schedule": {"version": v.version, "reason": v.reason, "reason_label": v.get_reason_display(),
                         "from_period": v.from_period, "months": v.months, "payment": v.payment,
                         "annual_rate": str(v.annual_rate)}}


class PrepayQuoteIn(Schema):
    amount: int  # principal to prepay, fen
    mode: str  # term 缩短年限 | payment 减少月供


class PrepayIn(PrepayQuoteIn):
    bank_ref: str
    expected_total: int | None = None
    account: str = ""


class PayoffIn(Schema):
    bank_ref: str
    expected_total: int | None = None
    account: str = ""


@router.post("/{number}/prepay/quote", summary="部分提前还款试算（先还清已到期款项）")
def prepay_quote_api(request: HttpRequest, number: str, data: PrepayQuoteIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    return _quote_out(prepay_quote(loan=_loan(center, number), amount=data.amount, mode=data.mode,
                                   on=center.business_date))


def _operator(request: HttpRequest, number: str, **_: Any) -> Center:
    return _center(request, OPERATE)


@router.post("/{number}/prepay", summary="部分提前还款（缩短年限或减少月供），重算还款计划")
@idempotent(authorize=_operator, money_moving=True)
def prepay_api(request: HttpRequest, number: str, data: PrepayIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        ln = _loan(center, number)
        pay, v = prepay_apply(loan=ln, amount=data.amount, mode=data.mode, reference=f"PP{data.bank_ref.strip()}",
                              funding=_funding(center, data.account.strip(), data.bank_ref), actor=request.user,
                              business_date=center.business_date, expected_total=data.expected_total)
    return _paid_out(pay, v)


@router.post("/{number}/payoff/quote", summary="提前结清试算（本金及截至当日利息）")
def payoff_quote_api(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, OPERATE)
    return _quote_out(payoff_quote(loan=_loan(center, number), on=center.business_date))


@router.post("/{number}/payoff", summary="提前结清贷款")
@idempotent(authorize=_operator, money_moving=True)
def payoff_api(request: HttpRequest, number: str, data: PayoffIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        ln = _loan(center, number)
        pay, v = payoff_apply(loan=ln, reference=f"PO{data.bank_ref.strip()}",
                              funding=_funding(center, data.account.strip(), data.bank_ref), actor=request.user,
                              business_date=center.business_date, expected_total=data.expected_total)
    return _paid_out(pay, v)


@router.post("/{number}/certificate", summary="出具贷款结清证明（SM2 电子印章）")
def certificate_issue_api(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        cert = certificate_issue(loan=_loan(center, number), actor=request.user, business_date=center.business_date)
    return {"loan": number, "certificate": cert.number, "issued_on": cert.issued_on,
            "document_id": cert.document_id, "sm3": cert.document.sm3}


@router.get("/{number}/certificate", summary="下载贷款结清证明（PDF）")
def certificate_download(request: HttpRequest, number: str) -> FileResponse:
    center = _center(request, VIEW)
    cert = certificate_read(actor=request.user, number=number, center=center)
    resp = FileResponse(cert.document.file.open("rb"), content_type="application/pdf")
    resp["Content-Disposition"] = content_disposition(f"贷款结清证明-{cert.loan.number}.pdf")
    return resp


@router.post("/{number}/collateral/release", summary="解除抵押（结清后向不动产登记机构发送解押通知）")
def release_api(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        rel = collateral_release(loan=_loan(center, number), actor=request.user, business_date=center.business_date)
    return {"loan": number, "letter_no": rel.letter_no, "released_on": rel.released_on,
            "registry_status": rel.registry_status, "document_id": rel.document_id}


class CollateralStatusIn(Schema):
    status: str  # mortgaged | released | seized | sold
    source_ref: str  # the registry's business number
    on: date | None = None
    detail: str = ""


@router.get("/{number}/collateral-events", summary="抵押物状态变动与预警处置记录")
def collateral_events(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, VIEW)
    ln = _loan(center, number)
    return {"loan": number, "collateral_status": ln.collateral_status, "items": events_of(ln)}


@router.post("/{number}/collateral-events", summary="登记不动产登记机构推送的抵押物状态（按业务号幂等）")
def collateral_event_in(request: HttpRequest, number: str, data: CollateralStatusIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        ev, new = collateral_status_ingest(loan=_loan(center, number), status=data.status, source_ref=data.source_ref,
                                           on=data.on or center.business_date, actor=request.user, detail=data.detail)
    return {"id": ev.pk, "new": new, "status": ev.status, "handling": ev.handling,
            "handling_label": ev.get_handling_display()}


class HandleIn(Schema):
    to: str  # handling 处置中 | closed 已处置
    note: str = ""


@router.post("/collateral-events/{event_id}/handle", summary="抵押物预警处置（处置中、已处置）")
def collateral_event_handle_api(request: HttpRequest, event_id: int, data: HandleIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        from_center = Loan.objects.filter(collateral_events__pk=event_id, center=center).exists()
        if not from_center:
            raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=f"抵押物预警 {event_id}", field="event_id")
        ev = collateral_event_handle(event=event_id, to=data.to, note=data.note, actor=request.user,
                                     business_date=center.business_date)
    return {"id": ev.pk, "handling": ev.handling, "handling_label": ev.get_handling_display(),
            "handled_note": ev.handled_note}
