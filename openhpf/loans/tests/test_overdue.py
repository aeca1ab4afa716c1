"""Overdue management: collection cases opened and closed by the day-end step, their actions; restructuring through
maker-checker (122 back to 121, dues re-aged, class kept at 次级); write-off then a recovery (GL 301 / 122 exact);
the overdue buckets and the ‰ rate by hand; the 征信 row of one loan; the loan statements against the ledger.
Amounts hand-computed: 1,000,000.00 元 over 360 months at 2.85 % pays 4,135.57 元 a month, the first installment
(2026-01-20) is principal 1,760.57 + interest 2,375.00."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_submit
from openhpf.audit.models import AuditRecord
from openhpf.conftest import business_day, finance_clerk, grant_role
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.finance.cockpit import supervision_figures
from openhpf.finance.liquidity import position
from openhpf.finance.periods import parse_period
from openhpf.finance.selectors import statement
from openhpf.jobs import dayend
from openhpf.ledger.models import JournalLine
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import Line, entry_post

from ..calculations import annuity_payment
from ..collection import CLOSE_CURRENT, case_action_add, case_detail, case_page, cases_open, open_case_count
from ..credit import COLUMNS, credit_export
from ..models import (
    CollectionCase,
    Loan,
    LoanDue,
    LoanInstallment,
    LoanPayment,
    LoanScheduleVersion,
    LoanWriteOff,
)
from ..payments import Funding, payment_apply
from ..reports import FLOWS_KIND, STATUS_KIND
from ..restructure import COMMAND as RESTRUCTURE
from ..risk import bucket_of, overdue_buckets, overdue_rate
from ..writeoff import COMMAND as WRITE_OFF
from ..writeoff import recovery_record
from .conftest import token
from .factories import TEST_ACTOR, make_active_loan, make_due

ON = date(2026, 11, 30)  # the test center's business date
P1, I1 = 176_057, 237_500  # the first installment's principal and interest


@pytest.fixture
def people(center, django_user_model):
    maker = grant_role(django_user_model.objects.create_user("od_teller", is_staff=True), "teller", center=center)
    checker = grant_role(django_user_model.objects.create_user("od_reviewer", is_staff=True), "reviewer",
                         center=center)
    return maker, checker


@pytest.fixture
def borrower(center):
    return make_account(center, make_employer(center, 1), 1)


@pytest.fixture
def overdue_loan(center, borrower):
    ln = make_active_loan(center, borrower)
    make_due(ln, 1, overdue_on=date(2026, 1, 21))  # overdue since its due date 2026-01-20
    ln.refresh_from_db()
    return ln


def _gl(entry):
    return sorted((x.account.code, x.debit, x.credit) for x in JournalLine.objects.filter(entry=entry))


# ---------------------------------------------------------------- collection cases


def test_day_end_step_registered_after_liquidity():
    steps = {s.name: s for s in dayend.plan()}
    assert steps["loan_cases"].order == 71 and steps["loan_cases"].app == "loans"


def test_cases_open_once_and_close_when_current(center, borrower, overdue_loan, people):
    current = make_active_loan(center, borrower)  # not overdue: no case
    r = cases_open(center=center, on=ON, actor=TEST_ACTOR)
    assert (r.opened, r.closed) == (1, 0)
    assert cases_open(center=center, on=ON, actor=TEST_ACTOR).opened == 0  # a rerun opens nothing more
    case = CollectionCase.objects.get()
    assert case.loan_id == overdue_loan.pk and case.opened_on == ON and not current.collection_cases.exists()
    maker, _ = people
    assert open_case_count(center, maker) == case_page(actor=maker, center=center).total == 1
    case_action_add(case=case.pk, center=center, kind="notice", note="寄送催收通知书（挂号信）", actor=maker,
                    business_date=ON)
    with pytest.raises(DomainError) as e:
        case_action_add(case=case.pk, center=center, kind="restructure", note="x", actor=maker, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_CASE_INVALID
    detail = case_detail(actor=maker, center=center, case=case.pk)
    assert [a["kind"] for a in detail["actions"]] == ["notice"] and detail["overdue_days"] == 314
    assert detail["borrower"] != borrower.member.name  # masked for a teller
    # the borrower pays everything overdue (penalty 154.21 元 for 314 days): the next run closes the case
    payment_apply(loan=overdue_loan, amount=P1 + I1 + 15_421, source=LoanPayment.Source.COUNTER, reference="C1",
                  funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    r = cases_open(center=center, on=ON, actor=TEST_ACTOR)
    assert (r.opened, r.closed) == (0, 1)
    case.refresh_from_db()
    assert case.state == CollectionCase.State.CLOSED and case.close_reason == CLOSE_CURRENT
    with pytest.raises(DomainError) as e:
        case_action_add(case=case.pk, center=center, kind="note", note="x", actor=maker, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_CASE_CLOSED


def test_open_days_policy(center, overdue_loan):
    # overdue since 2026-01-20: 1 day on 2026-01-21 (the default threshold of loan.collection.open_days is 1)
    with business_day(center, date(2026, 1, 20)):
        assert cases_open(center=center, on=date(2026, 1, 20), actor=TEST_ACTOR).opened == 0
    with business_day(center, date(2026, 1, 21)):
        assert cases_open(center=center, on=date(2026, 1, 21), actor=TEST_ACTOR).opened == 1


# ---------------------------------------------------------------- restructuring


def test_restructuring_through_maker_checker(center, overdue_loan, people):
    maker, checker = people
    cases_open(center=center, on=ON, actor=TEST_ACTOR)
    day = date(2026, 2, 10)  # 21 days overdue; only the first installment has fallen due
    with business_day(center, day):
        cmd = command_submit(name=RESTRUCTURE, actor=maker, center=center, business_date=day,
                             params={"loan": overdue_loan.number, "months": 359, "reason": "借款人失业后再就业，收入下降"})
        cmd = command_approve(command=cmd, actor=checker, business_date=day)
    assert cmd.status == PendingCommand.Status.APPLIED, cmd.apply_error
    r = cmd.result
    assert r is not None
    # penalty to 2026-02-10: (1,760.57 + 2,375.00) × 2.85 % / 360 × 1.5 × 21 days = 10.3131 元 → 10.31 元
    assert (r["arrears_interest"], r["arrears_penalty"], r["overdue_principal_back"]) == (I1, 1_031, P1)
    assert r["from_period"] == 2 and r["first_due"] == "2026-02-20" and r["balance"] == 100_000_000
    entry_lines = _gl(JournalLine.objects.filter(entry__description__startswith="贷款重组").first().entry)
    assert entry_lines == [("121", P1, 0), ("122", 0, P1)]
    assert gl_balance(center=center, code_prefix="122") == 0
    assert gl_balance(center=center, code_prefix="121") == 100_000_000
    ln = Loan.objects.get(pk=overdue_loan.pk)
    assert (ln.overdue_principal, ln.overdue_interest, ln.overdue_since, ln.outstanding) == (0, 0, None, 100_000_000)
    assert (ln.risk_class, ln.class_override, ln.class_override_until) == ("03", "03", date(2026, 8, 10))
    assert ln.schedule_version == 2 and ln.months == 360
    d1 = LoanDue.objects.get(loan=ln, period=1)
    assert (d1.state, d1.paid_on) == (LoanDue.State.RESTRUCTURED, day)
    v = LoanScheduleVersion.objects.get(loan=ln, version=2)
    assert (v.reason, v.from_period, v.months) == (LoanScheduleVersion.Reason.RESTRUCTURE, 2, 359)
    rows = list(LoanInstallment.objects.filter(loan=ln, period__gte=2).order_by("period"))
    assert sum(x.principal for x in rows) == 100_000_000 and rows[-1].balance == 0
    pay = annuity_payment(100_000_000, Decimal("2.85"), 359)
    # the first new installment: interest 1,000,000.00 × 2.85 % / 12 = 2,375.00 plus the arrears 2,375.00 + 10.31
    assert (rows[0].due_date, rows[0].interest, rows[0].principal) == (date(2026, 2, 20), I1 + I1 + 1_031,
                                                                       pay - I1)
    case = CollectionCase.objects.get(loan=ln)
    assert case.state == CollectionCase.State.CLOSED and case.actions.filter(kind="restructure").exists()


def test_restructuring_refused_for_a_current_loan(center, borrower, people):
    maker, _ = people
    ln = make_active_loan(center, borrower)
    with pytest.raises(DomainError) as e:
        command_submit(name=RESTRUCTURE, actor=maker, center=center, business_date=ON,
                       params={"loan": ln.number, "months": 120, "reason": "x"})
    assert e.value.code == ErrorCode.LOAN_RESTRUCTURE_INVALID


# ---------------------------------------------------------------- write-off and recovery


def _fund_reserve(center, amount):
    # 增值收益分配: Dr 32101 提取贷款风险准备金 / Cr 301 贷款风险准备
    entry_post(center=center, business_date=ON, source="test", actor=TEST_ACTOR, description="测试：提取贷款风险准备",
               lines=[Line("32101", debit=amount), Line("301", credit=amount)])


def test_write_off_then_recovery(center, overdue_loan, people):
    maker, checker = people
    with pytest.raises(DomainError) as e:  # no reserve yet
        command_submit(name=WRITE_OFF, actor=maker, center=center, business_date=ON,
                       params={"loan": overdue_loan.number, "reason": "借款人死亡且无可供执行财产"})
    assert e.value.code == ErrorCode.LOAN_WRITE_OFF_INVALID and "301" in str(e.value)
    _fund_reserve(center, 200_000_000)
    cases_open(center=center, on=ON, actor=TEST_ACTOR)
    cmd = command_submit(name=WRITE_OFF, actor=maker, center=center, business_date=ON,
                         params={"loan": overdue_loan.number, "reason": "借款人死亡且无可供执行财产"})
    assert cmd.amount == 100_000_000
    cmd = command_approve(command=cmd, actor=checker, business_date=ON)
    assert cmd.status == PendingCommand.Status.APPLIED, cmd.apply_error
    wo = LoanWriteOff.objects.get()
    # the 998,239.43 元 not yet overdue moves to 122 first, then the whole 1,000,000.00 元 against the reserve
    assert _gl(wo.entry) == sorted([("122", 100_000_000 - P1, 0), ("121", 0, 100_000_000 - P1),
                                    ("301", 100_000_000, 0), ("122", 0, 100_000_000)])
    assert gl_balance(center=center, code_prefix="121") == 0 and gl_balance(center=center, code_prefix="122") == 0
    assert gl_balance(center=center, code_prefix="301") == -100_000_000  # 2,000,000 − 1,000,000 元 (credit)
    ln = Loan.objects.get(pk=overdue_loan.pk)
    assert (ln.status, ln.written_off, ln.outstanding, ln.overdue_principal) == (
        Loan.Status.WRITTEN_OFF, 100_000_000, 0, 0)
    assert (wo.state, wo.principal, wo.done_on, wo.created_by) == (LoanWriteOff.State.DONE, 100_000_000, ON,
                                                                   "user:od_teller")
    assert LoanDue.objects.get(loan=ln, period=1).state == LoanDue.State.WRITTEN_OFF
    assert CollectionCase.objects.get(loan=ln).state == CollectionCase.State.CLOSED
    # a payment through payment_apply is refused; a recovery is its own posting
    with pytest.raises(DomainError) as e:
        payment_apply(loan=ln, amount=1_000, source=LoanPayment.Source.COUNTER, reference="X1",
                      funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_NOT_ACTIVE
    fin = checker
    pay = recovery_record(center=center, loan=ln.number, amount=30_000_000, reference="RC1", account="10101",
                          bank_ref="B77", actor=fin, business_date=ON)
    assert _gl(pay.entry) == [("10101", 30_000_000, 0), ("301", 0, 30_000_000)]
    assert gl_balance(center=center, code_prefix="301") == -130_000_000
    again = recovery_record(center=center, loan=ln.number, amount=30_000_000, reference="RC1", account="10101",
                            bank_ref="B77", actor=fin, business_date=ON)
    assert again.pk == pay.pk and pay.source == LoanPayment.Source.RECOVERY
    wo.refresh_from_db()
    assert wo.recovered == 30_000_000
    with pytest.raises(DomainError) as e:  # 700,000.01 元 > the 700,000.00 元 still to recover
        recovery_record(center=center, loan=ln.number, amount=70_000_001, reference="RC2", account="10101",
                        bank_ref="B78", actor=fin, business_date=ON)
    assert e.value.code == ErrorCode.LOAN_RECOVERY_INVALID


# ---------------------------------------------------------------- buckets and the ‰ rate


def test_buckets_and_permille_by_hand(center, borrower):
    since = {"A": date(2026, 10, 20), "B": date(2026, 7, 20), "C": date(2025, 6, 20), "D": date(2023, 6, 20),
             "E": None}
    overdue = {"A": 123_457, "B": 200_000, "C": 300_000, "D": 400_000, "E": 0}
    for k in since:
        ln = make_active_loan(center, borrower, principal=10_000_000, months=120)
        Loan.objects.filter(pk=ln.pk).update(overdue_since=since[k], overdue_principal=overdue[k])
    # a written-off loan counts nowhere
    gone = make_active_loan(center, borrower, principal=10_000_000, months=120, post=False)
    Loan.objects.filter(pk=gone.pk).update(status=Loan.Status.WRITTEN_OFF, outstanding=0,
                                           overdue_since=date(2024, 1, 1))
    got = {b.key: (b.count, b.overdue_principal, b.outstanding) for b in overdue_buckets(center, ON)}
    assert got == {"m1_3": (1, 123_457, 10_000_000), "m3_6": (1, 200_000, 10_000_000),
                   "m6_12": (0, 0, 0), "y1_3": (1, 300_000, 10_000_000), "y3": (1, 400_000, 10_000_000)}
    rate = overdue_rate(center)
    # 10,234.57 元 / 500,000.00 元 = 20.46914 ‰ → 20.47‰
    assert (rate.overdue_principal, rate.outstanding, rate.text) == (1_023_457, 50_000_000, "20.47‰")
    assert bucket_of(date(2026, 8, 30), ON) == "m1_3" and bucket_of(date(2026, 8, 29), ON) == "m3_6"
    assert bucket_of(date(2025, 11, 30), ON) == "m6_12" and bucket_of(date(2025, 11, 29), ON) == "y1_3"
    figs = {f.key: f for f in supervision_figures(center, ON)}
    assert figs["loans.overdue_rate"].value == "20.47‰" and figs["loans.overdue.y3"].count == 1


# ---------------------------------------------------------------- the 征信 row


def test_credit_export_row_of_one_loan(center, borrower, overdue_loan, people):
    maker, _ = people
    export = credit_export(actor=maker, center=center, month="2026-11")
    rows = list(export.rows)
    assert export.total == 1 and len(rows) == 1
    row = dict(zip(COLUMNS, rows[0], strict=True))
    m = borrower.member
    assert row == {
        "账户标识": overdue_loan.number, "借款合同编号": "", "姓名": m.name, "证件类型": "身份证",
        "证件号码": m.id_number, "业务种类": "个人住房公积金贷款", "开户日期": "2025-12-20", "到期日期": "",
        "币种": "CNY", "借款金额": "1000000.00", "还款方式": "等额本息", "还款频率": "月", "还款期数": "360",
        "剩余还款期数": "349",  # periods 12 (2026-12-20) … 360
        "担保方式": "抵押", "账户状态": "逾期", "余额": "1000000.00", "五级分类": "正常",
        "本月应还款日": "2026-11-20", "本月应还款金额": "4135.57", "本月实还款金额": "0.00",
        "最近一次实际还款日期": "", "当前逾期期数": "1", "当前逾期总额": "4135.57",
        # 2024-12 … 2025-11 not opened, 2025-12 opened with nothing due, 2026-01 … 2026-11 one installment overdue
        "还款状态": "/" * 12 + "*" + "1" * 11}
    with pytest.raises(DomainError) as e:
        credit_export(actor=maker, center=center, month="2027-01")
    assert e.value.code == ErrorCode.LOAN_REPORT_INVALID


# ---------------------------------------------------------------- statements


def test_loan_statements_match_the_ledger(center, overdue_loan):
    fin = finance_clerk()
    payment_apply(loan=overdue_loan, amount=P1 + I1 + 15_421, source=LoanPayment.Source.COUNTER, reference="C9",
                  funding=Funding("10101"), actor=TEST_ACTOR, business_date=ON)
    st = statement(FLOWS_KIND, center=center, period=parse_period("2026-11", default=ON), user=fin)
    main = {r.label: r.values for r in st.sections[0].rows}
    assert main["期初贷款余额"][1] == 100_000_000 and main["本期回收贷款"][1] == P1
    assert main["逾期还款"][1] == P1 and main["期末贷款余额"][1] == 100_000_000 - P1
    assert st.balanced, [c.detail for c in st.checks]
    year = statement(FLOWS_KIND, center=center, period=parse_period("2025", default=ON), user=fin)
    y = {r.label: r.values for r in year.sections[0].rows}
    assert y["本期发放贷款"] == [1, 100_000_000] and y["期末贷款余额"][1] == 100_000_000 and year.balanced
    s2 = statement(STATUS_KIND, center=center, period=parse_period("2026-11", default=ON), user=fin)
    rows = {r.label: r.values for r in s2.sections[0].rows}
    assert rows["贷款余额（还款中）"] == [1, 100_000_000 - P1] and rows["个贷逾期率"][1] == "0.00‰"
    # 个贷率 counts the real loans: 121 + 122 of the ledger, equal to the loans' principal outstanding
    assert position(center, ON).loan_total == Loan.objects.get(pk=overdue_loan.pk).outstanding == 100_000_000 - P1


# ---------------------------------------------------------------- the API


def test_api_cases_commands_risk_and_credit_export(client, center, overdue_loan, people):
    maker, _ = people
    h = token(maker, center)
    cases_open(center=center, on=ON, actor=TEST_ACTOR)
    r = client.get("/api/v1/loans/cases", **h)
    assert r.status_code == 200 and r.json()["total"] == 1
    item = r.json()["items"][0]
    assert item["loan"] == overdue_loan.number and item["borrower"] != overdue_loan.borrower.name
    r = client.get(f"/api/v1/loans/cases/{item['id']}", **h)
    assert r.status_code == 200 and r.json()["overdue_principal"] == P1
    assert AuditRecord.objects.filter(action=AuditEvent.LOANS_CASE_LIST.value).count() == 2
    r = client.post(f"/api/v1/loans/cases/{item['id']}/actions", {"kind": "visit", "note": "上门催收，借款人承诺月底还款"},
                    content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["kind_label"] == "上门催收"
    r = client.post(f"/api/v1/loans/{overdue_loan.number}/write-off", {"reason": "无力偿还"},
                    content_type="application/json", **h)
    assert r.status_code == 422 and r.json()["code"] == "LOAN_WRITE_OFF_INVALID"  # 301 is empty
    r = client.post(f"/api/v1/loans/{overdue_loan.number}/restructure", {"months": 300, "reason": "收入下降"},
                    content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["status"] == PendingCommand.Status.PENDING
    r = client.get("/api/v1/loans/risk", **h)
    # 1,760.57 元 overdue of 1,000,000.00 元 outstanding = 1.76057 ‰
    assert r.status_code == 200 and r.json()["overdue_rate_permille"] == "1.76‰"
    r = client.get("/api/v1/loans/credit-export?month=2026-11", **h)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = b"".join(r.streaming_content).decode().splitlines()
    assert len(lines) == 2 and lines[0].startswith("账户标识,") and lines[1].startswith(overdue_loan.number)
    assert AuditRecord.objects.filter(action=AuditEvent.LOANS_CREDIT_EXPORT.value).count() == 1
    assert client.get("/api/v1/loans/credit-export", **token(people[1], center)).status_code == 403  # no loans.operate


def test_cli_cases_and_credit_export(center, overdue_loan, tmp_path):
    out = StringIO()
    call_command("loan", "cases", "--run", stdout=out)
    assert json.loads(out.getvalue()) == {"business_date": "2026-11-30", "opened": 1, "closed": 0}
    out = StringIO()
    call_command("loan", "cases", "--state", "all", stdout=out)
    assert json.loads(out.getvalue())["items"][0]["loan"] == overdue_loan.number
    target = tmp_path / "credit.csv"
    out = StringIO()
    call_command("loan", "credit-export", "--month", "2026-11", "--out", str(target), stdout=out)
    assert "已导出 1 笔贷款" in out.getvalue()
    assert target.read_text(encoding="utf-8").splitlines()[1].startswith(overdue_loan.number)
    with pytest.raises(CommandError, match="LOAN_REPORT_INVALID"):
        call_command("loan", "credit-export", "--month", "2026-13", stdout=StringIO())
