"""缴存年月 (contribution months, 'YYYYMM') and their arithmetic, shared by every area of contributions."""

from __future__ import annotations

from datetime import date

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError


def ym(d: date) -> str:
    """date → 'YYYYMM' (缴存年月)."""
    return f"{d.year:04d}{d.month:02d}"


def ym_parse(value: str, field: str = "month") -> str:
    """'2026-11' or '202611' → '202611', or DomainError MONTH_FORMAT."""
    v = (value or "").strip().replace("-", "")
    if len(v) != 6 or not v.isdigit() or not 1 <= int(v[4:]) <= 12:
        raise DomainError(ErrorCode.MONTH_FORMAT, f"年月格式不正确（应为 YYYY-MM）：{value}", field=field)
    return v


def ym_index(v: str) -> int:
    """'YYYYMM' → months since year 0 (for differences)."""
    return int(v[:4]) * 12 + int(v[4:]) - 1


def ym_from_index(i: int) -> str:
    return f"{i // 12:04d}{i % 12 + 1:02d}"


def ym_add(v: str, n: int) -> str:
    return ym_from_index(ym_index(v) + n)


def ym_range(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive (empty when first > last)."""
    return [ym_from_index(i) for i in range(ym_index(first), ym_index(last) + 1)]


def ym_first_day(v: str) -> date:
    return date(int(v[:4]), int(v[4:]), 1)
