"""JSON API of 约定提取 / 逐月代扣 (mounted at /api/v1/withdrawals/agreements). Errors in the one shape, in Chinese.

- `GET /agreements?status=&account_no=&page=&page_size=`: the center's agreements, paged
  `{total, page, page_size, items}`, the member's name and the repayment account masked, the read audited
  (applications.view).
- `POST /agreements`: submit an agreement to sign (accounts.change); it waits for a checker (approvals command
  `withdrawals.agreement_sign`, approved at `/api/v1/approvals/commands/{id}/approve`, never by its maker).
- `GET /agreements/{id}`; `POST /agreements/{id}/stop`: submit its stop (the same maker-checker path).
- `GET /agreements/runs`, `GET /agreements/runs/{id}`, `GET /agreements/runs/{id}/items?state=`: the monthly
  runs and their items, paged; a run whose batch waits for a checker shows its `release_command`.
- `POST /agreements/runs` `{month: "YYYY-MM"}`: start the month's run by hand (settlement.operate; the day-end
  step does it every day; idempotent per agreement and month).
- `POST /agreements/runs/{id}/release`: the checker releases the run's batch (four eyes, approvals.approve
  and the approvals command's own checks; the same as approving `release_command`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from openhpf.access.selectors import check_permission
from openhpf.accounts.selectors import member_account_get
from openhpf.core.api_errors import ErrorOut
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.iam.services import staff_center

from . import agreed

router = Router(tags=["提取"])
ERR: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AgreementOut(Schema):
    id: int
    account_no: str
    member_name: str  # masked
    loan_kind: str
    loan_kind_label: str
    contract_no: str
    bank_name: str
    repay_account: str  # masked: the last four digits only
    repay_name: str  # masked
    installment: int
    amount_rule: str
    amount_rule_label: str
    monthly_amount: int
    start_month: date
    end_month: date | None
    status: str
    status_label: str
    signed_on: date | None
    stopped_on: date | None
    stop_reason: str
    command_id: int | None
    made_by: str
    checked_by: str


class AgreementPage(Schema):
    total: int
    page: int
    page_size: int
    items: list[AgreementOut]


class AgreementIn(Schema):
    account_no: str
    loan_kind: str  # hpf | commercial
    contract_no: str
    installment: int = 0  # fen; an HPF loan's comes from the loan
    amount_rule: str = "installment"  # installment | fixed
    fixed_amount: int = 0
    start_month: date
    end_month: date | None = None
    bank_code: str = ""
    bank_name: str = ""
    repay_account: str = ""
    repay_name: str = ""


class AgreedStopIn(Schema):
    reason: str


class AgreedReportRow(Schema):
    state: str
    state_name: str
    reason: str
    count: int
    amount: int


class AgreedRunOut(Schema):
    id: int
    month: str
    business_date: date
    status: str
    status_label: str
    count: int
    total: int
    skipped: int
    paid: int
    failed: int
    instruction_seq: str
    instruction_state: str
    instruction_state_label: str
    release_command: int | None
    report: list[AgreedReportRow]


class AgreedRunPage(Schema):
    total: int
    page: int
    page_size: int
    items: list[AgreedRunOut]


class AgreedRunItemOut(Schema):
    id: int
    agreement: int
    contract_no: str
    amount: int
    state: str
    state_label: str
    reason: str


class AgreedRunItemPage(Schema):
    total: int
    page: int
    page_size: int
    items: list[AgreedRunItemOut]


class AgreedRunIn(Schema):
    month: str


class AgreedReleaseIn(Schema):
    reason: str = ""


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise HttpError(403, "当前用户未归属任何管理中心")
    return center


def _may(perm: str) -> Any:
    def authorize(request: HttpRequest, **_: Any) -> Center:
        center = _center(request)
        check_permission(request.user, perm, center=center)
        return center

    return authorize


def _paged(p: Any) -> dict[str, Any]:
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": p.items}


@router.get("", response={200: AgreementPage, **ERR}, summary="约定提取协议列表（脱敏，分页）")
def agreements_list(request: HttpRequest, status: str = "", account_no: str = "", page: int = 1,
                    page_size: int = 50) -> Any:
    center = _may("applications.view")(request)
    return _paged(agreed.agreements_page(center=center, actor=request.user, status=status, account_no=account_no,
                                         page=page, page_size=page_size))


@router.post("", response={201: AgreementOut, **ERR}, summary="签订约定提取协议（提交复核）")
@idempotent(authorize=_may("accounts.change"), money_moving=True)  # it authorizes monthly debits
def agreements_sign(request: HttpRequest, payload: AgreementIn) -> Any:
    center = _center(request)
    account = member_account_get(center=center, account_no=payload.account_no, user=request.user)
    with transaction.atomic(durable=True):
        ag = agreed.agreement_sign(
            account=account, loan_kind=payload.loan_kind, contract_no=payload.contract_no,
            installment=payload.installment, amount_rule=payload.amount_rule, fixed_amount=payload.fixed_amount,
            start_month=payload.start_month, end_month=payload.end_month, bank_code=payload.bank_code,
            bank_name=payload.bank_name, repay_account=payload.repay_account, repay_name=payload.repay_name,
            actor=request.user, business_date=center.business_date)
    return 201, agreed.agreement_summary(agreed.agreement_get(center=center, pk=ag.pk))


@router.get("/runs", response={200: AgreedRunPage, **ERR}, summary="约定提取批次列表（分页）")
def runs_list(request: HttpRequest, page: int = 1, page_size: int = 50) -> Any:
    center = _may("applications.view")(request)
    return _paged(agreed.runs_page(center=center, page=page, page_size=page_size))


@router.post("/runs", response={200: AgreedRunOut, **ERR}, summary="运行本月约定提取（预留、提交批量付款待复核）")
@idempotent(authorize=_may("settlement.operate"), money_moving=True)
def runs_start(request: HttpRequest, payload: AgreedRunIn) -> Any:
    center = _center(request)
    run = agreed.agreed_run_month(center=center, month=payload.month, actor=request.user,
                                  business_date=center.business_date)
    return 200, agreed.run_summary(run)


@router.get("/runs/{run_id}", response={200: AgreedRunOut, **ERR}, summary="约定提取批次详情")
def runs_get(request: HttpRequest, run_id: int) -> Any:
    center = _may("applications.view")(request)
    return agreed.run_summary(agreed.run_get(center=center, pk=run_id))


@router.get("/runs/{run_id}/items", response={200: AgreedRunItemPage, **ERR}, summary="约定提取批次明细（分页）")
def runs_items(request: HttpRequest, run_id: int, state: str = "", page: int = 1, page_size: int = 50) -> Any:
    center = _may("applications.view")(request)
    return _paged(agreed.run_items_page(run=agreed.run_get(center=center, pk=run_id), state=state, page=page,
                                        page_size=page_size))


@router.post("/runs/{run_id}/release", response={200: AgreedRunOut, **ERR}, summary="复核放行约定提取批量付款（四眼）")
@idempotent(authorize=_may("approvals.approve"), money_moving=True)
def runs_release(request: HttpRequest, run_id: int, payload: AgreedReleaseIn) -> Any:
    center = _center(request)
    run = agreed.agreed_release(run=agreed.run_get(center=center, pk=run_id), actor=request.user,
                                business_date=center.business_date, reason=payload.reason)
    return 200, agreed.run_summary(run)


@router.get("/{agreement_id}", response={200: AgreementOut, **ERR}, summary="约定提取协议详情（脱敏）")
def agreements_get(request: HttpRequest, agreement_id: int) -> Any:
    center = _may("applications.view")(request)
    return agreed.agreement_read(center=center, pk=agreement_id, actor=request.user)


@router.post("/{agreement_id}/stop", response={200: AgreementOut, **ERR}, summary="终止约定提取协议（提交复核）")
@idempotent(authorize=_may("accounts.change"), money_moving=True)  # it authorizes monthly debits
def agreements_stop(request: HttpRequest, agreement_id: int, payload: AgreedStopIn) -> Any:
    center = _center(request)
    with transaction.atomic(durable=True):
        ag = agreed.agreement_stop(agreement=agreed.agreement_get(center=center, pk=agreement_id),
                                   reason=payload.reason, actor=request.user, business_date=center.business_date)
    return 200, agreed.agreement_summary(agreed.agreement_get(center=center, pk=ag.pk))
