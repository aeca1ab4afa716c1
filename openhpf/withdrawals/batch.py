"""Batch payout of approved withdrawals (批量支付), 退汇, and the held payouts as expected outflows.

- `payout_batch` (a staff member with `settlement.operate`): the approved, held, not yet sent partial
  withdrawals of the center, each to its member's own verified card, in ONE BDC103 batch (settlement biz type
  02, ledger biz type 11): each application's hold passes to the batch, whose submission posts
  Dr 201 / Cr 21903 per member, split by `withdrawal.order`. The applications are 办理中. The batch is sent
  once its checker releases it when four eyes require it (amount, payees).
- The bank's items (`settlement.BATCH_HOOKS`): a paid item is Dr 21903 / Cr 101 (settlement) and its
  application 办结; a failed item's money is back on the member's account at the original value date
  (settlement) and its application 办理失败 (the clerk may pay it again, alone or in the next batch).
- 退汇 (`settlement.RETURN_HOOKS`, an inbound notice naming a paid instruction): the money is credited back to
  the member at the original value date (Dr 101 / Cr 201) and the application reopened (办理失败). A closing
  withdrawal's account is closed: its 退汇 waits for finance in the notice queue. A 约定提取 item comes back the
  same way (marked 已退汇)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from openhpf.accounts.models import MemberAccount
from openhpf.applications.models import State
from openhpf.applications.services import (
    application_reopen,
    applications_executing_bulk,
    applications_execution_done_bulk,
)
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType, MemberAccountStatus, SettlementBizType
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.models import SubLedgerRow
from openhpf.ledger.services import Line, SubRow, entry_post, subaccounts_hold_from
from openhpf.settlement import services as settlement
from openhpf.settlement.models import Instruction, Notice
from openhpf.settlement.selectors import fund_account_for_payments

from . import agreed
from .cards import card_current
from .models import AgreedItem, Payout

SOURCE = "withdrawal.batch"
P = Payout.State


def payout_batch(*, center: Center, actor: Actor, business_date: date, limit: int = 100_000) -> Instruction:
    """Pay the center's approved, held partial withdrawals in one batch (one per member account)."""
    with transaction.atomic():
        payouts = list(Payout.objects.select_for_update().select_related("application", "account")
                       .filter(center=center, state=P.HELD, closes_account=False, held__gt=0,
                               application__state__in=[State.APPROVED, State.EXECUTION_FAILED])
                       .order_by("pk")[:limit])
        seen: set[int] = set()
        chosen = []
        for p in payouts:  # one item per account in a batch: a second waits for the next batch
            if p.account_id not in seen:
                seen.add(p.account_id)
                chosen.append(p)
        if not chosen:
            raise DomainError(ErrorCode.WITHDRAWAL_BATCH_EMPTY, field="items")
        bank = fund_account_for_payments(center.pk)
        if bank is None:
            raise DomainError(ErrorCode.WITHDRAWAL_NO_FUND_ACCOUNT, field="bank_account")
        items = []
        for p in chosen:
            card = card_current(p.application.member_id)  # type: ignore[arg-type]
            if card is None:
                raise DomainError(ErrorCode.WITHDRAWAL_CARD_MISSING, field="card",
                                  details={"application": p.application.number})
            items.append({"counter_account": card.card_no, "counter_name": card.holder_name, "amount": p.held,
                          "sub_account_id": p.account_id})
            p.card = card
        for i in range(0, len(chosen), 5000):  # the approvals' holds pass to the batch, set-based
            part = [p.pk for p in chosen[i:i + 5000]]
            subaccounts_hold_from(source=Relation(
                "SELECT p.account_id AS sub_account_id, -p.held AS delta FROM withdrawals_payout p "  # noqa: S608 — SQL from code; values bound
                f"WHERE p.id IN ({', '.join(['%s'] * len(part))})", tuple(part)))
        ref = f"WDB-{center.code}-{business_date:%Y%m%d}-{chosen[0].pk}"
        ins = settlement.batch_payment_submit(
            center=center, bank_account=bank, items=items, biz_type=SettlementBizType.PARTIAL_WITHDRAWAL,
            book_account=MEMBER_CONTROL, summary=f"提取批量支付 {len(items)} 笔", actor=actor,
            business_date=business_date, source=SOURCE, source_ref=ref, ledger_biz_type=BizType.PARTIAL_WITHDRAWAL)
        now = timezone.now()
        for p in chosen:
            p.amount, p.held, p.instruction_seq, p.state, p.message = p.held, 0, ins.seq, P.SENT, "已提交批量支付"
            p.updated_at = now
        Payout.objects.bulk_update(chosen, ["amount", "held", "instruction_seq", "state", "message", "card",
                                            "updated_at"], batch_size=500)
        applications_executing_bulk(applications=[p.application_id for p in chosen], actor=actor,  # 办理中
                                    business_date=business_date, reason=f"批量支付 {ins.seq}")
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_BATCH_SUBMIT, obj=ins, center=center,
                  business_date=business_date, after={"seq": ins.seq, "count": len(items), "total": ins.amount,
                                                      "applications": [p.application.number for p in chosen]})
        if ins.state == Instruction.State.CREATED:
            pk = ins.pk
            transaction.on_commit(lambda: settlement.instruction_send(
                instruction=Instruction.objects.get(pk=pk), actor=actor, business_date=business_date), robust=True)
        return ins


def on_batch_done(ins: Instruction, actor: Actor, business_date: date) -> None:
    """Each item's application: 办结 (paid) or 办理失败 (its money already back at the original value date).
    Set-based: the payouts written in bulk, the applications moved through the engine's bulk transition (each
    with its timeline row, audit row and notice)."""
    payouts = {p.account_id: p for p in Payout.objects.select_for_update().select_related("application")
               .filter(center_id=ins.center_id, instruction_seq=ins.seq, state=P.SENT)}
    outcomes: list[tuple[int, bool, dict[str, Any], str]] = []
    changed = []
    for sub_id, item, state, amount, bank_seq, result, message in ins.items.order_by("item").values_list(
            "sub_account_id", "item", "state", "amount", "bank_seq", "result", "message"):
        p = payouts.get(sub_id)  # type: ignore[arg-type]
        if p is None:
            continue
        ok = state == Instruction.State.SUCCEEDED
        if ok:
            p.state, p.bank_seq, p.paid_on, p.message = P.PAID, bank_seq, business_date, "支付成功"
            outcomes.append((p.application_id, True, {"paid": amount, "bank_seq": bank_seq, "batch": ins.seq},
                             f"已支付（批量 {ins.seq} 第 {item} 笔）"))
        else:
            p.state, p.message = P.FAILED, f"银行支付失败 {result} {message}".strip()[:200]
            outcomes.append((p.application_id, False, {"failed": ins.seq, "item": item},
                             f"银行支付失败（批量 {ins.seq} 第 {item} 笔），资金已退回个人账户"))
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_PAID if ok else AuditEvent.WITHDRAWALS_PAYOUT_FAILED,
                  obj=p, center=p.center_id, business_date=business_date,
                  after={"application": p.application.number, "seq": ins.seq,
                         **({"amount": amount, "bank_seq": bank_seq} if ok else {})})
        changed.append(p)
    Payout.objects.bulk_update(changed, ["state", "bank_seq", "paid_on", "message"], batch_size=500)
    Payout.objects.filter(pk__in=[p.pk for p in changed]).update(updated_at=timezone.now())
    applications_execution_done_bulk(outcomes=outcomes, actor=actor, business_date=business_date)


# ---------------------------------------------------------------- 退汇


def _recredit(ins: Instruction, n: Notice, *, sub_account_id: int, amount: int, taken_carried: int, what: str,
              actor: Actor, business_date: date) -> bool:
    """Dr 专户 / Cr 201 at the value date the money left (inside the current interest year)."""
    acct = MemberAccount.objects.filter(sub_id=sub_account_id).first()
    if acct is None or acct.status not in (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED, MemberAccountStatus.FROZEN):
        return False  # a closed account: finance decides (the notice stays in its queue)
    vd = max(ins.business_date, interest_year(business_date)[0])
    carried = min(taken_carried, amount)
    entry_post(center=ins.center, business_date=business_date, source="settlement", actor=actor,
               lines=[Line(ins.bank_account.gl_account.code, debit=amount, bank_ref=n.bank_seq or n.notice_id),
                      Line(MEMBER_CONTROL, credit=amount)],
               sub_rows=[SubRow(sub_account_id, amount_current=amount - carried, amount_carried=carried,
                                value_date=vd, reference=ins.seq)],
               biz_type=BizType.OTHER, description=f"退汇 {what} {ins.seq}"[:200])
    return True


def _taken_carried(sub_account_id: int, seq: str) -> int:
    got = SubLedgerRow.objects.filter(sub_account_id=sub_account_id, reference=seq, amount__lt=0).aggregate(
        k=Sum("amount_carried"))["k"]
    return -int(got or 0)


def on_return(ins: Instruction, n: Notice, actor: Actor, business_date: date) -> bool:
    """退汇 of a withdrawal paid alone (source `withdrawal`) or in a batch (`withdrawal.batch`)."""
    if ins.is_batch:
        it = ins.items.filter(counter_account=n.counter_account, amount=n.amount,
                              state=Instruction.State.SUCCEEDED).order_by("item").first()
        if it is None or it.sub_account_id is None:
            return False
        payout = Payout.objects.select_for_update().select_related("application").filter(
            instruction_seq=ins.seq, account_id=it.sub_account_id, state=P.PAID).first()
        sub_id, carried = it.sub_account_id, it.taken_carried
    else:
        payout = Payout.objects.select_for_update().select_related("application").filter(
            instruction_seq=ins.seq, state=P.PAID).first()
        if n.amount != ins.amount or ins.sub_account_id is None:
            return False
        sub_id, carried = ins.sub_account_id, _taken_carried(ins.sub_account_id, ins.seq)
    if payout is None or payout.closes_account:
        return False
    if not _recredit(ins, n, sub_account_id=sub_id, amount=n.amount, taken_carried=carried,
                     what=payout.application.number, actor=actor, business_date=business_date):
        return False
    payout.state, payout.held, payout.message = P.HELD, 0, f"收款行退汇 {n.bank_seq}"[:200]
    payout.save(update_fields=["state", "held", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_RETURNED, obj=payout, center=payout.center_id,
              business_date=business_date,
              after={"application": payout.application.number, "amount": n.amount, "seq": ins.seq,
                     "notice": n.notice_id})
    application_reopen(application=payout.application, actor=actor, business_date=business_date,
                       reason=f"收款行退汇（{ins.seq}），款项已退回个人账户")
    return True


def on_agreed_return(ins: Instruction, n: Notice, actor: Actor, business_date: date) -> bool:
    """退汇 of a 约定提取 item: back to the member at the original value date, the item marked 已退汇."""
    it = ins.items.filter(counter_account=n.counter_account, amount=n.amount,
                          state=Instruction.State.SUCCEEDED).order_by("item").first()
    if it is None or it.sub_account_id is None:
        return False
    item = AgreedItem.objects.select_for_update().filter(run__instruction_seq=ins.seq, run__center_id=ins.center_id,
                                                         sub_account_id=it.sub_account_id,
                                                         state=AgreedItem.State.PAID).first()
    if item is None:
        return False
    if not _recredit(ins, n, sub_account_id=it.sub_account_id, amount=n.amount, taken_carried=it.taken_carried,
                     what=f"约定提取 {item.agreement_id}", actor=actor, business_date=business_date):
        return False
    item.state, item.reason = AgreedItem.State.RETURNED, f"收款行退汇 {n.bank_seq}"[:200]
    item.save(update_fields=["state", "reason"])
    return True


# ---------------------------------------------------------------- liquidity


def held_outflows(center: Any, start: date, end: date) -> list[tuple[date, int, str]]:
    """Approved withdrawals not yet paid (held, or with the bank): expected on the first day of the window."""
    held = Payout.objects.filter(center=center, state=P.HELD).aggregate(s=Sum("held"))["s"] or 0
    sent = Payout.objects.filter(center=center, state=P.SENT).aggregate(s=Sum("amount"))["s"] or 0
    out = []
    if held:
        out.append((start, int(held), "已审批未支付的提取"))
    if sent:
        out.append((start, int(sent), "已提交银行未完成的提取"))
    return out


def register_hooks() -> None:
    settlement.BATCH_HOOKS[SOURCE] = on_batch_done
    settlement.RETURN_HOOKS[SOURCE] = on_return
    settlement.RETURN_HOOKS["withdrawal"] = on_return
    settlement.RETURN_HOOKS[agreed.SOURCE] = on_agreed_return
