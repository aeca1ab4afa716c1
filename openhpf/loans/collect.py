"""Collection of what falls due (贷款回收): the bank debit of borrowers' cards (银行代扣), the 约定提取 offset from the
borrower's HPF account, and the forced offset of loans long overdue (逾期强制冲还). Every one reaches the loan through
`payments.payment_apply`, so the allocation, the postings and the COB lock are the same for all.

- `collect_run` (day-end step 63 `loan_collect`): for the business date, each active loan with open dues (current
  and overdue) not repaid by a 约定提取 agreement, with the amount it owes (`payments.amount_due`, dues loaded in
  bulk), in ONE batch debit of the borrowers' verified cards (BDC104 with settlement biz type 05; cards decrypted in
  bulk). The allocation is computed at submit: principal, and interest with penalty, which the bank moves to the
  102 增值收益 专户 by BDC106 when the policy `loan.collect.split_interest` says so. One instruction per center and
  date (source_ref `LC-<center>-<date>`), one `LoanCollection` per loan and date: a rerun never debits twice, and
  a crash after the submit resumes at the send and the result query.
- The bank's items (settlement's ITEM hooks, exactly once): a paid item is `payment_apply(source=BANK)` funded by
  the 101 专户 with the batch's seq (and, split, the interest and penalty on the 102 专户 with the BDC106's seq);
  a failed item leaves the due open (it goes overdue at the next COB).
- `agreed_offset` (registered with `withdrawals.agreed.register_hpf_offset`): the month's 约定提取 amount, whose
  hold the agreed run has just released, is applied to the loan's installment of that month (its due created if
  the COB has not copied it yet): Dr 201 with the member's sub-ledger row.
- `offset_run` (day-end step 65 `loan_offset`): loans overdue at least `loan.offset.after_days` whose contract
  allows it are repaid from the available HPF balances of the borrower, then the co-borrowers (the ledger's
  debit guards apply: frozen money and holds are never taken), Dr 201 (sub rows) / Cr 122, 40103.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import member_debit_split, withdrawal_order
from openhpf.core.actors import Actor, staff_user_of
from openhpf.core.codes import FreezeKind, MemberAccountStatus, SettlementBizType
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.policy import policy_value
from openhpf.jobs.dayend import Day, register_step, run_once
from openhpf.jobs.runner import StepContext
from openhpf.ledger.chart import MEMBER_CONTROL, UNKNOWN_SUSPENSE
from openhpf.ledger.models import SubAccount
from openhpf.ledger.services import Line, entry_post
from openhpf.settlement import services as settlement
from openhpf.settlement.models import BankAccount, Instruction, InstructionItem
from openhpf.settlement.selectors import fund_account_for_payments
from openhpf.withdrawals.agreed import HpfOffset, hpf_agreement_contracts, register_hpf_offset
from openhpf.withdrawals.cards import cards_current

from .models import Loan, LoanCollection, LoanDue, LoanInstallment, LoanParty, LoanPayment
from .payments import Funding, amount_due, payment_apply, penalty_estimate, penalty_ratio

SOURCE = "loan.collect"
SPLIT_POLICY = "loan.collect.split_interest"
OFFSET_DAYS = "loan.offset.after_days"
C = LoanCollection.State
Src = LoanPayment.Source


def source_ref(center: Any, on: date) -> str:
    return f"LC-{center.code}-{on:%Y%m%d}"


# ---------------------------------------------------------------- what each loan owes (in bulk)


def owed_by_loan(center: Any, on: date, loan_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """(principal, interest + penalty) owed on `on` by each active loan of the center with open dues up to `on`:
    the same figures as `payments.amount_due`, from one read of the open dues (chunked), not a query per loan."""
    ratio = penalty_ratio(center=center.pk, on=on)
    qs = LoanDue.objects.filter(center=center, state=LoanDue.State.OPEN, due_date__lte=on,
                                loan__status=Loan.Status.ACTIVE)
    if loan_ids is not None:
        qs = qs.filter(loan_id__in=loan_ids)
    rates = dict(Loan.objects.filter(pk__in=qs.values("loan_id")).values_list("pk", "annual_rate"))
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for d in qs.order_by("loan_id", "due_date", "period").iterator(chunk_size=5000):
        o = out[d.loan_id]
        o[0] += d.unpaid_principal
        o[1] += d.unpaid_interest + (penalty_estimate(d, rates[d.loan_id], on, ratio) if d.overdue_on else 0)
    return {k: (v[0], v[1]) for k, v in out.items() if v[0] + v[1] > 0}


# ---------------------------------------------------------------- 银行代扣: the batch debit


def _split_account(center: Any, on: date) -> BankAccount | None:
    if not policy_value(SPLIT_POLICY, on=on, center=center):
        return None
    return (BankAccount.objects.filter(center=center, kind=BankAccount.Kind.VALUE_ADDED,
                                       status=BankAccount.Status.ACTIVE).order_by("gl_account__code").first())


def collect_submit(*, center: Any, actor: Actor, business_date: date) -> Instruction | None:
    """Choose the loans and submit the day's batch debit (once per center and date; a rerun returns it)."""
    on = business_date
    with transaction.atomic():
        ref = source_ref(center, on)
        made = settlement.source_attempts(center=center, source=SOURCE, source_ref=ref)
        if made or LoanCollection.objects.filter(center=center, business_date=on).exists():
            return made[-1] if made else None
        skip_contracts = hpf_agreement_contracts(center, on)
        owed = owed_by_loan(center, on)
        loans = {pk: (number, contract, borrower) for pk, number, contract, borrower in Loan.objects.filter(
            pk__in=list(owed)).values_list("pk", "number", "contract_no", "borrower_id")}
        cards = cards_current({b for _n, _c, b in loans.values()})
        rows: list[LoanCollection] = []
        items: list[dict[str, Any]] = []
        split = _split_account(center, on)
        for pk in sorted(owed):
            _number, contract, borrower = loans[pk]
            if contract and contract in skip_contracts:
                continue  # repaid by the 约定提取 run from the member's HPF account
            principal, interest = owed[pk]
            card = cards.get(borrower)
            row = LoanCollection(center=center, loan_id=pk, business_date=on, amount=principal + interest,
                                 principal=principal, interest=interest)
            if card is None:
                row.state, row.reason = C.SKIPPED, "借款人没有已核验的结算银行卡"
            else:
                row.item = len(items) + 1
                items.append({"counter_account": card.card_no, "counter_name": card.holder_name,
                              "amount": principal + interest, "split_interest": interest if split else 0})
            rows.append(row)
        if not items:
            LoanCollection.objects.bulk_create(rows, batch_size=2000)
            return None
        bank = fund_account_for_payments(center)
        if bank is None:
            raise DomainError(ErrorCode.LOAN_NO_FUND_ACCOUNT, field="bank_account")
        ins = settlement.batch_collection_submit(
            center=center, bank_account=bank, items=items, biz_type=SettlementBizType.LOAN_DEBIT,
            summary=f"个人住房公积金贷款扣款 {on:%Y-%m-%d}", actor=staff_user_of(actor) or actor,
            business_date=on, source=SOURCE, source_ref=ref, split_account=split)
        for r in rows:
            if r.item is not None:
                r.instruction_seq = ins.seq
        LoanCollection.objects.bulk_create(rows, batch_size=2000)
        return ins


def collect_run(*, center: Any, actor: Actor, business_date: date) -> dict[str, Any]:
    """The day-end step: submit (once), send, ask for the result; the bank's items are booked by the hooks."""
    ins = collect_submit(center=center, actor=actor, business_date=business_date)
    if ins is not None and ins.state == Instruction.State.CREATED:
        ins = settlement.instruction_send(instruction=ins, actor=actor, business_date=business_date)
    if ins is not None and ins.can_query:
        ins = settlement.instruction_resolve(instruction=ins, actor=actor, business_date=business_date)
    counts = dict.fromkeys(C.values, 0)
    for st in LoanCollection.objects.filter(center=center, business_date=business_date).values_list("state",
                                                                                                    flat=True):
        counts[st] += 1
    return {"seq": ins.seq if ins else "", "state": ins.state if ins else "", **counts}


def _collection_of(ins: Instruction, item: InstructionItem) -> LoanCollection | None:
    return LoanCollection.objects.select_for_update().filter(instruction_seq=ins.seq, item=item.item).first()


def on_item_paid(ins: Instruction, item: InstructionItem, actor: Actor, business_date: date, split_seq: str) -> None:
    """One borrower's debit succeeded: the payment onto the loan (Dr 101 principal, Dr 102 interest when split)."""
    c = _collection_of(ins, item)
    if c is None or c.state != C.SUBMITTED:
        return
    fund = ins.bank_account.gl_account.code
    split_gl = ins.split_account.gl_account.code if split_seq and ins.split_account is not None else ""
    reference = f"{ins.seq}-{item.item}"
    funding = Funding(fund, bank_ref=ins.seq, interest_account=split_gl, interest_bank_ref=split_seq)
    pay: LoanPayment | None
    try:
        pay = payment_apply(loan=c.loan_id, amount=c.amount, source=Src.BANK, reference=reference, funding=funding,
                            actor=actor, business_date=business_date, within_cob=True,
                            description=f"银行代扣 {ins.seq} 第 {item.item} 笔")
    except DomainError as exc:
        if exc.code == ErrorCode.LOAN_IN_COB:
            raise  # asked again after the COB has let the loan go
        pay = _collected_beyond_owed(c, ins, item, actor=actor, business_date=business_date, split_gl=split_gl,
                                     split_seq=split_seq, why=str(exc))
    c.state, c.payment = C.PAID, pay
    c.save(update_fields=["state", "payment", "reason"])


def _collected_beyond_owed(c: LoanCollection, ins: Instruction, item: InstructionItem, *, actor: Actor,
                           business_date: date, split_gl: str, split_seq: str, why: str) -> LoanPayment | None:
    """The bank took more than the loan now owes (paid at the counter meanwhile, or no longer active): what it owes
    is applied, the rest waits in 21902 暂收款 to be returned to the borrower; the books follow the bank's split."""
    fund = ins.bank_account.gl_account.code
    loan = Loan.objects.get(pk=c.loan_id)
    owed = amount_due(loan, business_date)["total"] if loan.status == Loan.Status.ACTIVE else 0
    applied = min(owed, c.amount)
    pay = None
    if applied:
        pay = payment_apply(loan=c.loan_id, amount=applied, source=Src.BANK, reference=f"{ins.seq}-{item.item}",
                            funding=Funding(fund, bank_ref=ins.seq), actor=actor, business_date=business_date,
                            within_cob=True)
    lines = []
    if c.amount - applied:
        lines += [Line(fund, debit=c.amount - applied, bank_ref=ins.seq), Line(UNKNOWN_SUSPENSE,
                                                                               credit=c.amount - applied)]
    if split_gl and item.split_interest:
        lines += [Line(split_gl, debit=item.split_interest, bank_ref=split_seq),
                  Line(fund, credit=item.split_interest, bank_ref=split_seq)]
    if lines:
        entry_post(center=ins.center, business_date=business_date, source="loans", actor=actor, lines=lines,
                   description=f"贷款 {loan.number} 银行代扣多收 {c.amount - applied} 分待退还 {ins.seq}"[:200])
    c.reason = f"扣款时应还已变化：{why}"[:200]
    return pay


def on_item_failed(ins: Instruction, item: InstructionItem, actor: Actor, business_date: date,
                   split_seq: str) -> None:
    """The bank could not debit the card: nothing is booked, the due stays open."""
    c = _collection_of(ins, item)
    if c is None or c.state != C.SUBMITTED:
        return
    c.state, c.reason = C.FAILED, f"银行扣款失败 {item.result} {item.message}".strip()[:200]
    c.save(update_fields=["state", "reason"])


# ---------------------------------------------------------------- 约定提取 offset of an HPF loan


def _due_of_month(loan: Loan, month: date) -> None:
    """The loan's installment of `month` as a due (idempotent: the COB may have copied it already)."""
    inst = LoanInstallment.objects.filter(loan=loan, due_date__year=month.year,
                                          due_date__month=month.month).order_by("period").first()
    if inst is not None:
        LoanDue.objects.get_or_create(loan=loan, period=inst.period, defaults={
            "center_id": loan.center_id, "due_date": inst.due_date, "principal": inst.principal,
            "interest": inst.interest})


def agreed_offset(off: HpfOffset, actor: Actor, business_date: date) -> int:
    """Apply one month's 约定提取 amount (its hold just released by the agreed run) to the loan of the agreement's
    contract: at most what the loan owes with the month's installment; Dr 201 with the member's row. Returns the
    fen applied (0 when the loan owes nothing or is not active; the money then stays on the member's account)."""
    loan = Loan.objects.filter(contract_no=off.contract_no, status=Loan.Status.ACTIVE).order_by("pk").first()
    if loan is None:
        return 0
    reference = f"AGREED-{off.agreement_id}-{off.month:%Y%m}"
    seen = LoanPayment.objects.filter(reference=reference).first()
    if seen is not None:
        return seen.amount
    with transaction.atomic():
        _due_of_month(loan, off.month)
        amount = min(off.amount, amount_due(loan, business_date)["total"])
        if amount <= 0:
            return 0
        sub = SubAccount.objects.select_for_update().get(pk=off.sub_account_id)
        row = member_debit_split(sub_account=sub, amount=amount, on=business_date, reference=reference)
        payment_apply(loan=loan.pk, amount=amount, source=Src.AGREED, reference=reference,
                      funding=Funding(MEMBER_CONTROL, sub_rows=[row], settles_hold=True), actor=actor,
                      business_date=business_date, within_cob=True, description=f"约定提取冲还 {loan.number} {off.month:%Y年%m月}")
    return amount


# ---------------------------------------------------------------- 逾期强制冲还


def offset_candidates(center: Any, on: date) -> list[int]:
    """Loans overdue at least `loan.offset.after_days` whose contract allows the forced offset (one query)."""
    days = int(policy_value(OFFSET_DAYS, on=on, center=center))
    return list(Loan.objects.filter(center=center, status=Loan.Status.ACTIVE, offset_allowed=True,
                                    overdue_since__isnull=False, overdue_since__lte=on - timedelta(days=days))
                .order_by("pk").values_list("pk", flat=True))


def _party_accounts(loan: Loan) -> list[SubAccount]:
    """The borrower's HPF accounts, then each co-borrower's (normal or sealed, not fully frozen), locked in
    primary-key order."""
    co = LoanParty.objects.filter(loan=loan, role=LoanParty.Role.CO_BORROWER).exclude(
        member_id=loan.borrower_id).order_by("pk").values_list("member_id", flat=True)
    members = [loan.borrower_id, *co]
    accts = list(MemberAccount.objects.filter(
        member_id__in=members, center_id=loan.center_id,
        status__in=[MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED]).exclude(
        freeze_kind=FreezeKind.FULL).values_list("member_id", "sub_id"))
    subs = {s.pk: s for s in SubAccount.objects.select_for_update().filter(
        pk__in=[sid for _m, sid in accts]).order_by("pk")}
    return [subs[sid] for m in members for mid, sid in accts if mid == m and sid in subs]


def loan_offset(*, loan_id: int, actor: Actor, business_date: date) -> LoanPayment | None:
    """Repay what one overdue loan owes from its parties' available HPF balances (once per loan and date)."""
    reference = f"OFFSET-{loan_id}-{business_date:%Y%m%d}"
    seen = LoanPayment.objects.filter(reference=reference).first()
    if seen is not None:
        return seen
    with transaction.atomic():
        loan = Loan.objects.get(pk=loan_id)
        left = amount_due(loan, business_date)["total"]
        order = withdrawal_order(center=loan.center_id, on=business_date)
        rows = []
        for sub in _party_accounts(loan):
            avail = sub.balance_current + sub.balance_carried - sub.frozen_amount - sub.hold_amount
            take = min(left, max(0, avail))
            if take:
                rows.append(member_debit_split(sub_account=sub, amount=take, on=business_date, reference=reference,
                                               order=order))
                left -= take
            if not left:
                break
        total = -sum(r.amount_current + r.amount_carried for r in rows)
        if total <= 0:
            return None
        return payment_apply(loan=loan.pk, amount=total, source=Src.OFFSET, reference=reference,
                             funding=Funding(MEMBER_CONTROL, sub_rows=rows), actor=actor, business_date=business_date,
                             within_cob=True, description=f"逾期强制冲还 {loan.number}")


def offset_run(*, center: Any, actor: Actor, business_date: date) -> dict[str, Any]:
    n = amount = 0
    for pk in offset_candidates(center, business_date):
        pay = loan_offset(loan_id=pk, actor=actor, business_date=business_date)
        if pay is not None:
            n, amount = n + 1, amount + pay.amount
    return {"loans": n, "amount": amount}


# ---------------------------------------------------------------- liquidity


def pending_disbursements(center: Any, start: date, end: date) -> list[tuple[date, int, str]]:
    """Liquidity: loans approved and not yet sent to the bank (a sent one is settlement's pending payment)."""
    total = sum(Loan.objects.filter(center=center, status=Loan.Status.APPROVED).exclude(
        disbursement__state__in=["sent", "paid"]).values_list("principal", flat=True))
    return [(start, int(total), "已审批待发放贷款")] if total else []


def expected_collections(center: Any, start: date, end: date) -> list[tuple[date, int, str]]:
    """The installments of active loans falling due in [start, end], by date (expected inflows)."""
    rows: dict[date, int] = defaultdict(int)
    for d, p, i in LoanInstallment.objects.filter(loan__center=center, loan__status=Loan.Status.ACTIVE,
                                                  due_date__gte=start, due_date__lte=end).values_list(
            "due_date", "principal", "interest").iterator(chunk_size=10000):
        rows[d] += p + i
    return [(d, amt, "贷款应收本息") for d, amt in sorted(rows.items())]


def _collect_step(day: Day, ctx: StepContext) -> dict[str, Any]:
    return run_once(day, ctx, lambda: collect_run(center=day.center, actor=day.actor, business_date=day.on))


def _offset_step(day: Day, ctx: StepContext) -> dict[str, Any]:
    """Per loan (few), resumable: each loan's offset is once per date by its reference."""
    loans = offset_candidates(day.center, day.on)
    ctx.advance(0, total=len(loans))
    n = amount = 0
    for pk in loans:
        pay = loan_offset(loan_id=pk, actor=day.actor, business_date=day.on)
        if pay is not None:
            n, amount = n + 1, amount + pay.amount
        ctx.advance(1, cursor=pk)
    return {"loans": n, "amount": amount}


def register_hooks() -> None:
    """From LoansConfig.ready(): settlement's item hooks, the 约定提取 offset, the day-end steps 63 and 65."""
    settlement.ITEM_SUCCESS_HOOKS[SOURCE] = on_item_paid
    settlement.ITEM_FAILURE_HOOKS[SOURCE] = on_item_failed
    register_hpf_offset(agreed_offset)
    register_step("loan_collect", order=63, label="贷款银行代扣", run=_collect_step, app="loans")
    register_step("loan_offset", order=65, label="逾期贷款强制冲还", run=_offset_step, app="loans")
