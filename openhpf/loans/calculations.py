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
- Due dates: the first due date, then the same day of each following month (the month's last day when shorter).
- Interest is exact: balance × annual / 1200 as a fraction of integers, HALF_UP with integer arithmetic
  ((2·b·num + den) // (2·den)), so a tie (x.5 fen exactly) always rounds up, whatever the rate's decimal expansion
  (a 50-digit Decimal of 3.25/1200 = 0.0027083… rounds a true tie down). The payment of 等额本息 is computed once
  per loan in Decimal (its value is never a tie). The inner loop is integers only: millions of rows per minute.

Limits (pure, for the application and the calculator page): `amount_limit` (each cap named in Chinese, the
refusal naming every cap exceeded: `amount_refusals`), `term_limit` (maximum term and the retirement age + N
years), `repricing_date` (existing loans reprice on the next 1 January)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

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
    for period, due, part, interest, balance in schedule_rows(principal, annual_rate, months, method, first_due,
                                                               first_period_days=first_period_days):
        yield Installment(period, due, part + interest, part, interest, balance)


def rate_fraction(annual_rate: Decimal) -> tuple[int, int]:
    """The annual rate in % as an exact fraction of integers (num, den): Decimal("2.85") → (57, 20)."""
    num, den = Decimal(annual_rate).as_integer_ratio()
    return num, den


def interest_for(balance: int, annual_rate: Decimal, *, days: int | None = None) -> int:
    """One period's interest in fen, exact: balance × annual / 1200 (a month), or balance × annual / 36000 × days
    (actual days at annual/360), HALF_UP."""
    num, den = rate_fraction(annual_rate)
    if days is None:
        return (2 * balance * num + den * 1200) // (2 * den * 1200)
    return (2 * balance * num * days + den * 36000) // (2 * den * 36000)


@lru_cache(maxsize=8192)
def due_dates(first_due: date, months: int) -> tuple[date, ...]:
    """The due dates of `months` periods from `first_due` (cached: a book of loans shares few first due dates)."""
    return tuple(add_months(first_due, k) for k in range(months))


def schedule_rows(principal: int, annual_rate: Decimal, months: int, method: str, first_due: date, *,
                  first_period_days: int | None = None) -> list[tuple[int, date, int, int, int]]:
    """The schedule as plain tuples (period, due_date, principal, interest, balance): the fast form that bulk
    storage streams. Integer arithmetic only in the loop; identical to the rules in the module docstring."""
    _check(principal, annual_rate, months)
    if method not in METHODS:
        raise ValueError(f"还款方式 {method} 不是等额本息（01）或等额本金（02）")
    if first_period_days is not None and (isinstance(first_period_days, bool) or first_period_days < 0):
        raise ValueError("首期计息天数不能为负")
    num, den = rate_fraction(annual_rate)
    half, whole = den * 1200, 2 * den * 1200
    num2 = 2 * num
    if method == RepaymentMethod.EQUAL_PRINCIPAL or num == 0:
        step, annuity = (2 * principal + months) // (2 * months), False
    else:
        step, annuity = annuity_payment(principal, annual_rate, months), True
    dues = due_dates(first_due, months)
    rows: list[tuple[int, date, int, int, int]] = []
    append = rows.append
    balance = principal
    for period in range(1, months + 1):
        interest = (balance * num2 + half) // whole
        part = step - interest if annuity else step
        if period == months or part > balance:
            part = balance
        if period == 1 and first_period_days is not None:
            interest = interest_for(balance, annual_rate, days=first_period_days)
        balance -= part
        append((period, dues[period - 1], part, interest, balance))
        if balance == 0:
            break
    return rows


def schedule(principal: int, annual_rate: Decimal, months: int, method: str, first_due: date, *,
             first_period_days: int | None = None) -> list[Installment]:
    """The whole schedule: principals sum to the loan exactly, every balance ≥ 0, the last balance 0."""
    return list(iter_schedule(principal, annual_rate, months, method, first_due, first_period_days=first_period_days))


# ---- Limits: the amount a borrower may have, the longest term, the rate in force (pure; the data comes from
# the product and the policy values through openhpf/loans/products.py) ----

@dataclass(frozen=True, slots=True)
class LimitFactor:
    """One limiting factor: its name as the refusal says it, its limit (fen for amounts, months for terms) and
    how it was reached, in 元 and % ("房价 1,000,000.00 元 × (1 − 30%)")."""

    name: str
    limit: int
    basis: str


CITY_CAP = "城市最高额度"
DOWN_PAYMENT = "房价 × (1 − 最低首付比例)"
BALANCE_MULTIPLE = "账户余额 × 倍数"
YEARS_MULTIPLE = "缴存年限 × 每年额度"
CAPACITY = "还款能力（月供 ≤ 月收入 × 比例）"
MIN_AMOUNT = "最低贷款额"
MAX_TERM = "最长贷款期限"
RETIREMENT = "法定退休年龄后年限"


def _yuan(fen_amount: int) -> str:
    return f"{fen_to_yuan_text(fen_amount)} 元"


def fen_to_yuan_text(fen_amount: int) -> str:
    """123456 → '1,234.56' (the calculator keeps no Django import; the same text as core.money.format_fen)."""
    return f"{Decimal(int(fen_amount)).scaleb(-2):,.2f}"


def _pct(ratio: Decimal) -> str:
    text = f"{(Decimal(ratio) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _floor_mul(amount: int, ratio: Decimal) -> int:
    """amount × ratio rounded down to the fen: a cap is never rounded up."""
    num, den = Decimal(ratio).as_integer_ratio()
    return (amount * num) // den


def max_principal_for_payment(max_payment: int, annual_rate: Decimal, months: int, method: str) -> int:
    """The largest principal whose highest monthly payment (等额本息: the payment; 等额本金: the first installment)
    stays ≤ max_payment, exactly (the payment is monotone in the principal: a binary search on the exact rule)."""
    if max_payment <= 0:
        return 0
    num, den = rate_fraction(annual_rate)

    def highest(p: int) -> int:
        if method == RepaymentMethod.EQUAL_PRINCIPAL or num == 0:
            return (2 * p + months) // (2 * months) + (2 * p * num + den * 1200) // (2 * den * 1200)
        return annuity_payment(p, annual_rate, months)

    lo, hi = 0, (max_payment + 1) * months  # its payment ≥ round(hi / months) = max_payment + 1: too much
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if highest(mid) <= max_payment:
            lo = mid
        else:
            hi = mid
    return lo


def amount_limit(*, annual_rate: Decimal, months: int, method: str, city_cap: int, price: int | None = None,
                 min_down_payment: Decimal | None = None, balance: int | None = None,
                 balance_multiple: Decimal | None = None, contribution_years: Decimal | None = None,
                 per_year_amount: int | None = None, monthly_income: int | None = None,
                 capacity_ratio: Decimal | None = None, city_cap_basis: str = "") -> tuple[int, list[LimitFactor]]:
    """The loan amount limit and every factor that caps it (each named): the city cap (with the local uplifts
    already added), price × (1 − minimum down payment), balance × N or years of contribution × the amount per
    year, and the repayment capacity (the highest monthly payment ≤ monthly income × ratio). A factor whose inputs
    are not given is left out; the limit is the least of those given (fen, rounded down)."""
    factors = [LimitFactor(CITY_CAP, city_cap, city_cap_basis or _yuan(city_cap))]
    if price is not None and min_down_payment is not None:
        num, den = Decimal(min_down_payment).as_integer_ratio()
        cap = price - (price * num + den - 1) // den  # the down payment rounded up, the loan down
        factors.append(LimitFactor(DOWN_PAYMENT, max(cap, 0), f"房价 {_yuan(price)} × (1 − {_pct(min_down_payment)})"))
    if balance is not None and balance_multiple is not None:
        factors.append(LimitFactor(BALANCE_MULTIPLE, _floor_mul(balance, balance_multiple),
                                   f"账户余额 {_yuan(balance)} × {Decimal(balance_multiple).normalize():f} 倍"))
    if contribution_years is not None and per_year_amount is not None:
        factors.append(LimitFactor(YEARS_MULTIPLE, _floor_mul(per_year_amount, contribution_years),
                                   f"缴存 {Decimal(contribution_years).normalize():f} 年 × 每年 {_yuan(per_year_amount)}"))
    if monthly_income is not None and capacity_ratio is not None:
        max_payment = _floor_mul(monthly_income, capacity_ratio)
        factors.append(LimitFactor(CAPACITY, max_principal_for_payment(max_payment, annual_rate, months, method),
                                   f"月收入 {_yuan(monthly_income)} × {_pct(capacity_ratio)} = 月供至多 "
                                   f"{_yuan(max_payment)}（{months} 个月，年利率 {Decimal(annual_rate).normalize():f}%）"))
    return min(f.limit for f in factors), factors


def amount_refusals(requested: int, factors: list[LimitFactor], *, min_amount: int = 0) -> list[str]:
    """Every reason the requested amount is refused, each cap named (empty: within every limit)."""
    out = [f"申请金额 {_yuan(requested)} 超过{f.name}：{_yuan(f.limit)}（{f.basis}）"
           for f in factors if requested > f.limit]
    if requested < min_amount:
        out.append(f"申请金额 {_yuan(requested)} 低于{MIN_AMOUNT}：{_yuan(min_amount)}")
    return out


def term_limit(*, first_due: date, max_term: int, retirement: date | None = None,
               years_after_retirement: int = 0) -> tuple[int, list[LimitFactor]]:
    """The longest term in months and its factors: the product's maximum term, and a maturity (the last due date)
    no later than the statutory retirement date + N years."""
    factors = [LimitFactor(MAX_TERM, max_term, f"{max_term} 个月")]
    if retirement is not None:
        end = add_months(retirement, 12 * years_after_retirement)
        k = (end.year - first_due.year) * 12 + end.month - first_due.month  # months after the first due date
        if add_months(first_due, k) > end:
            k -= 1
        factors.append(LimitFactor(RETIREMENT, max(k + 1, 0),
                                   f"法定退休日期 {retirement.isoformat()} 后 {years_after_retirement} 年，"
                                   f"即 {end.isoformat()} 前到期"))
    return min(f.limit for f in factors), factors


def term_refusals(months: int, factors: list[LimitFactor]) -> list[str]:
    return [f"贷款期限 {months} 个月超过{f.name}：至多 {f.limit} 个月（{f.basis}）" for f in factors if months > f.limit]


def rate_band(home: str, months: int) -> str:
    """The policy key of the rate band: first/second home, term ≤ 5 years or > 5 years (by the contract term)."""
    if home not in ("first", "second"):
        raise ValueError("首套或二套住房应为 first 或 second")
    return f"loan.rate.{home}.{'le5' if months <= 60 else 'gt5'}"


def repricing_date(contract_date: date, on: date) -> date:
    """The date whose rate is in force for a loan on `on`: the contract date in its own year, then the 1 January of
    each later year (existing loans reprice on the next 1 January after a rate change)."""
    return max(contract_date, date(on.year, 1, 1))


def keep_payment_rows(balance: int, annual_rate: Decimal, payment: int, first_due: date, *,
                      max_months: int = 600) -> list[tuple[int, date, int, int, int]]:
    """缩短年限 (DOMAIN "Loans", prepayment): the payment stays `payment`; each month interest = balance × r
    (HALF_UP), principal = payment − interest, until the installment that clears the balance (its principal =
    the remaining balance). Periods count from 1 (the caller offsets them). Refuses a payment that does not
    cover the first month's interest."""
    if balance <= 0:
        return []
    num, den = rate_fraction(annual_rate)
    half, whole = den * 1200, 2 * den * 1200
    rows: list[tuple[int, date, int, int, int]] = []
    for period in range(1, max_months + 1):
        interest = (balance * 2 * num + half) // whole
        part = payment - interest
        if part <= 0:
            raise ValueError("月还款额不足以偿还当月利息，不能按缩短年限方式重算")
        part = min(part, balance)
        balance -= part
        rows.append((period, add_months(first_due, period - 1), part, interest, balance))
        if balance == 0:
            return rows
    raise ValueError(f"按当前月还款额 {max_months} 个月内不能还清")
