"""Collection (贷款回收): the COB's batch debit of borrowers' cards (three loans, one card refused), with and
without the bank's 本息分解 into the 102 专户, a lost answer resolved once, a rerun that debits nothing twice; the
约定提取 offset of an HPF loan; the forced offset from the borrower's and a co-borrower's HPF balances. Amounts
by hand; `hpf verify` after each test (openhpf/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.models import PolicyParameter
from openhpf.ledger.models import JournalLine, SubAccount
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.models import BankAccount, Instruction
from openhpf.settlement.services import bank_account_open, instructions_process
from openhpf.withdrawals.agreed import agreed_run
from openhpf.withdrawals.models import AgreedItem, Agreement, BankCard

from ..collect import collect_run, expected_collections, offset_candidates, offset_run
from ..models import Loan, LoanCollection, LoanDue, LoanParty, LoanPayment
from .factories import make_active_loan, make_due

ON = date(2026, 11, 30)  # the test center's business date
# 1,000,000.00 元 over 360 months at 2.85 %: installment 1 (2026-01-20) = principal 1,760.57 + interest 2,375.00
P1, I1 = 176_057, 237_500
INCOME_ACCOUNT = "6222000000000102"
CARDS = ("6217000000002001", "6217000000002002", "6217000000002003")


def _actor():
    return SystemActor("dayend", on_behalf_of=finance_clerk())


@pytest.fixture
def three(center, bank, sim):
    """Three borrowers with a due installment each and a verified card; the second card cannot pay (1.00 元)."""
    emp = make_employer(center, 1)
    loans = []
    for n, (card, money) in enumerate(zip(CARDS, (500_000, 100, 1_000_000), strict=True), 1):
        acct = make_account(center, emp, n)
        ln = make_active_loan(center, acct)
        Loan.objects.filter(pk=ln.pk).update(contract_no=f"GJJHT{n:04d}")
        make_due(ln, 1)
        BankCard.objects.create(center=center, member=acct.member, card_no=card, last4=card[-4:], bank_code="CCB",
                                bank_name="建设银行", holder_name=acct.member.name, status=BankCard.Status.VERIFIED,
                                created_by="t", created_on=ON)
        sim.control("/sim/accounts", {"account": card, "name": acct.member.name, "bank_code": "CCB", "balance": money})
        loans.append(ln)
    return loans


def _gl(entry):
    return sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=entry))


def _split_on(center, sim) -> BankAccount:
    PolicyParameter.objects.create(center=center, key="loan.collect.split_interest", effective_from=date(2026, 1, 1),
                                   value_type="bool", value=True, approved_by="test")
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=INCOME_ACCOUNT,
                             account_name=center.name, actor=SystemActor("test"), business_date=ON,
                             kind=BankAccount.Kind.VALUE_ADDED)
    sim.control("/sim/accounts", {"account": INCOME_ACCOUNT, "name": "增值收益专户", "bank_code": "ICBC", "balance": 0})
    return acct


def _sim_balance(sim, account):
    return sim.bdc("BDC123", {"account": account})["body"]["balance"]


def test_batch_debit_three_loans_one_card_refused(center, bank, sim, three):
    out = collect_run(center=center, actor=_actor(), business_date=ON)
    assert (out["paid"], out["failed"], out["skipped"]) == (2, 1, 0)
    ins = Instruction.objects.get(seq=out["seq"])
    assert (ins.code, ins.biz_type, ins.count, ins.amount) == ("BDC104", "05", 3, 3 * (P1 + I1))
    assert (ins.succeeded_amount, ins.failed_amount) == (2 * (P1 + I1), P1 + I1)
    pays = list(LoanPayment.objects.order_by("loan_id"))
    assert [p.loan_id for p in pays] == [three[0].pk, three[2].pk]
    for p in pays:
        assert (p.source, p.amount, p.principal, p.interest, p.bank_ref) == ("bank", 413_557, P1, I1, ins.seq)
        assert _gl(p.entry) == sorted([("10101", 413_557, 0), ("121", 0, P1), ("40103", 0, I1)])
    dues = dict(LoanDue.objects.values_list("loan_id", "state"))
    assert dues == {three[0].pk: "paid", three[1].pk: "open", three[2].pk: "paid"}
    failed = LoanCollection.objects.get(loan=three[1])
    assert failed.state == "failed" and "1001" in failed.reason and failed.payment is None
    assert Loan.objects.get(pk=three[1].pk).outstanding == 100_000_000
    assert _sim_balance(sim, CARDS[0]) == 500_000 - 413_557 and _sim_balance(sim, CARDS[1]) == 100
    # a rerun of the step: the same instruction, nothing debited or booked twice
    again = collect_run(center=center, actor=_actor(), business_date=ON)
    assert again["seq"] == out["seq"] and LoanPayment.objects.count() == 2
    assert Instruction.objects.filter(code="BDC104").count() == 1
    assert _sim_balance(sim, CARDS[0]) == 500_000 - 413_557


def test_split_into_102_and_a_lost_answer_resolved_once(center, bank, sim, three):
    income = _split_on(center, sim)
    sim.faults(fault="drop_answer", code="BDC104", count=1)
    out = collect_run(center=center, actor=_actor(), business_date=ON)
    ins = Instruction.objects.get(seq=out["seq"])
    assert ins.resolved_by == "BDC107" and (out["paid"], out["failed"]) == (2, 1)
    split = Instruction.objects.get(code="BDC106")
    assert split.amount == 2 * I1 and split.body["principal"] == 2 * P1
    for p in LoanPayment.objects.all():
        assert _gl(p.entry) == sorted([("10101", P1, 0), (income.gl_account.code, I1, 0), ("121", 0, P1),
                                       ("40103", 0, I1)])
        lines = {x.account.code: x.bank_ref for x in JournalLine.objects.filter(entry=p.entry, debit__gt=0)}
        assert lines == {"10101": ins.seq, income.gl_account.code: split.seq}
    instructions_process(center=center, actor=finance_clerk(), business_date=ON)  # the day-end sends the BDC106
    split.refresh_from_db()
    assert split.state == "succeeded"
    assert _sim_balance(sim, INCOME_ACCOUNT) == 2 * I1 == gl_balance(center=center, code_prefix=income.gl_account.code)
    assert LoanPayment.objects.count() == 2 and _sim_balance(sim, CARDS[2]) == 1_000_000 - (P1 + I1)


def test_loans_under_an_agreement_or_without_a_card_are_not_debited(center, bank, sim, three):
    BankCard.objects.filter(member=three[2].borrower).delete()
    Agreement.objects.create(center=center, member=three[0].borrower, account=three[0].borrower.accounts.first(),
                             loan_kind="hpf", contract_no="GJJHT0001", installment=413_557,
                             amount_rule="installment", start_month=date(2026, 11, 1), status="active", made_by="t")
    out = collect_run(center=center, actor=_actor(), business_date=ON)
    assert (out["paid"], out["failed"], out["skipped"]) == (0, 1, 1)
    assert not LoanCollection.objects.filter(loan=three[0]).exists()
    assert "银行卡" in LoanCollection.objects.get(loan=three[2]).reason


def test_agreed_offset_pays_the_month_installment(center, bank, sim):
    """约定提取 of an HPF loan: the month's installment (period 11, 2026-11-20, not yet copied by the COB) paid from
    the member's account: Dr 201 with the member row, Cr 121 / 40103."""
    acct = make_account(center, make_employer(center, 1), 1)
    deposit(center, acct.sub, 1_000_000, value_date=date(2026, 7, 1))
    ln = make_active_loan(center, acct)
    Loan.objects.filter(pk=ln.pk).update(contract_no="GJJHT0009")
    for period in range(1, 11):  # the ten installments before are paid
        LoanDue.objects.create(center=center, loan=ln, period=period, due_date=date(2026, period, 20), principal=1,
                               interest=0, paid_principal=1, state="paid")
    Agreement.objects.create(center=center, member=acct.member, account=acct, loan_kind="hpf",
                             contract_no="GJJHT0009", installment=413_557, amount_rule="installment",
                             start_month=date(2026, 11, 1), status="active", made_by="t", checked_by="r")
    run = agreed_run(center=center, actor=_actor(), business_date=ON)
    item = AgreedItem.objects.get(run=run)
    assert item.state == "offset" and item.amount == 413_557
    due = LoanDue.objects.get(loan=ln, period=11)
    # period 11 of the schedule: interest on the balance after ten installments, principal the rest of 4,135.57
    assert due.state == "paid" and due.principal + due.interest == 413_557
    p = LoanPayment.objects.get(loan=ln)
    assert (p.source, p.amount, p.principal, p.interest) == ("agreed", 413_557, due.principal, due.interest)
    assert _gl(p.entry) == sorted([("201", 413_557, 0), ("121", 0, due.principal), ("40103", 0, due.interest)])
    sub = SubAccount.objects.get(pk=acct.pk)
    assert (sub.balance_current + sub.balance_carried, sub.hold_amount) == (1_000_000 - 413_557, 0)
    agreed_run(center=center, actor=_actor(), business_date=ON)  # again: nothing twice
    assert LoanPayment.objects.count() == 1


def test_forced_offset_after_60_days_from_borrower_and_co_borrower(center):
    emp = make_employer(center, 1)
    borrower, co = make_account(center, emp, 1), make_account(center, emp, 2)
    deposit(center, borrower.sub, 300_000, value_date=date(2026, 7, 1))
    deposit(center, co.sub, 500_000, value_date=date(2026, 7, 1))
    ln = make_active_loan(center, borrower)
    LoanParty.objects.create(loan=ln, member=borrower.member, role="borrower")
    LoanParty.objects.create(loan=ln, member=co.member, role="co_borrower")
    make_due(ln, 1, overdue_on=date(2026, 1, 21))
    other = make_active_loan(center, make_account(center, emp, 3))
    Loan.objects.filter(pk=other.pk).update(offset_allowed=False, overdue_since=date(2026, 1, 20))
    assert offset_candidates(center, ON) == [ln.pk]  # the other contract does not allow it
    # owed: penalty 154.21 (314 days, test_payments) + interest 2,375.00 + principal 1,760.57 = 4,289.78 元
    out = offset_run(center=center, actor=_actor(), business_date=ON)
    assert out == {"loans": 1, "amount": 428_978}
    p = LoanPayment.objects.get(loan=ln)
    assert (p.source, p.penalty, p.overdue_interest, p.overdue_principal) == ("offset", 15_421, I1, P1)
    assert _gl(p.entry) == sorted([("201", 428_978, 0), ("122", 0, P1), ("40103", 0, I1), ("40103", 0, 15_421)])
    b, c = SubAccount.objects.get(pk=borrower.pk), SubAccount.objects.get(pk=co.pk)
    assert b.balance_current + b.balance_carried == 0  # all 3,000.00 元 of the borrower first
    assert c.balance_current + c.balance_carried == 500_000 - 128_978
    ln.refresh_from_db()
    assert (ln.overdue_principal, ln.overdue_since) == (0, None)
    assert offset_run(center=center, actor=_actor(), business_date=ON) == {"loans": 0, "amount": 0}


def test_forced_offset_leaves_frozen_money(center):
    emp = make_employer(center, 1)
    borrower = make_account(center, emp, 1)
    deposit(center, borrower.sub, 300_000, value_date=date(2026, 7, 1))
    SubAccount.objects.filter(pk=borrower.pk).update(frozen_amount=200_000)
    ln = make_active_loan(center, borrower)
    make_due(ln, 1, overdue_on=date(2026, 1, 21))
    assert offset_run(center=center, actor=_actor(), business_date=ON) == {"loans": 1, "amount": 100_000}
    p = LoanPayment.objects.get(loan=ln)
    assert (p.penalty, p.overdue_interest) == (15_421, 100_000 - 15_421)  # penalty first, then overdue interest


def test_expected_collections(center, bank, sim, three):
    rows = expected_collections(center, date(2026, 12, 1), date(2026, 12, 31))
    assert len(rows) == 1 and rows[0][0] == date(2026, 12, 20) and rows[0][1] == 3 * 413_557

