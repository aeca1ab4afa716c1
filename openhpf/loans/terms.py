"""The loan terms the application needs, behind one small interface: rate, the caps on the amount (each named),
the age limit at the end of the term, the continuity required, the maximum term, the second-home basis.

Every figure is an effective-dated policy value (`core.policy`, center row over national row), seeded by
migration `loans/0003` with example national defaults; a center sets its own through the policy screens
(maker-checker). The products work (rate bands, caps and uplifts, the retirement-age table) replaces the bodies
of these functions, not their signatures: `rate_for`, `limits_for`, `max_end_age`, `min_months_continuous`,
`max_months`, `second_home_basis`, `off_plan_needs_guarantee`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Context, Decimal
from typing import Any

from openhpf.core.codes import RepaymentMethod
from openhpf.core.policy import policy_value

from .calculations import monthly_rate

_CTX = Context(prec=50)

CAP_SINGLE = "loan.cap.single"
CAP_COUPLE = "loan.cap.couple"
MULTIPLE = "loan.multiple.balance"
DOWN_FIRST = "loan.min_down_payment.first"
DOWN_SECOND = "loan.min_down_payment.second"
CAPACITY = "loan.capacity_ratio"
MIN_MONTHS = "loan.min_months_continuous"
MAX_MONTHS = "loan.max_months"
END_AGE_MALE = "loan.max_end_age.male"
END_AGE_FEMALE = "loan.max_end_age.female"
SECOND_HOME_BASIS = "loan.second_home.basis"
OFF_PLAN_GUARANTEE = "loan.off_plan.guarantee"
MAX_LTV = "loan.max_ltv"

# 认房 / 认贷: what makes an application a second home (a local rule: each center chooses)
BASES = {"house_and_loan": "认房又认贷", "house_only": "认房不认贷", "loan_only": "认贷不认房"}


def _pv(key: str, center: Any, on: date) -> Any:
    return policy_value(key, on=on, center=center)


def rate_for(*, second_home: bool, months: int, center: Any, on: date) -> Decimal:
    """The annual rate in % (Decimal("2.6") for 2.6%) for the home order and the contract term: the bands
    ≤ 5 years / > 5 years (policy `loan.rate.{first|second}.{le5|gt5}`, kept as fractions)."""
    key = f"loan.rate.{'second' if second_home else 'first'}.{'le5' if months <= 60 else 'gt5'}"
    return (Decimal(str(_pv(key, center, on))) * 100).normalize()


@dataclass(frozen=True)
class Cap:
    code: str  # the rule input it feeds: cap_highest, cap_balance, cap_down_payment, cap_capacity
    name: str  # in a clerk's words
    amount: int  # fen
    basis: str  # how it was computed, in a clerk's words


def capacity_principal(payment: int, annual_rate: Decimal, months: int, method: str) -> int:
    """The largest principal (fen, rounded down) whose monthly payment (the first one for 等额本金) is ≤ `payment`."""
    if payment <= 0 or months <= 0:
        return 0
    r = monthly_rate(annual_rate)
    p = Decimal(payment)
    if r == 0:
        top = p * months
    elif method == RepaymentMethod.EQUAL_PRINCIPAL:
        top = _CTX.divide(p, _CTX.divide(Decimal(1), Decimal(months)) + r)
    else:
        g = _CTX.power(1 + r, months)
        top = _CTX.divide(_CTX.multiply(p, g - 1), _CTX.multiply(r, g))
    return int(top.to_integral_value(rounding=ROUND_DOWN))


def limits_for(*, center: Any, on: date, couple: bool, household_balance: int, price: int, second_home: bool,
               monthly_income: int, months: int, method: str, annual_rate: Decimal) -> list[Cap]:
    """Every cap on the amount, each named: the highest amount (single or couple), the account-balance multiple,
    the down payment (price less the minimum down payment), the repayment capacity (the payment at most the
    capacity ratio of the household's monthly income)."""
    highest = int(_pv(CAP_COUPLE if couple else CAP_SINGLE, center, on))
    multiple = int(_pv(MULTIPLE, center, on))
    down = Decimal(str(_pv(DOWN_SECOND if second_home else DOWN_FIRST, center, on)))
    ratio = Decimal(str(_pv(CAPACITY, center, on)))
    payment = int((Decimal(monthly_income) * ratio).to_integral_value(rounding=ROUND_DOWN))
    by_price = int((Decimal(price) * (1 - down)).to_integral_value(rounding=ROUND_DOWN))
    return [
        Cap("cap_highest", "最高贷款额度", highest, "夫妻共同申请" if couple else "单人申请"),
        Cap("cap_balance", "账户余额倍数额度", max(household_balance, 0) * multiple,
            f"家庭账户余额 × {multiple} 倍"),
        Cap("cap_down_payment", "首付比例限额", by_price,
            f"房价 × (1 − 最低首付 {(down * 100).normalize()}%)（{'二套' if second_home else '首套'}）"),
        Cap("cap_capacity", "还款能力限额", capacity_principal(payment, annual_rate, months, method),
            f"月还款额不超过家庭月收入的 {(ratio * 100).normalize()}%"),
    ]


def max_end_age(*, sex: str, center: Any, on: date) -> int:
    """The oldest a borrower may be when the loan ends (by sex: 1 male, 2 female)."""
    return int(_pv(END_AGE_FEMALE if str(sex) == "2" else END_AGE_MALE, center, on))


def min_months_continuous(*, center: Any, on: date) -> int:
    return int(_pv(MIN_MONTHS, center, on))


def max_months(*, center: Any, on: date) -> int:
    return int(_pv(MAX_MONTHS, center, on))


def max_ltv(*, center: Any, on: date) -> Decimal:
    return Decimal(str(_pv(MAX_LTV, center, on)))


def second_home_basis(*, center: Any, on: date) -> str:
    basis = str(_pv(SECOND_HOME_BASIS, center, on))
    return basis if basis in BASES else "house_and_loan"


def is_second_home(basis: str, *, homes: int | None, hpf_loans: int) -> bool | None:
    """The local rule over the registry's answer (认房: homes registered to the household) and the household's
    HPF loan history (认贷). None when the rule needs the registry and it did not answer."""
    by_loan = hpf_loans > 0
    if basis == "loan_only":
        return by_loan
    if homes is None:
        return True if (basis == "house_and_loan" and by_loan) else None
    by_house = homes > 0
    return by_house if basis == "house_only" else (by_house or by_loan)


def off_plan_needs_guarantee(*, center: Any, on: date) -> bool:
    return bool(_pv(OFF_PLAN_GUARANTEE, center, on))

