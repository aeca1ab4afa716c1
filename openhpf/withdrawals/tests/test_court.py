"""司法扣划 end to end through the bank simulator: the maker enters the notice, another person approves (the freeze
is reduced and the amount held for the court), finance pays by BDC101 to the court's account, Dr 201 / Cr 101 once;
a refusal holds the money again; a lost answer is settled once by BDC110. Bad input: no freeze, more than frozen,
maker = checker, each refused with nothing written. `hpf verify` runs after each test (openhpf/conftest.py)."""

from __future__ import annotations

import pytest

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import member_account_freeze, member_account_unfreeze
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject
from openhpf.core.errors import DomainError
from openhpf.ledger.models import JournalLine, SubAccount, SubLedgerRow
from openhpf.settlement.models import Instruction, Payee
from openhpf.settlement.services import instruction_resolve, instruction_send, instructions_process
from openhpf.withdrawals.court import court_deduction_pay, court_deduction_submit
from openhpf.withdrawals.models import CourtDeduction

from .conftest import BALANCE

pytestmark = pytest.mark.django_db
COURT_ACCOUNT = "3301040160000012345"
FROZEN = 3_000_000  # 30,000.00 元 frozen by the court
DEDUCT = 1_234_567  # 12,345.67 元 deducted


def _params(w, **kw):
    return {"account_no": w["acct"].account_no, "document_no": "（2026）浙0102执1234号", "court": "杭州市上城区人民法院",
            "amount": DEDUCT, "payee_account": COURT_ACCOUNT, "payee_name": "杭州市上城区人民法院",
            "payee_bank": "工商银行杭州分行", **kw}


def _freeze(w, kind="2", amount=FROZEN):
    member_account_freeze(account=w["acct"], kind=kind, amount=amount if kind != "1" else None,
                          reason="法院协助冻结", reference="（2026）浙0102执1234号", actor=w["teller"],
                          business_date=w["center"].business_date)


def _sub(w) -> SubAccount:
    return SubAccount.objects.get(pk=w["acct"].pk)


def _submit(w, **kw) -> CourtDeduction:
    return court_deduction_submit(center=w["center"], params=_params(w, **kw), actor=w["teller"],
                                  business_date=w["center"].business_date)


def _approve(w, d: CourtDeduction, who="r1") -> CourtDeduction:
    cmd = command_approve(command=d.command_id, actor=w[who], business_date=w["center"].business_date)
    assert cmd.status == PendingCommand.Status.APPLIED, cmd.apply_error
    return CourtDeduction.objects.get(pk=d.pk)


def _pay(w, d: CourtDeduction) -> tuple[CourtDeduction, Instruction]:
    d = court_deduction_pay(deduction=d, actor=w["fin"], business_date=w["center"].business_date)
    ins = Instruction.objects.get(center=w["center"], seq=d.instruction_seq)
    assert ins.state == Instruction.State.CREATED  # approved by another person to a recorded payee: not held
    instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    return CourtDeduction.objects.get(pk=d.pk), Instruction.objects.get(pk=ins.pk)


def _refused(code, fn, *args, **kw):
    with pytest.raises(DomainError) as e:
        fn(*args, **kw)
    assert e.value.code == code, e.value.message
    return e.value


def test_a_court_deduction_reduces_the_freeze_and_pays_the_court_once(world, bank, sim):
    w = world
    _freeze(w)
    d = _submit(w)
    assert d.state == CourtDeduction.State.PENDING and d.frozen_before == FROZEN
    assert _sub(w).frozen_amount == FROZEN and _sub(w).hold_amount == 0  # nothing moves before the checker
    d = _approve(w, d)
    assert d.state == CourtDeduction.State.APPROVED and d.frozen_after == FROZEN - DEDUCT
    sub = _sub(w)
    assert sub.frozen_amount == FROZEN - DEDUCT and sub.hold_amount == DEDUCT
    acct = MemberAccount.objects.get(pk=w["acct"].pk)
    assert acct.freeze_kind == "2"  # the rest stays frozen
    assert Payee.objects.filter(account_no=COURT_ACCOUNT, kind="counterparty").exists()
    d, ins = _pay(w, d)
    assert ins.state == Instruction.State.SUCCEEDED and ins.code == "BDC101" and ins.biz_type == "20"
    assert ins.counter_account == COURT_ACCOUNT and ins.amount == DEDUCT
    assert d.state == CourtDeduction.State.PAID and d.bank_seq and d.paid_on == w["center"].business_date
    sub = _sub(w)
    assert sub.balance == BALANCE - DEDUCT and sub.hold_amount == 0 and sub.frozen_amount == FROZEN - DEDUCT
    row = SubLedgerRow.objects.filter(sub_account_id=sub.pk).order_by("-id").first()
    assert row.amount == -DEDUCT and row.biz_type == "99"
    lines = {(ln.account.code[:3], ln.debit, ln.credit, ln.bank_ref) for ln in JournalLine.objects.filter(entry=row.entry)}
    assert lines == {("201", DEDUCT, 0, ""), ("101", 0, DEDUCT, ins.seq)}
    # paying again is refused: the money moved once
    _refused("WITHDRAWAL_COURT_STATE", court_deduction_pay, deduction=d, actor=w["fin"],
             business_date=w["center"].business_date)


def test_the_whole_frozen_amount_lifts_a_full_freeze(world, bank, sim):
    w = world
    _freeze(w, kind="1")
    assert _sub(w).frozen_amount == BALANCE
    d = _approve(w, _submit(w, amount=BALANCE))
    assert MemberAccount.objects.get(pk=w["acct"].pk).freeze_kind == "0" and _sub(w).frozen_amount == 0
    d, _ins = _pay(w, d)
    assert d.state == CourtDeduction.State.PAID and _sub(w).balance == 0


def test_part_of_a_full_freeze_keeps_the_rest_frozen(world, bank, sim):
    w = world
    _freeze(w, kind="1")
    d = _approve(w, _submit(w))
    acct = MemberAccount.objects.get(pk=w["acct"].pk)
    assert acct.freeze_kind == "2" and _sub(w).frozen_amount == BALANCE - DEDUCT  # a full freeze refuses any debit
    d, _ins = _pay(w, d)
    assert d.state == CourtDeduction.State.PAID and _sub(w).available == 0


def test_no_freeze_more_than_frozen_and_the_same_notice_are_refused_with_nothing_written(world):
    w = world
    _refused("WITHDRAWAL_COURT_NOT_FROZEN", _submit, w)
    _freeze(w, kind="3")  # 异地贷款担保冻结: not a court's freeze
    assert "异地贷款担保" in _refused("WITHDRAWAL_COURT_NOT_FROZEN", _submit, w).message
    member_account_unfreeze(account=w["acct"], reason="担保解除", actor=w["teller"],
                            business_date=w["center"].business_date)
    _freeze(w)
    e = _refused("WITHDRAWAL_COURT_OVER_FROZEN", _submit, w, amount=FROZEN + 1)
    assert "30,000.00" in e.message and e.field == "amount"
    _refused("WITHDRAWAL_COURT_INPUT", _submit, w, amount=0)
    _refused("PAYEE_ACCOUNT", _submit, w, payee_account="法院")
    assert not CourtDeduction.objects.exists() and not PendingCommand.objects.filter(
        name="withdrawals.court_deduction").exists()
    _submit(w)
    _refused("WITHDRAWAL_COURT_DOCUMENT_USED", _submit, w)
    assert CourtDeduction.objects.count() == 1


def test_the_maker_cannot_approve_and_a_rejection_leaves_the_freeze(world):
    w = world
    _freeze(w)
    d = _submit(w)
    _refused("SELF_APPROVAL", command_approve, command=d.command_id, actor=w["teller"],
             business_date=w["center"].business_date)
    assert CourtDeduction.objects.get(pk=d.pk).state == CourtDeduction.State.PENDING
    command_reject(command=d.command_id, actor=w["r1"], reason="文书与冻结文号不符",
                   business_date=w["center"].business_date)
    d.refresh_from_db()
    assert d.state == CourtDeduction.State.REJECTED and _sub(w).frozen_amount == FROZEN and _sub(w).hold_amount == 0


def test_the_freeze_lifted_before_approval_fails_the_command_and_nothing_moves(world):
    w = world
    _freeze(w)
    d = _submit(w)
    member_account_unfreeze(account=w["acct"], reason="法院解除冻结", actor=w["teller"],
                            business_date=w["center"].business_date)
    cmd = command_approve(command=d.command_id, actor=w["r1"], business_date=w["center"].business_date)
    assert cmd.status == PendingCommand.Status.FAILED and "WITHDRAWAL_COURT_NOT_FROZEN" in cmd.apply_error
    assert CourtDeduction.objects.get(pk=d.pk).state == CourtDeduction.State.PENDING
    assert _sub(w).hold_amount == 0


def test_a_refusal_holds_the_money_again_and_a_lost_answer_is_settled_once(world, bank, sim):
    w = world
    _freeze(w)
    d = _approve(w, _submit(w))
    sim.faults("reject", code="BDC101")
    d, ins = _pay(w, d)
    assert ins.state == Instruction.State.FAILED and d.state == CourtDeduction.State.FAILED
    sub = _sub(w)
    assert sub.balance == BALANCE and sub.hold_amount == DEDUCT  # held for the court again, not free to withdraw
    sim.faults("drop_answer", code="BDC101")
    d, ins2 = _pay(w, d)
    assert ins2.pk != ins.pk and ins2.state == Instruction.State.UNKNOWN and d.state == CourtDeduction.State.SENT
    assert _sub(w).balance == BALANCE and _sub(w).hold_amount == DEDUCT
    for _ in range(2):
        instruction_resolve(instruction=Instruction.objects.get(pk=ins2.pk), actor=w["fin"],
                            business_date=w["center"].business_date)
    d.refresh_from_db()
    assert d.state == CourtDeduction.State.PAID
    sub = _sub(w)
    assert sub.balance == BALANCE - DEDUCT and sub.hold_amount == 0


def test_an_outage_waits_held_and_day_end_pays_the_court_once(world, bank, sim):
    w = world
    _freeze(w)
    d = _approve(w, _submit(w))
    sim.faults(fault="outage", count=0)
    d = court_deduction_pay(deduction=d, actor=w["fin"], business_date=w["center"].business_date)
    ins = instruction_send(instruction=Instruction.objects.get(seq=d.instruction_seq), actor=w["fin"],
                           business_date=w["center"].business_date)
    assert ins.state == Instruction.State.CREATED and d.state == CourtDeduction.State.SENT
    assert _sub(w).hold_amount == DEDUCT and _sub(w).balance == BALANCE  # held by the instruction, not paid
    sim.clear_faults()
    for _ in range(2):  # day-end sends what the outage left; asked again, nothing moves twice
        instructions_process(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    d.refresh_from_db()
    assert d.state == CourtDeduction.State.PAID
    sub = _sub(w)
    assert sub.balance == BALANCE - DEDUCT and sub.hold_amount == 0
    assert SubLedgerRow.objects.filter(sub_account_id=sub.pk, amount=-DEDUCT).count() == 1
