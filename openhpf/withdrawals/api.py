"""JSON API of 提取 (mounted at /api/v1/withdrawals/): members' bank cards (结算卡), withdrawal applications,
司法扣划. Money in integer fen.

- `GET /members/{account_no}/cards`: the member's cards, newest first, masked; the read is audited.
- `POST /members/{account_no}/cards`: register or change a card (accounts.change); it waits for verification.
- `POST /cards/{card_id}/verify`: a second person (applications.review) confirms or refuses it.
- `POST /applications`: file a withdrawal for a member at the counter (applications.accept): the reason (item code
  or reason code), its payload, the materials (base64); every problem at once (APPLICATION_PROBLEMS, `details.problems`),
  nothing written; else submitted and 受理 in one transaction, 201 with the application.
- `GET /applications?member=个人账号&page=&page_size=`: the member's withdrawals (`{total, page, page_size, items}`),
  the engine's rows, audited as the engine's list.
- `GET /applications/{number}`: the engine's detail (rule results, clocks, timeline) plus the payout and the 3 日
  limit.
- `POST /batches` (settlement.operate): 批量支付 of the approved, held withdrawals, one batch of the partial ones and
  one of the closing ones (interest to date per item; a joint application's two accounts together or not at
  all), each waiting for a checker; `GET /batches/{seq}` (masked); `POST /batches/{seq}/release`
  (approvals.approve, never the maker).
- `POST /court-deductions` (accounts.freeze): enter a 协助执行通知书 for a checker; `GET /court-deductions/{number}`;
  `POST /court-deductions/{number}/pay` (settlement.operate). The checker approves the command in 复核."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from openhpf.access.selectors import check_permission
from openhpf.accounts.selectors import member_account_get
from openhpf.applications import registry
from openhpf.applications import services as engine
from openhpf.applications.api import ApplicationOut, ApplicationPageOut, MaterialIn, material_decode
from openhpf.applications.selectors import ApplicationFilter, application_detail, application_page
from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.core.api_errors import ErrorOut
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.masking import mask_name
from openhpf.core.models import Center
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.iam.services import staff_center

from . import batch
from .cards import card_add, card_get, card_verify, cards_of
from .court import PAY_PERMISSION, court_deduction_get, court_deduction_pay, court_deduction_submit
from .court import PERMISSION as COURT_PERMISSION
from .models import BankCard, CourtDeduction, Payout, ReasonConfig
from .selectors import legal_limit, withdrawal_items

router = Router(tags=["提取"])
ERR: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CardOut(Schema):
    id: int
    card_no: str  # masked: the last four digits only
    bank_code: str
    bank_name: str
    holder_name: str  # masked
    status: str
    status_label: str
    created_on: date
    verified_on: date | None


class CardIn(Schema):
    card_no: str
    bank_code: str
    bank_name: str
    holder_name: str
    reason: str = ""


class VerifyIn(Schema):
    ok: bool = True
    note: str = ""


def _out(c: BankCard) -> dict[str, Any]:
    return {"id": c.pk, "card_no": c.masked, "bank_code": c.bank_code, "bank_name": c.bank_name,
            "holder_name": mask_name(c.holder_name), "status": c.status, "status_label": c.get_status_display(),
            "created_on": c.created_on, "verified_on": c.verified_on}


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


@router.get("/members/{account_no}/cards", response={200: list[CardOut], **ERR}, summary="职工结算银行卡（脱敏）")
def cards_list(request: HttpRequest, account_no: str) -> Any:
    center = _center(request)
    account = member_account_get(center=center, account_no=account_no, user=request.user)
    return [_out(c) for c in cards_of(member=account.member, actor=request.user, business_date=center.business_date)]


@router.post("/members/{account_no}/cards", response={201: CardOut, **ERR}, summary="登记或变更职工结算银行卡")
@idempotent(authorize=_may("accounts.change"))
def cards_add(request: HttpRequest, account_no: str, payload: CardIn) -> Any:
    center = _center(request)
    account = member_account_get(center=center, account_no=account_no, user=request.user)
    with transaction.atomic(durable=True):
        card = card_add(member=account.member, card_no=payload.card_no, bank_code=payload.bank_code,
                        bank_name=payload.bank_name, holder_name=payload.holder_name, reason=payload.reason,
                        actor=request.user, business_date=center.business_date)
    return 201, _out(card)


@router.post("/cards/{card_id}/verify", response={200: CardOut, **ERR}, summary="核验职工结算银行卡（另一人）")
@idempotent(authorize=_may("applications.review"))
def cards_verify(request: HttpRequest, card_id: int, payload: VerifyIn) -> Any:
    center = _center(request)
    with transaction.atomic(durable=True):
        card = card_verify(card=card_get(pk=card_id, center=center), actor=request.user,
                           business_date=center.business_date, ok=payload.ok, note=payload.note)
    return 200, _out(card)


# ---------------------------------------------------------------- withdrawal applications



class WithdrawalIn(Schema):
    account_no: str  # the member's 个人账号
    item: str  # the reason: its item code (HPF-P-WD-07) or reason code (07)
    payload: dict[str, Any]  # the reason's payload; amounts in fen
    materials: list[MaterialIn] = []


class PayoutOut(Schema):
    state: str
    state_label: str
    held: int
    amount: int
    interest: int
    instruction_seq: str
    bank_seq: str
    paid_on: date | None
    message: str


class LimitOut(Schema):
    legal_due: date | None
    days_left: int | None
    overdue: bool
    paused: bool
    text: str


class WithdrawalOut(ApplicationOut):
    payout: PayoutOut | None
    limit: LimitOut


def _item_code(raw: str) -> str:
    raw = raw.strip()
    cfg = ReasonConfig.objects.filter(item_code=raw).first() or ReasonConfig.objects.filter(reason_code=raw).first()
    if cfg is None:
        raise DomainError(ErrorCode.WITHDRAWAL_REASON_UNKNOWN, item=raw or "—", field="item")
    return cfg.item_code


def _decode(materials: list[MaterialIn]) -> list[tuple[MaterialIn, bytes]]:
    out: list[tuple[MaterialIn, bytes]] = []
    bad: list[str] = []
    for m in materials:
        content = material_decode(m, bad)
        if content is not None:
            out.append((m, content))
    if bad:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(bad), problems="；".join(bad),
                          details={"problems": bad}, field="materials")
    return out


def _precheck(app: Any, codes: set[str]) -> None:
    """Every problem of the payload and every missing material at once, before any file is stored."""
    handler = registry.handler_for(app.item_code, app.item_version.name)
    _payload, problems = handler.validate(dict(app.payload), app)
    known = {m["code"] for m in app.item_version.materials}
    problems += [f"申请材料代码不正确：{c}" for c in sorted(codes - known)]
    problems += [f"缺少申请材料：{m['name']}" for m in app.item_version.materials
                 if m["required"] and m["code"] not in codes]
    if problems:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(problems), problems="；".join(problems),
                          details={"problems": problems})


def _detail(request: HttpRequest, center: Center, number: str) -> dict[str, Any]:
    out = application_detail(actor=request.user, number=number, center=center)
    if out["item_code"] not in withdrawal_items():
        raise DomainError(ErrorCode.APPLICATION_NOT_FOUND, number=number, field="number")
    p = Payout.objects.filter(application__center=center, application__number=number).first()
    out["payout"] = None if p is None else {
        "state": p.state, "state_label": p.get_state_display(), "held": p.held, "amount": p.amount,
        "interest": p.interest, "instruction_seq": p.instruction_seq, "bank_seq": p.bank_seq, "paid_on": p.paid_on,
        "message": p.message}
    app = engine.Application.objects.get(center=center, number=number)
    lim = legal_limit(app, center.business_date)
    out["limit"] = {"legal_due": lim.legal_due, "days_left": lim.days_left, "overdue": lim.overdue,
                    "paused": lim.paused, "text": lim.text}
    return out


@router.post("/applications", response={201: WithdrawalOut, **ERR}, summary="柜面代职工申请提取（一次告知全部问题）")
@idempotent(authorize=_may("applications.accept"), money_moving=True)
def withdrawal_file(request: HttpRequest, payload: WithdrawalIn) -> Any:
    center = _center(request)
    check_permission(request.user, "applications.accept", center=center)
    item = _item_code(payload.item)
    files = _decode(payload.materials)
    actor, day = request.user, center.business_date
    with transaction.atomic(durable=True):
        acct = member_account_get(center=center, account_no=payload.account_no.strip(), user=actor)
        app = engine.application_create(center=center, item_code=item, channel=Channel.COUNTER,
                                        identity_level=IdentityLevel.COUNTER_CHECK, actor=actor, business_date=day,
                                        payload=dict(payload.payload), member_id=acct.member_id,
                                        branch_id=acct.branch_id)
        _precheck(app, {m.code for m, _ in files})
        for m, content in files:
            doc = document_store(center=center, content=content, original_name=m.file_name[:200] or m.code,
                                 doc_type=m.code if m.code in DocType.values else DocType.OTHER,
                                 retention=RetentionClass.LONG_30Y, actor=actor, business_date=day, obj=app,
                                 content_type=m.content_type[:100])
            engine.application_attach(application=app, material_code=m.code, document=doc, actor=actor,
                                      business_date=day)
        app = engine.application_submit(application=app, actor=actor, business_date=day)
        app = engine.application_accept(application=app, actor=actor, business_date=day)
    return 201, _detail(request, center, app.number)


@router.get("/applications", response={200: ApplicationPageOut, **ERR},
            summary="提取办件（member=个人账号：该职工的；可按状态筛选；分页，total 为真实总数）")
def withdrawal_list(request: HttpRequest, member: str = "", state: str = "", page: int = 1,
                    page_size: int = 50) -> Any:
    center = _center(request)
    member_id = None
    if member.strip():
        member_id = member_account_get(center=center, account_no=member.strip(), user=request.user).member_id
    found = application_page(actor=request.user, center=center, page=page, page_size=page_size,
                             filters=ApplicationFilter(member_id=member_id, state=state.strip(),
                                                       items=tuple(withdrawal_items())))
    return {"items": found.items, "total": found.total, "page": found.page, "page_size": found.page_size}


@router.get("/applications/{number}", response={200: WithdrawalOut, **ERR},
            summary="一件提取办件：规则结果、时限、流转记录与支付状态")
def withdrawal_get(request: HttpRequest, number: str) -> Any:
    return _detail(request, _center(request), number)


# ---------------------------------------------------------------- 司法扣划


class CourtIn(Schema):
    account_no: str
    document_no: str  # 协助执行通知书文号
    court: str
    amount: int  # fen
    payee_account: str
    payee_name: str
    payee_bank: str = ""


class CourtOut(Schema):
    number: str
    account_no: str
    document_no: str
    court: str
    amount: int
    payee_account: str
    payee_name: str
    state: str
    state_label: str
    command_id: int | None
    frozen_before: int
    frozen_after: int
    instruction_seq: str
    bank_seq: str
    made_by: str
    approved_by: str
    paid_on: date | None
    message: str


def _court_out(d: CourtDeduction) -> dict[str, Any]:
    return {"number": d.number, "account_no": d.account.account_no, "document_no": d.document_no, "court": d.court,
            "amount": d.amount, "payee_account": d.payee_account, "payee_name": d.payee_name, "state": d.state,
            "state_label": d.get_state_display(), "command_id": d.command_id, "frozen_before": d.frozen_before,
            "frozen_after": d.frozen_after, "instruction_seq": d.instruction_seq, "bank_seq": d.bank_seq,
            "made_by": d.made_by, "approved_by": d.approved_by, "paid_on": d.paid_on, "message": d.message}


@router.post("/court-deductions", response={201: CourtOut, **ERR}, summary="登记司法扣划（协助执行通知书，待复核）")
@idempotent(authorize=_may(COURT_PERMISSION), money_moving=True)
def court_add(request: HttpRequest, payload: CourtIn) -> Any:
    center = _center(request)
    with transaction.atomic(durable=True):
        d = court_deduction_submit(center=center, params=payload.dict(), actor=request.user,
                                   business_date=center.business_date)
    return 201, _court_out(court_deduction_get(center=center, number=d.number))


@router.get("/court-deductions/{number}", response={200: CourtOut, **ERR}, summary="一笔司法扣划")
def court_get(request: HttpRequest, number: str) -> Any:
    center = _center(request)
    check_permission(request.user, "accounts.view", center=center)
    return _court_out(court_deduction_get(center=center, number=number))


@router.post("/court-deductions/{number}/pay", response={200: CourtOut, **ERR}, summary="司法扣划付款至法院账户")
@idempotent(authorize=_may(PAY_PERMISSION), money_moving=True)
def court_pay(request: HttpRequest, number: str) -> Any:
    center = _center(request)
    with transaction.atomic(durable=True):
        d = court_deduction_pay(deduction=court_deduction_get(center=center, number=number), actor=request.user,
                                business_date=center.business_date)
    return 200, _court_out(court_deduction_get(center=center, number=d.number))


# ---------------------------------------------------------------- 批量支付 (batch payout of approved withdrawals)


class BatchItemOut(Schema):
    application: str
    amount: int  # fen, a closing item with its interest to date
    interest: int
    card: str  # masked: the last four digits only
    state: str
    state_label: str


class BatchOut(Schema):
    seq: str
    state: str
    state_label: str
    closing: bool
    count: int
    total: int
    total_yuan: str
    release_command: int | None  # while it waits for its checker
    items: list[BatchItemOut]


class BatchIn(Schema):
    pass


class BatchReleaseIn(Schema):
    reason: str = ""


@router.post("/batches", response={201: list[BatchOut], **ERR}, summary="提取批量支付（部分提取、销户提取各一批，待复核放行）")
@idempotent(authorize=_may("settlement.operate"), money_moving=True)
def batches_make(request: HttpRequest, payload: BatchIn) -> Any:
    center = _center(request)
    made = batch.payout_batches(center=center, actor=request.user, business_date=center.business_date)
    return 201, [batch.batch_summary(ins) for ins in made]


@router.get("/batches/{seq}", response={200: BatchOut, **ERR}, summary="一笔提取批量支付（收款卡脱敏）")
def batches_get(request: HttpRequest, seq: str) -> Any:
    center = _may("applications.view")(request)
    return batch.batch_summary(batch.batch_get(center=center, seq=seq))


@router.post("/batches/{seq}/release", response={200: BatchOut, **ERR}, summary="复核放行提取批量支付（四眼）")
@idempotent(authorize=_may("approvals.approve"), money_moving=True)
def batches_release(request: HttpRequest, seq: str, payload: BatchReleaseIn) -> Any:
    center = _center(request)
    ins = batch.batch_release(center=center, seq=seq, actor=request.user, business_date=center.business_date,
                              reason=payload.reason)
    return 200, batch.batch_summary(ins)
