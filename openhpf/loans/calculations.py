"""The loan calculator: pure and exact, no database.

Conventions (docs/loans.md):
- Money is integer fen; the annual rate is a Decimal percentage (`Decimal("2.85")` for 2.85%); the monthly rate is
  annual / 12, kept exact in Decimal arithmetic (50 significant digits) until a figure is rounded HALF_UP to the fen.
- 等额本息 (`RepaymentMethod.ANNUITY`, "01"): payment = P·r(1+r)^n / ((1+r)^n − 1), rounded; each month's interest =
  balance × r, rounded; principal = payment − interest; the last installment clears the remaining principal.
- 等额本金 (`RepaymentMethod.EQUAL_PRINCIPAL`, "02"): principal = P / n rounded, the last installment takes the
  remainder; interest = balance × r, rounded.
- A month's principal never exceeds the remaining balance, so a tiny loan's schedule may end early.
- Rate 0: equal principal, no interest, whatever the method.
- The first period's interest is a full month, unless `first_period_days` is given: then it is balance × annual /
  360 × days (a real loan, from disbursement to the first due date, when the product says so). The principal of
  that installment stays as the full-month amortization has it.
- Due dates: the first due date, then the same day of each following month (the month's last day when shorter)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

from openhpf.core.codes import RepaymentMethod

_CTX = Context(prec=50, rounding=ROUND_HALF_UP)
_ONE = Decimal(1)
METHODS = (RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL)


@dataclass(frozen=True, slots=True)
class Installment:
    period: int
    due_date: date
    payment: int  # fen: principal + interest
    principal: int
    interest: int
    balance: int  # remaining principal after this installment


def fen(x: Decimal) -> int:
    """HALF_UP to the fen (x already in fen)."""
    return int(x.quantize(_ONE, rounding=ROUND_HALF_UP))


def monthly_rate(annual_rate: Decimal) -> Decimal:
    """annual % → the monthly rate as a fraction, exact."""
    return _CTX.divide(Decimal(annual_rate), Decimal(1200))


def add_months(anchor: date, k: int) -> date:
    """The anchor's day of month, k months later (the month's last day when that month is shorter)."""
    y, m = divmod(anchor.month - 1 + k, 12)
    year, month = anchor.year + y, m + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def annuity_payment(principal: int, annual_rate: Decimal, months: int) -> int:
    """等额本息's monthly payment in fen (rate 0: principal / months)."""
    _check(principal, annual_rate, months)
    r = monthly_rate(annual_rate)
    if r == 0:
        return fen(_CTX.divide(Decimal(principal), Decimal(months)))
    g = _CTX.power(_ONE + r, months)
    return fen(_CTX.divide(_CTX.multiply(_CTX.multiply(Decimal(principal), r), g), g - _ONE))


def _check(principal: int, annual_rate: Decimal, months: int) -> None:
    if isinstance(principal, bool) or not isinstance(principal, int) or principal <= 0:
        raise ValueError("贷款金额应为大于零的金额")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError("贷款期限应为至少 1 个月")
    if Decimal(annual_rate) < 0:
        raise ValueError("贷款利率不能为负")


def iter_schedule(principal: int, annual_rate: Decimal, months: int, method: str, first_due: date, *,
                  first_period_days: int | None = None) -> Iterator[Installment]:
    """The installments one by one (a generator, so that 20 million rows stream)."""
    _check(principal, annual_rate, months)
    if method not in METHODS:
        raise ValueError(f"还款方式 {method} 不是等额本息（01）或等额本金（02）")
    r = monthly_rate(annual_rate)
    equal_principal = method == RepaymentMethod.EQUAL_PRINCIPAL or r == 0
    if equal_principal:
        step = fen(_CTX.divide(Decimal(principal), Decimal(months)))
    else:
        payment = annuity_payment(principal, annual_rate, months)
    daily = _CTX.divide(Decimal(annual_rate), Decimal(36000))
    balance = principal
    for period in range(1, months + 1):
        interest = fen(_CTX.multiply(Decimal(balance), r))
        part = step if equal_principal else payment - interest
        if period == months or part > balance:
            part = balance
        if period == 1 and first_period_days is not None:
            interest = fen(_CTX.multiply(_CTX.multiply(Decimal(balance), daily), Decimal(first_period_days)))
        balance -= part
        yield Installment(period, add_months(first_due, period - 1), part + interest, part, interest, balance)
        if balance == 0:
            return


def schedule(principal: int, annual_rate: Decimal, months: int, method: str, first_due: date, *,
             first_period_days: int | None = None) -> list[Installment]:
    """The whole schedule: principals sum to the loan exactly, every balance ≥ 0, the last balance 0."""
    return list(iter_schedule(principal, annual_rate, months, method, first_due, first_period_days=first_period_days))
