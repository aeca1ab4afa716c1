"""04, 05, 08, 09, 99 and the local reasons end to end on the engine and through the bank simulator: the exact
hand-computed amounts (closing ones with interest to date), every failing rule at once, a rule edit effective
from its date only, 08 by shares (the fen exact) and with no heir (增值收益 only after a checker approves), bad
input refused with nothing written. `hpf verify` runs after each test (openhpf/conftest.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import member_account_freeze
from openhpf.applications import services as engine
from openhpf.applications.models import Application, RuleSet, State
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject, command_submit
from openhpf.audit.models import AuditRecord
from openhpf.catalog.models import ServiceItemVersion
from openhpf.catalog.services import item_check
from openhpf.conftest import business_day, grant_role
from openhpf.core.errors import DomainError
from openhpf.core.ids import resident_id_check_digit
from openhpf.core.models import PolicyParameter
from openhpf.ledger.models import JournalLine, SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement.models import Instruction, Payee
from openhpf.settlement.services import instruction_send
from openhpf.withdrawals import closing
from openhpf.withdrawals.batch import payout_batch
from openhpf.withdrawals.closing import (
    DEATH,
    DISABILITY,
    EMIGRATION,
    ESCHEAT,
    MEDICAL,
    OTHER,
    allocate,
)
from openhpf.withdrawals.config import reason_config, reason_config_make
from openhpf.withdrawals.models import HeirShare, Payout

from .conftest import BALANCE, CARD, file, verified_card
from .test_api import _auth
from .test_batch import _send_and_settle

pytestmark = pytest.mark.django_db
# 100,000.00 元 from 7/1, paid on 11/30: interest for 7/1 … 11/29 = 152 days at 1.5 % / 360, HALF_UP:
# 10,000,000 × 152 × 0.015 / 360 = 63,333.33 → 63,333 fen (633.33 元)
INTEREST = 63_333
TOTAL = BALANCE + INTEREST  # 10,063,333
PROPERTY_FEE, ELEVATOR, HELP = "HPF-P-WD-L01", "HPF-P-WD-L02", "HPF-P-WD-L06"


def rid(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


HEIRS = [
    {"role": "heir", "name": "张一", "id_number": rid("11010119800101001"), "bank_card": "6222000000000011",
     "bank_name": "工商银行", "share": "1/3"},
    {"role": "heir", "name": "张二", "id_number": rid("11010119820202002"), "bank_card": "6222000000000022",
     "bank_name": "建设银行", "share": "1/3"},
    {"role": "legatee", "name": "李三", "id_number": rid("11010119850303003"), "bank_card": "6222000000000033",
     "bank_name": "农业银行", "share": "1/3"},
]
DEATH_OK = {"death_proof": "certificate", "death_date": "2026-10-20", "heir_proof": "notary", "heirs": HEIRS}
NO_HEIR = {"death_proof": "judgment", "death_date": "2026-06-01", "heir_proof": "judgment", "no_heir": True}
DISABLED = {"appraisal_no": "杭劳鉴 2026-118", "appraisal_date": "2026-09-01", "fully_disabled": True,
            "termination_date": "2026-10-31"}
ABROAD = {"kind": "abroad", "proof_no": "出境 2026-07", "moved_date": "2026-10-01"}
MEDICAL_OK = {"amount": 1_500_000, "patient": "parent", "diagnosis": "恶性肿瘤", "hospital": "浙江大学医学院附属第一医院",
              "invoices": [{"no": "ZY001", "own_cost": 1_000_000}, {"no": "ZY002", "own_cost": 800_000}]}
MATERIALS = {
    DISABILITY: ("id_card", "disability_proof", "termination", "bank_card"),
    EMIGRATION: ("id_card", "emigration", "bank_card"),
    DEATH: ("id_card", "death_proof", "heir_proof", "bank_card"),
    MEDICAL: ("id_card", "medical_proof", "bank_card"),
    OTHER: ("id_card", "other_proof", "bank_card"),
    PROPERTY_FEE: ("id_card", "property_fee", "property_cert", "bank_card"),
    ELEVATOR: ("id_card", "elevator_agreement", "property_cert", "bank_card"),
    HELP: ("id_card", "relation_proof", "purchase_contract", "bank_card"),
}


def _sub(w) -> SubAccount:
    return SubAccount.objects.get(pk=w["acct"].pk)


def _file(w, item, payload):
    return file(w, item, payload, materials=MATERIALS[item])


def _review(w, app, *reviewers):
    for r in reviewers:
        app = engine.application_review(application=app, actor=w[r], business_date=w["center"].business_date,
                                        decision="pass")
    return app


def _execute_and_send(w, app):
    """The clerk executes (BDC101 per payee submitted); the sends after commit are made here, as day-end would."""
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    assert app.state == State.EXECUTING and app.result["pending"], app.result
    made = []
    for ins in Instruction.objects.filter(center=w["center"], source__startswith="withdrawal").order_by("pk"):
        if ins.state == Instruction.State.CREATED:
            instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
        made.append(Instruction.objects.get(pk=ins.pk))
    return Application.objects.get(pk=app.pk), made


def _assert_closed_with_interest(w, app, ins):
    assert ins.amount == TOTAL and ins.biz_type == "03" and ins.counter_account == CARD
    assert app.state == State.COMPLETED and app.result["paid"] == TOTAL and app.result["closed"]
    acct = MemberAccount.objects.get(pk=w["acct"].pk)
    assert acct.status == "05" and acct.closed_date == w["center"].business_date
    sub = _sub(w)
    assert sub.balance == 0 and sub.hold_amount == 0
    rows = list(SubLedgerRow.objects.filter(sub_account_id=sub.pk).order_by("id").values_list("biz_type", "amount"))
    assert rows[-2:] == [("09", INTEREST), ("12", -TOTAL)]  # the interest posts before the closing debit


def test_the_new_catalogue_items_pass_the_catalogue_check_and_are_configured():
    on = date(2026, 11, 30)
    for code in (OTHER, *(f"HPF-P-WD-L0{n}" for n in range(1, 8))):
        version = ServiceItemVersion.objects.filter(item__code=code).order_by("-version").first()
        assert version is not None, code
        item_check({f: getattr(version, f) for f in (
            "name", "kind", "category", "legal_basis", "conditions", "materials", "process", "legal_limit",
            "legal_limit_unit", "legal_limit_basis", "promised_limit", "promised_limit_unit", "result", "channels",
            "cross_province", "fully_online", "pays_money", "review_stages")})
        cfg = reason_config(code, on)
        assert not cfg.closes_account and cfg.reason_code == "99" and cfg.local == (code != OTHER)
        assert RuleSet.objects.filter(item_code=code).exists()
    assert reason_config(PROPERTY_FEE, on).amount_rule == "cap"
    assert reason_config(EMIGRATION, on).name == "户口迁出或出境定居"
    assert allocate(100, [__import__("fractions").Fraction(1, 3)] * 3) == [34, 33, 33]


# ---------------------------------------------------------------- 04 完全丧失劳动能力


def test_disability_pays_the_whole_balance_plus_interest_and_closes_the_account(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, _file(w, DISABILITY, DISABLED), "r1", "r2")
    assert app.state == State.APPROVED and _sub(w).hold_amount == BALANCE
    app, (ins,) = _execute_and_send(w, app)
    _assert_closed_with_interest(w, app, ins)


def test_disability_refused_with_every_failing_rule(world):
    w = world
    member_account_freeze(account=w["acct"], kind="2", amount=100_000, reason="法院协助冻结", actor=w["teller"],
                          business_date=w["center"].business_date)
    app = _file(w, DISABILITY, {**DISABLED, "fully_disabled": False, "termination_date": "2026-12-31"})
    assert app.state == State.REJECTED
    assert set(app.problems) == {"个人账户处于冻结状态，不能销户提取", "未登记已核验的本人银行卡",
                                 "劳动能力鉴定结论不是完全丧失劳动能力", "未与单位终止劳动关系"}
    assert _sub(w).hold_amount == 0 and not Payout.objects.exists()


def test_closing_bad_input_is_refused_with_every_problem_and_nothing_written(world):
    w = world
    with pytest.raises(DomainError) as e:
        _file(w, DISABILITY, {"appraisal_no": "", "appraisal_date": "2026-13-01", "termination_date": "昨天"})
    for expected in ("鉴定结论书编号", "鉴定日期格式不正确", "是否为完全丧失劳动能力", "终止劳动关系日期格式不正确"):
        assert expected in e.value.message, e.value.message
    with pytest.raises(DomainError) as e:
        _file(w, EMIGRATION, {"kind": "moved", "moved_date": ""})
    for expected in ("请选择提取情形", "证明的编号", "出境定居或户口迁出日期格式不正确"):
        assert expected in e.value.message, e.value.message
    assert _sub(w).hold_amount == 0 and not Payout.objects.exists()


# ---------------------------------------------------------------- 05 户口迁出或出境定居


def test_settling_abroad_pays_the_whole_balance_plus_interest(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, _file(w, EMIGRATION, ABROAD), "r1", "r2")
    app, (ins,) = _execute_and_send(w, app)
    _assert_closed_with_interest(w, app, ins)


def test_leaving_the_city_is_a_transfer_unless_the_local_rule_lets_it_close(world, bank, sim):
    w = world
    verified_card(w)
    app = _file(w, EMIGRATION, {**ABROAD, "kind": "hukou_out"})
    assert app.state == State.REJECTED
    assert app.problems == ["户口迁出本市的，按本中心规定应办理住房公积金异地转移接续，不能销户提取"]
    # the center's own rule from tomorrow: 户口迁出本市 may close the account
    tomorrow = w["center"].business_date + timedelta(days=1)
    PolicyParameter.objects.create(center=w["center"], key="withdrawal.hukou_out.closes_account", value_type="bool",
                                   value=True, effective_from=tomorrow, approved_by="test", source="本中心规定")
    again = _file(w, EMIGRATION, {**ABROAD, "kind": "hukou_out"})
    assert again.state == State.REJECTED  # not yet in force today
    with business_day(w["center"], tomorrow):
        ok = _file(w, EMIGRATION, {**ABROAD, "kind": "hukou_out"})
    assert ok.state == State.UNDER_REVIEW and ok.rule_outcome == "manual"  # the card is new: reviewed by hand


# ---------------------------------------------------------------- 08 死亡: heirs by share


def test_death_pays_three_heirs_a_third_each_to_the_fen_and_closes_when_all_are_paid(world, bank, sim):
    w = world
    app = _file(w, DEATH, DEATH_OK)
    assert app.applicant_kind == "staff" and app.member_id == w["member"].pk  # filed at the counter for the heirs
    app = _review(w, app, "r1", "r2")
    assert app.state == State.APPROVED and _sub(w).hold_amount == BALANCE
    app, made = _execute_and_send(w, app)
    # 10,063,333 / 3 = 3,354,444.33…: floors 3 × 3,354,444 = 10,063,332, the one fen left to the first
    assert [i.amount for i in made] == [3_354_445, 3_354_444, 3_354_444]
    assert sum(i.amount for i in made) == TOTAL
    assert [(i.counter_account, i.counter_name, i.state, i.biz_type) for i in made] == [
        ("6222000000000011", "张一", "succeeded", "03"), ("6222000000000022", "张二", "succeeded", "03"),
        ("6222000000000033", "李三", "succeeded", "03")]
    assert app.state == State.COMPLETED and app.result["closed"] and app.result["paid"] == TOTAL
    shares = list(HeirShare.objects.order_by("seq"))
    assert [(s.state, s.amount, s.share_num, s.share_den) for s in shares] == [
        ("paid", 3_354_445, 1, 3), ("paid", 3_354_444, 1, 3), ("paid", 3_354_444, 1, 3)]
    assert HeirShare.objects.get(seq=1).account_no == "6222000000000011"  # decrypted; stored SM4-encrypted
    assert Payee.objects.filter(center=w["center"], account_no="6222000000000033", account_name="李三").get().kind \
        == Payee.Kind.HEIR  # the registry's kind for an heir's account (继承人账户), not a member's card
    acct = MemberAccount.objects.get(pk=w["acct"].pk)
    assert acct.status == "05"
    sub = _sub(w)
    assert sub.balance == 0 and sub.hold_amount == 0
    rows = list(SubLedgerRow.objects.filter(sub_account_id=sub.pk).order_by("id").values_list("biz_type", "amount"))
    assert rows[-4:] == [("09", INTEREST), ("12", -3_354_445), ("12", -3_354_444), ("12", -3_354_444)]


def test_death_heirs_id_numbers_and_accounts_are_never_in_clear_in_the_payload_or_any_output(world, bank, sim):
    w = world
    app = _review(w, _file(w, DEATH, DEATH_OK), "r1", "r2")
    stored = Application.objects.get(pk=app.pk).payload
    text = json.dumps(stored, ensure_ascii=False)
    clear = [h["id_number"] for h in HEIRS] + [h["bank_card"] for h in HEIRS]
    assert not [v for v in clear if v in text], text
    first = stored["heirs"][0]
    assert first["id_masked"] == HEIRS[0]["id_number"][:3] + "*" * 11 + HEIRS[0]["id_number"][-4:]
    assert first["last4"] == "0011" and first["name"] == "张一"
    # the review screen's rows, the API's detail and every audit row show them masked only
    assert "0011" in str(closing.death_rows(stored)) and not [v for v in clear if v in str(closing.death_rows(stored))]
    resp = Client().get(f"/api/v1/withdrawals/applications/{app.number}", **_auth(w["r1"], w["center"]))
    assert resp.status_code == 200, resp.content
    detail = resp.content.decode()
    audit = json.dumps(list(AuditRecord.objects.values_list("before", "after")), ensure_ascii=False)
    assert not [v for v in clear if v in detail + audit]
    # paid from the sealed payload: each heir's own account, exactly
    app, made = _execute_and_send(w, app)
    assert [i.counter_account for i in made] == [h["bank_card"] for h in HEIRS] and app.state == State.COMPLETED


def test_death_account_stays_open_until_the_last_share_is_paid_and_a_refused_share_is_paid_again(world, bank, sim):
    w = world
    app = _review(w, _file(w, DEATH, DEATH_OK), "r1", "r2")
    engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    first, second, third = Instruction.objects.filter(source="withdrawal.heir").order_by("pk")
    instruction_send(instruction=first, actor=w["fin"], business_date=w["center"].business_date)
    assert MemberAccount.objects.get(pk=w["acct"].pk).status != "05"  # one share paid: still open
    sim.faults("reject", code="BDC101")
    instruction_send(instruction=second, actor=w["fin"], business_date=w["center"].business_date)
    sim.clear_faults()
    instruction_send(instruction=third, actor=w["fin"], business_date=w["center"].business_date)
    app.refresh_from_db()
    assert app.state == State.EXECUTION_FAILED
    assert _sub(w).balance == 3_354_444 and _sub(w).hold_amount == 0  # the refused share is back on the account
    # executed again: only the refused share, its amount as allocated
    app, made = _execute_and_send(w, app)
    again = [i for i in made if i.pk not in (first.pk, second.pk, third.pk)]
    assert [(i.amount, i.counter_name, i.state) for i in again] == [(3_354_444, "张二", "succeeded")]
    assert app.state == State.COMPLETED and MemberAccount.objects.get(pk=w["acct"].pk).status == "05"
    assert _sub(w).balance == 0


def test_death_refused_with_every_failing_rule(world):
    w = world
    member_account_freeze(account=w["acct"], kind="1", reason="法院协助冻结", actor=w["teller"],
                          business_date=w["center"].business_date)
    app = _file(w, DEATH, {**DEATH_OK, "death_proof": "certificate", "death_date": "2026-10-20"})
    assert app.state == State.REJECTED and app.problems == ["个人账户处于冻结状态，不能销户提取"]
    # legatees not allowed by the reason's configuration (a center that admits heirs only, from today)
    reason_config_make(item_code=DEATH, changes={"applicants": ["heir"]}, effective_from=w["center"].business_date,
                       actor=w["r2"], reason="本中心规定：仅继承人可申请")
    app = _file(w, DEATH, DEATH_OK)
    assert set(app.problems) == {"个人账户处于冻结状态，不能销户提取", "申请人身份不在本提取原因允许的范围内"}
    assert not Payout.objects.exists() and not HeirShare.objects.exists()


def test_death_bad_input_is_refused_with_every_problem_and_nothing_written(world):
    w = world
    bad = [{**HEIRS[0], "share": "1/2", "id_number": "110101198001010011"},
           {**HEIRS[1], "share": "1/3", "bank_card": "62-22"}, {**HEIRS[2], "role": "friend", "name": ""}]
    with pytest.raises(DomainError) as e:
        _file(w, DEATH, {**DEATH_OK, "heirs": bad, "heir_proof": ""})
    text = e.value.message
    for expected in ("继承权或受遗赠权证明", "第 1 位继承人或受遗赠人：身份证号码", "第 2 位继承人或受遗赠人：收款账号",
                     "第 3 位继承人或受遗赠人：请选择身份", "第 3 位继承人或受遗赠人：请填写姓名", "份额合计应为 1（现为 7/6）"):
        assert expected in text, text
    with pytest.raises(DomainError) as e:
        _file(w, DEATH, {**DEATH_OK, "heirs": [{**h, "share": "0"} for h in HEIRS]})
    assert "继承份额应为大于 0、不超过 1 的分数" in e.value.message
    assert _sub(w).hold_amount == 0 and not Payout.objects.exists() and not HeirShare.objects.exists()
    assert not Instruction.objects.exists()


# ---------------------------------------------------------------- 08 死亡: no heir → 增值收益 (maker-checker)


def _value_added_credit() -> int:
    return sum(JournalLine.objects.filter(account__code="311").values_list("credit", flat=True))


def test_no_heir_goes_to_value_added_income_only_after_a_checker_approves(world, bank, sim):
    w = world
    app = _file(w, DEATH, NO_HEIR)
    assert app.rule_outcome == "manual" and app.state == State.UNDER_REVIEW
    results = {r["code"]: r for r in app.evaluations.get().results}
    assert results["NO_HEIR"]["holds"] is False and results["NO_HEIR"]["severity"] == "manual"
    app = _review(w, app, "r1", "r2")
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    assert app.state == State.EXECUTING and (app.result or {})["pending"]
    cmd = PendingCommand.objects.get(pk=(app.result or {})["command"])
    assert cmd.name == ESCHEAT and cmd.status == PendingCommand.Status.PENDING
    # nothing before the checker: no interest, no 311, the balance held, no bank payment
    assert _value_added_credit() == 0 and _sub(w).balance == BALANCE and _sub(w).hold_amount == BALANCE
    assert not Instruction.objects.filter(source__startswith="withdrawal").exists()
    with pytest.raises(DomainError) as e:
        command_approve(command=cmd, actor=w["fin"], business_date=w["center"].business_date)
    assert e.value.code == "SELF_APPROVAL"
    assert _value_added_credit() == 0
    cmd = command_approve(command=cmd, actor=w["r2"], business_date=w["center"].business_date)
    assert cmd.status == PendingCommand.Status.APPLIED, cmd.apply_error
    app.refresh_from_db()
    assert app.state == State.COMPLETED and (app.result or {})["value_added"] == TOTAL
    assert _value_added_credit() == TOTAL
    payout = Payout.objects.get(application=app)
    entry_lines = {(ln.account.code, ln.debit, ln.credit) for ln in JournalLine.objects.filter(account__code="311")
                   .first().entry.lines.all()}
    assert entry_lines == {("201", TOTAL, 0), ("311", 0, TOTAL)}
    assert payout.state == Payout.State.PAID and payout.interest == INTEREST
    assert MemberAccount.objects.get(pk=w["acct"].pk).status == "05"
    assert _sub(w).balance == 0 and _sub(w).hold_amount == 0
    assert not Instruction.objects.filter(source__startswith="withdrawal").exists()


def test_a_refused_escheat_fails_the_application_and_moves_nothing(world):
    w = world
    app = _review(w, _file(w, DEATH, NO_HEIR), "r1", "r2")
    app = engine.application_execute(application=app, actor=w["fin"], business_date=w["center"].business_date)
    command_reject(command=(app.result or {})["command"], actor=w["r2"], reason="无继承人证明不充分",
                   business_date=w["center"].business_date)
    app.refresh_from_db()
    assert app.state == State.EXECUTION_FAILED and _value_added_credit() == 0 and _sub(w).balance == BALANCE
    with pytest.raises(DomainError):  # an escheat of an application that is not 办理中 is refused at submission
        command_submit(name=ESCHEAT, actor=w["fin"], center=w["center"], business_date=w["center"].business_date,
                       params={"application": app.number})


# ---------------------------------------------------------------- 09 大病医疗


def test_medical_pays_the_amount_within_the_out_of_pocket_cost(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, _file(w, MEDICAL, MEDICAL_OK), "r1")
    assert app.state == State.APPROVED and _sub(w).hold_amount == 1_500_000
    app, (ins,) = _execute_and_send(w, app)
    assert ins.amount == 1_500_000 and ins.biz_type == "02" and app.state == State.COMPLETED
    assert _sub(w).balance == BALANCE - 1_500_000
    assert MemberAccount.objects.get(pk=w["acct"].pk).status == "01"


def test_medical_refused_above_the_cost_and_within_the_frequency(world, bank, sim):
    w = world
    app = _file(w, MEDICAL, {**MEDICAL_OK, "amount": 1_800_001})
    assert app.state == State.REJECTED
    assert set(app.problems) == {"未登记已核验的本人银行卡", "提取金额超过医疗费用票据的个人负担部分"}
    verified_card(w)
    paid = _review(w, _file(w, MEDICAL, MEDICAL_OK), "r1")
    _execute_and_send(w, paid)
    again = _file(w, MEDICAL, {**MEDICAL_OK, "invoices": [{"no": "ZY003", "own_cost": 2_000_000}]})
    assert again.state == State.REJECTED and again.problems == ["距上次同一原因提取未满规定的间隔"]


def test_medical_bad_input(world):
    w = world
    with pytest.raises(DomainError) as e:
        _file(w, MEDICAL, {"amount": 0, "patient": "friend", "invoices": [{"no": "A", "own_cost": 1},
                                                                         {"no": "A", "own_cost": -5}]})
    for expected in ("大于零", "患者与职工的关系", "疾病名称", "就诊医院", "票据号码 A 重复", "个人负担金额应为大于零"):
        assert expected in e.value.message, e.value.message
    assert not Payout.objects.exists()


# ---------------------------------------------------------------- 99 其他 and the local reasons


def test_a_local_reason_with_a_cap_pays_within_the_cap_and_refuses_above_it(world, bank, sim):
    w = world
    verified_card(w)
    over = _file(w, PROPERTY_FEE, {"amount": 300_001, "purpose": "2026 年度物业费"})
    assert over.state == State.REJECTED and over.problems == ["提取金额超过本提取原因的限额"]  # cap 3,000.00 元
    app = _review(w, _file(w, PROPERTY_FEE, {"amount": 300_000, "purpose": "2026 年度物业费"}), "r1")
    app, (ins,) = _execute_and_send(w, app)
    assert ins.amount == 300_000 and app.state == State.COMPLETED and _sub(w).balance == BALANCE - 300_000


def test_a_local_reason_without_a_cap_is_bounded_by_the_available_balance(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, _file(w, ELEVATOR, {"amount": 2_345_678, "purpose": "加装电梯分摊"}), "r1")
    app, (ins,) = _execute_and_send(w, app)
    assert ins.amount == 2_345_678 and _sub(w).balance == BALANCE - 2_345_678
    with pytest.raises(DomainError) as e:
        _file(w, ELEVATOR, {"amount": BALANCE, "purpose": "加装电梯分摊"})
    assert "超过可用余额" in e.value.message


def test_intergenerational_help_needs_the_parent_or_child(world, bank, sim):
    w = world
    verified_card(w)
    app = _file(w, HELP, {"amount": 1_000_000, "purpose": "子女购房"})
    assert app.state == State.REJECTED
    assert app.problems == ["代际互助提取须写明资金用于的父母或子女（关系、姓名、身份证号）"]
    with pytest.raises(DomainError) as e:
        _file(w, HELP, {"amount": 1_000_000, "purpose": "子女购房", "relative": {"relation": "cousin"}})
    assert "父母或子女" in e.value.message and "证件号码不能为空" in e.value.message
    child = {"relation": "child", "name": "王小明", "id_number": rid("11010120050505005")}
    app = _review(w, _file(w, HELP, {"amount": 1_000_000, "purpose": "子女购房", "relative": child}), "r1")
    app, (ins,) = _execute_and_send(w, app)
    assert ins.amount == 1_000_000 and ins.counter_account == CARD  # paid to the applicant's own card


def test_other_reason_needs_the_proof_number(world):
    w = world
    app = _file(w, OTHER, {"amount": 100_000, "purpose": "因灾住房损毁修缮"})
    assert app.state == State.REJECTED
    assert set(app.problems) == {"未登记已核验的本人银行卡", "请填写提取原因证明文件的编号"}


# ---------------------------------------------------------------- a rule edit takes effect from its date only

CASES = {
    DISABILITY: DISABLED, EMIGRATION: ABROAD, DEATH: DEATH_OK, MEDICAL: MEDICAL_OK,
    OTHER: {"amount": 100_000, "purpose": "因灾住房损毁修缮", "proof_no": "民政 2026-9"},
    PROPERTY_FEE: {"amount": 100_000, "purpose": "物业费"}, ELEVATOR: {"amount": 100_000, "purpose": "加装电梯"},
    HELP: {"amount": 100_000, "purpose": "子女购房",
           "relative": {"relation": "child", "name": "王小明", "id_number": rid("11010120050505005")}},
}


@pytest.mark.parametrize("item", list(CASES))
def test_a_rule_edit_takes_effect_from_its_date_only(world, django_user_model, item):
    w = world
    verified_card(w)
    leader = grant_role(django_user_model.objects.create_user("wd_lead1", is_staff=True), "leader", center=w["center"])
    leader2 = grant_role(django_user_model.objects.create_user("wd_lead2", is_staff=True), "leader", center=w["center"])
    today = w["center"].business_date
    tomorrow = today + timedelta(days=1)
    latest = RuleSet.objects.filter(item_code=item).order_by("-version").first()
    rules = latest.rules
    new = {"code": "NEW", "expression": "balance >= 20000000", "message": "本中心新规：账户余额须达到 200,000.00 元",
           "severity": "block", "inputs": {"balance": "number"}}
    cmd = command_submit(name="applications.rule_set_change", actor=leader, center=w["center"], business_date=today,
                         params={"item_code": item, "rules": [*rules, new], "effective_from": tomorrow.isoformat(),
                                 "reason": "本中心调整提取条件"})
    command_approve(command=cmd, actor=leader2, business_date=today)
    before = _file(w, item, CASES[item])
    assert before.state == State.UNDER_REVIEW, before.problems  # today: the version in force before the edit
    assert before.evaluations.get().rule_set.version == latest.version
    with business_day(w["center"], tomorrow):
        after = _file(w, item, CASES[item])
    assert after.state == State.REJECTED and after.problems == ["本中心新规：账户余额须达到 200,000.00 元"]
    assert after.evaluations.get().rule_set.version == latest.version + 1


# ---------------------------------------------------------------- closing withdrawals in a batch (批量支付)


def test_closing_withdrawals_in_a_batch_pay_the_balance_plus_interest_and_close_the_account(world, bank, sim):
    w = world
    c, bd = w["center"], w["center"].business_date
    verified_card(w)
    app = _review(w, _file(w, DISABILITY, DISABLED), "r1", "r2")
    assert app.state == State.APPROVED and _sub(w).hold_amount == BALANCE
    with pytest.raises(DomainError) as e:  # no partial withdrawal waits: that kind makes no batch
        payout_batch(center=c, actor=w["fin"], business_date=bd)
    assert e.value.code == "WITHDRAWAL_BATCH_EMPTY"
    ins = payout_batch(center=c, actor=w["fin"], business_date=bd, closing=True)
    # 100,000.00 元 + 633.33 元 interest (7/1 … 11/29) = 100,633.33 元, settlement type 03, waiting for a checker
    assert (ins.code, ins.biz_type, ins.count, ins.amount, ins.state) == ("BDC103", "03", 1, TOTAL, "held")
    rows = list(SubLedgerRow.objects.filter(sub_account_id=w["acct"].pk).order_by("id").values_list("biz_type", "amount"))
    assert rows[-2:] == [("09", INTEREST), ("12", -TOTAL)]  # the interest before the closing debit
    assert Application.objects.get(pk=app.pk).state == State.EXECUTING
    ins = _send_and_settle(w, ins)
    assert ins.state == "succeeded" and ins.succeeded_amount == TOTAL
    app = Application.objects.get(pk=app.pk)
    assert app.state == State.COMPLETED and (app.result or {})["paid"] == TOTAL
    assert MemberAccount.objects.get(pk=w["acct"].pk).status == "05"
    assert (_sub(w).balance, _sub(w).hold_amount) == (0, 0)
    pay = Payout.objects.get(application=app)
    assert (pay.state, pay.amount, pay.interest) == ("paid", TOTAL, INTEREST)
    assert gl_balance(center=c, code_prefix="21903") == 0
    assert int(sim.state()["transactions"].get("BDC103", 0)) == 1


def test_a_closing_batch_item_refused_by_the_bank_takes_its_interest_back_and_leaves_the_account_open(world, bank,
                                                                                                     sim):
    w = world
    c, bd = w["center"], w["center"].business_date
    verified_card(w)
    app = _review(w, _file(w, DISABILITY, DISABLED), "r1", "r2")
    sim.control("/sim/accounts", {"account": CARD, "name": w["member"].name, "bank_code": "ICBC", "balance": 0,
                                  "status": "closed"})
    ins = _send_and_settle(w, payout_batch(center=c, actor=w["fin"], business_date=bd, closing=True))
    assert ins.failed_amount == TOTAL
    app = Application.objects.get(pk=app.pk)
    assert app.state == State.EXECUTION_FAILED
    assert MemberAccount.objects.get(pk=w["acct"].pk).status == "01"
    assert (_sub(w).balance, _sub(w).hold_amount) == (BALANCE, 0)  # 100,633.33 back, then 633.33 interest back
    pay = Payout.objects.get(application=app)
    assert (pay.state, pay.interest, pay.interest_entry_id) == ("failed", 0, None)
    assert gl_balance(center=c, code_prefix="21903") == 0
    # the card open again: executed alone it pays the balance and the interest once more, exactly
    sim.control("/sim/accounts", {"account": CARD, "name": w["member"].name, "bank_code": "ICBC", "balance": 0,
                                  "status": "normal"})
    app, made = _execute_and_send(w, app)
    assert [i.amount for i in made if i.source == "withdrawal"] == [TOTAL] and app.state == State.COMPLETED
