"""Interest money rules (docs/domain.md "Interest"), in Python for one account and as SQL twins for batches.

积数 is in fen·days. Interest = Σ over the two sub-balances of 积数 × annual rate / day basis (360), the total
rounded HALF_UP to the fen once. Rates are exact rationals, so the arithmetic is integer on both sides. When the
rate changes inside the year, the 积数 is split at the change and each part earns its own rate (interest_of_periods),
still rounded once."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from openhpf.core.calendar import interest_year
from openhpf.core.money import div_half_up, sql_div_half_up


def interest_of(*, jishu_current: int, jishu_carried: int, rate_current: Fraction, rate_carried: Fraction,
                day_basis: int) -> int:
    num = (jishu_current * rate_current.numerator * rate_carried.denominator
           + jishu_carried * rate_carried.numerator * rate_current.denominator)
    return div_half_up(num, day_basis * rate_current.denominator * rate_carried.denominator)


def sql_interest(jishu_current_sql: str, jishu_carried_sql: str, *, rate_current: Fraction,
                 rate_carried: Fraction, day_basis: int) -> str:
    """SQL twin of interest_of, integers only. The two rates go over their least common denominator (not the
    product of their denominators, which for rates of five or six decimals would overflow a BIGINT on an
    ordinary balance), so for rates of up to six decimals and at most 20 % the factors stay ≤ 2 × 10^5 and
    each 积数 up to ±3.66 × 10^12 fen·days (10^10 fen over a 366-day year) is computed exactly."""
    den = math.lcm(rate_current.denominator, rate_carried.denominator)
    num = (f"CAST({jishu_current_sql} AS BIGINT) * {rate_current.numerator * (den // rate_current.denominator)} + "
           f"CAST({jishu_carried_sql} AS BIGINT) * {rate_carried.numerator * (den // rate_carried.denominator)}")
    return sql_div_half_up(num, day_basis * den)


def days_from(on: date) -> int:
    """Days from `on` to the end of its interest year, inclusive (0 when `on` is the next year's 7/1)."""
    _, ye = interest_year(on if on.month != 7 or on.day != 1 else date(on.year, 6, 30))
    return max((ye - on).days + 1, 0)


def jishu_before(*, projected: int, balance: int, on: date) -> int:
    """积数 through the day before `on`: the projected year 积数 less the balance's share from `on` to 6/30.
    (The day money leaves does not earn; a settlement on 6/30 uses on = 7/1, i.e. the whole projection.)"""
    return projected - balance * days_from(on)


@dataclass(frozen=True)
class Rates:
    """The rates of one rate period: annual rates of the two sub-balances and the day basis."""

    current: Fraction
    carried: Fraction
    day_basis: int

    def daily(self) -> tuple[Fraction, Fraction]:
        return self.current / self.day_basis, self.carried / self.day_basis


def interest_of_periods(parts: Sequence[tuple[int, int, Rates]]) -> int:
    """Interest over rate periods: each period's own 积数 (current, carried) at its own rates, the total rounded
    HALF_UP to the fen once. One period is interest_of."""
    total = Fraction(0)
    for jishu_current, jishu_carried, rates in parts:
        dc, dk = rates.daily()
        total += jishu_current * dc + jishu_carried * dk
    return div_half_up(total.numerator, total.denominator)


def sql_interest_periods(jishu_current_sql: str, jishu_carried_sql: str, *, final: Rates,
                         cuts: Sequence[tuple[str, str, Rates]]) -> str:
    """SQL twin of interest_of_periods, integers only. `jishu_*_sql` is the whole 积数 from 7/1; each cut is the
    cumulative 积数 (current, carried) from 7/1 to the day before a rate change, oldest first, with the rates of
    the period that ends there; `final` is the rates after the last cut. Period k's own 积数 is C_k − C_(k−1), so
    Σ_k (C_k − C_(k−1)) d_k + (J − C_n) d_final = J d_final + Σ_k C_k (d_k − d_(k+1)) (d: a daily rate); the daily
    rates go over their least common denominator, as in sql_interest."""
    dailies = [*(r.daily() for _, _, r in cuts), final.daily()]
    den = math.lcm(*(d.denominator for pair in dailies for d in pair))
    terms = []

    def term(sql_expr: str, coef: Fraction) -> None:
        n = coef * den
        if n:
            terms.append(f"CAST({sql_expr} AS BIGINT) * {int(n)}")

    term(jishu_current_sql, dailies[-1][0])
    term(jishu_carried_sql, dailies[-1][1])
    for k, (c_sql, k_sql, _) in enumerate(cuts):
        term(c_sql, dailies[k][0] - dailies[k + 1][0])
        term(k_sql, dailies[k][1] - dailies[k + 1][1])
    return sql_div_half_up(" + ".join(terms) or "0", den)
