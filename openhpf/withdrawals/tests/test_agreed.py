"""约定提取 / 逐月代扣: agreements under maker-checker, the monthly run as a day-end step (idempotent, resumable),
its one batch under four eyes through the bank simulator, a failed item back at the original value date,
skipped agreements with their reasons. `hpf verify` runs after each test (openhpf/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import member_account_freeze
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.services import command_approve
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.ledger.models import SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_resolve, instruction_send
from openhpf.withdrawals import agreed as agreed_mod
from openhpf.withdrawals.agreed import agreed_run, agreement_sign, agreement_stop
from openhpf.withdrawals.models import AgreedItem, AgreedRun, Agreement

BAL = 5_000_00


def _sign(w, acct, n, *, installment=3_000_00, rule="installment", fixed=0, kind="commercial"):
    c = w["center"]
    ag = agreement_sign(account=acct, loan_kind=kind, contract_no=f"JK2026{n:04d}", installment=installment,
                        amount_rule=rule, fixed_amount=fixed, start_month=c.business_date, actor=w["teller"],
                        business_date=c.business_date, bank_code="CCB", bank_name="建设银行",
                        repay_account=f"62270000000{n:05d}", repay_name=acct.member.name)
    command_approve(command=ag.command_id, actor=w["r1"], business_date=c.business_date)
    ag.refresh_from_db()
    return ag


@pytest.fixture
def agreements(world, bank, sim):
    c = world["center"]
    emp = make_employer(c, 2)
    accts = [make_account(c, emp, 10 + i) for i in range(4)]
    for a in accts:
        deposit(c, a.sub, BAL, value_date=date(2026, 7, 1))
    ags = [_sign(world, accts[0], 1), _sign(world, accts[1], 2, rule="fixed", fixed=1_000_00),
           _sign(world, accts[2], 3), _sign(world, accts[3], 4, installment=8_000_00)]
    return {"accts": accts, "ags": ags}


def _dayend_actor(w):
    return SystemActor("dayend", on_behalf_of=w["fin"])


def _settle(ins, w):
    if ins.state == "created":  # released: sent after the approving transaction commits (here: by hand)
        ins = instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    for _ in range(30):
        ins = instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
        if ins.is_final:
            return ins
    raise AssertionError("batch not final")


def test_sign_needs_a_checker_and_refuses_bad_input(world, bank, sim):
    c, bd = world["center"], world["center"].business_date
    acct = world["acct"]
    with pytest.raises(DomainError) as e:
        agreement_sign(account=acct, loan_kind="commercial", contract_no="JK1", installment=1_000_00,
                       amount_rule="fixed", fixed_amount=2_000_00, start_month=bd, actor=world["teller"],
                       business_date=bd, bank_code="CCB", bank_name="建设银行", repay_account="6227000000001111",
                       repay_name=acct.member.name)
    assert e.value.code == "WITHDRAWAL_AGREEMENT_AMOUNT"
    with pytest.raises(DomainError) as e:
        agreement_sign(account=acct, loan_kind="commercial", contract_no="JK1", installment=1_000_00,
                       amount_rule="installment", start_month=bd, actor=world["teller"], business_date=bd,
                       bank_code="CCB", bank_name="建设银行", repay_account="6227000000001111", repay_name="别人")
    assert e.value.field == "repay_name"
    with pytest.raises(DomainError) as e:  # no loans app registered: the member has no HPF loan
        agreement_sign(account=acct, loan_kind="hpf", contract_no="GJJ1", installment=1_000_00,
                       amount_rule="installment", start_month=bd, actor=world["teller"], business_date=bd)
    assert e.value.code == "WITHDRAWAL_AGREEMENT_LOAN"
    assert not Agreement.objects.exists()
    ag = agreement_sign(account=acct, loan_kind="commercial", contract_no="JK1", installment=1_000_00,
                        amount_rule="installment", start_month=bd, actor=world["teller"], business_date=bd,
                        bank_code="CCB", bank_name="建设银行", repay_account="6227 0000 0000 1111",
                        repay_name=acct.member.name)
    assert ag.status == "pending" and ag.repay_last4 == "1111"
    stored = Agreement.objects.filter(pk=ag.pk).values_list("repay_account", flat=True)
    assert Agreement.objects.get(pk=ag.pk).repay_account == "6227000000001111"
    with pytest.raises(DomainError):  # the maker cannot check their own agreement
        command_approve(command=ag.command_id, actor=world["teller"], business_date=bd)
    command_approve(command=ag.command_id, actor=world["r1"], business_date=bd)
    ag.refresh_from_db()
    assert ag.status == "active" and ag.checked_by
    from openhpf.settlement.four_eyes import payee_registered

    assert payee_registered(center=c, account_no="6227000000001111", account_name=acct.member.name)
    assert list(stored)  # the row exists; the number itself is encrypted at rest (see test_cards)
    stop = agreement_stop(agreement=ag, reason="贷款已结清", actor=world["teller"], business_date=bd)
    assert stop.status == "stopping"
    command_approve(command=stop.command_id, actor=world["r2"], business_date=bd)
    ag.refresh_from_db()
    assert ag.status == "stopped"


def test_monthly_run_pays_in_one_batch_under_four_eyes_and_a_failed_item_comes_back(world, agreements, sim):
    w, c = world, world["center"]
    bd = c.business_date
    accts, ags = agreements["accts"], agreements["ags"]
    member_account_freeze(account=accts[2], kind="1", reason="法院协助冻结", reference="（2026）执1号",
                          actor=w["teller"], business_date=bd)
    sim.control("/sim/accounts", {"account": ags[1].repay_account, "name": ags[1].repay_name, "bank_code": "CCB",
                                  "balance": 0, "status": "closed"})  # item 2 will fail at the bank
    run = agreed_run(center=c, actor=_dayend_actor(w), business_date=bd)
    items = {i.agreement_id: i for i in AgreedItem.objects.filter(run=run)}
    assert items[ags[2].pk].state == "skipped" and items[ags[2].pk].reason == "账户已全部冻结"
    assert items[ags[3].pk].amount == BAL  # 8,000.00 due, 5,000.00 available: what is available
    assert [items[a.pk].amount for a in ags[:2]] == [3_000_00, 1_000_00]
    assert run.status == "submitted" and run.count == 3 and run.skipped == 1 and run.total == 9_000_00
    ins = Instruction.objects.get(seq=run.instruction_seq)
    assert ins.state == "held" and ins.count == 3 and ins.amount == 9_000_00
    assert gl_balance(center=c, code_prefix="21903") == -9_000_00 or gl_balance(center=c, code_prefix="21903") == 9_000_00
    assert SubAccount.objects.get(pk=accts[0].pk).balance == BAL - 3_000_00
    assert SubAccount.objects.get(pk=accts[0].pk).hold_amount == 0
    # idempotent: the run again the same day (and a rerun of the step) pays nothing twice
    again = agreed_run(center=c, actor=_dayend_actor(w), business_date=bd)
    assert again.pk == run.pk and AgreedItem.objects.count() == 4
    # four eyes: the person who started the day-end cannot release the batch
    with pytest.raises((DomainError, PermissionDenied)):
        command_approve(command=ins.release_command, actor=w["fin"], business_date=bd)
    command_approve(command=ins.release_command, actor=w["r2"], business_date=bd)
    ins = _settle(Instruction.objects.get(pk=ins.pk), w)
    assert ins.state == "succeeded" and ins.failed_amount == 1_000_00
    run.refresh_from_db()
    assert (run.status, run.paid, run.failed) == ("done", 2, 1)
    failed = AgreedItem.objects.get(agreement=ags[1])
    assert failed.state == "failed" and "银行支付失败" in failed.reason
    back = SubLedgerRow.objects.filter(sub_account_id=accts[1].pk, reference=ins.seq).order_by("pk")
    assert [(r.amount, r.value_date) for r in back] == [(-1_000_00, bd), (1_000_00, bd)]  # back at its value date
    assert SubAccount.objects.get(pk=accts[1].pk).balance == BAL
    assert gl_balance(center=c, code_prefix="21903") == 0
    assert SubAccount.objects.get(pk=accts[3].pk).balance == 0


def test_hpf_agreements_are_skipped_without_a_loans_offset(world, bank, sim, monkeypatch):
    """The loans app registers its offset (openhpf/loans/tests/test_collect.py applies it); without one, HPF-loan
    agreements are skipped with the reason."""
    assert agreed_mod._HPF_OFFSET  # registered by LoansConfig.ready()
    monkeypatch.setattr(agreed_mod, "_HPF_OFFSET", [])
    c, bd = world["center"], world["center"].business_date
    acct = world["acct"]
    ag = Agreement.objects.create(center=c, member=acct.member, account=acct, loan_kind="hpf", contract_no="GJJ9",
                                  installment=2_000_00, amount_rule="installment", start_month=bd.replace(day=1),
                                  status="active", made_by="t", checked_by="r")
    run = agreed_run(center=c, actor=_dayend_actor(world), business_date=bd)
    item = AgreedItem.objects.get(run=run)
    assert item.state == "skipped" and "公积金贷款冲还未启用" in item.reason
    assert run.status == "empty" and run.report["items"][0]["reason"] == item.reason
    assert SubAccount.objects.get(pk=acct.pk).hold_amount == 0
    assert ag.pk


def test_a_run_interrupted_after_its_holds_resumes_at_the_payment(world, agreements, monkeypatch):
    w, c = world, world["center"]
    bd = c.business_date

    def boom(*a, **k):
        raise RuntimeError("断电")

    monkeypatch.setattr(agreed_mod, "_submit", boom)
    with pytest.raises(RuntimeError):
        agreed_run(center=c, actor=_dayend_actor(w), business_date=bd)
    run = AgreedRun.objects.get(center=c, business_date=bd)
    assert run.status == "held" and SubAccount.objects.get(pk=agreements["accts"][0].pk).hold_amount == 3_000_00
    monkeypatch.undo()
    run = agreed_run(center=c, actor=_dayend_actor(w), business_date=bd)
    assert run.status == "submitted" and Instruction.objects.filter(source="withdrawal.agreed").count() == 1
    assert SubAccount.objects.get(pk=agreements["accts"][0].pk).hold_amount == 0
    assert AgreedItem.objects.filter(run=run).count() == 4


def test_the_dayend_plan_has_the_step(world):
    from openhpf.jobs.dayend import plan

    assert "agreed" in [s.name for s in plan()]
    assert MemberAccount.objects.exists()


@pytest.mark.parametrize("bulk_from", [0, 10_000])
def test_failed_items_go_back_set_based_or_one_by_one_the_same(world, agreements, sim, monkeypatch, bulk_from):
    """The bank refuses two items: their money goes back at the original value date, through the ledger's bulk
    apply (many failed items) or one posting (few), with the same rows and balances; the item results are
    stored set-based."""
    from openhpf.settlement import services as settlement_services

    monkeypatch.setattr(settlement_services, "BATCH_RETURN_BULK", bulk_from)
    w, c = world, world["center"]
    bd = c.business_date
    accts, ags = agreements["accts"], agreements["ags"]
    for ag in ags[:2]:
        sim.control("/sim/accounts", {"account": ag.repay_account, "name": ag.repay_name, "bank_code": "CCB",
                                      "balance": 0, "status": "closed"})
    run = agreed_run(center=c, actor=_dayend_actor(w), business_date=bd)
    ins = Instruction.objects.get(seq=run.instruction_seq)
    command_approve(command=ins.release_command, actor=w["r2"], business_date=bd)
    ins = _settle(Instruction.objects.get(pk=ins.pk), w)
    assert ins.state == "succeeded" and ins.failed_amount == 4_000_00 and ins.succeeded_amount == 3_000_00 + BAL
    states = dict(ins.items.values_list("sub_account_id", "state"))
    assert states == {accts[0].pk: "failed", accts[1].pk: "failed", accts[2].pk: "succeeded",
                      accts[3].pk: "succeeded"}
    assert all(i.bank_seq for i in ins.items.filter(state="succeeded"))
    run.refresh_from_db()
    assert (run.status, run.paid, run.failed) == ("done", 2, 2)
    assert set(AgreedItem.objects.filter(run=run, state="failed").values_list("agreement_id", flat=True)) == {
        ags[0].pk, ags[1].pk}
    assert all("银行支付失败 " in r for r in AgreedItem.objects.filter(state="failed").values_list("reason", flat=True))
    for acct, amt in ((accts[0], 3_000_00), (accts[1], 1_000_00)):
        back = SubLedgerRow.objects.filter(sub_account_id=acct.pk, reference=ins.seq).order_by("pk")
        assert [(r.amount, r.value_date) for r in back] == [(-amt, bd), (amt, bd)]
        assert SubAccount.objects.get(pk=acct.pk).balance == BAL
    assert gl_balance(center=c, code_prefix="21903") == 0
