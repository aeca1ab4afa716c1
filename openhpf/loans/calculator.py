"""The public loan calculator (贷款试算) behind the CLI (`hpf loan schedule`), the API (`GET /api/v1/loans/calculator`)
and the public page (/loans/calculator/): people's input (principal in 元, rate in %, months, method, first due
date, or a product and first/second home for the rate in force) checked into one `CalculatorInput` with a clear
Chinese error naming the field, then the schedule and its totals from `calculations`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from openhpf.core.codes import RepaymentMethod
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen

from .calculations import add_months, schedule_rows
from .products import product_in_force, rate_in_force

METHOD_NAMES = {"equal-installment": RepaymentMethod.ANNUITY, "equal-principal": RepaymentMethod.EQUAL_PRINCIPAL}
MAX_PRINCIPAL = 10_000_000_000  # 1 亿元 in fen: far above any city cap, a guard against nonsense
MAX_MONTHS = 360
MAX_RATE = Decimal(36)
HOMES = {"first": "首套住房", "second": "二套住房"}


@dataclass(frozen=True)
class CalculatorInput:
    principal: int  # fen
    annual_rate: Decimal  # %
    months: int
    method: str  # RepaymentMethod
    first_due: date
    product: str = ""
    home: str = ""


@dataclass(frozen=True)
class CalculatorResult:
    input: CalculatorInput
    rows: list[tuple[int, date, int, int, int]]  # period, due date, principal, interest, balance
    first_payment: int
    last_payment: int
    total_interest: int
    total_payment: int


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_CALCULATOR_INVALID, detail=detail, field=field)


def parse_principal(text: str | None) -> int:
    raw = str(text or "").replace(",", "").strip()
    try:
        d = Decimal(raw)
    except InvalidOperation:
        raise _bad("贷款金额应为以元为单位的数字（如 1000000 或 1000000.00）", "principal") from None
    if not d.is_finite() or d != d.quantize(Decimal("0.01")):
        raise _bad("贷款金额至多两位小数（元到分）", "principal")
    fen = int(d * 100)
    if not 0 < fen <= MAX_PRINCIPAL:
        raise _bad("贷款金额应大于零且不超过 100,000,000.00 元", "principal")
    return fen


def parse_rate(text: str | None) -> Decimal:
    raw = str(text or "").strip().removesuffix("%").removesuffix("％").strip()
    try:
        d = Decimal(raw)
    except InvalidOperation:
        raise _bad("年利率应为百分数（如 2.85 即 2.85%）", "annual_rate") from None
    if not d.is_finite() or d != d.quantize(Decimal("0.0001")):
        raise _bad("年利率至多四位小数（如 2.85 即 2.85%）", "annual_rate")
    if not 0 <= d <= MAX_RATE:
        raise _bad(f"年利率应在 0 至 {MAX_RATE}% 之间", "annual_rate")
    return d


def parse_months(text: str | None) -> int:
    raw = str(text or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_MONTHS:
        raise _bad(f"贷款期限应为 1 至 {MAX_MONTHS} 的整数（月）", "months")
    return int(raw)


def parse_method(text: str | None) -> str:
    raw = str(text or "").strip()
    if raw in METHOD_NAMES:
        return METHOD_NAMES[raw]
    if raw in (RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL):
        return raw
    raise _bad("还款方式应为等额本息（equal-installment）或等额本金（equal-principal）", "method")


def parse_first_due(text: str | None, *, today: date) -> date:
    raw = str(text or "").strip()
    if not raw:
        return add_months(today, 1)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad("首次还款日应为 YYYY-MM-DD 格式的日期", "first_due") from None


def calculator_input(*, principal: str | None, annual_rate: str | None, months: str | None, method: str | None,
                     first_due: str | None, today: date, product: str | None = None, home: str | None = None,
                     center: Center | None = None, first_due_required: bool = False) -> CalculatorInput:
    """People's input checked; with `product` (and `home`) and no rate, the rate in force today for the band."""
    p = parse_principal(principal)
    n = parse_months(months)
    m = parse_method(method)
    if first_due_required and not str(first_due or "").strip():
        raise _bad("请填写首次还款日（YYYY-MM-DD）", "first_due")
    due = parse_first_due(first_due, today=today)
    code, band = str(product or "").strip(), str(home or "").strip()
    if code or (band and not str(annual_rate or "").strip()):  # the rate in force for the band
        band = band or "first"
        if band not in HOMES:
            raise _bad("住房套数应为首套（first）或二套（second）", "home")
        if code:
            prod = product_in_force(code, on=today, center=center)
            if p < prod.min_amount:
                raise _bad(f"贷款金额低于该产品的最低贷款额 {format_fen(prod.min_amount)} 元", "principal")
            if n > prod.max_term_months:
                raise _bad(f"贷款期限超过该产品的最长期限 {prod.max_term_months} 个月", "months")
        rate = rate_in_force(band, n, on=today, center=center)
        return CalculatorInput(p, rate, n, m, due, code, band)
    return CalculatorInput(p, parse_rate(annual_rate), n, m, due)


def calculate(data: CalculatorInput) -> CalculatorResult:
    rows = schedule_rows(data.principal, data.annual_rate, data.months, data.method, data.first_due)
    interest = sum(r[3] for r in rows)
    return CalculatorResult(input=data, rows=rows, first_payment=rows[0][2] + rows[0][3],
                            last_payment=rows[-1][2] + rows[-1][3], total_interest=interest,
                            total_payment=data.principal + interest)


def method_label(method: str) -> str:
    return str(RepaymentMethod(method).label)
