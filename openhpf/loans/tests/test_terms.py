"""The application's terms read the loan product in force, the rate bands and the retirement-age table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.core.actors import SystemActor
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.policy import KEYS
from openhpf.ledger.services import Line, entry_post
from openhpf.loans import terms
from openhpf.loans.models import Loan, LoanParty
from openhpf.loans.products import product_make, rate_in_force
from openhpf.loans.selectors import member_loans

pytestmark = pytest.mark.django_db

SYS = SystemActor("test")


def _caps(center, on, **kw):
    args = {"couple": False, "household_balance": 10_000_000, "price": 200_000_000, "second_home": False,
            "monthly_income": 2_000_000, "months": 360, "method": "01", "annual_rate": Decimal("2.6")} | kw
    return {c.code: c for c in terms.limits_for(center=center, on=on, **args)}


def test_caps_and_term_follow_the_centers_product_version(center):
    on = center.business_date
    caps = _caps(center, on)  # the national HPF product: 800,000 元, balance × 15, 20 % down, 50 % of income
    assert caps["cap_highest"].amount == 80_000_000
    assert _caps(center, on, couple=True)["cap_highest"].amount == 120_000_000
    assert caps["cap_balance"].amount == 150_000_000 and "× 15 倍" in caps["cap_balance"].basis
    assert caps["cap_down_payment"].amount == 160_000_000 and "20%" in caps["cap_down_payment"].basis
    assert _caps(center, on, second_home=True)["cap_down_payment"].amount == 140_000_000  # 30 %
    assert caps["cap_capacity"].amount == terms.capacity_principal(1_000_000, Decimal("2.6"), 360, "01")
    assert terms.max_months(center=center, on=on) == 360

    later = on + timedelta(days=1)
    product_make(code="HPF", center=center, effective_from=later, actor=SYS, reason="测试：本中心新版本",
                 changes={"cap_single": 60_000_000, "balance_multiple": "12.5", "down_first": "0.25",
                          "capacity_ratio": "0.4", "max_term_months": 300})
    assert _caps(center, on)["cap_highest"].amount == 80_000_000  # from its date only
    assert terms.max_months(center=center, on=on) == 360
    caps = _caps(center, later)
    assert caps["cap_highest"].amount == 60_000_000
    assert caps["cap_balance"].amount == 125_000_000 and "× 12.5 倍" in caps["cap_balance"].basis
    assert caps["cap_down_payment"].amount == 150_000_000 and "25%" in caps["cap_down_payment"].basis
    assert caps["cap_capacity"].amount == terms.capacity_principal(800_000, Decimal("2.6"), 360, "01")
    assert terms.max_months(center=center, on=later) == 300


def test_a_product_counting_years_of_contribution(center):
    on = center.business_date + timedelta(days=1)
    product_make(code="HPF", center=center, effective_from=on, actor=SYS, reason="测试：按缴存年限",
                 changes={"multiple_basis": "years", "per_year_amount": 5_000_000})
    cap = _caps(center, on, contribution_years=Decimal("3.5"))["cap_balance"]
    assert cap.amount == 17_500_000 and "缴存年限 3.5 年" in cap.basis


def test_unknown_product_is_refused(center):
    with pytest.raises(DomainError) as e:
        terms.max_months(center=center, on=center.business_date, product="NOPE")
    assert e.value.code == ErrorCode.LOAN_PRODUCT_UNKNOWN
    assert terms.max_months(center=center, on=center.business_date, product="HPF-COMBO") == 360


def test_rate_is_the_band_in_force(center):
    for second in (False, True):
        for months in (60, 61):
            for on in (date(2025, 5, 7), date(2025, 5, 8)):
                home = "second" if second else "first"
                got = terms.rate_for(second_home=second, months=months, center=center, on=on)
                assert got == rate_in_force(home, months, on=on, center=center)
    assert terms.rate_for(second_home=False, months=360, center=center, on=date(2025, 5, 7)) == Decimal("2.85")
    assert terms.rate_for(second_home=False, months=360, center=center, on=date(2025, 5, 8)) == Decimal("2.6")


@pytest.mark.parametrize(("sex", "birth", "original", "limit"), [
    ("1", date(1965, 1, 15), None, 65),  # 60 years 1 month + 5
    ("1", date(1972, 3, 1), None, 66),  # 61 years 10 months + 5
    ("1", date(1985, 6, 1), None, 68),  # 63 + 5
    ("2", date(1985, 6, 1), None, 60),  # a woman worker: 55 + 5
    ("2", date(1985, 6, 1), 55, 63),  # a woman cadre: 58 + 5
    ("1", None, None, 68),  # no birth date: the age the reform reaches
    ("2", None, 55, 63),
])
def test_end_age_from_the_retirement_table(center, sex, birth, original, limit):
    assert terms.max_end_age(sex=sex, center=center, on=center.business_date, birth=birth,
                             original_age=original) == limit


def test_the_duplicated_policy_keys_are_gone():
    for key in ("loan.cap.single", "loan.cap.couple", "loan.multiple.balance", "loan.min_down_payment.first",
                "loan.capacity_ratio", "loan.max_months", "loan.max_end_age.male"):
        assert key not in KEYS
    assert "loan.max_ltv" in KEYS and "loan.min_months_continuous" in KEYS


def test_member_loans_carry_the_principal(center):
    acct = make_account(center, make_employer(center, 1), 1)
    loan = Loan.objects.create(center=center, number="DK1", contract_no="JK1", borrower=acct.member,
                               principal=60_000_000, annual_rate=Decimal("2.6"), months=360, method="01",
                               first_due=date(2026, 1, 20), status=Loan.Status.ACTIVE, outstanding=55_000_000)
    LoanParty.objects.create(loan=loan, member=acct.member, role="borrower")
    entry_post(center=center, business_date=center.business_date, source="test", actor=SYS,
               lines=[Line("121", debit=55_000_000), Line("10101", credit=55_000_000)], description="测试：已发放的贷款")
    (got,) = member_loans(acct.member.pk, center.business_date)
    assert got.principal == 60_000_000 and got.outstanding_principal == 55_000_000
