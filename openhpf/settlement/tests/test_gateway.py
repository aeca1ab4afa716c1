"""The settlement gateway against the bank simulator: every fault of issue 6's "Must show"."""

from __future__ import annotations

import pytest

from openhpf.conftest import finance_clerk
from openhpf.contributions.models import Receipt
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.codes import SettlementBizType as SBT
from openhpf.core.errors import DomainError
from openhpf.ledger.models import JournalLine
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement.models import Instruction, Notice
from openhpf.settlement.services import (
    bank_account_available,
    batch_payment_submit,
    collection_submit,
    instruction_resolve,
    instruction_send,
    instructions_process,
    notices_pull,
    payment_submit,
)

from .conftest import CENTER_ACCOUNT, release

S = Instruction.State
ACTOR = SystemActor("test")


def _bank_balance(sim) -> int:
    state = sim.control("/sim/state", None)
    for a in state["accounts"]:
        if a["account"] == CENTER_ACCOUNT:
            return int(a["balance"])
    raise AssertionError(state)


def _book(bank) -> int:
    return gl_balance(center=bank.center_id, code_prefix=bank.gl_account.code)


def _pay(center, bank, amount=1_000_00, payee="6217000000000777"):
    return payment_submit(center=center, bank_account=bank, amount=amount, payee_account=payee, payee_name="张三",
                          biz_type=SBT.OTHER, book_account="21902", summary="退回暂收款", actor=finance_clerk(),
                          business_date=center.business_date)


def _bank_lines_with_ref(bank, ref: str) -> int:
    return JournalLine.objects.filter(account=bank.gl_account, bank_ref=ref).count()


def test_opening_money_arrives_as_a_receipt(center, bank, sim):
    assert _book(bank) == 100_000_000 == _bank_balance(sim)
    n = Notice.objects.get()
    assert n.status == Notice.Status.RECEIPT and n.receipt.status == Receipt.Status.UNKNOWN_SUSPENSE


def test_payment_happy_path_posts_once(center, bank, sim):
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.SUCCEEDED and ins.resolved_by == "answer" and ins.bank_seq
    assert _book(bank) == _bank_balance(sim) == 100_000_000 - 1_000_00
    assert _bank_lines_with_ref(bank, ins.seq) == 1
    # the bank's account-change notice of our own payment changes nothing more
    notices_pull(center=center, actor=ACTOR, business_date=center.business_date)
    assert Notice.objects.get(ref=ins.seq).status == Notice.Status.INSTRUCTION
    assert _book(bank) == 100_000_000 - 1_000_00


def test_answer_dropped_after_settling_is_found_by_the_result_query(center, bank, sim):
    sim.faults(fault="drop_answer", code="BDC101", count=1)
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.UNKNOWN
    assert _bank_balance(sim) == 100_000_000 - 1_000_00  # the bank did pay
    assert _book(bank) == 100_000_000  # the books wait for the truth
    assert bank_account_available(bank) == 100_000_000 - 1_000_00  # but the money stays reserved
    # processing resolves by BDC110 and never sends the payment again
    counts = instructions_process(center=center, actor=ACTOR, business_date=center.business_date)
    ins.refresh_from_db()
    assert counts["resolved"] == 1 and ins.state == S.SUCCEEDED and ins.resolved_by == "BDC110"
    instructions_process(center=center, actor=ACTOR, business_date=center.business_date)
    assert _bank_balance(sim) == _book(bank) == 100_000_000 - 1_000_00
    assert _bank_lines_with_ref(bank, ins.seq) == 1
    assert sim.control("/sim/state", None)["transactions"]["BDC101"] == 1


def test_timeout_then_result_query(center, bank, sim):
    sim.faults(fault="delay", code="BDC101", count=1, seconds=4)
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.UNKNOWN
    ins = instruction_resolve(instruction=ins, actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.SUCCEEDED and ins.resolved_by == "BDC110"
    assert _bank_balance(sim) == _book(bank) == 100_000_000 - 1_000_00


def test_duplicate_notice_is_credited_once(center, bank, sim):
    sim.faults(fault="duplicate_notice", count=0)
    sim.credit(account=CENTER_ACCOUNT, amount=5_000_00, counter_account="9550000000000001", counter_name="某单位",
               summary="汇缴", date=center.business_date.isoformat())
    notices_pull(center=center, actor=ACTOR, business_date=center.business_date)
    sim.clear_faults()
    notices_pull(center=center, actor=ACTOR, business_date=center.business_date)
    n = Notice.objects.get(amount=5_000_00)
    assert n.deliveries == 2
    assert Receipt.objects.filter(amount=5_000_00).count() == 1
    assert _book(bank) == _bank_balance(sim) == 100_000_000 + 5_000_00


def test_rejection_posts_nothing_and_releases_the_reservation(center, bank, sim):
    sim.faults(fault="reject", code="BDC101", count=1)
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.FAILED and ins.result == "1004" and ins.message
    assert ins.reserved == 0 and bank_account_available(bank) == 100_000_000
    assert _book(bank) == _bank_balance(sim) == 100_000_000
    assert _bank_lines_with_ref(bank, ins.seq) == 0


def test_insufficient_funds_at_the_bank_fails_cleanly(center, bank, sim):
    sim.control("/sim/accounts", {"account": CENTER_ACCOUNT, "name": center.name, "bank_code": "ICBC",
                                  "balance": 50_00})
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.FAILED and ins.result == "1001"
    assert _book(bank) == 100_000_000


def test_outage_waits_and_resumes_with_the_same_sequence_number(center, bank, sim):
    sim.faults(fault="outage", count=0)
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.CREATED and ins.attempts == 1 and "暂停" in ins.message
    instructions_process(center=center, actor=ACTOR, business_date=center.business_date)
    ins.refresh_from_db()
    assert ins.state == S.CREATED and ins.attempts == 2
    sim.clear_faults()
    instructions_process(center=center, actor=ACTOR, business_date=center.business_date)
    ins.refresh_from_db()
    assert ins.state == S.SUCCEEDED and ins.attempts == 3
    assert _bank_balance(sim) == _book(bank) == 100_000_000 - 1_000_00


def test_money_in_flight_cannot_be_spent_twice(center, bank, sim):
    sim.faults(fault="drop_answer", code="BDC101", count=0)
    first = instruction_send(instruction=release(_pay(center, bank, amount=60_000_000)), actor=ACTOR,
                             business_date=center.business_date)
    assert first.state == S.UNKNOWN
    with pytest.raises(DomainError) as e:
        _pay(center, bank, amount=60_000_000)
    assert e.value.code == "BANK_INSUFFICIENT"
    sim.clear_faults()


def test_batch_payment_with_a_failing_item(center, bank, sim):
    sim.control("/sim/accounts", {"account": "6217000000000002", "name": "李四", "bank_code": "CCB", "balance": 0})
    sim.control("/sim/accounts", {"account": "6217000000000003", "name": "王五", "bank_code": "CCB", "balance": 0,
                                  "status": "closed"})
    items = [{"counter_account": "6217000000000001", "counter_name": "张三", "amount": 100_00},
             {"counter_account": "6217000000000002", "counter_name": "李四", "amount": 200_00},
             {"counter_account": "6217000000000003", "counter_name": "王五", "amount": 300_00}]
    ins = batch_payment_submit(center=center, bank_account=bank, items=items, biz_type=SBT.OTHER, book_account="21902",
                               summary="批量退回", actor=finance_clerk(), business_date=center.business_date)
    assert gl_balance(center=center, code_prefix="21903") == -600_00  # in transit (a credit balance)
    ins = instruction_send(instruction=ins, actor=ACTOR, business_date=center.business_date)
    assert ins.state in (S.PROCESSING, S.SUCCEEDED)
    for _ in range(20):
        ins = instruction_resolve(instruction=ins, actor=ACTOR, business_date=center.business_date)
        if ins.is_final:
            break
    assert ins.state == S.SUCCEEDED and ins.succeeded_amount == 300_00 and ins.failed_amount == 300_00
    assert gl_balance(center=center, code_prefix="21903") == 0
    assert _book(bank) == _bank_balance(sim) == 100_000_000 - 300_00
    assert list(ins.items.order_by("item").values_list("state", flat=True)) == ["succeeded", "succeeded", "failed"]


def test_collection_becomes_a_receipt(center, bank, sim):
    ins = collection_submit(center=center, bank_account=bank, amount=2_000_00, payer_account="9550000000000777",
                            payer_name="某公司", biz_type=SBT.COLLECTION, actor=finance_clerk(), business_date=center.business_date)
    ins = instruction_send(instruction=ins, actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.SUCCEEDED
    rc = Receipt.objects.get(bank_ref=ins.seq)
    assert rc.amount == 2_000_00 and rc.bank_account == bank.gl_account.code
    assert _book(bank) == _bank_balance(sim) == 100_000_000 + 2_000_00


def _member(center, n: int, current: int, carried: int):
    """A member sub-account holding `current` in 当年归集 and `carried` in 上年结转 (booked against 暂收款)."""
    from openhpf.ledger.services import Line, SubRow, entry_post
    from openhpf.ledger.tests.factories import open_account

    sub = open_account(center, n)
    entry_post(center=center, business_date=center.business_date, source="test", description="测试余额",
               lines=[Line("21902", debit=current + carried), Line("201", credit=current + carried)],
               sub_rows=[SubRow(sub.pk, amount_current=current, amount_carried=carried)], actor=ACTOR)
    return sub


def _taken(sub, ref: str) -> list[tuple[str, int, int]]:
    from openhpf.ledger.models import SubLedgerRow

    return list(SubLedgerRow.objects.filter(sub_account=sub, reference=ref).order_by("id")
                .values_list("biz_type", "amount_current", "amount_carried"))


def test_payment_from_a_member_account_takes_current_before_carried(center, bank, sim):
    sub = _member(center, 1, current=500_00, carried=1_000_00)
    ins = payment_submit(center=center, bank_account=bank, amount=800_00, payee_account="6217000000000777",
                         payee_name="张三", biz_type=SBT.PARTIAL_WITHDRAWAL, book_account="201", summary="部分提取", actor=finance_clerk(),
                         business_date=center.business_date, sub_account_id=sub.pk)
    sub.refresh_from_db()
    assert sub.hold_amount == 800_00  # reserved on the member's account while the bank works
    ins = instruction_send(instruction=ins, actor=ACTOR, business_date=center.business_date)
    assert ins.state == S.SUCCEEDED
    sub.refresh_from_db()
    assert (sub.balance_current, sub.balance_carried, sub.hold_amount) == (0, 700_00, 0)
    assert _taken(sub, ins.seq) == [(BizType.PARTIAL_WITHDRAWAL, -500_00, -300_00)]


def test_member_batch_follows_the_order_and_returns_a_failed_item_the_way_it_left(center, bank, sim):
    from openhpf.core.models import PolicyParameter

    PolicyParameter.objects.create(center=center, key="withdrawal.order", value_type="str", value="carried_first",
                                   effective_from=center.business_date, approved_by="test", source="测试")
    subs = [_member(center, 1, current=500_00, carried=200_00), _member(center, 2, current=300_00, carried=0)]
    sim.control("/sim/accounts", {"account": "6217000000000003", "name": "王五", "bank_code": "CCB", "balance": 0,
                                  "status": "closed"})
    items = [{"counter_account": "6217000000000001", "counter_name": "张三", "amount": 600_00,
              "sub_account_id": subs[0].pk},
             {"counter_account": "6217000000000003", "counter_name": "王五", "amount": 100_00,
              "sub_account_id": subs[1].pk}]
    ins = batch_payment_submit(center=center, bank_account=bank, items=items, biz_type=SBT.PARTIAL_WITHDRAWAL, book_account="201",
                               summary="批量提取", actor=finance_clerk(), business_date=center.business_date)
    assert _taken(subs[0], ins.seq) == [(BizType.PARTIAL_WITHDRAWAL, -400_00, -200_00)]  # 上年结转 first, then 当年归集
    assert _taken(subs[1], ins.seq) == [(BizType.PARTIAL_WITHDRAWAL, -100_00, 0)]
    assert list(ins.items.order_by("item").values_list("taken_carried", flat=True)) == [200_00, 0]
    ins = instruction_send(instruction=ins, actor=ACTOR, business_date=center.business_date)
    for _ in range(20):
        ins = instruction_resolve(instruction=ins, actor=ACTOR, business_date=center.business_date)
        if ins.is_final:
            break
    assert ins.state == S.SUCCEEDED and ins.failed_amount == 100_00
    assert _taken(subs[1], ins.seq) == [(BizType.PARTIAL_WITHDRAWAL, -100_00, 0), (BizType.OTHER, 100_00, 0)]  # back where it came from
    for s in subs:
        s.refresh_from_db()
    assert [(s.balance_current, s.balance_carried) for s in subs] == [(100_00, 0), (300_00, 0)]
    assert gl_balance(center=center, code_prefix="21903") == 0
