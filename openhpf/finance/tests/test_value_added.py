"""Year-end 增值收益: the 损益 transfer and the distribution through maker-checker, amounts by hand."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.finance.models import ValueAddedYear
from openhpf.finance.periods import parse_period
from openhpf.finance.selectors import DISTRIBUTE_COMMAND, distribution_plan, leaf_sums, statement
from openhpf.finance.services import (
    value_added_distribute,
    value_added_distribution_submit,
    year_end_close_submit,
)
from openhpf.finance.services import year_end_close as close_directly
from openhpf.iam.services import staff_create
from openhpf.ledger.models import GLAccount, JournalEntry, JournalLine

from .builders import set_policy

BD = date(2026, 11, 30)


@pytest.fixture
def year2025(ledger):
    """2025: 业务收入 300001 + 200000, 业务支出 150000 + 10000 → 增值收益 340001 fen."""
    ledger.contribute(date(2025, 3, 1), 10_000_000)
    ledger.income(date(2025, 6, 21), 300001, "40101")
    ledger.income(date(2025, 9, 21), 200000, "40103")
    ledger.expense(date(2025, 6, 30), 150000, "41101")
    ledger.expense(date(2025, 8, 5), 10000, "41102")
    return ledger


def year_end_close(*, center, year: int, actor, business_date: date) -> ValueAddedYear:
    """The only way a person transfers a year's 损益: the maker submits, a checker approves."""
    cmd = year_end_close_submit(center=center, year=year, actor=actor, business_date=business_date)
    checker = User.objects.filter(username="rev-close").first() or grant_role(staff_create(
        username="rev-close", password="pw-Review-2026", center=center, actor=SystemActor("test"))[0], "reviewer",
        center=center)
    done = command_approve(command=cmd, actor=checker, business_date=business_date)
    assert done.status == PendingCommand.Status.APPLIED, done.apply_error
    return ValueAddedYear.objects.get(center=center, year=year)


def bal(center, code: str, upto: date = BD) -> int:
    """debit − credit of the accounts under `code` (straight from the journal lines)."""
    r = JournalLine.objects.filter(entry__center=center, account__code__startswith=code,
                                   entry__business_date__lte=upto).aggregate(d=Sum("debit", default=0),
                                                                              c=Sum("credit", default=0))
    return r["d"] - r["c"]


def entries_balance(center) -> bool:
    for e in JournalEntry.objects.filter(center=center):
        d = sum(ln.debit for ln in e.lines.all())
        c = sum(ln.credit for ln in e.lines.all())
        if d != c or d != e.total:
            return False
    return True


def test_year_end_close_by_hand_and_idempotent(center, year2025, fin_user):
    rec = year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    assert (rec.revenue, rec.expense, rec.status) == (500001, 160000, ValueAddedYear.Status.CLOSED)
    assert len(rec.close_vouchers) == 2
    e1, e2 = (JournalEntry.objects.get(center=center, voucher_no=v) for v in rec.close_vouchers)
    assert e1.business_date == e2.business_date == date(2025, 12, 31)
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in e1.lines.all()) == [
        ("311", 0, 500001), ("40101", 300001, 0), ("40103", 200000, 0)]
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in e2.lines.all()) == [
        ("311", 160000, 0), ("41101", 0, 150000), ("41102", 0, 10000)]
    for code in ("40101", "40103", "41101", "41102"):
        assert bal(center, code) == 0
    assert bal(center, "311") == -340001
    n = JournalEntry.objects.count()
    with pytest.raises(DomainError) as e:  # nothing left: refused at submission, nothing for a checker
        year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    assert e.value.code == "NOTHING_TO_CLOSE" and not PendingCommand.objects.filter(status="pending").exists()
    again = close_directly(center=center, year=2025, actor=SystemActor("test"), business_date=BD)
    assert again.pk == rec.pk and JournalEntry.objects.count() == n and again.close_vouchers == rec.close_vouchers
    # a late 2025 posting: a re-run transfers exactly the residual
    year2025.income(date(2025, 12, 30), 7, "40199")
    third = year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    assert third.revenue == 500008 and len(third.close_vouchers) == 3 and bal(center, "40199") == 0
    # the income statement still shows the year's income and expense (the transfer is not income)
    st = statement("income", center=center, period=parse_period("2025", default=BD), user=fin_user)
    assert {r.label: r.values for r in st.sections[0].rows}["三、增值收益"] == [340008, 340008]
    assert st.balanced and entries_balance(center)


def test_close_refusals(center, ledger, fin_user, teller_user):
    ledger.income(date(2024, 5, 1), 100)
    ledger.income(date(2025, 5, 1), 200)
    with pytest.raises(DomainError) as e:
        year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    assert e.value.code == "PRIOR_YEAR_OPEN"
    with pytest.raises(DomainError) as e:
        year_end_close(center=center, year=2026, actor=fin_user, business_date=BD)
    assert e.value.code == "YEAR_NOT_ENDED"
    with pytest.raises(PermissionDenied) as denied:
        year_end_close(center=center, year=2024, actor=teller_user, business_date=BD)
    assert denied.value.code == "FORBIDDEN"
    year_end_close(center=center, year=2024, actor=fin_user, business_date=BD)
    rec = year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    assert rec.revenue == 200 and bal(center, "311") == -300
    assert not ValueAddedYear.objects.filter(year=2026).exists()


def test_distribution_through_maker_checker(center, year2025, fin_user, checker_user):
    set_policy(center, "value_added.management_fee.amount", 50000, "int")
    year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    plan = distribution_plan(center=center, year=2025)
    # 贷款风险准备金 = 340001 × 60% = 204000.6 → 204001 (HALF_UP); 管理费用 = budget 50000; remainder 86000
    assert (plan.distributable, plan.risk_reserve, plan.management_fee, plan.lowrent_fund) == (340001, 204001, 50000, 86000)
    with pytest.raises(DomainError) as e:  # nobody posts it without a checker
        value_added_distribute(center=center, year=2025, actor=fin_user, business_date=BD)
    assert e.value.code == "APPROVAL_REQUIRED"
    cmd = value_added_distribution_submit(center=center, year=2025, actor=fin_user, business_date=BD)
    assert cmd.name == DISTRIBUTE_COMMAND and cmd.status == PendingCommand.Status.PENDING and cmd.amount == 340001
    assert "204,001.00" not in cmd.summary and "2,040.01" in cmd.summary
    with pytest.raises(DomainError) as e:
        value_added_distribution_submit(center=center, year=2025, actor=fin_user, business_date=BD)
    assert e.value.code == "DISTRIBUTION_PENDING"
    with pytest.raises(DomainError) as e:
        command_approve(command=cmd, actor=fin_user, business_date=BD)
    assert e.value.code == "SELF_APPROVAL"
    assert bal(center, "301") == 0  # nothing posted yet
    done = command_approve(command=cmd, actor=checker_user, business_date=BD)
    assert done.status == PendingCommand.Status.APPLIED, done.apply_error
    rec = ValueAddedYear.objects.get(center=center, year=2025)
    assert rec.status == ValueAddedYear.Status.DISTRIBUTED and rec.command_id == cmd.pk
    assert (rec.risk_reserve, rec.management_fee, rec.lowrent_fund) == (204001, 50000, 86000)
    dist = JournalEntry.objects.get(center=center, voucher_no=rec.distribution_vouchers[0])
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in dist.lines.all()) == [
        ("214", 0, 86000), ("21904", 0, 50000), ("301", 0, 204001),
        ("32101", 204001, 0), ("32102", 50000, 0), ("32103", 86000, 0)]
    assert GLAccount.objects.get(center=center, code="21904").parent.code == "219"
    # after the year-end carry 311 and every 321 account are square; the money sits in 301, 21904, 214
    assert bal(center, "311") == 0 and bal(center, "321") == 0
    for code in ("32101", "32102", "32103", "32104"):
        assert bal(center, code) == 0
    assert (bal(center, "301"), bal(center, "21904"), bal(center, "214")) == (-204001, -50000, -86000)
    assert entries_balance(center)
    # statements still balance; the distribution statement shows the plan
    for kind, period in (("balance_sheet", "2025"), ("balance_sheet", "2026-11"), ("distribution", "2025"),
                         ("trial_balance", "2025-12"), ("income", "2025")):
        st = statement(kind, center=center, period=parse_period(period, default=BD), user=fin_user)
        assert st.balanced, (kind, period, [c.detail for c in st.checks])
    ds = statement("distribution", center=center, period=parse_period("2025", default=BD), user=fin_user)
    assert [r.values[0] for r in ds.sections[0].rows] == [340001, 0, 340001, 204001, 50000, 86000, 0]
    bs = statement("balance_sheet", center=center, period=parse_period("2025", default=BD), user=fin_user)
    eq = {r.code: r.values for r in bs.sections[1].rows if r.code}
    assert eq["301"][1] == 204001 and eq["311"][1] == 0 and eq["321"][1] == 0 and eq["214"][1] == 86000
    # idempotent: applying again posts nothing
    n = JournalEntry.objects.count()
    again = value_added_distribute(center=center, year=2025, actor=SystemActor("test"), business_date=BD)
    assert again.pk == rec.pk and JournalEntry.objects.count() == n
    with pytest.raises(DomainError) as e:
        value_added_distribution_submit(center=center, year=2025, actor=fin_user, business_date=BD)
    assert e.value.code == "YEAR_DISTRIBUTED"
    with pytest.raises(DomainError) as e:
        year2025.income(date(2025, 12, 30), 5)
        year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    assert e.value.code == "YEAR_DISTRIBUTED"


def test_loan_balance_method_and_caps(center, year2025, fin_user):
    """Reserve up to 1% of the year-end loans (300000 needed), fee capped by what is left, nothing for 廉租."""
    year2025.disburse(date(2025, 7, 1), 30_000_000)
    set_policy(center, "value_added.risk_reserve.method", "loan_balance", "str")
    set_policy(center, "value_added.management_fee.amount", 50000, "int")
    year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    rec = value_added_distribute(center=center, year=2025, actor=SystemActor("test"), business_date=BD)
    assert (rec.distributable, rec.risk_reserve, rec.management_fee, rec.lowrent_fund) == (340001, 300000, 40001, 0)
    assert rec.loans_outstanding == 30_000_000 and rec.rules["method"] == "loan_balance"
    assert bal(center, "301") == -300000 and bal(center, "311") == 0 and bal(center, "321") == 0


def test_loan_balance_method_counts_the_reserve_already_held(center, ledger, fin_user):
    ledger.disburse(date(2024, 3, 1), 10_000_000)
    ledger.income(date(2024, 6, 1), 80000)
    ledger.income(date(2025, 6, 1), 50000)
    set_policy(center, "value_added.risk_reserve.method", "loan_balance", "str")
    year_end_close(center=center, year=2024, actor=fin_user, business_date=BD)
    first = value_added_distribute(center=center, year=2024, actor=SystemActor("test"), business_date=BD)
    assert (first.risk_reserve, first.lowrent_fund) == (80000, 0)  # target 100000, capped by 80000
    year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    second = value_added_distribute(center=center, year=2025, actor=SystemActor("test"), business_date=BD)
    assert (second.reserve_before, second.risk_reserve, second.lowrent_fund) == (80000, 20000, 30000)
    assert bal(center, "301") == -100000


def test_plan_changed_after_submission_fails_the_command(center, year2025, fin_user, checker_user):
    year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    cmd = value_added_distribution_submit(center=center, year=2025, actor=fin_user, business_date=BD)
    year2025.income(date(2025, 12, 31), 1000)
    year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    done = command_approve(command=cmd, actor=checker_user, business_date=BD)
    assert done.status == PendingCommand.Status.FAILED and "PLAN_CHANGED" in done.apply_error
    assert bal(center, "301") == 0 and ValueAddedYear.objects.get(year=2025).status == ValueAddedYear.Status.CLOSED
    # rejected or failed commands do not block a new submission
    cmd2 = value_added_distribution_submit(center=center, year=2025, actor=fin_user, business_date=BD)
    command_reject(command=cmd2, actor=checker_user, reason="预算未批复")
    cmd3 = value_added_distribution_submit(center=center, year=2025, actor=fin_user, business_date=BD)
    assert cmd3.params["distributable"] == 341001


def test_distribution_refusals(center, ledger, fin_user, teller_user):
    ledger.expense(date(2025, 6, 30), 1000)
    with pytest.raises(DomainError) as e:
        distribution_plan(center=center, year=2025)
    assert e.value.code == "YEAR_NOT_CLOSED"
    year_end_close(center=center, year=2025, actor=fin_user, business_date=BD)
    with pytest.raises(DomainError) as e:
        distribution_plan(center=center, year=2025)
    assert e.value.code == "NOTHING_TO_DISTRIBUTE"
    with pytest.raises(PermissionDenied) as denied:
        value_added_distribution_submit(center=center, year=2025, actor=teller_user, business_date=BD)
    assert denied.value.code == "FORBIDDEN"
    assert leaf_sums(center)["311"] == (1000, 0)


def test_policy_keys_are_seeded_and_known(center):
    from openhpf.core.models import PolicyParameter
    from openhpf.core.policy import KEYS, policy_value

    seeded = set(PolicyParameter.objects.filter(key__regex=r"^(liquidity|value_added)\.").values_list("key", flat=True))
    assert len(seeded) >= 8
    for key in seeded:
        assert key in KEYS  # so a maker-checker policy change (core.policy_set) accepts it
        policy_value(key, on=BD, center=center)
    assert str(policy_value("value_added.risk_reserve.income_ratio", on=BD)) == "0.60"
    assert str(policy_value("liquidity.loan_ratio.critical", on=BD)) == "0.95"
