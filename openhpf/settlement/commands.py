"""Settlement's maker-checker commands (registered in SettlementConfig.ready with the approvals registry):

- settlement.instruction_release  send a held payment, batch, deposit or transfer (submitted with it);
                                  rejected or withdrawn, the instruction is cancelled
- settlement.payee_add            add an outside account to the payee registry
- settlement.channel_set          change where the gateway reaches a bank (URL, timeout, push token)
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from openhpf.approvals.registry import applying, register
from openhpf.audit.services import actor_label
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from . import four_eyes, services
from .models import Instruction, Payee

Params = dict[str, Any]


def _command() -> Any:
    cmd = applying()
    if cmd is None:
        raise DomainError(ErrorCode.MAKER_CHECKER_REQUIRED, "该命令只能在复核批准后执行", field="command")
    return cmd


# ---------------------------------------------------------------- settlement.instruction_release


def release_validate(params: Params, actor: Actor, center: Center, business_date: date) -> Params:
    """Only at the hold itself: the instruction is held and has no release command yet."""
    seq = str(params.get("seq") or "")
    ins = Instruction.objects.filter(center=center, seq=seq).first()
    if ins is None:
        raise DomainError(ErrorCode.INSTRUCTION_UNKNOWN, f"结算指令 {seq} 不存在", field="seq")
    if ins.state != Instruction.State.HELD or ins.release_command is not None:
        raise DomainError(ErrorCode.INSTRUCTION_NOT_HELD, f"结算指令 {seq} 不在待复核放行状态", field="seq")
    return params


def release_describe(params: Params) -> str:
    amount = params.get("amount")
    money = format_fen(amount) if isinstance(amount, int) else "?"
    count = params.get("count") or 1
    who = f"{params.get('payee_name', '')}（{params.get('payee_account', '')}）" if count == 1 and params.get(
        "payee_account") else f"{count} 笔"
    reasons = "；".join(str(r) for r in params.get("reasons") or [])
    return f"放行结算指令 {params.get('seq')}（{params.get('code')}）：付款 {money} 元 至 {who}。{reasons}"


def release_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    ins = services.instruction_release(command=_command(), seq=str(params.get("seq") or ""), actor=actor,
                                       business_date=business_date)
    return {"seq": ins.seq, "state": ins.state}


def release_rejected(command: Any, actor: Actor, business_date: date) -> None:
    services.instruction_cancel(command=command, actor=actor, business_date=business_date)


# ---------------------------------------------------------------- settlement.payee_add


def payee_validate(params: Params, actor: Actor, center: Center, business_date: date) -> Params:
    no, name, kind = four_eyes.payee_check(account_no=params.get("account_no"),
                                           account_name=params.get("account_name"),
                                           kind=params.get("kind") or "counterparty")
    existing = Payee.objects.filter(center=center, account_no=no).first()
    if existing is not None:
        raise DomainError(ErrorCode.PAYEE_EXISTS, f"收款账号 {no} 已登记为收款人（户名 {existing.account_name}）",
                          field="account_no")
    return {"account_no": no, "account_name": name, "kind": kind,
            "bank_name": str(params.get("bank_name") or "").strip()[:60]}


def payee_describe(params: Params) -> str:
    return f"登记收款人：{params.get('account_name')}（{params.get('account_no')}，{params.get('bank_name') or '开户行未填'}）"


def payee_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = _command()
    p = four_eyes.payee_register(center=cmd.center, account_no=str(params.get("account_no") or ""),
                                 account_name=str(params.get("account_name") or ""), kind=str(params.get("kind") or ""),
                                 bank_name=str(params.get("bank_name") or ""), actor=cmd.maker,
                                 source=f"command#{cmd.pk}", approved_by=actor_label(actor)[0])
    return {"payee_id": p.pk, "account_no": p.account_no}


# ---------------------------------------------------------------- settlement.channel_set


def channel_validate(params: Params, actor: Actor, center: Center, business_date: date) -> Params:
    """The URL on the allow-list and the timeout; a push token given in clear is kept only as its SM3 hash."""
    checked = services.channel_params(bank_code=params.get("bank_code"), url=params.get("url"),
                                      timeout_seconds=params.get("timeout_seconds", 10),
                                      notify_token=params.get("notify_token") or "")
    if not checked["notify_token_hash"]:
        token_hash = str(params.get("notify_token_hash") or "")
        if token_hash and not re.fullmatch(r"[0-9a-f]{64}", token_hash):
            raise DomainError(ErrorCode.NOTIFY_TOKEN_SHORT, "推送令牌格式不正确", field="notify_token")
        checked["notify_token_hash"] = token_hash
    return checked


def channel_describe(params: Params) -> str:
    token = "，更换推送令牌" if params.get("notify_token_hash") else ""
    return f"变更银行接口：{params.get('bank_code')} → {params.get('url')}（超时 {params.get('timeout_seconds')} 秒{token}）"


def channel_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = _command()
    ch = services.bank_channel_apply(center=cmd.center, params=params, actor=actor, approved_by=actor_label(actor)[0])
    return {"bank_code": ch.bank_code, "url": ch.url}


def register_all() -> None:
    register(four_eyes.RELEASE_COMMAND, apply=release_apply, permission="settlement.operate",
             describe=release_describe, validate=release_validate, on_reject=release_rejected,
             amount=lambda p: p.get("amount") if isinstance(p.get("amount"), int) else None, label="结算指令放行")
    register(four_eyes.PAYEE_COMMAND, apply=payee_apply, permission="settlement.operate", describe=payee_describe,
             validate=payee_validate, label="登记收款人")
    register(four_eyes.CHANNEL_COMMAND, apply=channel_apply, permission="settlement.operate",
             describe=channel_describe, validate=channel_validate, label="变更银行接口")
