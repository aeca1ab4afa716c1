"""01 购买住房, 02 建造/翻建/大修, 06 偿还购房贷款本息 and the spouse's joint application, end to end on the engine and
through the bank simulator: the exact hand-computed amounts, every failing rule at once, a rule edit from its
date only, the same property used twice, both accounts paying for a joint application, bad input refused with
nothing written. `hpf verify` (the ledger balanced) runs after each test (openhpf/conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings

from openhpf.accounts.models import PaidMonths
from openhpf.accounts.services import member_account_freeze, member_account_seal
from openhpf.accounts.tests.factories import make_account, resident_id
from openhpf.applications import services as engine
from openhpf.applications.models import Application, State
from openhpf.applications.registry import handler_for
from openhpf.applications.rules import Rule, rule_set_for, rule_set_make, rules_of
from openhpf.conftest import business_day
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.ledger.models import JournalLine, SubAccount, SubLedgerRow
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_send
from openhpf.verification.models import MarriageRecord
from openhpf.withdrawals import loanlink
from openhpf.withdrawals.batch import payout_batch
from openhpf.withdrawals.cards import card_add, card_verify
from openhpf.withdrawals.config import reason_config_make
from openhpf.withdrawals.handlers import RENT, months_since_last
from openhpf.withdrawals.housing import BUILD, PURCHASE, REPAY
from openhpf.withdrawals.loanlink import MemberLoan
from openhpf.withdrawals.models import LimitKey, Payout, PropertyUse

from .conftest import BALANCE, CARD, file, verified_card
from .test_batch import _send_and_settle
from .test_reasons import RENT_OK

pytestmark = pytest.mark.django_db
SPOUSE_CARD = "6222000000005678"
SPOUSE_BALANCE = 5_000_000  # 50,000.00 元
PURCHASE_MATERIALS = ("id_card", "purchase_contract", "payment_proof", "bank_card")
JOINT_PURCHASE_MATERIALS = (*PURCHASE_MATERIALS, "spouse_consent")
BUILD_MATERIALS = ("id_card", "build_permit", "budget", "bank_card")
REPAY_MATERIALS = ("id_card", "loan_contract", "bank_card")
CONTRACT, CERT = "WQ2026-330106-0001", "浙(2026)杭州市不动产权第0012345号"
# 1,000,000.00 元 bought with a 750,000.00 元 commercial loan and a 200,000.00 元 HPF loan: 50,000.00 元 may be withdrawn
BUY = {"contract_no": CONTRACT, "purchase_date": "2026-06-18", "price": 100_000_000, "commercial_loan": 75_000_000}
HPF_LOAN = MemberLoan(contract_no="GJJ2026-0001", outstanding_principal=19_600_000, installments_this_year=4_962_684,
                      next_installment=413_557, next_due=date(2026, 12, 15), overdue=False, overdue_amount=0,
                      property_key=CONTRACT, principal=20_000_000)


@pytest.fixture
def loans():
    """The members' HPF loans as the loans app would tell them (member id → loans)."""
    table: dict[int, list[MemberLoan]] = {}

    def source(member_id: int, on: date) -> list[MemberLoan]:
        return table.get(member_id, [])

    loanlink.register_loan_source(source)
    yield table
    loanlink._SOURCES.remove(source)


@pytest.fixture
def spouse(world):
    """The member's spouse: an account of the same center with 50,000.00 元, married to the member by the 民政
    registry, a verified card of her own."""
    w = world
    acct = make_account(w["center"], w["acct"].employer, 2, name="李丽", id_number=resident_id(2, sex="2"))
    deposit(w["center"], acct.sub, SPOUSE_BALANCE, value_date=date(2026, 7, 1))
    PaidMonths.objects.create(account=acct, year=2026, months=0b11110000000, back=0)
    MarriageRecord.objects.create(subject=w["member"].id_number, kind="married", spouse=acct.member.id_number,
                                  registered_on=date(2018, 5, 20))
    card = card_add(member=acct.member, card_no=SPOUSE_CARD, bank_code="CCB", bank_name="建设银行",
                    holder_name=acct.member.name, actor=w["teller"], business_date=w["center"].business_date)
    card_verify(card=card, actor=w["r1"], business_date=w["center"].business_date)
    w["spouse"] = acct
    return acct


def _sub(acct) -> SubAccount:
    return SubAccount.objects.get(pk=acct.pk)


def _review(w, app, *reviewers):
    for r in reviewers:
        app = engine.application_review(application=app, actor=w[r], business_date=w["center"].business_date,
                                        decision="pass")
    return app


def _execute_and_send(w, app):
    """The clerk executes (one BDC101 per paying account); the sends after commit are made here, as day-end would."""
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    assert app.state == State.EXECUTING and app.result["pending"], app.result
    sent = []
    for seq in app.result["instructions"]:
        ins = Instruction.objects.get(center=w["center"], seq=seq)
        assert ins.source == "withdrawal" and ins.state == Instruction.State.CREATED  # checked: not held again
        instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
        sent.append(Instruction.objects.get(pk=ins.pk))
    return Application.objects.get(pk=app.pk), sent


def _debit_lines(ins):
    row = SubLedgerRow.objects.get(sub_account_id=ins.sub_account_id, entry__lines__bank_ref=ins.seq)
    lines = {(ln.account.code[:3], ln.debit, ln.credit) for ln in JournalLine.objects.filter(entry=row.entry)}
    return row, lines


# ---------------------------------------------------------------- 01 购买住房


def test_purchase_pays_price_less_loans_and_a_second_use_of_the_property_gets_only_what_is_left(world, bank, sim,
                                                                                                 loans):
    w = world
    verified_card(w)
    loans[w["member"].pk] = [HPF_LOAN]
    # limit: 1,000,000.00 − 750,000.00 commercial − 200,000.00 HPF (the amount lent) = 50,000.00 元
    app = file(w, PURCHASE, {**BUY, "amount": 3_000_000}, materials=PURCHASE_MATERIALS)
    ev = app.evaluations.get()
    assert ev.inputs["hpf_loan"] == 20_000_000 and ev.inputs["earlier_withdrawn"] == 0
    assert ev.inputs["purchase_age_months"] == 5 and ev.inputs["purchase_window_months"] == 12
    assert app.stages_required == [0]  # 30,000.00 元: 初审 only (复审 above 50,000.00 元)
    describe = handler_for(PURCHASE).describe
    assert describe is not None
    rows = dict(describe(app.payload))  # the review screen's words
    assert rows["房屋总价"] == "1,000,000.00 元" and rows["商业贷款金额"] == "750,000.00 元"
    assert rows["不动产权证号"] == "未取得" and rows["职工本人账户提取金额"] == "30,000.00 元"
    app = _review(w, app, "r1")
    assert app.state == State.APPROVED and _sub(w["acct"]).hold_amount == 3_000_000
    app, (ins,) = _execute_and_send(w, app)
    assert ins.state == Instruction.State.SUCCEEDED and ins.amount == 3_000_000 and ins.biz_type == "02"
    assert ins.counter_account == CARD
    assert app.state == State.COMPLETED and app.result["paid"] == 3_000_000
    assert _sub(w["acct"]).balance == BALANCE - 3_000_000 and _sub(w["acct"]).hold_amount == 0
    row, lines = _debit_lines(ins)
    assert row.biz_type == "11" and row.amount == -3_000_000
    assert lines == {("201", 3_000_000, 0), ("101", 0, 3_000_000)}
    use = PropertyUse.objects.get()
    assert (use.contract_no, use.certificate_no, use.amount, use.member_id) == (CONTRACT, "", 3_000_000, w["member"].pk)

    # the certificate is issued; a second withdrawal names both keys: 20,000.00 元 is left, 30,000.00 is refused …
    second = {**BUY, "certificate_no": CERT, "amount": 3_000_000}
    refused = file(w, PURCHASE, second, materials=PURCHASE_MATERIALS)
    assert refused.state == State.REJECTED
    assert refused.problems == ["提取金额超过房屋总价减去贷款和该房产已提取的金额"]
    assert refused.evaluations.get().inputs["earlier_withdrawn"] == 3_000_000
    # … 20,000.00 is paid, and from then on the certificate alone finds both earlier uses
    app2 = _review(w, file(w, PURCHASE, {**second, "amount": 2_000_000}, materials=PURCHASE_MATERIALS), "r1")
    app2, (ins2,) = _execute_and_send(w, app2)
    assert app2.state == State.COMPLETED and ins2.amount == 2_000_000
    assert set(PropertyUse.objects.values_list("certificate_no", flat=True)) == {CERT}
    by_cert = file(w, PURCHASE, {**BUY, "contract_no": "WQ-OTHER", "certificate_no": CERT, "amount": 1},
                   materials=PURCHASE_MATERIALS)
    assert by_cert.evaluations.get().inputs["earlier_withdrawn"] == 5_000_000
    assert _sub(w["acct"]).balance == BALANCE - 5_000_000


def test_purchase_refused_with_every_failing_rule_at_once(world, loans):
    w = world
    loans[w["member"].pk] = [HPF_LOAN]
    app = file(w, PURCHASE, {**BUY, "purchase_date": "2025-10-31", "amount": 5_000_001},
               materials=PURCHASE_MATERIALS)
    assert app.state == State.REJECTED
    assert set(app.problems) == {"未登记已核验的本人银行卡", "超过网签备案或不动产登记之日起规定的申请期限",
                                 "提取金额超过房屋总价减去贷款和该房产已提取的金额"}
    results = {r["code"]: r["holds"] for r in app.evaluations.get().results}
    assert results["STATUS"] and results["MONTHS"] and results["AVAILABLE"] and results["SPOUSE_MARRIED"]
    assert not Payout.objects.exists() and not PropertyUse.objects.exists() and _sub(w["acct"]).hold_amount == 0


def test_a_rule_edit_takes_effect_from_its_date_only(world):
    w = world
    verified_card(w)
    today = w["center"].business_date
    current = rule_set_for(PURCHASE, today)
    rules = [Rule(**{**r.as_dict(), "expression": "months_continuous >= 6", "message": "连续足额缴存不满 6 个月"})
             if r.code == "MONTHS" else r for r in rules_of(current)]
    rule_set_make(item_code=PURCHASE, rules=rules, effective_from=today + timedelta(days=1),
                  actor=SystemActor("test"), reason="连续缴存要求提高为 6 个月", approved_by="test")
    ok = file(w, PURCHASE, {**BUY, "commercial_loan": 90_000_000, "amount": 1_000_000}, materials=PURCHASE_MATERIALS)
    assert ok.state == State.UNDER_REVIEW and ok.evaluations.get().rule_set.version == current.version  # 4 months do today
    with business_day(w["center"], today + timedelta(days=1)):
        late = file(w, PURCHASE, {**BUY, "commercial_loan": 90_000_000, "amount": 1_000_000},
                    materials=PURCHASE_MATERIALS)
    assert late.state == State.REJECTED and late.problems == ["连续足额缴存不满 6 个月"]
    assert late.evaluations.get().rule_set.version == current.version + 1


def test_two_approvals_for_one_property_cannot_take_more_than_its_limit(world, loans):
    """Both pass the rules at 受理 (neither is approved yet); the later approval finds the limit used, under the
    accounts' locks, and does not happen; a cancelled approval gives its share back."""
    w = world
    verified_card(w)
    loans[w["member"].pk] = [HPF_LOAN]
    first = file(w, PURCHASE, {**BUY, "amount": 2_000_000}, materials=PURCHASE_MATERIALS)
    second = file(w, PURCHASE, {**BUY, "amount": 4_000_000}, materials=PURCHASE_MATERIALS)
    assert first.state == second.state == State.UNDER_REVIEW
    assert _review(w, first, "r1").state == State.APPROVED
    with pytest.raises(DomainError) as e:
        _review(w, second, "r1")
    assert e.value.code == "WITHDRAWAL_LIMIT_USED" and "尚余 30,000.00 元" in e.value.message
    assert list(LimitKey.objects.values_list("key", flat=True)) == [f"P:{CONTRACT}"]  # the property's lock row
    second.refresh_from_db()
    assert second.state == State.UNDER_REVIEW and _sub(w["acct"]).hold_amount == 2_000_000
    engine.application_cancel(application=first, actor=w["teller"], business_date=w["center"].business_date,
                              reason="申请人放弃")
    assert _sub(w["acct"]).hold_amount == 0
    assert _review(w, Application.objects.get(pk=second.pk), "r2").state == State.APPROVED
    assert _sub(w["acct"]).hold_amount == 4_000_000


# ---------------------------------------------------------------- the spouse's joint application


def test_joint_purchase_pays_from_both_accounts_each_to_its_own_card(world, spouse, bank, sim, loans):
    w = world
    verified_card(w)
    loans[spouse.member_id] = [HPF_LOAN]  # the HPF loan is the spouse's: it still counts against the property
    payload = {**BUY, "amount": 3_000_000, "spouse_account_no": spouse.account_no, "spouse_amount": 1_500_000}
    app = file(w, PURCHASE, payload, materials=JOINT_PURCHASE_MATERIALS)
    assert app.amount == 4_500_000
    ev = app.evaluations.get()
    assert ev.inputs["joint"] and ev.inputs["spouse_married"] and ev.inputs["hpf_loan"] == 20_000_000
    app = _review(w, app, "r1")
    assert _sub(w["acct"]).hold_amount == 3_000_000 and _sub(spouse).hold_amount == 1_500_000
    app, sent = _execute_and_send(w, app)
    assert app.state == State.COMPLETED and app.result["paid"] == 4_500_000
    paid = {ins.sub_account_id: (ins.amount, ins.counter_account, ins.state) for ins in sent}
    assert paid == {w["acct"].pk: (3_000_000, CARD, Instruction.State.SUCCEEDED),
                    spouse.pk: (1_500_000, SPOUSE_CARD, Instruction.State.SUCCEEDED)}
    assert _sub(w["acct"]).balance == BALANCE - 3_000_000 and _sub(spouse).balance == SPOUSE_BALANCE - 1_500_000
    assert _sub(w["acct"]).hold_amount == 0 and _sub(spouse).hold_amount == 0
    for ins in sent:
        row, lines = _debit_lines(ins)
        assert row.biz_type == "11" and lines == {("201", ins.amount, 0), ("101", 0, ins.amount)}
    assert sorted(Payout.objects.filter(application=app).values_list("state", "amount")) == [
        ("paid", 1_500_000), ("paid", 3_000_000)]
    assert sorted(PropertyUse.objects.values_list("member_id", "amount")) == sorted(
        [(w["member"].pk, 3_000_000), (spouse.member_id, 1_500_000)])
    # the spouse's share counts as the spouse's own withdrawal of the reason (frequency limits)
    assert months_since_last(member_id=spouse.member_id, item_code=PURCHASE, on=w["center"].business_date) == 0
    # what is left of the property for either of them: 5,000.00 元
    more = file(w, PURCHASE, {**BUY, "amount": 500_001}, materials=PURCHASE_MATERIALS)
    assert more.state == State.REJECTED and more.evaluations.get().inputs["earlier_withdrawn"] == 4_500_000


def test_joint_application_refused_for_a_spouse_the_registry_does_not_know_and_a_spouse_without_card(world, spouse):
    w = world
    verified_card(w)
    MarriageRecord.objects.all().delete()
    MarriageRecord.objects.create(subject=w["member"].id_number, kind="married", spouse=resident_id(9, sex="2"),
                                  registered_on=date(2018, 5, 20))
    spouse.member.bank_cards.update(status="replaced")
    payload = {**BUY, "commercial_loan": 90_000_000, "amount": 600_000, "spouse_account_no": spouse.account_no,
               "spouse_amount": 300_000}
    app = file(w, PURCHASE, payload, materials=JOINT_PURCHASE_MATERIALS)
    assert app.state == State.REJECTED
    assert set(app.problems) == {"共同申请的配偶与婚姻登记信息不符", "配偶未登记已核验的本人银行卡"}
    assert not Payout.objects.exists()


def test_joint_bank_refusal_of_one_account_fails_the_application_and_a_retry_sends_only_that_one(world, spouse, bank,
                                                                                                   sim):
    w = world
    verified_card(w)
    payload = {**BUY, "commercial_loan": 90_000_000, "amount": 600_000, "spouse_account_no": spouse.account_no,
               "spouse_amount": 300_000}
    app = _review(w, file(w, PURCHASE, payload, materials=JOINT_PURCHASE_MATERIALS), "r1")
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    first, second = (Instruction.objects.get(seq=s) for s in (app.result or {})["instructions"])
    instruction_send(instruction=first, actor=w["fin"], business_date=w["center"].business_date)
    sim.faults("reject", code="BDC101")
    instruction_send(instruction=second, actor=w["fin"], business_date=w["center"].business_date)
    app.refresh_from_db()
    assert app.state == State.EXECUTION_FAILED
    assert _sub(w["acct"]).balance == BALANCE - 600_000 and _sub(spouse).balance == SPOUSE_BALANCE
    assert _sub(spouse).hold_amount == 0
    sim.clear_faults()  # the bank accepts again (the fault was for one message)
    app, sent = _execute_and_send(w, app)
    assert [i.sub_account_id for i in sent] == [spouse.pk]  # the paid one is not sent twice
    assert app.state == State.COMPLETED and app.result["paid"] == 900_000
    assert _sub(spouse).balance == SPOUSE_BALANCE - 300_000 and _sub(w["acct"]).balance == BALANCE - 600_000


@override_settings(HPF_VERIFICATION_SOURCES={"marriage": {"options": {"down": True}, "attempts": 1}})
def test_joint_application_goes_to_manual_review_when_the_marriage_registry_does_not_answer(world, spouse):
    w = world
    verified_card(w)
    payload = {**BUY, "commercial_loan": 90_000_000, "amount": 600_000, "spouse_account_no": spouse.account_no,
               "spouse_amount": 300_000}
    app = file(w, PURCHASE, payload, materials=JOINT_PURCHASE_MATERIALS)
    assert app.state == State.UNDER_REVIEW and app.rule_outcome == "manual"
    assert any("暂不可用" in p for p in app.problems), app.problems
    ev = app.evaluations.get()
    assert ev.inputs["spouse_married"] is None
    assert {r["code"]: r["holds"] for r in ev.results}["SPOUSE_MARRIED"] is False


# ---------------------------------------------------------------- 02 建造/翻建/大修


BUILD_OK = {"kind": "overhaul", "certificate_no": CERT, "permit_no": "建许 2026-118", "cost": 5_000_000}


def test_build_pays_within_the_declared_cost_and_the_property_keeps_count(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, file(w, BUILD, {**BUILD_OK, "amount": 3_000_000}, materials=BUILD_MATERIALS), "r1")
    app, (ins,) = _execute_and_send(w, app)
    assert app.state == State.COMPLETED and ins.amount == 3_000_000 and ins.biz_type == "02"
    assert _sub(w["acct"]).balance == BALANCE - 3_000_000
    row, lines = _debit_lines(ins)
    assert row.biz_type == "11" and lines == {("201", 3_000_000, 0), ("101", 0, 3_000_000)}
    # 50,000.00 cost − 30,000.00 already withdrawn: 30,000.00 more is refused, with the missing card too
    w["member"].bank_cards.update(status="replaced")
    again = file(w, BUILD, {**BUILD_OK, "amount": 3_000_000}, materials=BUILD_MATERIALS)
    assert again.state == State.REJECTED
    assert set(again.problems) == {"提取金额超过工程费用减去该房产已提取的金额", "未登记已核验的本人银行卡"}


# ---------------------------------------------------------------- 06 偿还购房贷款本息


def test_repay_hpf_loan_pays_the_years_installments_once_a_year(world, bank, sim, loans):
    w = world
    verified_card(w)
    loans[w["member"].pk] = [HPF_LOAN]
    pay = {"loan_type": "hpf", "repay": "year", "loan_contract_no": "gjj2026-0001", "amount": 4_962_684}
    app = file(w, REPAY, pay, materials=REPAY_MATERIALS)
    assert app.evaluations.get().inputs["loan_limit"] == 4_962_684  # 4,135.57 × 12
    app = _review(w, app, "r1")
    app, (ins,) = _execute_and_send(w, app)
    assert app.state == State.COMPLETED and ins.amount == 4_962_684
    assert _sub(w["acct"]).balance == BALANCE - 4_962_684
    again = file(w, REPAY, {**pay, "amount": 100}, materials=REPAY_MATERIALS)
    assert again.state == State.REJECTED
    assert set(again.problems) == {
        "距上次同一原因的提取未满规定的间隔",
        "提取金额超过当年应还本息（提前还款为剩余本金）减去本年度已为该贷款提取的金额"}


def test_repay_commercial_loan_prepay_up_to_the_outstanding_principal_and_refusals(world, bank, sim):
    w = world
    verified_card(w)
    declared = {"loan_type": "commercial", "lender_bank": "招商银行", "loan_contract_no": "ZS-2023-0088",
                "installments_this_year": 3_600_000, "outstanding_principal": 50_000_000}
    year = file(w, REPAY, {**declared, "repay": "year", "amount": 3_600_001}, materials=REPAY_MATERIALS)
    assert year.state == State.REJECTED and year.problems == [
        "提取金额超过当年应还本息（提前还款为剩余本金）减去本年度已为该贷款提取的金额"]
    app = file(w, REPAY, {**declared, "repay": "prepay", "amount": 8_000_000}, materials=REPAY_MATERIALS)
    app = _review(w, app, "r1", "r2")
    app, (ins,) = _execute_and_send(w, app)
    assert app.state == State.COMPLETED and ins.amount == 8_000_000
    assert _sub(w["acct"]).balance == BALANCE - 8_000_000


# ---------------------------------------------------------------- bad input: every problem, nothing written


def test_bad_input_is_refused_with_every_problem_and_nothing_written(world, spouse, loans):
    w = world
    verified_card(w)

    def refused(item, payload, materials):
        with pytest.raises(DomainError) as e:
            file(w, item, payload, materials=materials)
        assert e.value.code == "APPLICATION_PROBLEMS"
        return e.value.message

    text = refused(PURCHASE, {"amount": 0, "price": -1, "purchase_date": "2027-01-01"}, PURCHASE_MATERIALS)
    for expected in ("提取金额应为大于零", "网签备案合同号", "不能晚于业务日期", "房屋总价应为大于零"):
        assert expected in text, text
    assert "超过可用余额" in refused(PURCHASE, {**BUY, "amount": BALANCE + 1}, PURCHASE_MATERIALS)
    text = refused(PURCHASE, {**BUY, "amount": 100, "spouse_account_no": spouse.account_no, "spouse_amount": 0},
                   PURCHASE_MATERIALS)
    assert "配偶账户提取金额应为大于零" in text and "配偶同意提取的书面意见" in text
    assert "不是本中心的个人账户" in refused(
        PURCHASE, {**BUY, "amount": 100, "spouse_account_no": "999999999", "spouse_amount": 100},
        JOINT_PURCHASE_MATERIALS)
    text = refused(REPAY, {"loan_type": "hpf", "repay": "year", "loan_contract_no": "NONE-1", "amount": 100},
                   REPAY_MATERIALS)
    assert "没有借款合同号为 NONE-1 的未结清住房公积金贷款" in text
    assert "请填写规划或建设主管部门批准文件编号" in refused(BUILD, {**BUILD_OK, "permit_no": "", "amount": 100},
                                                           BUILD_MATERIALS)
    # who may apply is configuration: without 配偶 among the applicants a joint application is refused
    reason_config_make(item_code=BUILD, changes={"applicants": ["member"]}, effective_from=w["center"].business_date,
                       actor=SystemActor("test"), reason="建造提取仅限本人申请", approved_by="test")
    assert "不接受配偶共同申请" in refused(
        BUILD, {**BUILD_OK, "amount": 100, "spouse_account_no": spouse.account_no, "spouse_amount": 100},
        (*BUILD_MATERIALS, "spouse_consent"))
    # a frozen amount is not available, for the spouse as for the member
    member_account_freeze(account=spouse, kind="2", amount=SPOUSE_BALANCE - 100_000, reason="法院协助冻结",
                          actor=w["teller"], business_date=w["center"].business_date)
    text = refused(PURCHASE, {**BUY, "amount": 100, "spouse_account_no": spouse.account_no, "spouse_amount": 200_000},
                   JOINT_PURCHASE_MATERIALS)
    assert "配偶提取金额 2,000.00 元超过可用余额 1,000.00 元" in text
    # an account status the reason's configuration excludes (封存 taken out of 01 from today)
    reason_config_make(item_code=PURCHASE, changes={"statuses": ["01"]}, effective_from=w["center"].business_date,
                       actor=SystemActor("test"), reason="仅正常状态可购房提取", approved_by="test")
    member_account_seal(account=w["acct"], reason="离职封存", actor=w["teller"], business_date=w["center"].business_date)
    assert "个人账户状态为「02 封存」，不在本提取原因允许的范围内" in refused(PURCHASE, {**BUY, "amount": 100},
                                                                       PURCHASE_MATERIALS)
    assert not Application.objects.exclude(state=State.DRAFT).exists()
    assert not Payout.objects.exists() and not PropertyUse.objects.exists()
    assert _sub(w["acct"]).hold_amount == 0 and _sub(spouse).hold_amount == 0


# ---------------------------------------------------------------- a joint application in a batch (批量支付)


def test_a_joint_application_enters_a_batch_as_one_unit_with_both_accounts(world, spouse, bank, sim):
    w = world
    c, bd = w["center"], w["center"].business_date
    verified_card(w)
    # the spouse's own rent withdrawal, approved first, takes the spouse's account in the next batch
    w2 = {**w, "acct": spouse, "member": spouse.member}
    rent = _review(w2, file(w2, RENT, RENT_OK), "r1")
    joint = _review(w, file(w, PURCHASE, {**BUY, "amount": 3_000_000, "spouse_account_no": spouse.account_no,
                                          "spouse_amount": 1_500_000}, materials=JOINT_PURCHASE_MATERIALS), "r1")
    assert rent.state == State.APPROVED and joint.state == State.APPROVED
    first = payout_batch(center=c, actor=w["fin"], business_date=bd)
    # all or nothing: the joint application's member account alone would fit, yet it waits whole for the next batch
    assert (first.count, first.amount) == (1, 600_000)
    assert Application.objects.get(pk=joint.pk).state == State.APPROVED
    assert sorted(Payout.objects.filter(application=joint).values_list("state", "held")) == [
        ("held", 1_500_000), ("held", 3_000_000)]
    _send_and_settle(w, first)
    assert Application.objects.get(pk=rent.pk).state == State.COMPLETED
    second = payout_batch(center=c, actor=w["fin"], business_date=bd)
    items = {it.sub_account_id: (it.amount, it.counter_account) for it in second.items.all()}
    assert items == {w["acct"].pk: (3_000_000, CARD), spouse.pk: (1_500_000, SPOUSE_CARD)}
    assert second.amount == 4_500_000 and Application.objects.get(pk=joint.pk).state == State.EXECUTING
    # the spouse's card closed at the bank: her item fails and comes back; the application is 办理失败
    sim.control("/sim/accounts", {"account": SPOUSE_CARD, "name": spouse.member.name, "bank_code": "CCB",
                                  "balance": 0, "status": "closed"})
    second = _send_and_settle(w, second)
    assert (second.succeeded_amount, second.failed_amount) == (3_000_000, 1_500_000)
    assert Application.objects.get(pk=joint.pk).state == State.EXECUTION_FAILED
    assert dict(Payout.objects.filter(application=joint).values_list("account_id", "state")) == {
        w["acct"].pk: "paid", spouse.pk: "failed"}
    # 50,000.00 − 6,000.00 rent = 44,000.00 元 on the spouse's account; 100,000.00 − 30,000.00 on the member's
    assert _sub(spouse).balance == SPOUSE_BALANCE - 600_000 and _sub(spouse).hold_amount == 0
    assert _sub(w["acct"]).balance == BALANCE - 3_000_000
    # executed again alone: only the spouse's share goes, to her card
    sim.control("/sim/accounts", {"account": SPOUSE_CARD, "status": "normal"})
    app, sent = _execute_and_send(w, Application.objects.get(pk=joint.pk))
    assert [(i.sub_account_id, i.amount, i.counter_account) for i in sent] == [(spouse.pk, 1_500_000, SPOUSE_CARD)]
    assert app.state == State.COMPLETED and _sub(spouse).balance == SPOUSE_BALANCE - 2_100_000
