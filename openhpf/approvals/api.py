"""Maker-checker endpoints (复核): list commands, submit a policy change (or any registered command),
approve, reject. Submitting answers 202: the change is stored, not applied, until a checker approves it.
Submitting and approving are idempotent by their `Idempotency-Key` (core/idempotency.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from openhpf.core.error_codes import ErrorCode

try:  # django-ninja ≥ 1.5; older versions take a (status, body) tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

from openhpf.access.services import check_permission
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.iam.services import staff_center

from . import registry, selectors, services
from .models import PendingCommand

router = Router(tags=["复核"])


class CommandOut(Schema):
    id: int
    name: str
    summary: str
    amount: int | None
    params: dict[str, Any]
    status: str
    status_label: str
    maker: str
    made_at: datetime
    business_date: date
    checker: str | None
    decided_at: datetime | None
    reason: str
    result: dict[str, Any] | None
    apply_error: str


class PolicyChangeIn(Schema):
    key: str
    value: Any
    value_type: str
    effective_from: date
    source: str = ""
    note: str = ""


class CommandIn(Schema):
    name: str
    params: dict[str, Any]


class DecisionIn(Schema):
    reason: str = ""


def _out(cmd: PendingCommand) -> dict[str, Any]:
    return {
        "id": cmd.pk, "name": cmd.name, "summary": cmd.summary, "amount": cmd.amount, "params": cmd.params,
        "status": cmd.status, "status_label": cmd.get_status_display(), "maker": cmd.maker.get_username(),
        "made_at": cmd.made_at, "business_date": cmd.business_date,
        "checker": cmd.checker.get_username() if cmd.checker else None, "decided_at": cmd.decided_at,
        "reason": cmd.reason, "result": cmd.result, "apply_error": cmd.apply_error,
    }


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise DomainError(ErrorCode.NO_CENTER, "当前用户未归属任何管理中心", field="center")
    return center


def _command(request: HttpRequest, pk: int) -> PendingCommand:
    try:
        cmd = selectors.command_get(center=_center(request), pk=pk)
    except DomainError as e:
        raise HttpError(404, e.message) from None
    if cmd.maker_id != request.user.pk:
        check_permission(request.user, services.CHECKER_PERMISSION, center=cmd.center_id)
    return cmd


def _submit(request: HttpRequest, name: str, params: dict[str, Any]) -> Any:
    center = _center(request)
    with transaction.atomic(durable=True):
        current = Center.objects.get(pk=center.pk)
        cmd = services.command_submit(name=name, params=params, actor=request.user, center=current,
                                      business_date=current.business_date)
    return Status(202, _out(cmd)) if Status is not None else (202, _out(cmd))


def _may_submit(request: HttpRequest, payload: Any = None, **_: Any) -> Center:
    """The maker's permission for the command (what command_submit checks), before any replay."""
    name = payload.name if isinstance(payload, CommandIn) else "core.policy_set"
    center = _center(request)
    check_permission(request.user, registry.get(name).permission, center=center)
    return center


def _may_decide(request: HttpRequest, pk: int, **_: Any) -> Center:
    return _command(request, pk).center  # 404 unknown; a checker's permission unless the caller made it


class CommandPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[CommandOut]


@router.get("/commands", response=CommandPageOut,
            summary="复核命令列表（默认：本中心待复核；mine=true：我提交的；分页，total 为总数）")
def command_list(request: HttpRequest, mine: bool = False, page: int = 1, page_size: int = 50):
    center = _center(request)
    if mine:
        p = selectors.commands_of_maker_page(center=center, maker=request.user, page=page, page_size=page_size)
    else:
        check_permission(request.user, services.CHECKER_PERMISSION, center=center)
        p = selectors.commands_pending_page(center=center, page=page, page_size=page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": [_out(c) for c in p.items]}


@router.get("/commands/{pk}", response=CommandOut, summary="复核命令详情")
def command_detail(request: HttpRequest, pk: int):
    return _out(_command(request, pk))


@router.post("/policy-changes", response={202: CommandOut}, summary="提交政策参数调整（待复核，批准后生效）")
@idempotent(authorize=_may_submit)
def policy_change_submit(request: HttpRequest, payload: PolicyChangeIn):
    params = payload.dict()
    params["effective_from"] = payload.effective_from.isoformat()
    return _submit(request, "core.policy_set", params)


@router.post("/commands", response={202: CommandOut}, summary="提交复核命令（如 ledger.entry_post 手工凭证、ledger.entry_reverse 冲正）")
@idempotent(authorize=_may_submit)
def command_submit(request: HttpRequest, payload: CommandIn):
    return _submit(request, payload.name, payload.params)


@router.post("/commands/{pk}/approve", response=CommandOut,
             summary="复核通过并执行（执行失败时状态为 failed，apply_error 为原因，不留下任何部分写入）")
@idempotent(authorize=_may_decide, money_moving=True)
def command_approve(request: HttpRequest, pk: int, payload: DecisionIn):
    cmd = _command(request, pk)
    with transaction.atomic(durable=True):
        current = Center.objects.get(pk=cmd.center_id)
        cmd = services.command_approve(command=cmd, actor=request.user, business_date=current.business_date,
                                       reason=payload.reason)
    return _out(cmd)


@router.post("/commands/{pk}/reject", response=CommandOut, summary="驳回（须填写原因；经办人可撤回自己的命令）")
def command_reject(request: HttpRequest, pk: int, payload: DecisionIn):
    cmd = _command(request, pk)
    with transaction.atomic(durable=True):
        current = Center.objects.get(pk=cmd.center_id)
        cmd = services.command_reject(command=cmd, actor=request.user, reason=payload.reason,
                                      business_date=current.business_date)
    return _out(cmd)
