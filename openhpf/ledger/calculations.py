"""The ledger's money rules, in Python for one posting and as their SQL twins for batches (tested together).

积数 (fen·days): a posting with value date v changes the balance from day v onward, so it adds
amount × (days from v to the interest year's 6/30, inclusive). A value date before the year's start counts
from 7/1 here, but the postings refuse one (VALUE_DATE_BEFORE_YEAR): that year is settled, and counting it from
7/1 would silently lose the old year's days (docs/domain.md "Value dates across the year end")."""

from __future__ import annotations

from datetime import date

from openhpf.core.calendar import interest_year
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError


def jishu_days(value_date: date, year_start: date, year_end: date) -> int:
    if value_date > year_end:
        raise DomainError(ErrorCode.VALUE_DATE_AFTER_YEAR, f"起息日 {value_date} 晚于本计息年度末 {year_end}", field="value_date")
    return (year_end - max(value_date, year_start)).days + 1


def jishu_of(amount: int, value_date: date, business_date: date) -> int:
    start, end = interest_year(business_date)
    return amount * jishu_days(value_date, start, end)


def year_days(year_start: date) -> int:
    start, end = interest_year(year_start)
    return (end - start).days + 1


def sql_jishu_days(vendor: str, value_date_col: str, year_start: date, year_end: date) -> str:
    """SQL twin of jishu_days (dates are literals built from date objects, never user text).

    PostgreSQL subtracts DATEs, an integer. SQLite has no integer date difference on every version it runs
    on (unixepoch() is 3.38+; its date functions all pass through a double inside): julianday() of a whole
    date is n + 0.5 with n < 2^23, exact in a double, so the difference is an exact integer, cast to INTEGER
    before any money is multiplied by it. (Day numbers built from the text with integer arithmetic alone
    give the same result at four to five times the cost per row.)"""
    ys, ye = year_start.isoformat(), year_end.isoformat()
    if vendor == "postgresql":
        return f"((DATE '{ye}' - GREATEST({value_date_col}, DATE '{ys}')) + 1)"
    return f"(CAST(julianday('{ye}') - julianday(MAX({value_date_col}, '{ys}')) AS INTEGER) + 1)"
