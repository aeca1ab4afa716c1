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
from openhpf.accounts.services import member_account_close_by_withdrawal, member_account_next_status
from openhpf.applications.models import State
from openhpf.applications.services import (
    application_reopen,
    applications_executing_bulk,
    applications_execution_done_bulk,
)
from openhpf.approvals.services import command_approve
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType, MemberAccountStatus, SettlementBizType
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.models import SubLedgerRow
from openhpf.ledger.services import Line, SubRow, entry_post, subaccounts_hold_from
from openhpf.settlement import services as settlement
from openhpf.settlement.models import Instruction, Notice
from openhpf.settlement.selectors import fund_account_for_payments

from . import agreed, payout
from .cards import card_current
from .closing import DEATH
from .models import AgreedItem, Payout

SOURCE = "withdrawal.batch"
P = Payout.State


BATCH_CHECK = "提取批量支付须经复核放行（四眼）"


def _units(center: Center, *, closing: bool, limit: int) -> tuple[list[list[Payout]], list[dict[str, Any]]]:
    """The applications a batch may take, each a unit of its payouts not yet paid (one for a member's own
    application, two for a joint one): every payout of the unit held and approved, else the whole application
    waits (all or nothing); one unit per member account in a batch. (units, skipped with their reason)"""
    rows = list(Payout.objects.select_for_update(of=("self",)).select_related("application", "account")
                .filter(center=center, closes_account=closing,
                        application__state__in=[State.APPROVED, State.EXECUTION_FAILED])
                .exclude(application__item_code=DEATH)  # 08 pays each heir by share, alone
                .exclude(state__in=[P.PAID, P.RELEASED]).order_by("application_id", "pk"))
    by_app: dict[int, list[Payout]] = {}
    for p in rows:
        by_app.setdefault(p.application_id, []).append(p)
    units: list[list[Payout]] = []
    skipped: list[dict[str, Any]] = []
    seen: set[int] = set()
    for unit in by_app.values():
        number = unit[0].application.number
        if any(p.state != P.HELD or p.held <= 0 for p in unit):
            skipped.append({"application": number, "reason": "有一个账户的款项未预留或已在银行，整笔申请本批不支付"})
            continue
        if any(p.account_id in seen for p in unit):
            skipped.append({"application": number, "reason": "同一账户本批已有一笔，留待下一批"})
            continue
        seen.update(p.account_id for p in unit)
        units.append(unit)
        if len(units) >= limit:
            break
    return units, skipped


def payout_batch(*, center: Center, actor: Actor, business_date: date, closing: bool = False,
                 limit: int = 100_000) -> Instruction:
    """Pay the center's approved, held withdrawals in one BDC103 batch: partial ones (settlement biz type 02,
    ledger biz type 11) or, with `closing`, closing ones (03 / 12: each item the whole balance plus its interest
    to date, credited first by its own posting Dr 211 / Cr 201). The two accounts of a joint application go
    together or not at all. The batch always waits for a checker (four eyes, as the 约定提取 batch)."""
    with transaction.atomic():
        units, skipped = _units(center, closing=closing, limit=limit)
        chosen = [p for unit in units for p in unit]
        if not chosen:
            raise DomainError(ErrorCode.WITHDRAWAL_BATCH_EMPTY, field="items", details={"skipped": skipped})
        bank = fund_account_for_payments(center.pk)
        if bank is None:
            raise DomainError(ErrorCode.WITHDRAWAL_NO_FUND_ACCOUNT, field="bank_account")
        accounts = {a.pk: a for a in MemberAccount.objects.select_for_update(of=("self",)).select_related("center")
                    .filter(pk__in=[p.account_id for p in chosen]).order_by("pk")}
        settlement.bank_account_lock(bank)  # the 专户 after the accounts, before any posting (the lock order)
        items = []
        for p in chosen:
            acct = accounts[p.account_id]
            card = card_current(acct.member_id)
            if card is None:
                raise DomainError(ErrorCode.WITHDRAWAL_CARD_MISSING, field="card",
                                  details={"application": p.application.number})
            if closing:  # the whole balance as held at approval, then the interest to date on top
                member_account_next_status(account=acct, action="close_by_withdrawal")  # refused under a freeze
                if payout.closing_amount(acct) != p.held:
                    raise DomainError(ErrorCode.WITHDRAWAL_ACCOUNT_CHANGED, account_no=acct.account_no,
                                      field="amount", details={"application": p.application.number})
                p.interest, p.interest_entry = payout.post_interest(p.application, acct, actor=actor,
                                                                    business_date=business_date)
            p.card, p.amount = card, p.held + p.interest
            items.append({"counter_account": card.card_no, "counter_name": card.holder_name, "amount": p.amount,
                          "sub_account_id": p.account_id})
        for i in range(0, len(chosen), 5000):  # the approvals' holds pass to the batch, set-based
            part = [p.pk for p in chosen[i:i + 5000]]
            subaccounts_hold_from(source=Relation(
                "SELECT p.account_id AS sub_account_id, -p.held AS delta FROM withdrawals_payout p "  # noqa: S608 — SQL from code; values bound
                f"WHERE p.id IN ({', '.join(['%s'] * len(part))})", tuple(part)))
        kind = "销户提取" if closing else "提取"
        ref = f"WDB-{center.code}-{business_date:%Y%m%d}-{'C' if closing else 'P'}{chosen[0].pk}"
        ins = settlement.batch_payment_submit(
            center=center, bank_account=bank, items=items,
            biz_type=SettlementBizType.CLOSING_WITHDRAWAL if closing else SettlementBizType.PARTIAL_WITHDRAWAL,
            book_account=MEMBER_CONTROL, summary=f"{kind}批量支付 {len(items)} 笔", actor=actor,
            business_date=business_date, source=SOURCE, source_ref=ref, require_check=BATCH_CHECK,
            ledger_biz_type=BizType.CLOSING_WITHDRAWAL if closing else BizType.PARTIAL_WITHDRAWAL)
        now = timezone.now()
        for p in chosen:
            p.held, p.instruction_seq, p.state, p.message = 0, ins.seq, P.SENT, "已提交批量支付"
            p.updated_at = now
        Payout.objects.bulk_update(chosen, ["amount", "interest", "interest_entry", "held", "instruction_seq",
                                            "state", "message", "card", "updated_at"], batch_size=500)
        applications_executing_bulk(applications=[u[0].application_id for u in units], actor=actor,  # 办理中
                                    business_date=business_date, reason=f"批量支付 {ins.seq}")
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_BATCH_SUBMIT, obj=ins, center=center,
                  business_date=business_date, after={"seq": ins.seq, "count": len(items), "total": ins.amount,
                                                      "closing": closing, "skipped": len(skipped),
                                                      "applications": [u[0].application.number for u in units]})
        if ins.state == Instruction.State.CREATED:
            pk = ins.pk
            transaction.on_commit(lambda: settlement.instruction_send(
                instruction=Instruction.objects.get(pk=pk), actor=actor, business_date=business_date), robust=True)
        return ins


def payout_batches(*, center: Center, actor: Actor, business_date: date) -> list[Instruction]:
    """批量支付 at the counter, the API and `hpf withdrawals batch`: one batch of the partial withdrawals and one
    of the closing ones (each kind that has any), each waiting for its checker."""
    made = []
    for closing in (False, True):
        try:
            made.append(payout_batch(center=center, actor=actor, business_date=business_date, closing=closing))
        except DomainError as exc:
            if exc.code != ErrorCode.WITHDRAWAL_BATCH_EMPTY.value:
                raise
    if not made:
        raise DomainError(ErrorCode.WITHDRAWAL_BATCH_EMPTY, field="items")
    return made


def batch_release(*, center: Center, seq: str, actor: Actor, business_date: date, reason: str = "") -> Instruction:
    """The checker releases a withdrawal batch: the approval of its release command (never its maker)."""
    ins = batch_get(center=center, seq=seq)
    if ins.state != Instruction.State.HELD or not ins.release_command:
        raise DomainError(ErrorCode.WITHDRAWAL_BATCH_STATE, seq=seq, status=Instruction.State(ins.state).label,
                          field="seq")
    command_approve(command=ins.release_command, actor=actor, business_date=business_date, reason=reason)
    return Instruction.objects.get(pk=ins.pk)


def batch_get(*, center: Center, seq: str) -> Instruction:
    ins = Instruction.objects.filter(center=center, seq=seq, source=SOURCE).first()
    if ins is None:
        raise DomainError(ErrorCode.WITHDRAWAL_BATCH_UNKNOWN, seq=seq, field="seq")
    return ins


def batch_summary(ins: Instruction) -> dict[str, Any]:
    """A withdrawal batch as the API and the command show it (payees masked)."""
    payouts = list(Payout.objects.filter(center_id=ins.center_id, instruction_seq=ins.seq)
                   .select_related("application", "card").order_by("application_id", "pk"))
    return {"seq": ins.seq, "state": ins.state, "state_label": Instruction.State(ins.state).label,
            "closing": ins.biz_type == SettlementBizType.CLOSING_WITHDRAWAL, "count": ins.count, "total": ins.amount,
            "total_yuan": format_fen(ins.amount),
            "release_command": ins.release_command if ins.state == Instruction.State.HELD else None,
            "items": [{"application": p.application.number, "amount": p.amount, "interest": p.interest,
                       "card": p.card.masked if p.card else "", "state": p.state,
                       "state_label": P(p.state).label} for p in payouts]}


def on_batch_done(ins: Instruction, actor: Actor, business_date: date) -> None:
    """Each item's application: 办结 when every payout of it is paid (a joint application's two), 办理失败 when one
    failed (its money already back at the original value date; a closing item's interest taken back). A paid
    closing item closes its account. Set-based: the payouts written in bulk, the applications moved through the
    engine's bulk transition (each with its timeline row, audit row and notice)."""
    payouts = {p.account_id: p for p in Payout.objects.select_for_update(of=("self",)).select_related("application")
               .filter(center_id=ins.center_id, instruction_seq=ins.seq, state=P.SENT)}
    by_app: dict[int, list[tuple[bool, int, str, int]]] = {}
    changed = []
    for sub_id, item, state, amount, bank_seq, result, message in ins.items.order_by("item").values_list(
            "sub_account_id", "item", "state", "amount", "bank_seq", "result", "message"):
        p = payouts.get(sub_id)  # type: ignore[arg-type]
        if p is None:
            continue
        ok = state == Instruction.State.SUCCEEDED
        if ok:
            p.state, p.bank_seq, p.paid_on, p.message = P.PAID, bank_seq, business_date, "支付成功"
            if p.closes_account:
                member_account_close_by_withdrawal(account=MemberAccount.objects.get(pk=p.account_id), actor=actor,
                                                   business_date=business_date)
        else:
            p.state, p.message = P.FAILED, f"银行支付失败 {result} {message}".strip()[:200]
            if p.closes_account and p.interest:
                payout.reverse_interest(p, center=ins.center, actor=actor, business_date=business_date)
                p.interest, p.interest_entry = 0, None
        by_app.setdefault(p.application_id, []).append((ok, item, bank_seq, amount))
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_PAID if ok else AuditEvent.WITHDRAWALS_PAYOUT_FAILED,
                  obj=p, center=p.center_id, business_date=business_date,
                  after={"application": p.application.number, "seq": ins.seq,
                         **({"amount": amount, "bank_seq": bank_seq} if ok else {})})
        changed.append(p)
    Payout.objects.bulk_update(changed, ["state", "bank_seq", "paid_on", "message", "interest", "interest_entry"],
                               batch_size=500)
    Payout.objects.filter(pk__in=[p.pk for p in changed]).update(updated_at=timezone.now())
    outcomes: list[tuple[int, bool, dict[str, Any], str]] = []
    for app_id, results in by_app.items():
        items = "、".join(str(item) for _, item, _, _ in results)
        if all(ok for ok, *_ in results):
            outcomes.append((app_id, True, {"paid": sum(a for *_, a in results), "bank_seq": results[0][2],
                                            "batch": ins.seq}, f"已支付（批量 {ins.seq} 第 {items} 笔）"))
        else:
            failed = [str(item) for ok, item, _, _ in results if not ok]
            outcomes.append((app_id, False, {"failed": ins.seq, "items": failed},
                             f"银行支付失败（批量 {ins.seq} 第 {'、'.join(failed)} 笔），资金已退回个人账户"))
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
