"""Money rules of accounts: the monthly contribution (月缴存额) of each side, in Python and as its SQL twin;
the order in which a debit takes a member's 当年归集 and 上年结转 balances.

Base × ratio is computed exactly (the ratio as a rational) and rounded HALF_UP once, straight to the center's
unit (`contribution.rounding`: fen / jiao / yuan): 3,564.23 × 7% = 249.4961 元 is 249 元 to the yuan, never
249.50 → 250 (docs/domain.md "Contributions"). The SQL twin does the same with integer arithmetic only, so
SQLite never uses doubles."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from openhpf.core.money import as_fraction, div_half_up, sql_div_half_up

ROUNDING_STEP = {"fen": 1, "jiao": 10, "yuan": 100}


def monthly_amount(base: int, ratio: Decimal | Fraction | str, rounding: str = "fen") -> int:
    """One side's monthly amount in fen: base × ratio rounded HALF_UP once, to the unit."""
    if rounding not in ROUNDING_STEP:
        raise ValueError(f"unknown rounding unit {rounding!r}")
    r, step = as_fraction(ratio), ROUNDING_STEP[rounding]
    return div_half_up(base * r.numerator, r.denominator * step) * step


def monthly_amounts(
    base: int, employer_ratio: Decimal | Fraction | str, member_ratio: Decimal | Fraction | str, rounding: str = "fen"
) -> tuple[int, int]:
    """(employer part, member part) in fen for a base in fen."""
    return monthly_amount(base, employer_ratio, rounding), monthly_amount(base, member_ratio, rounding)


def sql_monthly_amount(base_col: str, ratio: Decimal | Fraction | str, rounding: str = "fen") -> str:
    """SQL expression equal to monthly_amount(base_col, ratio, rounding) for a non-negative integer column.

    The ratio is inlined as an exact rational n/d (it is a policy value, never user text). The base is taken
    as a BIGINT before it is multiplied (a PostgreSQL literal or INTEGER column would overflow 32 bits)."""
    if rounding not in ROUNDING_STEP:
        raise ValueError(f"unknown rounding unit {rounding!r}")
    r, step = as_fraction(ratio), ROUNDING_STEP[rounding]
    units = sql_div_half_up(f"CAST(({base_col}) AS BIGINT) * {int(r.numerator)}", int(r.denominator) * step)
    return units if step == 1 else f"({units} * {step})"


def sql_ratio_from_e4(e4_col: str, vendor: str) -> str:
    """SQL for the ratio (e.g. Decimal 0.1200) of an integer column in units of 0.01% (1200), exact on both
    databases: NUMERIC division on PostgreSQL; on SQLite, which has no decimal type, the decimal text that
    Django itself writes for a DecimalField ("0.1200"), built with integer arithmetic (never a float
    division). For a non-negative column."""
    c = f"({e4_col})"
    if vendor == "postgresql":
        return f"(CAST({c} AS NUMERIC) / 10000)"
    return f"(CAST({c} / 10000 AS TEXT) || '.' || substr('000' || CAST({c} - {c} / 10000 * 10000 AS TEXT), -4))"


# ---------------------------------------------------------------- withdrawal order (提取扣减顺序)

WITHDRAWAL_ORDER_POLICY = "withdrawal.order"  # the policy key; its national value is CURRENT_FIRST
CURRENT_FIRST = "current_first"  # 先当年归集后上年结转 (docs/domain.md "Interest")
CARRIED_FIRST = "carried_first"  # 先上年结转后当年归集


def withdrawal_split(amount: int, *, balance_current: int, balance_carried: int,
                     order: str = CURRENT_FIRST) -> tuple[int, int]:
    """How a debit of `amount` fen from a member account divides: (taken from 当年归集, taken from 上年结转),
    both in fen, summing to `amount`.

    The first balance in `order` gives what it holds (a negative balance counts as nothing), up to the amount;
    the second gives the rest, even beyond its balance: refusing an overdraft is the ledger's job (available
    balance, non-negative balances), not this rule's. Any order other than CARRIED_FIRST is CURRENT_FIRST."""
    if order == CARRIED_FIRST:
        carried = min(max(balance_carried, 0), amount)
        return amount - carried, carried
    current = min(max(balance_current, 0), amount)
    return current, amount - current
