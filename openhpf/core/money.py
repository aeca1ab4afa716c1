"""Money: integer fen (分) everywhere; Decimal with ROUND_HALF_UP (四舍五入) only at the edges; never float.

What people read goes through two formatters: `format_fen` (amounts in 元, thousands separators, two
decimals) and `format_ratio` / `format_ratio_e4` (ratios in %, up to two decimals, no trailing zeros).
What people type comes in through `parse_yuan` (元 → fen, refusing digits below the fen) and `parse_percent`
(% → 万分之)."""

from __future__ import annotations

import string
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .error_codes import ErrorCode
from .errors import DomainError

FEN_PER_YUAN = 100
E4_PER_UNIT = 10000  # a ratio stored as an integer in 万分之 (1200 = 12%)


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
    """'1,234.56' yuan → 123456 fen, exactly. Refuses floats, non-numbers and digits below the fen ('1234.565':
    money is never rounded silently) with a clear error."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        d = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise DomainError(ErrorCode.MONEY_INVALID, f"金额格式不正确：{value}", field=field, row=row) from None
    if not d.is_finite():
        raise DomainError(ErrorCode.MONEY_INVALID, f"金额格式不正确：{value}", field=field, row=row)
    fen = d * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise DomainError(ErrorCode.MONEY_SUB_FEN, f"金额至多两位小数（元到分），不能四舍五入：{value}", field=field, row=row)
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    """123456 → Decimal('1234.56'), exactly (a shift of the decimal point, no division)."""
    if isinstance(fen, float):
        raise TypeError("money must not be a float")
    return Decimal(int(fen)).scaleb(-2)


def format_fen(fen: int, *, grouping: bool = True) -> str:
    """123456 → '1,234.56' (yuan, two decimals); grouping=False → '1234.56' (machine-readable files)."""
    d = fen_to_yuan(fen)
    return f"{d:,.2f}" if grouping else f"{d:.2f}"


def format_ratio_e4(e4: int) -> str:
    """A ratio in 万分之 as people read it: 1200 → '12%', 1250 → '12.5%', 1234 → '12.34%', 5 → '0.05%'."""
    if isinstance(e4, float | bool):
        raise TypeError("a ratio in 万分之 must be an integer")
    sign = "-" if e4 < 0 else ""
    whole, hundredths = divmod(abs(int(e4)), 100)
    frac = f".{hundredths:02d}".rstrip("0") if hundredths else ""
    return f"{sign}{whole:,}{frac}%"


def ratio_to_e4(ratio: Decimal | Fraction | str | int) -> int:
    """An exact ratio (Decimal('0.12'), '0.125', Fraction(1, 3)) → 万分之, HALF_UP: 1200, 1250, 3333."""
    r = as_fraction(ratio)
    return div_half_up(r.numerator * E4_PER_UNIT, r.denominator)


def format_ratio(ratio: Decimal | Fraction | str | int | None) -> str:
    """A ratio held as a fraction of one: Decimal('0.1200') → '12%', Fraction(843215, 10**6) → '84.32%' (HALF_UP to
    two decimals of a percent); None (no ratio, e.g. a zero denominator) → '—'."""
    if ratio is None:
        return "—"
    if isinstance(ratio, float):
        raise TypeError("a ratio must not be a float")
    return format_ratio_e4(ratio_to_e4(ratio))


def format_permille(ratio: Decimal | Fraction | str | int | None) -> str:
    """A ratio of one in ‰ (千分之, the supervision's 逾期率), HALF_UP to two decimals: Fraction(1, 800) → '1.25‰';
    None → '—'."""
    if ratio is None:
        return "—"
    if isinstance(ratio, float):
        raise TypeError("a ratio must not be a float")
    r = as_fraction(ratio)
    v = div_half_up(r.numerator * 100_000, r.denominator)
    sign = "-" if v < 0 else ""
    whole, hundredths = divmod(abs(v), 100)
    return f"{sign}{whole:,}.{hundredths:02d}‰"


def parse_percent(value: str | Decimal | int, *, field: str | None = None, row: int | None = None) -> int:
    """'12' / '12%' / '12.5％' (percent, as people type it) → 万分之 (1200, 1250), exactly.

    Refuses floats, non-numbers and digits below 0.01 % ('0.005': a ratio is never rounded silently) with a clear
    error."""
    if isinstance(value, float):
        raise TypeError("a ratio must not be a float")
    text = str(value).replace("％", "").replace("%", "").strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise DomainError(ErrorCode.RATIO_INVALID, f"比例格式不正确：{value}（请填写百分数，如 12 或 12.5%）",
                          field=field, row=row) from None
    if not d.is_finite():
        raise DomainError(ErrorCode.RATIO_INVALID, f"比例格式不正确：{value}（请填写百分数，如 12 或 12.5%）", field=field, row=row)
    e4 = d * 100
    if e4 != e4.to_integral_value():
        raise DomainError(ErrorCode.RATIO_INVALID, f"比例最多精确到 0.01%，不能四舍五入：{value}", field=field, row=row)
    return int(e4)


def e4_to_ratio(e4: int) -> Decimal:
    """1200 → Decimal('0.1200'): the four-place ratio the accounts keep."""
    return Decimal(int(e4)).scaleb(-4)


def round_fen(amount_fen: int, unit: str) -> int:
    """Round an amount in fen to the center's unit: 'fen' (none), 'jiao' (角) or 'yuan' (元), HALF_UP."""
    step = {"fen": 1, "jiao": 10, "yuan": 100}[unit]
    if step == 1:
        return amount_fen
    return div_half_up(amount_fen, step) * step


class _MessageFormatter(string.Formatter):
    """str.format with three more specs for values that reach people: {0:yuan} (fen → '2,808.24'),
    {0:percent_e4} (万分之 → '12%') and {0:percent} (a fraction of one → '12%'). Empty values stay empty."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in ("yuan", "percent_e4", "percent"):
            if value is None or value == "":
                return ""
            try:
                if format_spec == "yuan":
                    return format_fen(int(value))
                if format_spec == "percent_e4":
                    return format_ratio_e4(int(value))
                return format_ratio(Decimal(str(value)))
            except (ValueError, InvalidOperation):
                return str(value)  # not a number (the file's own text): shown as given
        return str(super().format_field(value, format_spec))


_MESSAGES = _MessageFormatter()


def format_message(template: str, *args: Any, **kwargs: Any) -> str:
    """A message template for people, filled like str.format: "缴存基数 {0:yuan} 元" with 1170100 → "缴存基数 11,701.00 元"."""
    return _MESSAGES.format(template, *args, **kwargs)
