"""03 离休退休 and 07 房租 end to end on the engine and through the bank simulator: the exact hand-computed amounts,
every failing rule at once, bad input refused with nothing written, holds on approval, freezes on every debit
path, a bank refusal. `hpf verify` runs after each test (openhpf/conftest.py)."""

from __future__ import annotations

import pytest

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import member_account_freeze
from openhpf.applications import services as engine
from openhpf.applications.models import Application, State
from openhpf.core.errors import DomainError
from openhpf.ledger.models import JournalLine, SubAccount, SubLedgerRow
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_send
from openhpf.withdrawals.handlers import RENT, RETIREMENT
from openhpf.withdrawals.models import Payout

from .conftest import BALANCE, CARD, file, verified_card

pytestmark = pytest.mark.django_db
RENT_OK = {"amount": 600_000, "months": 3, "no_own_home": True}  # cap 2,000.00 元 a month × 3 = 6,000.00 元
RETIRED = {"retirement_proof": "certificate", "retirement_date": "2026-10-31", "certificate_no": "浙退 2026-001"}


def _sub(w) -> SubAccount:
    return SubAccount.objects.get(pk=w["acct"].pk)


def _review(w, app, *reviewers):
    for r in reviewers:
        app = engine.application_review(application=app, actor=w[r], business_date=w["center"].business_date,
                                        decision="pass")
    return app


def _execute_and_send(w, app):
    """The clerk executes (BDC101 submitted); the send after commit is made here, as day-end would."""
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    assert app.state == State.EXECUTING and app.result["pending"]
    ins = Instruction.objects.get(center=w["center"], seq=app.result["instruction"])
    assert ins.source == "withdrawal" and ins.source_ref.startswith(app.number)
    assert ins.state == Instruction.State.CREATED  # checked by the application's reviewer: not held again
    instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    return Application.objects.get(pk=app.pk), Instruction.objects.get(pk=ins.pk)


def test_rent_pays_the_exact_amount_to_the_members_own_card(world, bank, sim):
    w = world
    verified_card(w)
    app = file(w, RENT, RENT_OK)
    assert app.state == State.UNDER_REVIEW and app.rule_outcome == "manual"  # a card registered this month
    app = _review(w, app, "r1")
    assert app.state == State.APPROVED
    assert _sub(w).hold_amount == 600_000  # held at once on approval
    app, ins = _execute_and_send(w, app)
    assert ins.state == Instruction.State.SUCCEEDED and ins.biz_type == "02" and ins.counter_account == CARD
    assert app.state == State.COMPLETED and app.result["paid"] == 600_000
    sub = _sub(w)
    assert sub.balance == BALANCE - 600_000 and sub.hold_amount == 0
    row = SubLedgerRow.objects.filter(sub_account_id=sub.pk).order_by("-id").first()
    assert row.biz_type == "11" and row.amount == -600_000
    lines = {(ln.account.code[:3], ln.debit, ln.credit, ln.bank_ref) for ln in JournalLine.objects.filter(entry=row.entry)}
    assert lines == {("201", 600_000, 0, ""), ("101", 0, 600_000, ins.seq)}
    payout = Payout.objects.get(application=app)
    assert payout.state == Payout.State.PAID and payout.bank_seq


def test_rent_refused_with_every_failing_rule_at_once(world):
    w = world
    app = file(w, RENT, {"amount": 700_000, "months": 3, "no_own_home": False}, )
    assert app.state == State.REJECTED
    text = "；".join(app.problems)
    for expected in ("本人或配偶在本市有自有住房", "超过租房提取限额", "未登记已核验的本人银行卡"):
        assert expected in text, text
    assert len(app.problems) == 3
    assert _sub(w).hold_amount == 0 and not Payout.objects.exists()


def test_rent_needs_three_months_continuous_contribution(world):
    w = world
    verified_card(w)
    from openhpf.accounts.models import PaidMonths

    PaidMonths.objects.filter(account_id=w["acct"].pk).update(months=0b10110000000)  # 08, 09, 11: a gap in 10
    app = file(w, RENT, RENT_OK)
    assert app.state == State.REJECTED and app.problems == ["连续足额缴存不满 3 个月"]


def test_bad_input_is_refused_with_every_problem_and_nothing_held(world):
    w = world
    verified_card(w)
    with pytest.raises(DomainError) as e:
        file(w, RENT, {"amount": 0, "months": 13})
    assert e.value.code == "APPLICATION_PROBLEMS"
    assert "大于零" in e.value.message and "1 至 12" in e.value.message and "自有住房" in e.value.message
    with pytest.raises(DomainError) as e:
        file(w, RENT, {**RENT_OK, "amount": BALANCE + 1})
    assert "超过可用余额" in e.value.message
    # a frozen amount is not available
    member_account_freeze(account=w["acct"], kind="2", amount=BALANCE - 500_000, reason="法院协助冻结",
                          actor=w["teller"], business_date=w["center"].business_date)
    with pytest.raises(DomainError) as e:
        file(w, RENT, RENT_OK)
    assert "超过可用余额 5,000.00 元" in e.value.message
    assert _sub(w).hold_amount == 0 and not Payout.objects.exists()


def test_two_approvals_cannot_hold_more_than_the_available_balance(world):
    w = world
    verified_card(w)
    member_account_freeze(account=w["acct"], kind="2", amount=BALANCE - 1_000_000, reason="法院协助冻结",
                          actor=w["teller"], business_date=w["center"].business_date)  # 10,000.00 元 available
    first = file(w, RENT, RENT_OK)
    second = file(w, RENT, RENT_OK)
    assert _review(w, first, "r1").state == State.APPROVED
    with pytest.raises(DomainError) as e:
        _review(w, second, "r1")
    assert e.value.code == "INSUFFICIENT_BALANCE"
    assert Application.objects.get(pk=second.pk).state == State.UNDER_REVIEW
    assert _sub(w).hold_amount == 600_000
    engine.application_cancel(application=first, actor=w["teller"], business_date=w["center"].business_date,
                              reason="申请人放弃")
    assert _sub(w).hold_amount == 0  # 作废 releases the hold


def test_a_full_freeze_after_approval_stops_the_payment(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, file(w, RENT, RENT_OK), "r1")
    member_account_freeze(account=w["acct"], kind="1", reason="法院协助冻结", actor=w["teller"],
                          business_date=w["center"].business_date)
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    assert app.state == State.EXECUTION_FAILED and (app.result or {})["error"] == "ACCOUNT_FROZEN"
    assert not Instruction.objects.filter(source="withdrawal").exists()
    assert _sub(w).balance == BALANCE


def test_a_bank_refusal_releases_the_hold_and_fails_the_application(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, file(w, RENT, RENT_OK), "r1")
    sim.faults("reject", code="BDC101")
    app, ins = _execute_and_send(w, app)
    assert ins.state == Instruction.State.FAILED
    assert app.state == State.EXECUTION_FAILED
    sub = _sub(w)
    assert sub.balance == BALANCE and sub.hold_amount == 0
    assert Payout.objects.get(application=app).state == Payout.State.FAILED
    # executed again, it pays once
    app, ins2 = _execute_and_send(w, app)
    assert app.state == State.COMPLETED and ins2.pk != ins.pk and _sub(w).balance == BALANCE - 600_000


def test_retirement_pays_the_whole_balance_plus_interest_to_date_and_closes_the_account(world, bank, sim):
    w = world
    verified_card(w)
    app = file(w, RETIREMENT, RETIRED, materials=("id_card", "retirement_proof", "bank_card"))
    assert app.stages_required == [0, 1]  # 100,000.00 元: 初审 and 复审
    app = _review(w, app, "r1", "r2")
    assert app.state == State.APPROVED and _sub(w).hold_amount == BALANCE
    app, ins = _execute_and_send(w, app)
    # 100,000.00 元 from 7/1, paid on 11/30: interest for 7/1 … 11/29 = 152 days at 1.5 % / 360, HALF_UP:
    # 10,000,000 × 152 × 0.015 / 360 = 63,333.33 → 633.33 元
    interest = 63_333
    assert ins.amount == BALANCE + interest and ins.biz_type == "03"
    assert app.state == State.COMPLETED and app.result["paid"] == BALANCE + interest and app.result["closed"]
    acct = MemberAccount.objects.get(pk=w["acct"].pk)
    assert acct.status == "05" and acct.closed_date == w["center"].business_date
    sub = _sub(w)
    assert sub.balance == 0 and sub.hold_amount == 0
    rows = list(SubLedgerRow.objects.filter(sub_account_id=sub.pk).order_by("id").values_list("biz_type", "amount"))
    assert rows[-2:] == [("09", interest), ("12", -(BALANCE + interest))]  # the interest posts before the debit
    interest_lines = {(ln.account.code, ln.debit, ln.credit) for ln in JournalLine.objects.filter(
        entry=Payout.objects.get(application=app).interest_entry)}
    assert interest_lines == {("211", interest, 0), ("201", 0, interest)}


def test_retirement_refused_with_every_failing_rule_and_the_age_warning_recorded(world):
    w = world
    member_account_freeze(account=w["acct"], kind="2", amount=100_000, reason="法院协助冻结", actor=w["teller"],
                          business_date=w["center"].business_date)
    app = file(w, RETIREMENT, RETIRED, materials=("id_card", "retirement_proof", "bank_card"))
    assert app.state == State.REJECTED
    assert set(app.problems) == {"个人账户处于冻结状态，不能销户提取", "未登记已核验的本人银行卡"}
    results = {r["code"]: r for r in app.evaluations.get().results}
    assert results["AGE"]["holds"] is False and results["AGE"]["severity"] == "warn"  # born 1990: a warning only
    assert results["RETIRED"]["holds"] is True
    assert _sub(w).hold_amount == 0


def test_a_lost_answer_stays_held_until_the_result_query_settles_it_once(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, file(w, RENT, RENT_OK), "r1")
    sim.faults("drop_answer", code="BDC101")
    app, ins = _execute_and_send(w, app)
    assert ins.state == Instruction.State.UNKNOWN and app.state == State.EXECUTING
    assert _sub(w).hold_amount == 600_000 and _sub(w).balance == BALANCE  # held, not paid, not released
    from openhpf.settlement.services import instruction_resolve

    ins = instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    assert ins.state == Instruction.State.SUCCEEDED
    app.refresh_from_db()
    assert app.state == State.COMPLETED and _sub(w).balance == BALANCE - 600_000 and _sub(w).hold_amount == 0
    ins = instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    assert _sub(w).balance == BALANCE - 600_000  # asked again: moved once
