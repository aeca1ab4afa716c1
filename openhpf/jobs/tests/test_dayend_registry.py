"""The day-end step registry: the apps' steps in their order, the runner's close last, `hpf dayend --plan`."""

from io import StringIO

import pytest
from django.core.management import call_command

from openhpf.jobs import dayend


def test_plan_lists_the_registered_steps_in_order():
    names = [s.name for s in dayend.plan()]
    assert names == ["year_guard", "instructions", "agreed", "notices", "statements", "reconcile", "rate_period", "accrual",
                     "settlement", "hardship", "loan_reprice", "loan_due", "loan_collect", "loan_overdue", "loan_offset",
                     "loan_classify", "loan_reserve", "loan_remind", "loan_release", "liquidity", "loan_cases", "gate", "seal",
                     "close"]
    apps = {s.name: s.app for s in dayend.plan()}
    assert apps["notices"] == "settlement" and apps["reconcile"] == "reconciliation"
    assert apps["accrual"] == "contributions" and apps["liquidity"] == "finance" and apps["close"] == "jobs"
    assert apps["seal"] == "jobs" and apps["agreed"] == "withdrawals"
    assert apps["loan_reprice"] == apps["loan_collect"] == apps["loan_offset"] == "loans"


def test_hpf_dayend_plan_prints_them():
    out = StringIO()
    call_command("dayend", "--plan", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(dayend.plan())
    assert "year_guard" in lines[0] and "instructions" in lines[1] and "结算指令发送与查证" in lines[1]
    assert "close" in lines[-1] and "推进业务日期" in lines[-1]


def test_a_step_cannot_take_a_taken_order_or_the_close():
    with pytest.raises(ValueError):
        dayend.register_step("other", order=10, label="x", run=lambda day, ctx: {})
    with pytest.raises(ValueError):
        dayend.register_step("late", order=dayend.CLOSE_ORDER, label="x", run=lambda day, ctx: {})
    with pytest.raises(ValueError):
        dayend.register_step("notices", order=25, label="x", run=lambda day, ctx: {}, app="settlement")
    assert "other" not in [s.name for s in dayend.plan()]
