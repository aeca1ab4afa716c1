"""Money: integer fen (分) everywhere; Decimal with ROUND_HALF_UP (四舍五入) only at the edges; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from .errors import DomainError

FEN_PER_YUAN = 100


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero (四舍五入), exact for any integers."""
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


def sql_div_half_up(numerator_sql: str, denominator: int) -> str:
    """The SQL twin of div_half_up for a positive integer denominator: integer arithmetic on both databases.

    SQLite and PostgreSQL both truncate integer division toward zero, so half-up is
    (|n| * 2 + d) / (2 d) with the sign put back. The numerator is taken as a BIGINT: on PostgreSQL a small
    literal is a 32-bit integer (n * 2 would overflow past 2^30) and a SUM of BIGINTs is a numeric (whose `/`
    does not truncate). Exact while |n| * 2 + d < 2^63; past that PostgreSQL refuses (bigint out of range)
    and SQLite would fall back to a double, so callers keep their products well inside it."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    n = f"CAST(({numerator_sql}) AS BIGINT)"
    return (
        f"(CASE WHEN {n} < 0 THEN -((-{n} * 2 + {denominator}) / {2 * denominator}) "
        f"ELSE (({n} * 2 + {denominator}) / {2 * denominator}) END)"
    )


def as_fraction(rate: Decimal | Fraction | str | int) -> Fraction:
    """An exact rational for a rate given as Decimal/str ("0.015") or Fraction."""
    if isinstance(rate, Fraction):
        return rate
    return Fraction(Decimal(str(rate)))


def mul_half_up(amount_fen: int, rate: Decimal | Fraction | str | int) -> int:
    """amount × rate rounded HALF_UP to the fen, exactly (rate as an exact rational)."""
    r = as_fraction(rate)
    return div_half_up(amount_fen * r.numerator, r.denominator)


def parse_yuan(value: str | Decimal | int, *, field: str | None = None, row: int | None = None) -> int:
    """'1,234.565' yuan → 123457 fen (HALF_UP). Refuses floats and non-numbers with a clear error."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        d = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise DomainError("MONEY_INVALID", f"金额格式不正确：{value}", field=field, row=row) from None
    if not d.is_finite():
        raise DomainError("MONEY_INVALID", f"金额格式不正确：{value}", field=field, row=row)
    return int((d * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_fen(fen: int, *, grouping: bool = True) -> str:
    """123456 → '1,234.56' (yuan, two decimals)."""
    d = fen_to_yuan(fen)
    return f"{d:,.2f}" if grouping else f"{d:.2f}"


def round_fen(amount_fen: int, unit: str) -> int:
    """Round an amount in fen to the center's unit: 'fen' (none), 'jiao' (角) or 'yuan' (元), HALF_UP."""
    step = {"fen": 1, "jiao": 10, "yuan": 100}[unit]
    if step == 1:
        return amount_fen
    return div_half_up(amount_fen, step) * step
