"""Paying a withdrawal out (提取支付), single payment through the settlement gateway.

- On approval (审核通过, including approval at 受理 when no review level is needed) the amount is held on the
  member's sub-account at once (`subaccount_set_reserves`, under its row lock): two approvals racing cannot both
  hold more than the available balance; the later one is refused and its approval does not happen.
- Execute (办理): the freeze checks (`member_account_check_debit`, the ledger's debit guards when the hold is
  placed), the member's own verified card, then for a closing withdrawal the interest from 7/1 to the day before
  payout credited by its own posting (Dr 211 / Cr 201) and the whole balance held; BDC101 is submitted
  (`payment_submit`, settlement biz type 02 部分提取 / 03 销户提取, source `withdrawal`, reference
  `<application number>-<attempt>`: each attempt its own payment) and sent after commit (day-end sends what an
  outage left). The application stays 办理中.
- The bank confirms (the answer, a BDC110 result query or a notice: all through settlement's success hook):
  Dr 201 / Cr 101 with the bank reference, ledger biz type 11 / 12, the hold settled; a closing withdrawal closes
  the account (05); the application is 办结.
- The bank refuses: settlement releases the hold; the interest credited for a closing withdrawal is taken back
  (its own reversing posting, at the original value date); the application is 办理失败 and may be executed again.
- An unknown outcome (lost answer, timeout) leaves the instruction, the hold and the application as they are
  until BDC110 (`settlement.services.instruction_resolve`, run by day-end) settles it through the same hooks.
- An application may pay from more than one account (配偶共同申请: the member's and the spouse's): one `Payout`
  per account, each held, sent to its own member's card and answered on its own (the spouse's instruction carries
  the reference `<number>/<个人账号>`); the application is 办结 when every one is paid, 办理失败 when one is refused
  (executing it again sends only what is not paid or in flight)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import (
    member_account_check_debit,
    member_account_close_by_withdrawal,
    member_account_next_status,
    member_debit_split,
)
from openhpf.applications.models import Application, ReviewDecision, State
from openhpf.applications.services import application_execution_done
from openhpf.contributions.interest.periods import earned_sql
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import BizType, SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.ledger.chart import MEMBER_CONTROL
from openhpf.ledger.models import JournalEntry, SubAccount
from openhpf.ledger.services import Line, SubRow, entry_post, subaccount_set_reserves
from openhpf.settlement import services as settlement
from openhpf.settlement.four_eyes import register_application_source
from openhpf.settlement.models import Instruction
from openhpf.settlement.selectors import fund_account_for_payments

from .cards import card_current
from .config import reason_config
from .models import Payout

SOURCE = "withdrawal"
INTEREST_PAYABLE = "211"
P = Payout.State


# ---------------------------------------------------------------- interest to date (closing withdrawals)


def interest_to_date(*, account: MemberAccount, on: date) -> int:
    """The interest the account has earned from 7/1 through the day before `on` (fen): the day money leaves
    does not earn. Each rate period of the year at its own rates, rounded once (contributions' own SQL)."""
    expr, joins = earned_sql(account.center, on)
    rows = sql.fetch(f"SELECT {expr} FROM ledger_v_sub_account a{joins} WHERE a.id = %s",  # noqa: S608 — interest SQL from rates (integers) and dates from code; values bound
                     [account.pk])
    return int(rows[0][0] or 0) if rows else 0


# ---------------------------------------------------------------- hold on approval


def account_of(member_id: int | None) -> MemberAccount:
    """The member's account (the latest opened), locked."""
    acct = (MemberAccount.objects.select_for_update(of=("self",)).select_related("center")  # not the center's row
            .filter(member_id=member_id or 0).order_by("-opened_date", "-pk").first())
    if acct is None:
        raise DomainError(ErrorCode.ACCOUNT_CLOSED, "职工没有个人账户", field="member")
    return acct


def _account(app: Application) -> MemberAccount:
    return account_of(app.member_id)


def _hold(payout: Payout, amount: int, *, actor: Actor, business_date: date) -> None:
    subaccount_set_reserves(sub_account=SubAccount(pk=payout.account_id), hold_delta=amount)
    payout.held += amount
    payout.save(update_fields=["held", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_HOLD, obj=payout, center=payout.center_id,
              business_date=business_date, after={"application": payout.application.number, "held": amount})


def _release(payout: Payout, *, actor: Actor, business_date: date, why: str) -> None:
    if payout.held:
        subaccount_set_reserves(sub_account=SubAccount(pk=payout.account_id), hold_delta=-payout.held)
        audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_RELEASE, obj=payout, center=payout.center_id,
                  business_date=business_date,
                  after={"application": payout.application.number, "released": payout.held, "why": why})
    payout.held = 0
    payout.save(update_fields=["held", "updated_at"])


def closing_amount(account: MemberAccount) -> int:
    sub = SubAccount.objects.get(pk=account.pk)
    return int(sub.balance_current + sub.balance_carried)


def hold_share(app: Application, acct: MemberAccount, amount: int, *, closes: bool, actor: Actor,
               business_date: date) -> Payout:
    """Hold `amount` on `acct` for `app` (its Payout row for that account, made on first use): the freeze checks
    and the ledger's debit guards under the account's lock; refused (INSUFFICIENT_BALANCE) when it would
    overdraw. The amount to pay is kept on the row (the whole balance at execution for a closing reason)."""
    member_account_check_debit(account=acct, amount=amount)
    if closes:
        member_account_next_status(account=acct, action="close_by_withdrawal")  # refused while frozen
    payout, _ = Payout.objects.get_or_create(
        application=app, account=acct, defaults={"center_id": app.center_id, "closes_account": closes})
    if not closes:
        payout.amount = amount
        payout.save(update_fields=["amount", "updated_at"])
    _hold(payout, amount, actor=actor, business_date=business_date)
    return payout


def release_all(app: Application, *, actor: Actor, business_date: date, why: str) -> None:
    """作废 / 终止: every hold of the application not yet sent or paid is released."""
    for held in Payout.objects.select_for_update().filter(application=app).order_by("pk"):
        if held.state in (P.HELD, P.FAILED):
            _release(held, actor=actor, business_date=business_date, why=why)
            held.state = P.RELEASED
            held.save(update_fields=["state", "updated_at"])


def on_transition(app: Application, was: str, now: str, actor: Actor, business_date: date) -> None:
    """The engine's transition hook of every withdrawal item: hold on 审核通过 (the whole balance for a reason
    whose configuration closes the account), release on 作废 / 终止."""
    if now == State.APPROVED:
        closes = reason_config(app.item_code, business_date).closes_account
        acct = _account(app)
        amount = closing_amount(acct) if closes else int(app.amount or 0)
        hold_share(app, acct, amount, closes=closes, actor=actor, business_date=business_date)
    elif now in (State.CANCELLED, State.CLOSED):
        release_all(app, actor=actor, business_date=business_date, why=State(now).label)


# ---------------------------------------------------------------- execute: BDC101 to the member's own card


SHARE_SEP = "/"  # the reference of a second account's instruction: <application number>/<个人账号>


def _ref(app: Application, payout: Payout, acct: MemberAccount) -> str:
    return app.number if acct.member_id == app.member_id else f"{app.number}{SHARE_SEP}{acct.account_no}"


def execute(app: Application, actor: Actor, business_date: date) -> dict[str, Any]:
    """Send every payout of the application that is neither paid nor in flight (one for a member's own
    application, two for a joint one)."""
    payouts = list(Payout.objects.select_for_update(of=("self",)).select_related("application").filter(application=app)
                   .order_by("pk"))
    if not payouts:
        raise DomainError(ErrorCode.ACCOUNT_CLOSED, "职工没有个人账户", field="member")
    sent = [_execute_one(app, p, actor, business_date) for p in payouts if p.state not in (P.PAID, P.SENT)]
    if not sent:
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, object="提取支付", status="已发送银行", action="再次支付")
    first = sent[0]
    return {"pending": True, "instruction": first["instruction"], "amount": sum(r["amount"] for r in sent),
            "interest": sum(r["interest"] for r in sent), "card": first["card"],
            "instructions": [r["instruction"] for r in sent]}


def _execute_one(app: Application, payout: Payout, actor: Actor, business_date: date) -> dict[str, Any]:
    acct = MemberAccount.objects.select_for_update(of=("self",)).select_related("center").get(pk=payout.account_id)
    card = card_current(acct.member_id)
    if card is None:
        raise DomainError(ErrorCode.WITHDRAWAL_CARD_MISSING, field="card")
    bank = fund_account_for_payments(app.center_id)
    if bank is None:
        raise DomainError(ErrorCode.WITHDRAWAL_NO_FUND_ACCOUNT, field="bank_account")
    closes = payout.closes_account
    if closes:
        member_account_next_status(account=acct, action="close_by_withdrawal")
    # the hold of the approval (placed again after a failed attempt released it)
    want = closing_amount(acct) if closes else int(payout.amount or app.amount or 0)
    member_account_check_debit(account=acct, amount=want)
    if payout.held == 0:
        _hold(payout, want, actor=actor, business_date=business_date)
    elif payout.held != want:
        raise DomainError(ErrorCode.WITHDRAWAL_ACCOUNT_CHANGED, account_no=acct.account_no, field="amount")
    interest, entry = 0, None
    if closes:
        settlement.bank_account_lock(bank)  # the 专户 before the accounting period (settlement's lock order)
        interest, entry = post_interest(app, acct, actor=actor, business_date=business_date)
    amount = want + interest
    # the approval's hold passes to the payment instruction, which holds the whole amount until the bank answers
    subaccount_set_reserves(sub_account=SubAccount(pk=acct.pk), hold_delta=-payout.held)
    ins = settlement.payment_submit(
        center=acct.center, bank_account=bank, amount=amount, payee_account=card.card_no,
        payee_name=card.holder_name,
        biz_type=SettlementBizType.CLOSING_WITHDRAWAL if closes else SettlementBizType.PARTIAL_WITHDRAWAL,
        book_account=MEMBER_CONTROL, summary=f"{app.item_version.name} {app.number}", actor=actor,
        business_date=business_date, sub_account_id=acct.pk, source=SOURCE, source_ref=attempt_ref(app, _ref(app, payout, acct)))
    payout.held, payout.amount, payout.interest, payout.interest_entry = 0, amount, interest, entry
    payout.card, payout.instruction_seq, payout.state, payout.message = card, ins.seq, P.SENT, ""
    payout.save()
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_SEND, obj=payout, center=payout.center_id,
              business_date=business_date, after={"application": app.number, "amount": amount, "interest": interest,
                                                  "seq": ins.seq, "card": card.masked,
                                                  "account": acct.account_no})
    if ins.state == Instruction.State.CREATED:
        sender = ins.pk
        transaction.on_commit(lambda: _send(sender, actor, business_date), robust=True)
    return {"instruction": ins.seq, "amount": amount, "interest": interest, "card": card.masked}


def post_interest(app: Application, acct: MemberAccount, *, actor: Actor, business_date: date,
                  ) -> tuple[int, JournalEntry | None]:
    """A closing withdrawal's interest from 7/1 to the day before payout, credited by its own posting
    Dr 211 / Cr 201 (biz type 09) before the closing debit. (interest, its entry or None when nothing)."""
    interest = interest_to_date(account=acct, on=business_date)
    if interest <= 0:
        return 0, None
    entry = entry_post(
        center=acct.center, business_date=business_date, source="withdrawal.interest", actor=actor,
        lines=[Line(INTEREST_PAYABLE, debit=interest), Line(MEMBER_CONTROL, credit=interest)],
        sub_rows=[SubRow(acct.pk, amount_current=0, amount_carried=interest, reference=app.number)],
        biz_type=BizType.INTEREST,
        description=f"销户提取结息 {acct.account_no} {app.number}（{_interest_span(business_date)}）")
    return interest, entry


def reverse_interest(pay: Payout, *, center: Any, actor: Actor, business_date: date) -> None:
    """The bank refused a closing payout: its interest is taken back at the value date it was credited."""
    entry = pay.interest_entry
    if entry is None or not pay.interest:
        return
    entry_post(
        center=center, business_date=business_date, source="withdrawal.interest", actor=actor,
        lines=[Line(MEMBER_CONTROL, debit=pay.interest), Line(INTEREST_PAYABLE, credit=pay.interest)],
        sub_rows=[SubRow(pay.account_id, amount_current=0, amount_carried=-pay.interest,
                         value_date=entry.value_date, reference=pay.application.number)],
        biz_type=BizType.INTEREST, reversal_of=entry,
        description=f"销户提取支付失败，冲回结息 {pay.application.number}")


def _interest_span(on: date) -> str:
    return f"计息至 {(on - timedelta(days=1)).isoformat()}"


def _send(pk: int, actor: Actor, business_date: date) -> None:
    settlement.instruction_send(instruction=Instruction.objects.get(pk=pk), actor=actor, business_date=business_date)


# ---------------------------------------------------------------- the bank's answer (settlement's hooks)


ATTEMPT_MARK = "-"


def attempt_ref(app: Application, base: str) -> str:
    """The settlement reference of this execute attempt, `<base>-<n>` (base: the application number, or
    `<number>/<个人账号>` for the spouse's account of a joint application): each attempt is a payment of its own
    (after a 退汇 reopened the application, paying again is a new payment, made exactly once). The engine executes
    only from 已审批 / 办理失败, so no earlier attempt is open: n counts those made before."""
    made = Instruction.objects.filter(center_id=app.center_id, source=SOURCE).filter(
        Q(source_ref=base) | Q(source_ref__startswith=base + ATTEMPT_MARK)
        | Q(source_ref__startswith=base + settlement.ATTEMPT_SEP)).count()
    return f"{base}{ATTEMPT_MARK}{made + 1}"


def split_ref(source_ref: str) -> tuple[str, str]:
    """(application number, 个人账号 of a spouse's share or "") of a withdrawal's settlement reference (`SQ…-2`,
    `SQ…/3301…-1`, `SQ…-2#3`, or the bare number of the references made before attempts were counted)."""
    base = settlement.source_ref_base(source_ref)
    head, mark, tail = base.rpartition(ATTEMPT_MARK)
    number, _, account_no = (head if mark and tail.isdigit() else base).partition(SHARE_SEP)
    return number, account_no


def application_number(source_ref: str) -> str:
    """The application number in a withdrawal's settlement reference."""
    return split_ref(source_ref)[0]


def lock_rows(*, center_id: int, number: str, account_id: int | None) -> None:
    """The lock order of settlement (docs/settlement.md "Lock order"): the application, its payouts, then the
    member account — taken before the answer's hooks touch the member's sub-account, as `execute` takes them."""
    Application.objects.select_for_update(of=("self",)).filter(center_id=center_id, number=number).values_list(
        "pk", flat=True).first()
    list(Payout.objects.select_for_update(of=("self",)).filter(
        application__center_id=center_id, application__number=number).order_by("pk").values_list("pk", flat=True))
    MemberAccount.objects.select_for_update(of=("self",)).filter(pk=account_id or 0).values_list(
        "pk", flat=True).first()


def lock_answer(ins: Instruction) -> None:
    """settlement.LOCK_HOOKS: a single withdrawal payment's rows, in the lock order, before its answer settles."""
    lock_rows(center_id=ins.center_id, number=application_number(ins.source_ref), account_id=ins.sub_account_id)


def _payout_of(ins: Instruction) -> Payout:
    number = application_number(ins.source_ref)
    return Payout.objects.select_for_update(of=("self",)).select_related("application", "account").get(
        application__center_id=ins.center_id, application__number=number, account_id=ins.sub_account_id)


def on_paid(ins: Instruction, answer: dict[str, Any], actor: Actor, business_date: date) -> Any:
    """The bank paid: Dr 201 / Cr 专户 (bank reference), the hold settled, the account closed for a closing
    withdrawal, the application 办结. Runs under the instruction's lock in settlement's transaction."""
    payout = _payout_of(ins)
    sub = subaccount_set_reserves(sub_account=SubAccount(pk=ins.sub_account_id), hold_delta=-ins.amount)
    closes = payout.closes_account
    entry = entry_post(
        center=ins.center, business_date=business_date, source="settlement", actor=actor,
        lines=[Line(MEMBER_CONTROL, debit=ins.amount), Line(ins.bank_account.gl_account.code, credit=ins.amount,
                                                            bank_ref=ins.seq)],
        sub_rows=[member_debit_split(sub_account=sub, amount=ins.amount, on=business_date, reference=ins.seq)],
        biz_type=BizType.CLOSING_WITHDRAWAL if closes else BizType.PARTIAL_WITHDRAWAL, settles_hold=True,
        description=f"{SettlementBizType(ins.biz_type).label} 付款 {payout.application.number} {ins.seq}")
    if closes:
        member_account_close_by_withdrawal(account=payout.account, actor=actor, business_date=business_date)
    bank_seq = str(answer.get("bank_seq", "") or ins.bank_seq or "")
    payout.state, payout.bank_seq, payout.paid_on, payout.message = P.PAID, bank_seq[:40], business_date, "支付成功"
    payout.save(update_fields=["state", "bank_seq", "paid_on", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_PAID, obj=payout, center=payout.center_id,
              business_date=business_date, after={"application": payout.application.number, "amount": ins.amount,
                                                  "seq": ins.seq, "bank_seq": bank_seq})
    shares = list(Payout.objects.filter(application=payout.application).values_list("state", "amount"))
    if all(state == P.PAID for state, _ in shares):  # a joint application is 办结 when both accounts have paid
        application_execution_done(application=payout.application, ok=True, actor=actor, business_date=business_date,
                                   result={"paid": sum(a for _, a in shares), "bank_seq": bank_seq,
                                           "voucher": entry.voucher_no, "closed": closes},
                                   reason=f"已支付 {ins.seq}")
    return entry


def on_failed(ins: Instruction, actor: Actor, business_date: date) -> None:
    """The bank refused (settlement has released the instruction's hold): the closing interest is taken back at
    its value date, the application is 办理失败 (the clerk may execute it again, or close it)."""
    payout = _payout_of(ins)
    reverse_interest(payout, center=ins.center, actor=actor, business_date=business_date)
    payout.state, payout.interest, payout.interest_entry, payout.message = P.FAILED, 0, None, "银行支付失败"
    payout.save(update_fields=["state", "interest", "interest_entry", "message", "updated_at"])
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_PAYOUT_FAILED, obj=payout, center=payout.center_id,
              business_date=business_date, after={"application": payout.application.number, "seq": ins.seq})
    application_execution_done(application=payout.application, ok=False, actor=actor, business_date=business_date,
                               result={"failed": ins.seq}, reason=f"银行支付失败（{ins.seq}），预留资金已释放")


def application_checked(*, center: Any, source_ref: str, payees: list[tuple[str, str, int]]) -> bool:
    """Four eyes: a withdrawal payment counts as checked when its application was passed by a reviewer and
    pays exactly the recorded amount to the member's own verified card."""
    number, account_no = split_ref(source_ref)
    app = Application.objects.filter(center=center, number=number).first()
    if app is None or app.state != State.EXECUTING or len(payees) != 1:
        return False
    if not ReviewDecision.objects.filter(application=app, decision=ReviewDecision.Decision.PASS).exists():
        return False
    member_id = app.member_id
    if account_no:  # the second account of a joint application: its own member's card
        member_id = (Payout.objects.filter(application=app, account__account_no=account_no)
                     .values_list("account__member_id", flat=True).first())
        if member_id is None:
            return False
    card = card_current(member_id)  # type: ignore[arg-type]
    if card is None:
        return False
    no, name, _amount = payees[0]
    return no == card.card_no and name == card.holder_name


def register_hooks() -> None:
    settlement.SUCCESS_HOOKS[SOURCE] = on_paid
    settlement.FAILURE_HOOKS[SOURCE] = on_failed
    settlement.LOCK_HOOKS[SOURCE] = lock_answer
    register_application_source(SOURCE, application_checked)
