"""Batch collection booked item by item by its source (BDC104, biz type 05 贷款扣款), with a fake source: partial
success, each item to its hook exactly once (also after a lost answer, resolved by BDC107/108), and the BDC106
本息分解 that moves the collected interest to the 102 专户."""

from __future__ import annotations

import pytest

from openhpf.conftest import finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.codes import SettlementBizType as SBT
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.ledger.models import JournalLine
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import Line, entry_post
from openhpf.settlement import services
from openhpf.settlement.models import BankAccount, Instruction
from openhpf.settlement.services import (
    bank_account_open,
    batch_collection_submit,
    instruction_resolve,
    instruction_send,
    instructions_process,
)

S = Instruction.State
ACTOR = SystemActor("test")
SOURCE = "test.collect"
INCOME_ACCOUNT = "6222000000000102"


@pytest.fixture
def booked(center):
    """A fake source: each paid item posts Dr 专户 (principal) / Dr 102 (interest, when split) / Cr 21902 and 40103."""
    calls: list[tuple[str, int, str]] = []

    def paid(ins, item, actor, business_date, split_seq):
        calls.append(("paid", item.item, split_seq))
        lines = [Line(ins.bank_account.gl_account.code, debit=item.amount - (item.split_interest if split_seq else 0),
                      bank_ref=ins.seq)]
        if split_seq and item.split_interest:
            lines.append(Line(ins.split_account.gl_account.code, debit=item.split_interest, bank_ref=split_seq))
        lines += [Line("21902", credit=item.amount - item.split_interest)]
        if item.split_interest:
            lines.append(Line("40103", credit=item.split_interest))
        entry_post(center=ins.center, business_date=business_date, source="test", actor=actor, lines=lines,
                   description=f"测试代扣 {ins.seq} {item.item}")

    def failed(ins, item, actor, business_date, split_seq):
        calls.append(("failed", item.item, split_seq))

    services.ITEM_SUCCESS_HOOKS[SOURCE] = paid
    services.ITEM_FAILURE_HOOKS[SOURCE] = failed
    yield calls
    services.ITEM_SUCCESS_HOOKS.pop(SOURCE, None)
    services.ITEM_FAILURE_HOOKS.pop(SOURCE, None)


def _cards(sim):
    sim.control("/sim/accounts", {"account": "6217000000001001", "name": "甲", "bank_code": "CCB", "balance": 500_000})
    sim.control("/sim/accounts", {"account": "6217000000001002", "name": "乙", "bank_code": "CCB", "balance": 100})
    sim.control("/sim/accounts", {"account": "6217000000001003", "name": "丙", "bank_code": "CCB", "balance": 300_000})
    return [{"counter_account": "6217000000001001", "counter_name": "甲", "amount": 413_557, "split_interest": 237_500},
            {"counter_account": "6217000000001002", "counter_name": "乙", "amount": 200_000, "split_interest": 50_000},
            {"counter_account": "6217000000001003", "counter_name": "丙", "amount": 250_000, "split_interest": 10_000}]


def _income_account(center, sim) -> BankAccount:
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=INCOME_ACCOUNT,
                             account_name=center.name, actor=ACTOR, business_date=center.business_date,
                             kind=BankAccount.Kind.VALUE_ADDED)
    sim.control("/sim/accounts", {"account": INCOME_ACCOUNT, "name": "增值收益专户", "bank_code": "ICBC", "balance": 0})
    return acct


def _sim_balance(sim, account: str) -> int:
    return sim.bdc("BDC123", {"account": account})["body"]["balance"]


def _final(ins, on):
    for _ in range(20):
        ins = instruction_resolve(instruction=ins, actor=ACTOR, business_date=on)
        if ins.is_final:
            return ins
    raise AssertionError(ins.state)


def test_three_debits_one_refused_each_item_to_its_hook(center, bank, sim, booked):
    on = center.business_date
    ins = batch_collection_submit(center=center, bank_account=bank, items=_cards(sim), biz_type=SBT.LOAN_DEBIT,
                                  summary="贷款扣款", actor=finance_clerk(), business_date=on, source=SOURCE,
                                  source_ref="D1")
    assert (ins.code, ins.direction, ins.amount, ins.count) == ("BDC104", "in", 863_557, 3)
    again = batch_collection_submit(center=center, bank_account=bank, items=_cards(sim), biz_type=SBT.LOAN_DEBIT,
                                    summary="贷款扣款", actor=finance_clerk(), business_date=on, source=SOURCE,
                                    source_ref="D1")
    assert again.pk == ins.pk  # the same batch again is the one already made
    before = gl_balance(center=center, code_prefix=bank.gl_account.code)
    ins = _final(instruction_send(instruction=ins, actor=ACTOR, business_date=on), on)
    assert ins.state == S.SUCCEEDED and (ins.succeeded_amount, ins.failed_amount) == (663_557, 200_000)
    assert booked == [("paid", 1, ""), ("failed", 2, ""), ("paid", 3, "")]  # no split account: no BDC106
    assert gl_balance(center=center, code_prefix=bank.gl_account.code) - before == 663_557
    assert not Instruction.objects.filter(code="BDC106").exists()
    _final(ins, on)  # asked again: nothing booked twice
    assert len(booked) == 3


def test_lost_answer_resolved_once_and_interest_split(center, bank, sim, booked):
    on = center.business_date
    income = _income_account(center, sim)
    ins = batch_collection_submit(center=center, bank_account=bank, items=_cards(sim), biz_type=SBT.LOAN_DEBIT,
                                  summary="贷款扣款", actor=finance_clerk(), business_date=on, source=SOURCE,
                                  source_ref="D2", split_account=income)
    sim.faults(fault="drop_answer", code="BDC104", count=1)
    ins = instruction_send(instruction=ins, actor=ACTOR, business_date=on)
    assert ins.state == S.UNKNOWN and booked == []
    ins = _final(ins, on)  # BDC107 / BDC108: the bank's items, never a second debit
    assert ins.resolved_by == "BDC107" and [c[:2] for c in booked] == [("paid", 1), ("failed", 2), ("paid", 3)]
    split = Instruction.objects.get(code="BDC106", source=SOURCE, source_ref=f"{ins.seq}:split")
    assert booked[0][2] == booked[2][2] == split.seq
    assert split.amount == 237_500 + 10_000 and split.body["principal"] == 176_057 + 240_000
    assert split.body["items"] == [{"item": "1", "principal": 176_057, "interest": 237_500},
                                   {"item": "3", "principal": 240_000, "interest": 10_000}]
    # the send after commit does not run inside a test's transaction: the day-end's instructions step sends it;
    # its answer is lost too and BDC110 settles it
    sim.faults(fault="drop_answer", code="BDC106", count=1)
    instructions_process(center=center, actor=finance_clerk(), business_date=on)
    split.refresh_from_db()
    assert split.state == S.SUCCEEDED and split.resolved_by == "BDC110" and split.entry is None
    assert _sim_balance(sim, INCOME_ACCOUNT) == 247_500
    assert gl_balance(center=center, code_prefix=income.gl_account.code) == 247_500  # booked by the items' hooks
    lines = JournalLine.objects.filter(account__code=income.gl_account.code)
    assert sorted(x.debit for x in lines) == [10_000, 237_500] and {x.bank_ref for x in lines} == {split.seq}
    assert _sim_balance(sim, bank.account_no) == 100_000_000 + 663_557 - 247_500
    assert len(booked) == 3


def test_refused_split_leaves_the_interest_in_101(center, bank, sim, booked):
    on = center.business_date
    income = _income_account(center, sim)
    ins = batch_collection_submit(center=center, bank_account=bank, items=_cards(sim)[:1], biz_type=SBT.LOAN_DEBIT,
                                  summary="贷款扣款", actor=finance_clerk(), business_date=on, source=SOURCE,
                                  source_ref="D3", split_account=income)
    _final(instruction_send(instruction=ins, actor=ACTOR, business_date=on), on)
    sim.faults(fault="reject", code="BDC106", count=1)
    instructions_process(center=center, actor=finance_clerk(), business_date=on)
    split = Instruction.objects.get(code="BDC106")
    assert split.state == S.FAILED
    assert gl_balance(center=center, code_prefix=income.gl_account.code) == 0 == _sim_balance(sim, INCOME_ACCOUNT)


def test_refusals(center, bank, sim, booked):
    on = center.business_date
    with pytest.raises(DomainError):  # a source without item hooks
        batch_collection_submit(center=center, bank_account=bank, items=_cards(sim), biz_type=SBT.LOAN_DEBIT,
                                summary="x", actor=finance_clerk(), business_date=on, source="nobody")
    with pytest.raises(DomainError):  # the interest cannot exceed the item
        batch_collection_submit(center=center, bank_account=bank, biz_type=SBT.LOAN_DEBIT, summary="x",
                                items=[{"counter_account": "1", "counter_name": "甲", "amount": 10, "split_interest": 11}],
                                actor=finance_clerk(), business_date=on, source=SOURCE)
    with pytest.raises(DomainError):  # the split goes to a 102 专户 only
        batch_collection_submit(center=center, bank_account=bank, items=_cards(sim), biz_type=SBT.LOAN_DEBIT,
                                summary="x", actor=finance_clerk(), business_date=on, source=SOURCE, split_account=bank)
    with pytest.raises(PermissionDenied):  # a system actor never makes a money movement
        batch_collection_submit(center=center, bank_account=bank, items=_cards(sim), biz_type=SBT.LOAN_DEBIT,
                                summary="x", actor=ACTOR, business_date=on, source=SOURCE)
