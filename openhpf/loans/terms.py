"""The loan terms the application needs, behind one small interface: rate, the caps on the amount (each named),
the age limit at the end of the term, the continuity required, the maximum term, the second-home basis.

The figures come from the loan product in force (`products.product_in_force`: the center's own version of the
code, else the national one; the application's product, `HPF` by default): the city cap, the minimum down
payments, the amount multiple, the repayment-capacity ratio, the maximum term. The rate is the band in force
(`products.rate_in_force`), the age limit the statutory retirement date (`retirement.retirement_date`) plus
`loan.term.retirement_plus_years`. What no product field holds stays an effective-dated policy value
(`core.policy`, center row over national row, seeded by `loans/0003`): the months paid without a gap, the LTV
cap, the second-home basis, the developer's guarantee for a 期房."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Context, Decimal
from typing import Any

from openhpf.core.codes import RepaymentMethod
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value

from .calculations import add_months, monthly_rate
from .models import LoanProduct
from .products import RETIREMENT_YEARS_KEY, product_in_force, rate_in_force
from .retirement import original_age_for, retirement_age_months, retirement_date

_CTX = Context(prec=50)

DEFAULT_PRODUCT = "HPF"
MIN_MONTHS = "loan.min_months_continuous"
SECOND_HOME_BASIS = "loan.second_home.basis"
OFF_PLAN_GUARANTEE = "loan.off_plan.guarantee"
MAX_LTV = "loan.max_ltv"
FEMALE_ORIGINAL_AGE = "loan.female.original_age"
ORIGINAL_AGES_FEMALE = (50, 55)  # 女工人 / 女干部（管理和技术岗位）

# 认房 / 认贷: what makes an application a second home (a local rule: each center chooses)
BASES = {"house_and_loan": "认房又认贷", "house_only": "认房不认贷", "loan_only": "认贷不认房"}


def _pv(key: str, center: Any, on: date) -> Any:
    return policy_value(key, on=on, center=center)


def product_for(*, center: Any, on: date, product: str = DEFAULT_PRODUCT) -> LoanProduct:
    """The version of the product in force for the center on the date (refused with LOAN_PRODUCT_UNKNOWN)."""
    return product_in_force(product or DEFAULT_PRODUCT, on=on, center=center)


def rate_for(*, second_home: bool, months: int, center: Any, on: date) -> Decimal:
    """The annual rate in % (Decimal("2.6") for 2.6%) for the home order and the contract term, in force on `on`
    (the contract date: a new loan's repricing date is its own): the bands ≤ 5 years / > 5 years of
    `products.rate_in_force`."""
    return rate_in_force("second" if second_home else "first", months, on=on, center=center)


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
               monthly_income: int, months: int, method: str, annual_rate: Decimal, product: str = DEFAULT_PRODUCT,
               contribution_years: Decimal | None = None, other_payment: int = 0) -> list[Cap]:
    """Every cap on the amount, each named, from the product in force: the city cap (single or couple), the
    amount multiple (the household's balances × N, or — when the product counts years — the years of
    contribution × the amount per year), the down payment (price less the minimum down payment), the repayment
    capacity (the payment at most the capacity ratio of the household's monthly income, less `other_payment`: the
    commercial part's monthly payment of a 组合贷款)."""
    p = product_for(center=center, on=on, product=product)
    highest = int(p.cap_couple if couple else p.cap_single)
    down = Decimal(p.down_second if second_home else p.down_first)
    ratio = Decimal(p.capacity_ratio)
    if p.multiple_basis == LoanProduct.MultipleBasis.YEARS:
        years = max(Decimal(contribution_years or 0), Decimal(0))
        by_multiple = int((years * p.per_year_amount).to_integral_value(rounding=ROUND_DOWN))
        multiple_basis = f"缴存年限 {years.normalize():f} 年 × 每年 {p.per_year_amount // 100:,} 元"
    else:
        multiple = Decimal(p.balance_multiple)
        by_multiple = int((Decimal(max(household_balance, 0)) * multiple).to_integral_value(rounding=ROUND_DOWN))
        multiple_basis = f"家庭账户余额 × {multiple.normalize():f} 倍"
    payment = int((Decimal(monthly_income) * ratio).to_integral_value(rounding=ROUND_DOWN)) - max(int(other_payment), 0)
    by_price = int((Decimal(price) * (1 - down)).to_integral_value(rounding=ROUND_DOWN))
    return [
        Cap("cap_highest", "最高贷款额度", highest, "夫妻共同申请" if couple else "单人申请"),
        Cap("cap_balance", "账户余额倍数额度", by_multiple, multiple_basis),
        Cap("cap_down_payment", "首付比例限额", by_price,
            f"房价 × (1 − 最低首付 {(down * 100).normalize():f}%)（{'二套' if second_home else '首套'}）"),
        Cap("cap_capacity", "还款能力限额", capacity_principal(payment, annual_rate, months, method),
            f"月还款额不超过家庭月收入的 {(ratio * 100).normalize():f}%"
            + (f"（扣除商业贷款月还款 {format_fen(other_payment)} 元）" if other_payment else "")),
    ]


def max_end_age(*, sex: str, center: Any, on: date, birth: date | None = None,
                original_age: int | None = None) -> int:
    """The oldest a borrower may be (whole years) when the loan ends: the age on the statutory retirement date
    (`retirement.retirement_date`, by sex, birth month and original retirement age — by default 60 for men, 50
    for women) plus `loan.term.retirement_plus_years`. Without a birth date, the table's age for those born last
    (the age the reform reaches)."""
    sex = str(sex)
    original = original_age if original_age is not None else original_age_for(sex)
    plus = int(_pv(RETIREMENT_YEARS_KEY, center, on))
    if birth is None:
        return (retirement_age_months(date(9999, 1, 1), sex, original) + 12 * plus) // 12
    limit = add_months(retirement_date(birth, sex, original), 12 * plus)
    return limit.year - birth.year - ((limit.month, limit.day) < (birth.month, birth.day))


def age_months(birth: date, on: date) -> int:
    """A person's age in whole months on `on` (a month is complete on the birth date's day of month)."""
    return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)


def max_end_age_months(*, sex: str, birth: date, center: Any, on: date, original_age: int | None = None) -> int:
    """The AGE rule's limit, by month: the statutory retirement age in months for the birth month, sex and
    original retirement age (the `RetirementAge` table: the retirement date is the birth date + that many months)
    plus 12 × `loan.term.retirement_plus_years`. A loan whose last due date makes the borrower older (in whole
    months) is refused."""
    sex = str(sex)
    original = original_age if original_age is not None else original_age_for(sex)
    return retirement_age_months(birth, sex, original) + 12 * int(_pv(RETIREMENT_YEARS_KEY, center, on))


def female_original_age(*, center: Any, on: date) -> int:
    """The default original retirement age of a woman borrower (policy `loan.female.original_age`: 50 女工人;
    the counter enters 55 for a woman cadre)."""
    return int(_pv(FEMALE_ORIGINAL_AGE, center, on))


def months_text(m: int) -> str:
    years, months = divmod(int(m), 12)
    return f"{years} 岁 {months} 个月" if months else f"{years} 岁"


def min_months_continuous(*, center: Any, on: date) -> int:
    return int(_pv(MIN_MONTHS, center, on))


def max_months(*, center: Any, on: date, product: str = DEFAULT_PRODUCT) -> int:
    """The product's longest term."""
    return int(product_for(center=center, on=on, product=product).max_term_months)


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

