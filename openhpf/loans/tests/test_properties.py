"""Property tests of the calculator (hypothesis): from the minimum loan amount (10,000 元) to 2,000,000 元, rate
> 0, term 1–360, both methods; and the fast integer path against an independent exact (Fraction) rendering of
the rules."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from openhpf.core.codes import RepaymentMethod
from openhpf.loans.calculations import (
    add_months,
    annuity_payment,
    interest_for,
    max_principal_for_payment,
    schedule,
    schedule_rows,
)

principals = st.integers(min_value=1_000_000, max_value=200_000_000)
# rates in % with up to four decimals (the Loan's annual_rate field), 0.0001 % to 12 %
rates = st.integers(min_value=1, max_value=120_000).map(lambda n: Decimal(n).scaleb(-4))
terms = st.integers(min_value=1, max_value=360)
methods = st.sampled_from([RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL])
firsts = st.dates(min_value=date(2024, 1, 1), max_value=date(2040, 12, 31))


def _half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))  # HALF_UP of a positive exact fraction


def reference(principal: int, rate: Decimal, months: int, method: str, first_due: date) -> list[tuple]:
    """DOMAIN's rules written plainly with exact fractions (the payment from the module's Decimal formula)."""
    r = Fraction(rate) / 1200
    equal_principal = method == RepaymentMethod.EQUAL_PRINCIPAL or r == 0
    step = _half_up(Fraction(principal, months)) if equal_principal else annuity_payment(principal, rate, months)
    out, balance = [], principal
    for period in range(1, months + 1):
        interest = _half_up(balance * r)
        part = step if equal_principal else step - interest
        if period == months or part > balance:
            part = balance
        balance -= part
        out.append((period, add_months(first_due, period - 1), part, interest, balance))
        if balance == 0:
            break
    return out


@settings(max_examples=150, deadline=None)
@given(principals, rates, terms, methods, firsts)
def test_schedule_invariants(principal, rate, months, method, first_due):
    rows = schedule(principal, rate, months, method, first_due)
    assert sum(r.principal for r in rows) == principal
    assert all(r.balance >= 0 and r.principal >= 0 and r.interest >= 0 for r in rows)
    assert rows[-1].balance == 0 and len(rows) <= months
    assert [r.period for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.payment == r.principal + r.interest for r in rows)
    if method == RepaymentMethod.ANNUITY:
        assert len({r.payment for r in rows[:-1]}) <= 1  # constant except the last
    else:
        assert len({r.principal for r in rows[:-1]}) <= 1
    assert rows[0].due_date == first_due


@settings(max_examples=150, deadline=None)
@given(principals, rates, terms, methods, firsts)
def test_fast_path_equals_the_exact_reference(principal, rate, months, method, first_due):
    assert schedule_rows(principal, rate, months, method, first_due) == reference(principal, rate, months, method,
                                                                                   first_due)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=5_000_000), rates, st.integers(min_value=60, max_value=360), methods)
def test_max_principal_for_payment_is_the_largest(max_payment, rate, months, method):
    p = max_principal_for_payment(max_payment, rate, months, method)
    first = schedule_rows(p + 1, rate, months, method, date(2027, 1, 1))
    assert first[0][2] + first[0][3] > max_payment  # one fen more breaks the ceiling
    if p:
        rows = schedule_rows(p, rate, months, method, date(2027, 1, 1))
        assert max(r[2] + r[3] for r in rows[:-1] or rows) <= max_payment


def test_a_true_tie_rounds_up():
    # 24.00 元 at 3.25 %: 2400 × 3.25 / 1200 = 6.5 fen exactly → 7 (a 50-digit Decimal of 3.25/1200 gives 6)
    assert interest_for(2400, Decimal("3.25")) == 7
    assert schedule_rows(2400, Decimal("3.25"), 2, RepaymentMethod.EQUAL_PRINCIPAL, date(2027, 1, 1))[0][3] == 7
    assert interest_for(36_000_000, Decimal("3.6"), days=45) == 162_000
