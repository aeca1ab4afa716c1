from datetime import date
from decimal import Decimal

import pytest

from openhpf.core.codes import RepaymentMethod
from openhpf.loans.calculations import add_months, annuity_payment, schedule


@pytest.mark.parametrize(("rate", "payment"), [("2.85", 413557), ("3.25", 435206)])
def test_published_figures(rate, payment):
    assert annuity_payment(100_000_000, Decimal(rate), 360) == payment
    rows = schedule(100_000_000, Decimal(rate), 360, RepaymentMethod.ANNUITY, date(2027, 1, 20))
    assert rows[0].payment == payment and len(rows) == 360
    assert sum(r.principal for r in rows) == 100_000_000 and rows[-1].balance == 0
    assert all(r.balance >= 0 for r in rows)


def test_equal_principal_by_hand():
    # 1,200.00 元 over 3 months at 12%: r = 1% a month
    rows = schedule(120_000, Decimal("12"), 3, RepaymentMethod.EQUAL_PRINCIPAL, date(2027, 1, 31))
    assert [(r.principal, r.interest, r.balance) for r in rows] == [(40_000, 1_200, 80_000), (40_000, 800, 40_000),
                                                                     (40_000, 400, 0)]
    assert [r.due_date for r in rows] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]


def test_tiny_loan_ends_early_and_rate_zero():
    rows = schedule(3, Decimal("0"), 4, RepaymentMethod.ANNUITY, date(2027, 1, 1))
    assert [r.principal for r in rows] == [1, 1, 1] and rows[-1].balance == 0
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_first_period_actual_days():
    rows = schedule(36_000_000, Decimal("3.6"), 12, RepaymentMethod.EQUAL_PRINCIPAL, date(2027, 2, 20),
                    first_period_days=45)
    assert rows[0].interest == 162_000  # 360,000.00 × 3.6% / 360 × 45 = 1,620.00
    assert rows[0].principal == 3_000_000
