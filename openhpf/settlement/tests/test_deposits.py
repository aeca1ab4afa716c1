"""Time and notice deposits of surplus funds (BDC114–121) against the bank simulator, interest by hand."""

from __future__ import annotations

from datetime import date

from openhpf.conftest import business_day, finance_clerk
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement.deposits import (
    deposit_notify,
    deposit_open,
    deposit_withdraw,
    deposits_sync,
    expected_interest,
)
from openhpf.settlement.models import Deposit, Instruction
from openhpf.settlement.services import instruction_send, instructions_process

from .conftest import release
from .test_gateway import _bank_balance, _book

S = Instruction.State


def test_time_deposit_to_maturity_books_the_banks_interest(center, bank, sim):
    dep = deposit_open(center=center, bank_account=bank, kind="time", amount=50_000_000, rate="1.25",
                       term_months=3, actor=finance_clerk(), business_date=center.business_date)
    ins = instruction_send(instruction=release(dep.open_instruction), actor=finance_clerk(), business_date=center.business_date)
    dep.refresh_from_db()
    assert ins.state == S.SUCCEEDED and dep.status == Deposit.Status.OPEN and dep.deposit_no
    assert dep.maturity_date == date(2027, 2, 28)
    assert _book(bank) == _bank_balance(sim) == 50_000_000
    assert gl_balance(center=center, code_prefix=dep.gl_account.code) == 50_000_000
    # at maturity (90 days): 50,000,000 × 1.25% × 90 / 360 = 156,250 fen
    assert expected_interest(50_000_000, "1.25", 90) == 156_250
    with business_day(center, date(2027, 2, 28)):
        w = deposit_withdraw(deposit=dep, actor=finance_clerk(), business_date=date(2027, 2, 28))
        w = instruction_send(instruction=w, actor=finance_clerk(), business_date=date(2027, 2, 28))
    dep.refresh_from_db()
    assert w.state == S.SUCCEEDED and dep.status == Deposit.Status.CLOSED and dep.interest_received == 156_250
    assert _book(bank) == _bank_balance(sim) == 100_000_000 + 156_250
    assert gl_balance(center=center, code_prefix=dep.gl_account.code) == 0
    assert gl_balance(center=center, code_prefix="40101") == -156_250  # income: a credit balance


def test_notice_deposit_partial_withdrawal_after_notice(center, bank, sim):
    dep = deposit_open(center=center, bank_account=bank, kind="notice", amount=20_000_000, rate="1.35",
                       notice_days=7, actor=finance_clerk(), business_date=center.business_date)
    instruction_send(instruction=release(dep.open_instruction), actor=finance_clerk(), business_date=center.business_date)
    dep.refresh_from_db()
    with business_day(center, date(2026, 12, 1)):
        deposit_notify(deposit=dep, amount=10_000_000, withdraw_date=date(2026, 12, 8), actor=finance_clerk(),
                       business_date=date(2026, 12, 1))
    with business_day(center, date(2026, 12, 8)):
        w = deposit_withdraw(deposit=dep, amount=10_000_000, actor=finance_clerk(), business_date=date(2026, 12, 8))
        instruction_send(instruction=w, actor=finance_clerk(), business_date=date(2026, 12, 8))
    dep.refresh_from_db()
    # 10,000,000 × 1.35% × 8 / 360 = 3,000 fen
    assert dep.interest_received == 3_000 and dep.principal == 10_000_000 and dep.status == Deposit.Status.OPEN
    assert _book(bank) == _bank_balance(sim) == 100_000_000 - 20_000_000 + 10_000_000 + 3_000


def test_notice_deposit_withdrawn_in_two_parts_numbers_its_withdrawals(center, bank, sim):
    dep = deposit_open(center=center, bank_account=bank, kind="notice", amount=20_000_000, rate="1.35",
                       notice_days=1, actor=finance_clerk(), business_date=center.business_date)
    instruction_send(instruction=release(dep.open_instruction), actor=finance_clerk(), business_date=center.business_date)
    dep.refresh_from_db()
    for day, notified in ((date(2026, 12, 2), date(2026, 12, 1)), (date(2026, 12, 4), date(2026, 12, 3))):
        with business_day(center, notified):
            deposit_notify(deposit=dep, amount=10_000_000, withdraw_date=day, actor=finance_clerk(), business_date=notified)
        with business_day(center, day):
            w = deposit_withdraw(deposit=dep, amount=10_000_000, actor=finance_clerk(), business_date=day)
            assert instruction_send(instruction=w, actor=finance_clerk(), business_date=day).state == S.SUCCEEDED
        dep.refresh_from_db()
    # one source reference per withdrawal (instr_source_ref_unique): the deposit's id, then its second attempt
    assert list(Instruction.objects.filter(source="deposit.withdraw").order_by("pk").values_list(
        "source_ref", flat=True)) == [str(dep.pk), f"{dep.pk}#2"]
    assert dep.principal == 0 and dep.status == Deposit.Status.CLOSED


def test_lost_answer_on_deposit_is_resolved_and_the_number_found(center, bank, sim):
    sim.faults(fault="drop_answer", code="BDC114", count=1)
    dep = deposit_open(center=center, bank_account=bank, kind="time", amount=30_000_000, rate="1.45",
                       term_months=6, actor=finance_clerk(), business_date=center.business_date)
    ins = instruction_send(instruction=release(dep.open_instruction), actor=finance_clerk(), business_date=center.business_date)
    assert ins.state == S.UNKNOWN
    instructions_process(center=center, actor=finance_clerk(), business_date=center.business_date)
    dep.refresh_from_db()
    assert dep.status == Deposit.Status.OPEN and dep.deposit_no == ""
    assert deposits_sync(bank_account=bank, actor=finance_clerk(), business_date=center.business_date) == 1
    dep.refresh_from_db()
    assert dep.deposit_no.startswith("TD") and dep.maturity_date == date(2027, 5, 30)
    assert _book(bank) == _bank_balance(sim) == 70_000_000
    assert sim.state()["transactions"]["BDC114"] == 1


def test_rejected_deposit_fails_and_releases(center, bank, sim):
    sim.faults(fault="reject", code="BDC117", count=1)
    dep = deposit_open(center=center, bank_account=bank, kind="notice", amount=10_000_000, rate="1.1",
                       notice_days=1, actor=finance_clerk(), business_date=center.business_date)
    instruction_send(instruction=release(dep.open_instruction), actor=finance_clerk(), business_date=center.business_date)
    dep.refresh_from_db()
    assert dep.status == Deposit.Status.FAILED
    assert _book(bank) == _bank_balance(sim) == 100_000_000


def test_transfer_to_the_value_added_account_reconciles_on_both_sides(center, bank, sim):
    from openhpf.ledger.models import JournalLine
    from openhpf.settlement.deposits import value_added_transfer
    from openhpf.settlement.services import bank_account_open, notices_pull

    va = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000102",
                           account_name=center.name, kind="102", actor=finance_clerk(), business_date=center.business_date)
    assert va.gl_account.code == "10201"
    sim.open_account("6222000000000102", name=center.name, bank_code="ICBC", balance=0)
    ins = value_added_transfer(center=center, amount=3_000_000, actor=finance_clerk(), business_date=center.business_date)
    ins = instruction_send(instruction=ins, actor=finance_clerk(), business_date=center.business_date)
    assert ins.state == S.SUCCEEDED
    assert gl_balance(center=center, code_prefix="10201") == 3_000_000
    assert JournalLine.objects.filter(bank_ref=ins.seq).count() == 2  # on 10101 and on 10201
    notices_pull(center=center, actor=finance_clerk(), business_date=center.business_date)  # both sides' notices: no double
    assert gl_balance(center=center, code_prefix="10201") == 3_000_000
    va_bank = next(a for a in sim.state()["accounts"] if a["account"] == "6222000000000102")
    assert va_bank["balance"] == 3_000_000


def test_deposit_and_bank_sub_accounts_share_one_numbering(center, bank, sim):
    """Every 101 sub-account comes from ledger.gl_subaccount_open: bank accounts and deposit accounts alike
    take the next serial under 101; a bank's deposits of one kind stay in one account."""
    from openhpf.audit.models import AuditRecord
    from openhpf.settlement.services import bank_account_open

    assert bank.gl_account.code == "10101"  # the first fund account takes over the default
    time1 = deposit_open(center=center, bank_account=bank, kind="time", amount=1_000_00, rate="1.25", term_months=3,
                         actor=finance_clerk(), business_date=center.business_date)
    other = bank_account_open(center=center, bank_code="CCB", bank_name="建设银行", account_no="6227000000000001",
                              account_name=center.name, actor=finance_clerk(), business_date=center.business_date)
    notice = deposit_open(center=center, bank_account=bank, kind="notice", amount=1_000_00, rate="1.35",
                          notice_days=7, actor=finance_clerk(), business_date=center.business_date)
    time2 = deposit_open(center=center, bank_account=bank, kind="time", amount=1_000_00, rate="1.25", term_months=6,
                         actor=finance_clerk(), business_date=center.business_date)
    assert [time1.gl_account.code, other.gl_account.code, notice.gl_account.code, time2.gl_account.code] == \
        ["10102", "10103", "10104", "10102"]
    assert (time1.gl_account.name, time1.gl_account.bank_name) == (f"工商银行{Deposit.Kind.TIME.label}", "工商银行")
    opened = AuditRecord.objects.filter(action="ledger.gl_account.add").values_list("after", flat=True)
    assert sorted(a["code"] for a in opened if a) == ["10102", "10103", "10104"]
