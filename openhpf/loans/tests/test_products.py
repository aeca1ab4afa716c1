"""Products and policy: the seeded products, the rates with the repricing rule, the retirement age table with
hand-checked people, the amount and term limits with each factor named, and a product change through
maker-checker."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from openhpf.approvals.registry import summary_of
from openhpf.approvals.services import command_approve, command_submit
from openhpf.conftest import grant_role
from openhpf.core.codes import RepaymentMethod, Sex
from openhpf.core.errors import DomainError
from openhpf.loans.calculations import amount_refusals, annuity_payment, term_refusals
from openhpf.loans.models import LoanProduct
from openhpf.loans.products import (
    COMMAND,
    loan_rate,
    product_amount_limit,
    product_in_force,
    product_term_limit,
    rate_in_force,
)
from openhpf.loans.retirement import retirement_age_months, retirement_date

pytestmark = pytest.mark.django_db
M, F = Sex.MALE, Sex.FEMALE


@pytest.mark.parametrize(("birth", "sex", "original", "years", "months"), [
    (date(1964, 12, 31), M, 60, 60, 0),   # before the change
    (date(1965, 1, 15), M, 60, 60, 1),    # the first step: 60 years 1 month
    (date(1965, 4, 30), M, 60, 60, 1),
    (date(1965, 5, 1), M, 60, 60, 2),
    (date(1970, 12, 1), M, 60, 61, 6),    # 72 birth months after 1965-01: the 19th step
    (date(1976, 8, 31), M, 60, 62, 11),
    (date(1976, 9, 1), M, 60, 63, 0),     # the last step, 63
    (date(1990, 6, 1), M, 60, 63, 0),
    (date(1969, 12, 1), F, 55, 55, 0),
    (date(1970, 1, 1), F, 55, 55, 1),
    (date(1981, 9, 1), F, 55, 58, 0),
    (date(1974, 12, 1), F, 50, 50, 0),
    (date(1975, 1, 1), F, 50, 50, 1),
    (date(1975, 3, 1), F, 50, 50, 2),     # every 2 months for women of 50
    (date(1984, 10, 1), F, 50, 54, 11),
    (date(1984, 11, 1), F, 50, 55, 0),
    (date(2000, 1, 1), F, 50, 55, 0),
])
def test_retirement_age_by_hand(birth, sex, original, years, months):
    assert retirement_age_months(birth, sex, original) == years * 12 + months


def test_retirement_date_and_unknown_rows():
    assert retirement_date(date(1965, 1, 15), M, 60) == date(2025, 2, 15)
    assert retirement_date(date(1976, 9, 30), M, 60) == date(2039, 9, 30)
    with pytest.raises(DomainError) as e:
        retirement_date(date(1970, 1, 1), M, 55)
    assert e.value.code == "RETIREMENT_AGE_UNKNOWN" and "原退休年龄 55 岁" in e.value.message


def test_rates_by_band_and_the_1_january_repricing():
    assert rate_in_force("first", 360, on=date(2025, 1, 1)) == Decimal("2.85")
    assert rate_in_force("first", 60, on=date(2025, 1, 1)) == Decimal("2.35")
    assert rate_in_force("second", 61, on=date(2025, 5, 8)) == Decimal("3.075")
    assert rate_in_force("first", 360, on=date(2025, 5, 8)) == Decimal("2.6")
    # a loan signed in 2024 keeps 2.85 % through 2025 and takes 2.60 % on 2026-01-01
    signed = date(2024, 9, 1)
    assert loan_rate(home="first", months=360, contract_date=signed, on=date(2025, 12, 31)) == Decimal("2.85")
    assert loan_rate(home="first", months=360, contract_date=signed, on=date(2026, 1, 1)) == Decimal("2.6")
    # a loan signed after the change has the new rate at once
    assert loan_rate(home="first", months=360, contract_date=date(2025, 6, 1), on=date(2025, 6, 2)) == Decimal("2.6")


def test_amount_limit_names_every_cap_exceeded():
    p = product_in_force("HPF", on=date(2026, 1, 1))
    assert p.kind == LoanProduct.Kind.HPF and p.min_amount == 1_000_000
    limit, factors = product_amount_limit(
        p, home="second", annual_rate=Decimal("3.075"), months=360, method=RepaymentMethod.ANNUITY,
        couple=True, multichild=True, price=150_000_000, balance=6_000_000, monthly_income=1_000_000)
    by = {f.name: f.limit for f in factors}
    assert by["城市最高额度"] == 140_000_000  # 1,200,000 + 200,000 multi-child
    assert by["房价 × (1 − 最低首付比例)"] == 105_000_000  # 30 % down for a second home
    assert by["账户余额 × 倍数"] == 90_000_000
    capacity = by["还款能力（月供 ≤ 月收入 × 比例）"]
    assert annuity_payment(capacity, Decimal("3.075"), 360) <= 500_000 < annuity_payment(capacity + 1,
                                                                                           Decimal("3.075"), 360)
    assert limit == min(by.values()) == 90_000_000
    refusals = amount_refusals(120_000_000, factors, min_amount=p.min_amount)
    assert len(refusals) == 3 and any("还款能力" in r for r in refusals)  # not the city cap
    assert any("房价 × (1 − 最低首付比例)：1,050,000.00 元（房价 1,500,000.00 元 × (1 − 30%)）" in r for r in refusals)
    assert amount_refusals(500_000, factors, min_amount=p.min_amount) == [
        "申请金额 5,000.00 元 低于最低贷款额：10,000.00 元"]


def test_term_limit_against_retirement_plus_five_years():
    p = product_in_force("HPF", on=date(2026, 1, 1))
    # a man born 1976-09-10 retires at 63 on 2039-09-10; + 5 years: 2044-09-10
    months, factors = product_term_limit(p, first_due=date(2027, 1, 20), birth=date(1976, 9, 10), sex=M,
                                         original_age=60, on=date(2026, 12, 1))
    assert months == 212  # the 212th due date is 2044-08-20, the 213th 2044-09-20 is too late
    assert term_refusals(240, factors) == [
        "贷款期限 240 个月超过法定退休年龄后年限：至多 212 个月（法定退休日期 2039-09-10 后 5 年，即 2044-09-10 前到期）"]
    young, _ = product_term_limit(p, first_due=date(2027, 1, 20), birth=date(2000, 1, 1), sex=F, original_age=50,
                                  on=date(2026, 12, 1))
    assert young == 360


def test_a_product_change_through_maker_checker(center, django_user_model):
    today = center.business_date
    tomorrow = today + timedelta(days=1)
    leader = grant_role(django_user_model.objects.create_user("ln_leader", is_staff=True), "leader", center=center)
    leader2 = grant_role(django_user_model.objects.create_user("ln_leader2", is_staff=True), "leader", center=center)
    teller = grant_role(django_user_model.objects.create_user("ln_teller", is_staff=True), "teller", center=center)
    bad = {"code": "HPF", "effective_from": tomorrow.isoformat(), "reason": "本地政策",
           "changes": {"down_first": "1.5"}}
    with pytest.raises(DomainError) as e:
        command_submit(name=COMMAND, actor=leader, center=center, business_date=today, params=bad)
    assert e.value.code == "LOAN_PRODUCT_INVALID" and e.value.field == "down_first"
    with pytest.raises(DomainError) as e:
        command_submit(name=COMMAND, actor=leader, center=center, business_date=today,
                       params={**bad, "changes": {"cap_couple": 10_000_000}})  # below the single cap
    assert e.value.field == "cap_couple"
    from openhpf.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        command_submit(name=COMMAND, actor=teller, center=center, business_date=today,
                       params={**bad, "changes": {"down_first": "0.15"}})
    cmd = command_submit(name=COMMAND, actor=leader, center=center, business_date=today,
                         params={**bad, "changes": {"down_first": "0.15", "uplift_green": 10_000_000}})
    facts = {f.label: f.value for f in summary_of(cmd, leader2).facts}
    assert facts["首套最低首付比例"] == "20% → 15%"
    assert facts["绿色建筑上浮额度"] == "0.00 元 → 100,000.00 元"
    assert product_in_force("HPF", on=tomorrow, center=center).center_id is None  # nothing before approval
    cmd = command_approve(command=cmd.pk, actor=leader2, business_date=today)
    assert cmd.status == "applied", cmd.apply_error
    own = product_in_force("HPF", on=tomorrow, center=center)
    assert own.center_id == center.pk and own.down_first == Decimal("0.15") and own.uplift_green == 10_000_000
    assert own.made_by and own.approved_by and own.command_id == cmd.pk
    assert product_in_force("HPF", on=today, center=center).center_id is None  # from its date only
    assert product_in_force("HPF", on=tomorrow).down_first == Decimal("0.2")  # the national default is unchanged


def test_an_unknown_product_or_one_not_yet_in_force():
    with pytest.raises(DomainError) as e:
        product_in_force("NOPE", on=date(2026, 1, 1))
    assert e.value.code == "LOAN_PRODUCT_UNKNOWN" and "NOPE" in e.value.message
    with pytest.raises(DomainError):
        product_in_force("HPF", on=date(2024, 5, 17))  # seeded from 2024-05-18
