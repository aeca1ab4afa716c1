"""A withdrawal through every fault of the bank simulator (lost answer, timeout, rejection, outage, duplicate
notice): after each the application is in a clear state (办理中 / 办理失败 / 已办结), the money moved exactly once
(the bank's BDC101 count, the bank balance against the books, one Dr 201 row) and the hold is where it should be.
`hpf verify` runs after each test (openhpf/conftest.py); 退汇 is the batch work's."""

from __future__ import annotations

import pytest

from openhpf.accounts.models import MemberAccount
from openhpf.applications import services as engine
from openhpf.applications.models import Application, State
from openhpf.ledger.models import JournalLine, SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement.models import Instruction, Notice
from openhpf.settlement.services import (
    instruction_resolve,
    instruction_send,
    instructions_process,
    notices_pull,
)
from openhpf.settlement.tests.conftest import CENTER_ACCOUNT
from openhpf.withdrawals.handlers import RENT, RETIREMENT
from openhpf.withdrawals.models import Payout

from .conftest import BALANCE, CARD, file, verified_card

pytestmark = pytest.mark.django_db
AMOUNT = 600_000
RENT_OK = {"amount": AMOUNT, "months": 3, "no_own_home": True}
RETIRED = {"retirement_proof": "certificate", "retirement_date": "2026-10-31", "certificate_no": "浙退 2026-001"}
BANK_START = 100_000_000  # the 专户 at the simulator (settlement's `bank` fixture)
INTEREST = 63_333  # 03: 100,000.00 元 from 7/1, paid 11/30: 152 days at 1.5 % / 360 (test_reasons has the sum)
S = Instruction.State


def _book(w, bank) -> int:
    return gl_balance(center=w["center"].pk, code_prefix=bank.gl_account.code)


def _approved(w, item=RENT, payload=RENT_OK, reviewers=("r1",), materials=("id_card", "bank_card")):
    verified_card(w)
    app = file(w, item, payload, materials=materials)
    for r in reviewers:
        app = engine.application_review(application=app, actor=w[r], business_date=w["center"].business_date,
                                        decision="pass")
    assert app.state == State.APPROVED
    return app


def _execute(w, app) -> tuple[Application, Instruction]:
    """The clerk executes; the send after commit is made here (as the on-commit sender or day-end would)."""
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    ins = Instruction.objects.get(center=w["center"], seq=app.result["instruction"])
    ins = instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    return Application.objects.get(pk=app.pk), ins


def _bank_balance(sim) -> int:
    return next(int(a["balance"]) for a in sim.control("/sim/state", None)["accounts"] if a["account"] == CENTER_ACCOUNT)


def _sent(sim) -> int:
    return int(sim.control("/sim/state", None)["transactions"].get("BDC101", 0))


def _debits(w) -> list[int]:
    return list(SubLedgerRow.objects.filter(sub_account_id=w["acct"].pk, amount__lt=0).values_list("amount", flat=True))


def _sub(w) -> SubAccount:
    return SubAccount.objects.get(pk=w["acct"].pk)


def _state(w, app) -> str:
    return Application.objects.get(pk=app.pk).state


def _paid_once(w, app, bank, sim, amount=AMOUNT):
    """已办结, the member debited once, the bank paid once, books and bank agree, nothing held any more."""
    assert _state(w, app) == State.COMPLETED
    assert _debits(w) == [-amount]
    assert _sent(sim) == 1
    assert _bank_balance(sim) == BANK_START - amount and _book(w, bank) == w["book0"] - amount
    assert _sub(w).hold_amount == 0
    payout = Payout.objects.get(application=app)
    assert payout.state == Payout.State.PAID and payout.bank_seq
    ins = Instruction.objects.get(center=w["center"], seq=payout.instruction_seq)
    assert JournalLine.objects.filter(account=bank.gl_account, bank_ref=ins.seq).count() == 1


def _pending(w, app, bank, sim, *, bank_paid: bool):
    """办理中: the hold stays on the member, the books not yet moved (whatever the bank did)."""
    assert _state(w, app) == State.EXECUTING
    assert _sub(w).hold_amount == AMOUNT and _sub(w).balance == BALANCE and _debits(w) == []
    assert _book(w, bank) == w["book0"]
    assert _bank_balance(sim) == (BANK_START - AMOUNT if bank_paid else BANK_START)


def test_a_lost_answer_is_settled_once_by_the_banks_notice_then_bdc110_and_a_repeated_notice_change_nothing(
        world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w)
    sim.faults("drop_answer", code="BDC101")
    app, ins = _execute(w, app)
    assert ins.state == S.UNKNOWN
    _pending(w, app, bank, sim, bank_paid=True)
    sim.faults("duplicate_notice", count=0)  # the bank delivers each notice twice from now on
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    assert Instruction.objects.get(pk=ins.pk).resolved_by == "notice"
    _paid_once(w, app, bank, sim)
    # the result query of day-end, and the notices again: nothing more
    instructions_process(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    _paid_once(w, app, bank, sim)
    assert Notice.objects.get(ref=ins.seq).status == Notice.Status.INSTRUCTION


def test_a_lost_answer_is_settled_once_by_the_result_query(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w)
    sim.faults("drop_answer", code="BDC101")
    app, ins = _execute(w, app)
    _pending(w, app, bank, sim, bank_paid=True)
    ins = instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    assert ins.state == S.SUCCEEDED and ins.resolved_by == "BDC110"
    _paid_once(w, app, bank, sim)
    # the bank's notice of the same payment arrives afterwards: it pays nothing twice
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    _paid_once(w, app, bank, sim)


def test_a_timeout_stays_in_hand_until_the_result_query(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w)
    sim.faults("delay", code="BDC101", seconds=4)  # the channel waits 2 seconds
    app, ins = _execute(w, app)
    assert ins.state == S.UNKNOWN
    _pending(w, app, bank, sim, bank_paid=True)
    # executing the application again is refused: it is 办理中, not failed
    with pytest.raises(Exception):  # noqa: B017 — the engine's illegal transition
        engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    instructions_process(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    assert Instruction.objects.get(pk=ins.pk).resolved_by == "BDC110"
    _paid_once(w, app, bank, sim)


def test_a_rejection_fails_the_application_releases_the_hold_and_a_retry_pays_once(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w)
    sim.faults("reject", code="BDC101")
    app, ins = _execute(w, app)
    assert ins.state == S.FAILED and app.state == State.EXECUTION_FAILED
    assert _sub(w).hold_amount == 0 and _sub(w).balance == BALANCE and _debits(w) == []
    assert _bank_balance(sim) == BANK_START
    assert Payout.objects.get(application=app).state == Payout.State.FAILED
    app, ins2 = _execute(w, app)  # 办理 again: a new attempt of the same reference
    assert ins2.seq != ins.seq and ins2.source_ref != ins.source_ref
    assert _sent(sim) == 2  # the refused one and the paid one
    assert _state(w, app) == State.COMPLETED and _debits(w) == [-AMOUNT]
    assert _bank_balance(sim) == BANK_START - AMOUNT and _book(w, bank) == w["book0"] - AMOUNT


def test_an_outage_keeps_the_application_in_hand_and_resumes_with_the_same_sequence(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w)
    sim.faults("outage", count=0)
    app, ins = _execute(w, app)
    assert ins.state == S.CREATED and "暂停" in ins.message
    _pending(w, app, bank, sim, bank_paid=False)
    instructions_process(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    _pending(w, app, bank, sim, bank_paid=False)
    sim.clear_faults()
    instructions_process(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    ins2 = Instruction.objects.get(pk=ins.pk)
    assert ins2.state == S.SUCCEEDED and ins2.seq == ins.seq
    _paid_once(w, app, bank, sim)


def test_a_duplicate_notice_after_the_answer_does_not_pay_twice(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w)
    sim.faults("duplicate_notice", count=0)
    app, ins = _execute(w, app)
    assert ins.state == S.SUCCEEDED and ins.resolved_by == "answer"
    _paid_once(w, app, bank, sim)
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    n = Notice.objects.get(ref=ins.seq)
    assert n.deliveries >= 2 and n.status == Notice.Status.INSTRUCTION
    _paid_once(w, app, bank, sim)


def test_a_closing_withdrawal_with_a_lost_answer_closes_the_account_once(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w, RETIREMENT, RETIRED, reviewers=("r1", "r2"),
                    materials=("id_card", "retirement_proof", "bank_card"))
    sim.faults("drop_answer", code="BDC101")
    sim.faults("duplicate_notice", count=0)
    app, ins = _execute(w, app)
    assert ins.state == S.UNKNOWN and app.state == State.EXECUTING
    assert ins.amount == BALANCE + INTEREST and ins.counter_account == CARD
    assert MemberAccount.objects.get(pk=w["acct"].pk).status != "05"  # not closed before the bank says so
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    instructions_process(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    notices_pull(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    assert _state(w, app) == State.COMPLETED
    assert MemberAccount.objects.get(pk=w["acct"].pk).status == "05"
    assert _debits(w) == [-(BALANCE + INTEREST)] and _sub(w).balance == 0 and _sub(w).hold_amount == 0
    assert _sent(sim) == 1 and _bank_balance(sim) == BANK_START - BALANCE - INTEREST


def test_a_closing_withdrawal_refused_takes_its_interest_back_and_leaves_the_account_open(world, bank, sim):
    w = world
    w["book0"] = _book(w, bank)  # the bank's balance and the member's deposit booked to the 专户
    app = _approved(w, RETIREMENT, RETIRED, reviewers=("r1", "r2"),
                    materials=("id_card", "retirement_proof", "bank_card"))
    sim.faults("reject", code="BDC101")
    app, ins = _execute(w, app)
    assert ins.state == S.FAILED and app.state == State.EXECUTION_FAILED
    assert MemberAccount.objects.get(pk=w["acct"].pk).status == "01"
    sub = _sub(w)
    assert sub.balance == BALANCE and sub.hold_amount == 0  # the interest credited, then taken back
    assert list(SubLedgerRow.objects.filter(sub_account_id=sub.pk, biz_type="09").values_list("amount", flat=True)) \
        == [INTEREST, -INTEREST]
    assert _bank_balance(sim) == BANK_START
