"""Freezes and holds on every debit path (issue 14 item 2): a court's full freeze, then money coming in, then a
payment attempt through the gateway (single and batch), a reversal and a 退缴 are all refused with a catalogued
error and nothing changes; a partial freeze and a hold leave only the available balance to pay."""

from __future__ import annotations

import pytest

from openhpf.accounts.services import member_account_freeze
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.codes import SettlementBizType as SBT
from openhpf.core.errors import DomainError
from openhpf.ledger.models import JournalEntry, SubAccount, SubLedgerRow
from openhpf.ledger.services import entry_reverse
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import batch_payment_submit, instruction_send, payment_submit

ACTOR = SystemActor("test")
PAYEE = ("6217000000000777", "张三")


def _state(sub) -> tuple:
    s = SubAccount.objects.get(pk=sub.pk)
    return (s.balance_current, s.balance_carried, s.frozen_amount, s.hold_amount,
            SubLedgerRow.objects.filter(sub_account_id=sub.pk).count(), Instruction.objects.count(),
            JournalEntry.objects.count())


def _pay(center, bank, sub, amount):
    return payment_submit(center=center, bank_account=bank, amount=amount, payee_account=PAYEE[0],
                          payee_name=PAYEE[1], biz_type=SBT.PARTIAL_WITHDRAWAL, book_account="201", summary="部分提取",
                          actor=finance_clerk(), business_date=center.business_date, sub_account_id=sub.pk)


def _batch(center, bank, sub, amount):
    return batch_payment_submit(
        center=center, bank_account=bank, biz_type=SBT.PARTIAL_WITHDRAWAL, book_account="201", summary="批量提取",
        items=[{"counter_account": PAYEE[0], "counter_name": PAYEE[1], "amount": amount, "sub_account_id": sub.pk}],
        actor=finance_clerk(), business_date=center.business_date)


def _refused(code, fn, *args):
    with pytest.raises(DomainError) as e:
        fn(*args)
    assert e.value.code == code, e.value
    return e.value


@pytest.fixture
def account(center):
    acct = make_account(center, make_employer(center, 1), 1)
    deposit(center, acct.sub, 500_00)
    return acct


def test_court_freeze_then_deposit_then_payment_is_refused_and_nothing_changes(center, bank, sim, staff, account):
    member_account_freeze(account=account, kind="1", reason="法院协助冻结", reference="（2026）浙0106执7号",
                          actor=staff, business_date=center.business_date)
    later = deposit(center, account.sub, 300_00)  # a contribution after the freeze: it posts …
    assert SubAccount.objects.get(pk=account.pk).available == 300_00
    before = _state(account.sub)
    err = _refused("ACCOUNT_FROZEN", _pay, center, bank, account.sub, 100_00)  # … but it cannot leave
    assert account.account_no in err.message and "全部冻结" in err.message
    _refused("ACCOUNT_FROZEN", _batch, center, bank, account.sub, 100_00)
    _refused("ACCOUNT_FROZEN", _reverse, later, center.business_date)
    assert _state(account.sub) == before


def _reverse(entry, business_date):
    return entry_reverse(entry=entry, business_date=business_date, actor=finance_clerk(), reason="错账冲正")


def test_partial_freeze_and_holds_leave_only_the_available_balance(center, bank, sim, staff, account):
    member_account_freeze(account=account, kind="2", amount=300_00, reason="法院协助冻结", actor=staff,
                          business_date=center.business_date)
    deposit(center, account.sub, 100_00)  # balance 600, frozen 300: 300 available
    first = _pay(center, bank, account.sub, 250_00)  # held while the bank works: 50 left
    assert SubAccount.objects.get(pk=account.pk).available == 50_00
    before = _state(account.sub)
    _refused("INSUFFICIENT_BALANCE", _pay, center, bank, account.sub, 50_01)
    _refused("INSUFFICIENT_BALANCE", _batch, center, bank, account.sub, 50_01)
    assert _state(account.sub) == before
    _batch(center, bank, account.sub, 50_00)  # exactly what is available
    first = instruction_send(instruction=first, actor=ACTOR, business_date=center.business_date)
    assert first.state == Instruction.State.SUCCEEDED
    s = SubAccount.objects.get(pk=account.pk)
    assert (s.balance, s.frozen_amount, s.hold_amount, s.available) == (300_00, 300_00, 0, 0)


def test_a_payment_in_flight_when_the_court_freezes_still_settles(center, bank, sim, staff, account):
    """The bank already has the instruction: the freeze reserves what the hold leaves, and the bank's
    confirmation posts the payment (the hold passed the guard when it was placed)."""
    ins = _pay(center, bank, account.sub, 200_00)
    member_account_freeze(account=account, kind="1", reason="法院协助冻结", actor=staff,
                          business_date=center.business_date)
    assert SubAccount.objects.get(pk=account.pk).frozen_amount == 300_00
    ins = instruction_send(instruction=ins, actor=ACTOR, business_date=center.business_date)
    assert ins.state == Instruction.State.SUCCEEDED
    s = SubAccount.objects.get(pk=account.pk)
    assert (s.balance, s.frozen_amount, s.hold_amount, s.available) == (300_00, 300_00, 0, 0)
