"""A teller opens a loan whose first installment is overdue, sees what is due (with the penalty), records a counter
repayment through the form (the allocation shown first, then confirmed) and finds it in 还款记录 with its voucher;
nothing done in the CLI or the API. Amounts: 1,000,000.00 元 over 360 months at 2.85 %, period 1 (principal
1,760.57, interest 2,375.00) overdue since 2026-01-21; on 2026-11-30 the penalty is 154.21 元, all due 4,289.78 元."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.core.actors import SystemActor
from openhpf.loans.models import LoanPayment
from openhpf.loans.tests.factories import make_active_loan, make_due
from openhpf.settlement.services import bank_account_open, bank_channel_link_local

from .test_login import login

PASSWORD = "pw-Loan-2026"
SYS = SystemActor("test")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def overdue_loan(teller_shop, center):
    teller_shop(username="e2eloan", password=PASSWORD, display_name="柜员贷", employer_name="杭州贷后测试有限公司",
                base=800000, numbers=(1,))
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="1202000000000001",
                      account_name=center.name, actor=SYS, business_date=center.business_date)
    bank_channel_link_local(center=center, bank_code="ICBC", url="http://127.0.0.1:9/bdc", actor=SYS)
    acct = make_account(center, make_employer(center, 2, name="杭州借款人单位"), 7)
    loan = make_active_loan(center, acct, number="DK330100009001")
    make_due(loan, 1, overdue_on=date(2026, 1, 21))
    return loan


def test_teller_records_a_counter_repayment_of_an_overdue_loan(page, overdue_loan, screenshot):
    from playwright.sync_api import expect

    pg = page
    login(pg, "e2eloan", PASSWORD)
    pg.goto(f"/loans/{overdue_loan.number}/")
    due = pg.get_by_test_id("loan-due")
    expect(due).to_contain_text("154.21 元")
    expect(pg.get_by_test_id("loan-due-total")).to_contain_text("4,289.78 元")
    expect(pg.get_by_test_id("loan-payments")).to_contain_text("尚无还款记录")
    screenshot(pg, "servicing-before")

    pg.get_by_test_id("repay-amount").fill("4289.78")
    pg.get_by_test_id("repay-reference").fill("ICBC20261130001")
    pg.get_by_test_id("repay-preview").click()
    confirm = pg.get_by_test_id("repay-confirm")
    expect(confirm).to_contain_text("逾期本金")
    expect(confirm).to_contain_text("1,760.57 元")
    screenshot(pg, "repay-confirm")
    pg.get_by_test_id("repay-apply").click()
    expect(pg.get_by_test_id("repay-done")).to_contain_text("已入账")
    payments = pg.get_by_test_id("loan-payments")
    expect(payments).to_contain_text("柜台还款")
    expect(payments).to_contain_text("4,289.78")
    expect(payments).to_contain_text("ICBC20261130001")
    voucher = LoanPayment.objects.get(reference="ICBC20261130001").entry.voucher_no
    expect(pg.get_by_test_id("repay-voucher")).to_have_text(voucher)
    screenshot(pg, "repay-done")

    pg.reload()  # the record is there after a reload too, and nothing is due any more
    expect(pg.get_by_test_id("loan-payments")).to_contain_text(voucher)
    expect(pg.get_by_test_id("loan-due-total")).to_contain_text("0.00 元")
    pg.problems.assert_none()
