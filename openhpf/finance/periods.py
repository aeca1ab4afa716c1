"""Reporting periods of the financial statements: a month, a quarter, a year, or the year to a given date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

_MONTH = re.compile(r"^(\d{4})-?(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """[start, end] inclusive; `kind` is month, quarter, year or date (the year to that date)."""

    kind: str
    start: date
    end: date
    code: str  # the canonical text form: 2026-11, 2026-Q4, 2026, 2026-11-15

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年度"
        return f"{self.start.year}年1月1日至{self.end.month}月{self.end.day}日"

    @property
    def year_start(self) -> date:
        return date(self.end.year, 1, 1)

    @property
    def before_start(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def months(self) -> list[tuple[int, int]]:
        """The accounting periods (months) the period covers; an as-of date counts its whole month."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def parse_period(value: str | None, *, default: date) -> Period:
    """'2026-11' (month), '2026-Q4' (quarter), '2026' (year) or '2026-11-15' (year to date); empty: the month
    of `default` (the business date)."""
    text = (value or "").strip()
    if not text:
        text = f"{default:%Y-%m}"
    bad = DomainError(ErrorCode.PERIOD_FORMAT, f"报表期间“{text}”格式不正确，应为 YYYY-MM、YYYY-Qn、YYYY 或 YYYY-MM-DD",
                      field="period")
    if m := _DATE.match(text):
        try:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise bad from None
        _check_year(d.year, bad)
        return Period("date", date(d.year, 1, 1), d, d.isoformat())
    if m := _MONTH.match(text):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise bad
        _check_year(y, bad)
        return Period("month", date(y, mo, 1), month_end(y, mo), f"{y:04d}-{mo:02d}")
    if m := _QUARTER.match(text):
        y, q = int(m.group(1)), int(m.group(2))
        _check_year(y, bad)
        return Period("quarter", date(y, 3 * q - 2, 1), month_end(y, 3 * q), f"{y:04d}-Q{q}")
    if m := _YEAR.match(text):
        y = int(m.group(1))
        _check_year(y, bad)
        return Period("year", date(y, 1, 1), date(y, 12, 31), f"{y:04d}")
    raise bad


def parse_year(value: object) -> int:
    try:
        y = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(ErrorCode.YEAR_FORMAT, f"年度格式不正确：{value}", field="year") from None
    _check_year(y, DomainError(ErrorCode.YEAR_FORMAT, f"年度超出范围：{value}", field="year"))
    return y


def _check_year(y: int, error: DomainError) -> None:
    if not 1990 <= y <= 2999:
        raise error
