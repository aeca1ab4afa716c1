"""Writes of maker-checker (复核): submit, approve (apply exactly once), reject.

A change that needs a second person is stored as a PendingCommand (the command log), never half-applied.
Approval locks the command row, checks its status, runs the registered apply function in the same
transaction and stores the result, so two approvals (sequential or concurrent) apply it exactly once.

Later money services (withdrawals, refunds, loan disbursements) use it like this, in their entry point:

    from openhpf.approvals.services import command_submit, requires_approval

    if requires_approval(amount=amount, center=center, on=business_date):
        cmd = command_submit(name="withdrawals.withdraw", params={...}, actor=user, center=center,
                             business_date=business_date, idempotency_key=key)
        return 202, {"pending_command": cmd.pk, "status": cmd.status}     # 已提交复核
    return 200, withdrawal_apply(..., actor=user, business_date=business_date)

having registered the command once (in their app's `ready()` or an imported `commands` module) with
`openhpf.approvals.registry.register(name, apply=..., permission=..., describe=..., validate=..., amount=...)`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from openhpf.access.services import has_permission
from openhpf.audit.services import audit_log
from openhpf.core.actors import Actor, is_staff_user, money_actor_check
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.core.policy import policy_value

from . import registry
from .models import PendingCommand

CHECKER_PERMISSION = "approvals.approve"
THRESHOLD_KEY = "maker_checker.money_threshold"


# ---------------------------------------------------------------- permissions (the access app's contract)


def _has_permission(user: Actor, perm: str, *, center: Center | None = None) -> bool:

    return has_permission(user, perm, center=center)


def _require(user: Actor, perm: str, *, center: Center, message: str) -> None:
    if not _has_permission(user, perm, center=center):
        raise PermissionDenied(message, details={"permission": perm})


def _require_user(actor: Actor, *, role: Literal["maker", "checker"], what: str = "命令") -> Any:
    """The staff user who makes or checks: a system actor is refused by name (never the maker or the checker
    of a money movement), a member, agent, partner, string or anonymous caller as not staff."""
    money_actor_check(actor, role=role, what=what)
    if not is_staff_user(actor):
        raise PermissionDenied("复核命令只能由在岗业务人员经办或复核", field="actor")
    return actor


# ---------------------------------------------------------------- the threshold for money movements


def requires_approval(*, amount: int, center: Center | int | None, on: date) -> bool:
    """A money movement of `amount` fen on business date `on` needs a checker when it reaches the policy
    value maker_checker.money_threshold in force that day (the center's own value over the national one)."""
    if not isinstance(amount, int):
        raise TypeError("amount is integer fen")
    return abs(amount) >= int(policy_value(THRESHOLD_KEY, on=on, center=center))


# ---------------------------------------------------------------- submit, approve, reject


def _json_params(params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise DomainError(ErrorCode.COMMAND_PARAMS, "命令参数应为对象", field="params")
    try:
        return json.loads(json.dumps(params, ensure_ascii=False, default=str))
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.COMMAND_PARAMS, "命令参数无法保存", field="params") from None


def _as_of(cmd: PendingCommand) -> dict[str, Any]:
    return {"status": cmd.status, "name": cmd.name, "summary": cmd.summary, "amount": cmd.amount}


def command_submit(
    *, name: str, params: dict[str, Any], actor: Actor, center: Center, business_date: date,
    idempotency_key: str | None = None,
) -> PendingCommand:
    """Store a command for a checker. Its own validation runs now, so bad input is refused at submission.
    With an idempotency key, a replay by the same maker returns the command already stored for it."""
    spec = registry.get(name)
    maker = _require_user(actor, role="maker", what=f"「{spec.label}」")
    _require(actor, spec.permission, center=center, message=f"无权经办：{spec.label}")
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 120:
        raise DomainError(ErrorCode.IDEMPOTENCY_KEY, "幂等键不能超过 120 个字符", field="idempotency_key")
    params = _json_params(params)

    def replay() -> PendingCommand | None:
        found = PendingCommand.objects.filter(idempotency_key=key).first() if key else None
        if found is not None and (found.name != name or found.center_id != center.pk or found.maker_id != maker.pk):
            raise DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, "该幂等键已用于其他业务请求", field="idempotency_key")
        return found

    if (done := replay()) is not None:
        return done
    with transaction.atomic():
        if spec.validate is not None:
            normalised = spec.validate(params, actor, center, business_date)
            if normalised is not None:
                params = _json_params(normalised)
        amount = spec.amount(params) if spec.amount else None
        try:
            with transaction.atomic():
                cmd = PendingCommand.objects.create(
                    center=center, name=name, params=params, summary=spec.describe(params)[:300], amount=amount,
                    maker=maker, made_at=timezone.now(), business_date=business_date, idempotency_key=key,
                )
        except IntegrityError:
            if (done := replay()) is not None:  # a concurrent submission with the same key won
                return done
            raise
        audit_log(actor=actor, action=AuditEvent.APPROVALS_COMMAND_SUBMIT, obj=cmd, center=center, business_date=business_date,
                  after={"name": name, "params": params, "summary": cmd.summary, "amount": amount,
                         "idempotency_key": key})
        return cmd


def _locked(command: PendingCommand | int) -> PendingCommand:
    pk = command.pk if isinstance(command, PendingCommand) else command
    try:
        return PendingCommand.objects.select_for_update().get(pk=pk)
    except PendingCommand.DoesNotExist:
        raise DomainError(ErrorCode.COMMAND_NOT_FOUND, f"复核命令 {pk} 不存在", field="command") from None


def _decidable(cmd: PendingCommand, actor: Any) -> None:
    if cmd.status != PendingCommand.Status.PENDING:
        raise DomainError(ErrorCode.ALREADY_DECIDED, f"该命令已{cmd.get_status_display()}，不能再次复核", field="command",
                          details={"status": cmd.status})
    if cmd.maker_id == actor.pk:
        raise DomainError(ErrorCode.SELF_APPROVAL, "经办人不能复核自己提交的命令", field="actor")
    _require(actor, CHECKER_PERMISSION, center=cmd.center, message="无复核权限")


def command_approve(*, command: PendingCommand | int, actor: Actor, business_date: date,
                    reason: str = "") -> PendingCommand:
    """Approve and apply once. The command row is locked first, so a concurrent second approval waits and then
    finds it decided (ALREADY_DECIDED). A DomainError from the apply marks the command failed with the message
    (stored, audited, returned) and nothing the apply wrote persists; any other error rolls everything back."""
    checker = _require_user(actor, role="checker")
    with transaction.atomic():
        cmd = _locked(command)
        _decidable(cmd, checker)
        spec = registry.get(cmd.name)
        before = _as_of(cmd)
        cmd.status = PendingCommand.Status.APPROVED
        cmd.checker = checker
        cmd.decided_at = timezone.now()
        cmd.reason = (reason or "").strip()[:300]
        cmd.save(update_fields=["status", "checker", "decided_at", "reason"])
        audit_log(actor=actor, action=AuditEvent.APPROVALS_COMMAND_APPROVE, obj=cmd, center=cmd.center_id,
                  business_date=business_date, before=before, after={"status": cmd.status, "reason": cmd.reason})
        try:
            with transaction.atomic(), registry._running(cmd):
                result = spec.apply(dict(cmd.params), actor, business_date)
                result = _json_params(result or {})
        except (DomainError, PermissionDenied) as e:
            cmd.status = PendingCommand.Status.FAILED
            cmd.apply_error = f"[{e.code}] {e.message}"[:500]
            cmd.save(update_fields=["status", "apply_error"])
            audit_log(actor=actor, action=AuditEvent.APPROVALS_COMMAND_FAIL, obj=cmd, center=cmd.center_id,
                      business_date=business_date, after={"status": cmd.status, "error": e.as_dict()})
            return cmd
        cmd.status = PendingCommand.Status.APPLIED
        cmd.result = result
        cmd.save(update_fields=["status", "result"])
        audit_log(actor=actor, action=AuditEvent.APPROVALS_COMMAND_APPLY, obj=cmd, center=cmd.center_id,
                  business_date=business_date, after={"status": cmd.status, "result": result})
        return cmd


def command_reject(*, command: PendingCommand | int, actor: Actor, reason: str,
                   business_date: date | None = None) -> PendingCommand:
    """Refuse a command with a reason; nothing of it is applied. The maker may withdraw (reject) their own."""
    user = _require_user(actor, role="checker")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REASON_REQUIRED, "驳回必须填写原因", field="reason")
    with transaction.atomic():
        cmd = _locked(command)
        if cmd.status != PendingCommand.Status.PENDING:
            raise DomainError(ErrorCode.ALREADY_DECIDED, f"该命令已{cmd.get_status_display()}，不能再次复核", field="command",
                              details={"status": cmd.status})
        if cmd.maker_id != user.pk:
            _require(actor, CHECKER_PERMISSION, center=cmd.center, message="无复核权限")
        before = _as_of(cmd)
        cmd.status = PendingCommand.Status.REJECTED
        cmd.checker = None if cmd.maker_id == user.pk else user
        cmd.decided_at = timezone.now()
        cmd.reason = reason[:300]
        cmd.save(update_fields=["status", "checker", "decided_at", "reason"])
        spec = registry.get(cmd.name)
        if spec.on_reject is not None:  # e.g. a held settlement instruction is cancelled with its release
            spec.on_reject(cmd, actor, business_date or cmd.center.business_date)
        audit_log(actor=actor, action=AuditEvent.APPROVALS_COMMAND_REJECT, obj=cmd, center=cmd.center_id,
                  business_date=business_date or cmd.center.business_date, before=before,
                  after={"status": cmd.status, "reason": cmd.reason, "withdrawn": cmd.checker_id is None})
        return cmd
