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

from django.urls import reverse

from openhpf.approvals.registry import (
    Change,
    Fact,
    Link,
    Summary,
    applying,
    masked,
    money,
    register,
    register_renderer,
)
from openhpf.audit.services import actor_label
from openhpf.core.actors import Actor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from . import four_eyes, services
from .models import BankAccount, BankChannel, Instruction, Payee

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


# ---------------------------------------------------------------- what the checker reads (renderers)

MESSAGE_NAMES = {"BDC101": "单笔付款", "BDC102": "单笔收款", "BDC103": "批量付款", "BDC104": "批量收款",
                 "BDC105": "贷款扣款", "BDC114": "定期存款存入", "BDC115": "定期存款支取", "BDC117": "通知存款存入",
                 "BDC120": "通知存款支取"}


def _own_account(center_id: int, account_no: str) -> BankAccount | None:
    return BankAccount.objects.filter(center_id=center_id, account_no=account_no).first() if account_no else None


def _payee_text(viewer: Any, center_id: int, name: Any, account_no: Any) -> tuple[str, str]:
    """A payee's name and account as the viewer may see them; the center's own 专户 is never masked."""
    no, who = str(account_no or ""), str(name or "")
    if _own_account(center_id, no) is not None:
        return who, no
    return masked(viewer, center_id, "name", who), masked(viewer, center_id, "bank_card", no)


def release_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    seq, code = str(p.get("seq") or ""), str(p.get("code") or "")
    what = MESSAGE_NAMES.get(code, "结算指令")
    count = int(p.get("count") or 1)
    ins = Instruction.objects.filter(center_id=command.center_id, seq=seq).select_related("bank_account").first()
    facts = [Fact("业务", what), Fact("金额", money(p.get("amount")))]
    if ins is not None:
        facts.append(Fact("付款专户", f"{ins.bank_account.bank_name} {ins.bank_account.account_no}"))
    if count == 1 and p.get("payee_account"):
        who, no = _payee_text(viewer, command.center_id, p.get("payee_name"), p.get("payee_account"))
        facts += [Fact("收款人", who), Fact("收款账号", no)]
        to = who
    else:
        facts.append(Fact("笔数", f"{count} 笔"))
        to = f"{count} 个收款人"
    if p.get("summary"):
        facts.append(Fact("用途", str(p["summary"])))
    facts.append(Fact("结算指令流水号", seq))
    for r in p.get("reasons") or []:
        facts.append(Fact("须复核的原因", str(r)))
    links = []
    if ins is not None and command.status in ("applied", "rejected"):
        links.append(Link(f"结算指令 {seq}（{ins.get_state_display()}）",
                          f"{reverse('settlement:instructions')}?state={ins.state}"))
    return Summary(headline=f"放行{what}：{money(p.get('amount'))} 付至 {to}，批准后发送银行", facts=facts,
                   changes=[Change("指令状态", "待复核放行", "发送银行")], links=links)


def payee_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    kind = str(p.get("kind") or "")
    own = kind == Payee.Kind.OWN
    name = str(p.get("account_name") or "") if own else masked(viewer, command.center_id, "name", p.get("account_name"))
    no = str(p.get("account_no") or "") if own else masked(viewer, command.center_id, "bank_card", p.get("account_no"))
    kind_label = Payee.Kind(kind).label if kind in Payee.Kind.values else kind
    links = [Link("收款人名单", reverse("settlement:home"))] if command.status == "applied" else []
    return Summary(headline=f"登记收款人：{name}（{kind_label}）", links=links, facts=[
        Fact("户名", name), Fact("账号", no), Fact("开户银行", str(p.get("bank_name") or "未填")), Fact("类别", kind_label)])


def channel_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    code = str(p.get("bank_code") or "")
    acct = BankAccount.objects.filter(center_id=command.center_id, bank_code=code).first()
    bank = f"{acct.bank_name}（{code}）" if acct is not None else code
    current = BankChannel.objects.filter(center_id=command.center_id, bank_code=code, active=True).first()
    if command.status == "applied":
        current = None  # the approval replaced it; what it was is in the audit trail
    changes = [Change("接口地址", current.url if current else "（未配置）", str(p.get("url") or "")),
               Change("超时", f"{current.timeout_seconds} 秒" if current else "—", f"{p.get('timeout_seconds')} 秒")]
    if p.get("notify_token_hash"):
        changes.append(Change("推送令牌", "原令牌", "新令牌"))
    links = [Link("银行结算", reverse("settlement:home"))] if command.status == "applied" else []
    return Summary(headline=f"变更{bank}的银行接口：批准后按新地址与银行通讯", facts=[Fact("银行", bank)], changes=changes,
                   links=links)


def register_all() -> None:
    register(four_eyes.RELEASE_COMMAND, apply=release_apply, permission="settlement.operate",
             describe=release_describe, validate=release_validate, on_reject=release_rejected,
             amount=lambda p: p.get("amount") if isinstance(p.get("amount"), int) else None, label="结算指令放行")
    register(four_eyes.PAYEE_COMMAND, apply=payee_apply, permission="settlement.operate", describe=payee_describe,
             validate=payee_validate, label="登记收款人")
    register(four_eyes.CHANNEL_COMMAND, apply=channel_apply, permission="settlement.operate",
             describe=channel_describe, validate=channel_validate, label="变更银行接口")
    register_renderer(four_eyes.RELEASE_COMMAND, release_render)
    register_renderer(four_eyes.PAYEE_COMMAND, payee_render)
    register_renderer(four_eyes.CHANNEL_COMMAND, channel_render)
