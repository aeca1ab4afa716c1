"""JSON API of bank settlement (mounted at /api/v1/settlement/): 专户, instructions, notices, day-end, payees.
A payment held for a checker (at or above the maker-checker threshold, or to a payee not registered) answers 202
with state `held` and `hold.code` INSTRUCTION_HELD; a channel change or a payee answers 202 with its command.
Writes open their own transaction; sending and querying happen outside it (network calls). Every POST is
idempotent by its `Idempotency-Key` (core/idempotency.py); a payment's key is its instruction's `source_ref`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from openhpf.access.services import personal_data_unmask
from openhpf.core import idempotency
from openhpf.core.codes import SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.core.paging import paginate
from openhpf.iam.services import staff_center_required
from openhpf.jobs.dayend import dayend_run

from . import four_eyes, selectors, services
from .models import BankAccount, Instruction

try:  # django-ninja ≥ 1.5; older versions take a (status, body) tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

router = Router(tags=["银行结算"])


def _center(request: HttpRequest, perm: str = "settlement.view") -> Center:
    return staff_center_required(request.user, perm=perm)


def _operator(request: HttpRequest, **_: Any) -> Center:
    return _center(request, "settlement.operate")


def _account(center: Center, no: str) -> BankAccount:
    a = BankAccount.objects.filter(center=center, account_no=no).select_related("gl_account").first()
    if a is None:
        raise DomainError(ErrorCode.BANK_ACCOUNT_UNKNOWN, f"专户 {no} 不存在", field="account_no")
    return a


def _ins(i: Instruction) -> dict[str, Any]:
    return {"seq": i.seq, "code": i.code, "biz_type": i.biz_type, "direction": i.direction,
            "account_no": i.bank_account.account_no, "amount": i.amount, "count": i.count, "state": i.state,
            "state_label": i.get_state_display(), "result": i.result, "message": i.message, "bank_seq": i.bank_seq,
            "resolved_by": i.resolved_by, "business_date": i.business_date, "settled_date": i.settled_date}


class AccountIn(Schema):
    bank_code: str
    bank_name: str
    account_no: str
    account_name: str = ""
    kind: str = "101"
    url: str = ""


class ChannelIn(Schema):
    bank_code: str
    url: str
    timeout_seconds: int = 10
    notify_token: str = ""


class PayeeIn(Schema):
    account_no: str
    account_name: str
    bank_name: str = ""
    kind: str = "counterparty"


def _accepted(body: dict[str, Any]) -> Any:
    return Status(202, body) if Status is not None else (202, body)


def _command_out(cmd: Any) -> dict[str, Any]:
    return {"command": cmd.pk, "name": cmd.name, "status": cmd.status, "summary": cmd.summary,
            "code": ErrorCode.MAKER_CHECKER_REQUIRED.value, "message": ErrorCode.MAKER_CHECKER_REQUIRED.template}


def _checked_request(request: HttpRequest, submit: Callable[[Center], Any]) -> Any:
    """A request that takes effect when a checker approves it (a channel change, a payee): made by the operator
    at the staff member's center, answered 202 with its pending command."""
    center = _center(request, "settlement.operate")
    with transaction.atomic(durable=True):
        cmd = submit(center)
    return _accepted(_command_out(cmd))


class PaymentIn(Schema):
    account_no: str
    amount: int
    payee_account: str
    payee_name: str
    book_account: str
    biz_type: str = SettlementBizType.OTHER.value
    summary: str = ""
    send: bool = True


@router.get("/accounts", summary="专户列表（账面余额、在途预留、可用）")
def accounts(request: HttpRequest):
    center = _center(request)
    return [{"account_no": r.account.account_no, "bank_code": r.account.bank_code, "bank_name": r.account.bank_name,
             "kind": r.account.kind, "gl": r.account.gl_account.code, "book_balance": r.book_balance,
             "reserved": r.reserved, "available": r.available, "channel": r.channel_url}
            for r in selectors.bank_accounts(center=center, user=request.user)]


@router.post("/accounts", summary="开立专户（可同时申请设置银行接口地址：接口变更须经复核）")
@idempotent(authorize=_operator, money_moving=True)
def account_open(request: HttpRequest, payload: AccountIn):
    center = _center(request, "settlement.operate")
    with transaction.atomic(durable=True):
        a = services.bank_account_open(center=center, bank_code=payload.bank_code, bank_name=payload.bank_name,
                                       account_no=payload.account_no, account_name=payload.account_name,
                                       kind=payload.kind, actor=request.user, business_date=center.business_date)
        cmd = services.bank_channel_request(center=center, bank_code=payload.bank_code, url=payload.url,
                                            actor=request.user) if payload.url else None
    out: dict[str, Any] = {"account_no": a.account_no, "gl": a.gl_account.code}
    if cmd is not None:
        out["channel"] = _command_out(cmd)
    return out


@router.post("/channels", summary="申请变更银行接口（地址、超时、推送令牌）：复核人批准后生效", response={202: dict})
@idempotent(authorize=_operator, money_moving=True)
def channel_request(request: HttpRequest, payload: ChannelIn):
    return _checked_request(request, lambda center: services.bank_channel_request(
        center=center, bank_code=payload.bank_code, url=payload.url, timeout_seconds=payload.timeout_seconds,
        notify_token=payload.notify_token, actor=request.user))


@router.get("/payees", summary="登记收款人列表")
def payee_list(request: HttpRequest):
    """Account numbers and names masked by the reader's clearance; the read is audited (settlement.payee.list)."""
    center = _center(request)
    return [asdict(p) for p in selectors.payees(center=center, actor=request.user)]


UNMASK = "personal_data.unmask"


class PayeeUnmaskIn(Schema):
    fields: list[str]
    reason: str


@router.post("/payees/{pk}/unmask", response={200: dict[str, str]},
             summary="查看登记收款人的明文账号或户名（须填写理由，记入审计）")
def payee_unmask(request: HttpRequest, pk: int, data: PayeeUnmaskIn):
    center = _center(request, UNMASK)
    payee = selectors.payee_get(center=center, pk=pk, user=request.user, perm=UNMASK)
    with transaction.atomic(durable=True):
        values = personal_data_unmask(user=request.user, obj=payee, fields=data.fields, reason=data.reason)
    return {k: "" if v is None else str(v) for k, v in values.items()}


@router.post("/payees", summary="登记收款人（经复核后生效）", response={202: dict})
@idempotent(authorize=_operator, money_moving=True)
def payee_add(request: HttpRequest, payload: PayeeIn):
    return _checked_request(request, lambda center: services.payee_request(
        center=center, account_no=payload.account_no, account_name=payload.account_name, bank_name=payload.bank_name,
        kind=payload.kind, actor=request.user))


@router.get("/instructions", summary="结算指令（按状态筛选，新的在前；分页，total 为符合条件的总数）")
def instruction_list(request: HttpRequest, state: str = "", page: int = 1, page_size: int = 50):
    center = _center(request)
    p = paginate(selectors.instructions(center=center, user=request.user, state=state), page, page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": [_ins(i) for i in p.items]}


def _not_failed(status: int | None, body: Any) -> bool:
    """A payment the bank refused is not stored under its key: a retry with the key is a new attempt."""
    return body.get("state") != Instruction.State.FAILED


@router.post("/payments", summary="单笔付款（BDC101）：预留金额、发送；结果未知时以查证（BDC110）确认。"
             "达到复核限额或收款人未登记时答复 202（state=held，INSTRUCTION_HELD），复核放行后才发送。"
             "Idempotency-Key 即指令的来源业务编号：重试返回同一指令，银行明确失败后重试为新的一次尝试",
             response={200: dict, 202: dict})
@idempotent(authorize=_operator, money_moving=True, store_if=_not_failed)
def payment(request: HttpRequest, payload: PaymentIn):
    center = _center(request, "settlement.operate")
    key = idempotency.current(request)
    with transaction.atomic(durable=True):
        ins = services.payment_submit(
            center=center, bank_account=_account(center, payload.account_no), amount=payload.amount,
            payee_account=payload.payee_account, payee_name=payload.payee_name, biz_type=payload.biz_type,
            book_account=payload.book_account, summary=payload.summary, actor=request.user,
            business_date=center.business_date,
            # the caller's key, per caller: (center, source, source_ref) is unique
            source=f"api:{key.principal}" if key else "api", source_ref=key.key if key else "")
    if ins.state == Instruction.State.HELD:
        return _accepted({**_ins(ins), "hold": four_eyes.held_answer(ins)})
    if payload.send:
        ins = services.instruction_send(instruction=ins, actor=request.user, business_date=center.business_date)
    return _ins(ins)


@router.post("/instructions/{seq}/resolve", summary="指令查证（BDC110 / 批量 BDC107、BDC108）")
@idempotent(authorize=_operator, money_moving=True)
def resolve(request: HttpRequest, seq: str):
    center = _center(request, "settlement.operate")
    ins = Instruction.objects.filter(center=center, seq=seq).first()
    if ins is None:
        raise DomainError(ErrorCode.INSTRUCTION_UNKNOWN, f"指令 {seq} 不存在", field="seq")
    if ins.state == Instruction.State.HELD:
        raise DomainError(ErrorCode.INSTRUCTION_HELD, f"结算指令 {seq} 待复核放行：复核人批准后才发送银行", field="seq")
    if ins.state == Instruction.State.CREATED:
        ins = services.instruction_send(instruction=ins, actor=request.user, business_date=center.business_date)
    else:
        ins = services.instruction_resolve(instruction=ins, actor=request.user, business_date=center.business_date)
    return _ins(Instruction.objects.select_related("bank_account").get(pk=ins.pk))


@router.post("/notices/pull", summary="拉取账户变动通知（BDC124）并登记到账")
@idempotent(authorize=_operator, money_moving=True)
def notices_pull(request: HttpRequest):
    center = _center(request, "settlement.operate")
    return services.notices_pull(center=center, actor=request.user, business_date=center.business_date)


@router.post("/dayend", summary="运行（或续跑）当前业务日期的日终")
@idempotent(authorize=_operator, money_moving=True)
def dayend(request: HttpRequest):
    center = _center(request, "settlement.operate")
    job = dayend_run(center=center, actor=request.user)
    return {"job": job.pk, "status": job.status, "business_date": job.business_date, "result": job.result}
