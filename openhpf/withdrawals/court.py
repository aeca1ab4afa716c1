"""司法扣划 (court deduction): a staff service on a court's 协助执行通知书, not a member's application.

- **Enter** (`court_deduction_submit`, permission `accounts.freeze`: the clerks who handle freezes): the notice's
  document number, the court, the amount, the court's receiving account. Refused with nothing written when the
  account has no freeze (`WITHDRAWAL_COURT_NOT_FROZEN`), when the amount is above the frozen amount
  (`WITHDRAWAL_COURT_OVER_FROZEN`), or when the same notice was entered already. The deduction waits (待复核) as
  the approvals command `withdrawals.court_deduction`.
- **Approve** (a checker with `approvals.approve` who is not the maker; approvals refuses the maker with
  `SELF_APPROVAL`): checked again under the account's lock; the deducted amount leaves the freeze and is held on
  the sub-account for the court. What stays frozen stays frozen: a partial freeze keeps its kind with the rest; a
  full freeze becomes a partial freeze of the rest (a full freeze refuses every debit by kind, the deduction
  included); nothing left lifts the freeze. The court's account enters the payee registry (往来单位, approved by
  the checker). State 待付款.
- **Pay** (`court_deduction_pay`, a finance clerk with `settlement.operate`): BDC101 from the fund's 专户 to the
  court's account (settlement biz type 20 其他, source `court_deduction`, the deduction's number as reference),
  sent after commit. The instruction counts as checked (maker ≠ checker, the registered payee, the amount).
- **The bank's answer** (settlement's hooks, whichever way it comes: answer, BDC110, notice): paid → Dr 201 /
  Cr 专户 with the bank reference, the member's row split by `withdrawal.order` (ledger biz type 99 其他), state
  已扣划; refused → settlement releases the instruction's hold and the amount is held again for the court (支付失败;
  pay again). A lost answer stays 已发送银行 until BDC110 settles it once."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import (
    member_account_freeze,
    member_account_unfreeze,
    member_debit_split,
)
from openhpf.approvals.registry import Fact, Posting, Summary, applying, money, register, register_renderer
from openhpf.approvals.services import command_submit
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.authz import check_permission
from openhpf.core.codes import BizType, FreezeKind, SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.models import SubAccount
from openhpf.ledger.services import Line, entry_post, subaccount_set_reserves
from openhpf.settlement import services as settlement
from openhpf.settlement.four_eyes import payee_check, payee_register, register_application_source
from openhpf.settlement.models import Instruction, Payee
from openhpf.settlement.selectors import fund_account_for_payments

from .models import CourtDeduction

COMMAND = "withdrawals.court_deduction"
PERMISSION = "accounts.freeze"  # who enters a 协助执行通知书 (the clerks who freeze and unfreeze)
PAY_PERMISSION = "settlement.operate"
SOURCE = "court_deduction"
C = CourtDeduction.State


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.WITHDRAWAL_COURT_INPUT, detail=detail, field=field)


def _text(params: dict[str, Any], key: str, label: str, limit: int) -> str:
    value = str(params.get(key) or "").strip()
    if not value or len(value) > limit:
        raise _bad(f"请填写{label}（不超过 {limit} 个字符）", key)
    return value


def _frozen(account: MemberAccount) -> int:
    return int(SubAccount.objects.get(pk=account.pk).frozen_amount)


def _check_against_freeze(account: MemberAccount, amount: int) -> int:
    """The frozen amount the deduction comes out of; refuses no freeze and an amount above it."""
    frozen = _frozen(account)
    if account.freeze_kind == FreezeKind.NONE or frozen <= 0:
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_NOT_FROZEN, account_no=account.account_no, field="account_no")
    if account.freeze_kind == FreezeKind.REMOTE_LOAN:  # a guarantee for a loan elsewhere, not a court's freeze
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_NOT_FROZEN,
                          f"个人账户 {account.account_no} 为异地贷款担保冻结，不是司法冻结，不能办理司法扣划",
                          field="account_no")
    if amount > frozen:
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_OVER_FROZEN, amount=format_fen(amount), frozen=format_fen(frozen),
                          account_no=account.account_no, field="amount")
    return frozen


def _document_free(center: Any, document_no: str) -> None:
    used = CourtDeduction.objects.filter(center=center, document_no=document_no).exclude(state=C.REJECTED).first()
    if used is not None:
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_DOCUMENT_USED, document_no=document_no,
                          state=used.get_state_display(), field="document_no")


def _validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    """Every field of the notice; the account's freeze and the amount against it. Nothing is written."""
    account_no = _text(params, "account_no", "个人账号", 20)
    account = MemberAccount.objects.filter(center=center, account_no=account_no).first()
    if account is None:
        raise DomainError(ErrorCode.ACCOUNT_UNKNOWN, f"个人账号 {account_no} 不存在", field="account_no")
    document_no = _text(params, "document_no", "协助执行通知书文号", 60)
    court = _text(params, "court", "执行法院", 60)
    amount = params.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise _bad("扣划金额应为大于零的金额", "amount")
    no, name, _kind = payee_check(account_no=params.get("payee_account"), account_name=params.get("payee_name"),
                                  kind=Payee.Kind.COUNTERPARTY)
    _document_free(center, document_no)
    _check_against_freeze(account, amount)
    return {"account_no": account_no, "document_no": document_no, "court": court, "amount": amount,
            "payee_account": no, "payee_name": name, "payee_bank": str(params.get("payee_bank") or "").strip()[:60]}


def court_deduction_submit(*, center: Any, params: dict[str, Any], actor: Actor, business_date: date,
                           idempotency_key: str | None = None) -> CourtDeduction:
    """The maker enters a 协助执行通知书: checked whole, stored 待复核 with its maker-checker command."""
    check_permission(actor, PERMISSION, center=center)
    with transaction.atomic():
        cmd = command_submit(name=COMMAND, params=params, actor=actor, center=center, business_date=business_date,
                             idempotency_key=idempotency_key)
        found = CourtDeduction.objects.filter(command_id=cmd.pk).first()
        if found is not None:  # a replay of the same key
            return found
        p = cmd.params
        account = MemberAccount.objects.select_for_update().get(center=center, account_no=p["account_no"])
        d = CourtDeduction.objects.create(
            center=center, account=account, number=f"SF-{cmd.pk}", document_no=p["document_no"],
            court=p["court"], amount=p["amount"], payee_account=p["payee_account"], payee_name=p["payee_name"],
            payee_bank=p["payee_bank"], command_id=cmd.pk, frozen_before=_frozen(account),
            made_by=actor_label(actor), made_on=business_date)
        d.number = f"SF{business_date:%Y%m%d}{d.pk:06d}"  # unique by its row, whoever enters one at the same time
        d.save(update_fields=["number"])
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_SUBMIT, obj=d, center=center,
                  business_date=business_date,
                  after={"number": d.number, "account": account.account_no, "document_no": d.document_no,
                         "court": d.court, "amount": d.amount, "command": cmd.pk})
        return d


def _reduce_freeze(account: MemberAccount, amount: int, *, maker: Any, reference: str,
                   business_date: date) -> tuple[int, int]:
    """Take `amount` out of the account's freeze (the rest stays frozen) and hold it for the court.
    Returns (frozen before, frozen after). The freeze moves are the accounts app's own services, made in the
    name of the maker who entered the notice (they hold accounts.freeze; the checker approved it)."""
    kind = account.freeze_kind
    before = _check_against_freeze(account, amount)
    rest = before - amount
    account = member_account_unfreeze(account=account, reason=f"司法扣划 {reference}", reference=reference[:40],
                                      actor=maker, business_date=business_date)
    subaccount_set_reserves(sub_account=SubAccount(pk=account.pk), hold_delta=amount)
    if rest > 0:
        keep = FreezeKind.PARTIAL if kind == FreezeKind.FULL else kind
        member_account_freeze(account=account, kind=keep, amount=rest, reason=f"司法扣划后继续冻结 {reference}",
                              reference=reference[:40], actor=maker, business_date=business_date)
    return before, rest


def _apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    if cmd is None:
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_NOT_FOUND, field="command")
    d = CourtDeduction.objects.select_for_update().select_related("center").get(command_id=cmd.pk)
    if d.state != C.PENDING:
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_STATE, number=d.number, state=d.get_state_display(),
                          action="复核", field="command")
    account = MemberAccount.objects.select_for_update().select_related("center").get(pk=d.account_id)
    before, rest = _reduce_freeze(account, d.amount, maker=cmd.maker, reference=f"{d.document_no}",
                                  business_date=business_date)
    payee_register(center=d.center, account_no=d.payee_account, account_name=d.payee_name,
                   kind=Payee.Kind.COUNTERPARTY, actor=actor, source=f"司法扣划 {d.number}",
                   bank_name=d.payee_bank, approved_by=actor_label(actor))
    d.state, d.frozen_before, d.frozen_after, d.held = C.APPROVED, before, rest, d.amount
    d.approved_by = actor_label(actor)
    d.save(update_fields=["state", "frozen_before", "frozen_after", "held", "approved_by", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_APPROVE, obj=d, center=d.center_id,
              business_date=business_date, before={"frozen": before},
              after={"number": d.number, "frozen": rest, "held": d.amount, "account": account.account_no})
    return {"number": d.number, "held": d.amount, "frozen_before": before, "frozen_after": rest}


def _on_reject(command: Any, actor: Actor, business_date: date) -> None:
    d = CourtDeduction.objects.select_for_update().filter(command_id=command.pk).first()
    if d is None or d.state != C.PENDING:
        return
    d.state, d.message = C.REJECTED, (command.reason or "")[:200]
    d.save(update_fields=["state", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_REJECT, obj=d, center=d.center_id,
              business_date=business_date, after={"number": d.number, "reason": d.message})


def _describe(params: dict[str, Any]) -> str:
    return (f"司法扣划 个人账号 {params.get('account_no')} {format_fen(int(params.get('amount') or 0))} 元"
            f"（{params.get('court')} {params.get('document_no')}）")


def _render(command: Any, viewer: Any) -> Summary:
    p = command.params
    return Summary(
        headline=_describe(p),
        facts=[Fact("个人账号", str(p.get("account_no", ""))), Fact("执行法院", str(p.get("court", ""))),
               Fact("协助执行通知书文号", str(p.get("document_no", ""))), Fact("扣划金额", money(p.get("amount"))),
               Fact("法院收款账户", f"{p.get('payee_name', '')} {p.get('payee_account', '')} {p.get('payee_bank', '')}"),
               Fact("复核通过后", "扣划金额从冻结金额中转出并为法院预留，由财务付款；其余金额继续冻结")],
        postings=[Posting("借", MEMBER_CONTROL, "住房公积金", money(p.get("amount"))),
                  Posting("贷", "101", "住房公积金存款专户", money(p.get("amount")))])


# ---------------------------------------------------------------- pay (finance) and the bank's answer


def court_deduction_get(*, center: Any, number: str) -> CourtDeduction:
    d = CourtDeduction.objects.filter(center=center, number=number).select_related("account", "center").first()
    if d is None:
        raise DomainError(ErrorCode.WITHDRAWAL_COURT_NOT_FOUND, field="number")
    return d


def court_deduction_pay(*, deduction: CourtDeduction, actor: Actor, business_date: date) -> CourtDeduction:
    """BDC101 of the held amount to the court's account, exactly once (the same reference answers the same
    instruction); sent after commit. Again after a refusal: a new attempt of the same reference."""
    check_permission(actor, PAY_PERMISSION, center=deduction.center_id)
    with transaction.atomic():
        d = CourtDeduction.objects.select_for_update().select_related("center").get(pk=deduction.pk)
        if d.state not in (C.APPROVED, C.FAILED):
            raise DomainError(ErrorCode.WITHDRAWAL_COURT_STATE, number=d.number, state=d.get_state_display(),
                              action="付款", field="number")
        bank = fund_account_for_payments(d.center_id)
        if bank is None:
            raise DomainError(ErrorCode.WITHDRAWAL_NO_FUND_ACCOUNT, field="bank_account")
        # the court's hold passes to the payment instruction, which holds the amount until the bank answers
        subaccount_set_reserves(sub_account=SubAccount(pk=d.account_id), hold_delta=-d.held)
        ins = settlement.payment_submit(
            center=d.center, bank_account=bank, amount=d.amount, payee_account=d.payee_account,
            payee_name=d.payee_name, biz_type=SettlementBizType.OTHER, book_account=MEMBER_CONTROL,
            summary=f"司法扣划 {d.court} {d.document_no}", actor=actor, business_date=business_date,
            sub_account_id=d.account_id, source=SOURCE, source_ref=d.number)
        d.held, d.instruction_seq, d.state, d.message = 0, ins.seq, C.SENT, ""
        d.save(update_fields=["held", "instruction_seq", "state", "message", "updated_at"])
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_SEND, obj=d, center=d.center_id,
                  business_date=business_date, after={"number": d.number, "amount": d.amount, "seq": ins.seq})
        if ins.state == Instruction.State.CREATED:
            pk = ins.pk
            transaction.on_commit(lambda: settlement.instruction_send(
                instruction=Instruction.objects.get(pk=pk), actor=actor, business_date=business_date), robust=True)
        return d


def _of(ins: Instruction) -> CourtDeduction:
    return CourtDeduction.objects.select_for_update().select_related("account").get(
        center_id=ins.center_id, number=settlement.source_ref_base(ins.source_ref))


def on_paid(ins: Instruction, answer: dict[str, Any], actor: Actor, business_date: date) -> Any:
    """The bank paid the court: Dr 201 / Cr 专户 with the bank reference; the instruction's hold settled."""
    d = _of(ins)
    sub = subaccount_set_reserves(sub_account=SubAccount(pk=ins.sub_account_id), hold_delta=-ins.amount)
    entry = entry_post(
        center=ins.center, business_date=business_date, source="settlement", actor=actor,
        lines=[Line(MEMBER_CONTROL, debit=ins.amount),
               Line(ins.bank_account.gl_account.code, credit=ins.amount, bank_ref=ins.seq)],
        sub_rows=[member_debit_split(sub_account=sub, amount=ins.amount, on=business_date,
                                     reference=f"司法扣划 {d.number}"[:40])],
        biz_type=BizType.OTHER, settles_hold=True,
        description=f"司法扣划 {d.account.account_no} {d.court} {d.document_no} {ins.seq}")
    bank_seq = str(answer.get("bank_seq", "") or ins.bank_seq or "")
    d.state, d.bank_seq, d.paid_on, d.message = C.PAID, bank_seq[:40], business_date, f"已扣划，凭证 {entry.voucher_no}"
    d.save(update_fields=["state", "bank_seq", "paid_on", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_PAID, obj=d, center=d.center_id,
              business_date=business_date,
              after={"number": d.number, "amount": ins.amount, "seq": ins.seq, "bank_seq": bank_seq,
                     "voucher": entry.voucher_no})
    return entry


def on_failed(ins: Instruction, actor: Actor, business_date: date) -> None:
    """The bank refused (settlement released the instruction's hold): hold the amount for the court again, so
    that it is not free to withdraw while the payment is retried."""
    d = _of(ins)
    subaccount_set_reserves(sub_account=SubAccount(pk=d.account_id), hold_delta=d.amount)
    d.state, d.held, d.message = C.FAILED, d.amount, f"银行支付失败（{ins.seq}），扣划金额已重新预留，请重新付款"
    d.save(update_fields=["state", "held", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_FAILED, obj=d, center=d.center_id,
              business_date=business_date, after={"number": d.number, "seq": ins.seq, "held": d.amount})


def deduction_checked(*, center: Any, source_ref: str, payees: list[tuple[str, str, int]]) -> bool:
    """Four eyes: the court payment counts as checked when the deduction was approved by a checker other than
    its maker and the instruction pays exactly its amount to the court's account recorded on it."""
    d = CourtDeduction.objects.filter(center=center, number=settlement.source_ref_base(source_ref)).first()
    if d is None or d.state not in (C.APPROVED, C.FAILED) or not d.approved_by or d.approved_by == d.made_by:
        return False
    return payees == [(d.payee_account, d.payee_name, d.amount)]


def court_deductions_of(*, account: MemberAccount, actor: Actor, business_date: date) -> list[CourtDeduction]:
    """A member account's court deductions, newest first; the read is audited."""
    check_permission(actor, "accounts.view", center=account.center_id)
    rows = list(CourtDeduction.objects.filter(account=account).order_by("-id"))
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_COURT_READ, obj=account, center=account.center_id,
              business_date=business_date, after={"account": account.account_no, "rows": len(rows)})
    return rows


def register_court() -> None:
    register(COMMAND, apply=_apply, permission=PERMISSION, describe=_describe, validate=_validate,
             amount=lambda p: p.get("amount"), label="司法扣划", on_reject=_on_reject)
    register_renderer(COMMAND, _render)
    settlement.SUCCESS_HOOKS[SOURCE] = on_paid
    settlement.FAILURE_HOOKS[SOURCE] = on_failed
    register_application_source(SOURCE, deduction_checked)
