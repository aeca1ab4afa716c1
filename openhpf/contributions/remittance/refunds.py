"""退缴 of a remittance from an earlier interest year (docs/domain.md "Contributions", "Interest").

After the year roll the refunded money sits in 上年结转: its 当年归集 was rolled there with the year's interest.
So the refund takes it from 上年结转, value-dated the first day of the current interest year (the money stops
earning from the day the year began; the settled year's 积数 stays as it was settled). The interest the money
earned in the settled year(s) is recovered by a posting of its own (Dr 201 / Cr 41101, business type 09), or
left with the member, by the policy `contribution.refund.prior_year_interest` (recover / leave)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from openhpf.core.calendar import interest_year
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import sql_div_half_up
from openhpf.core.policy import policy_rate, policy_value
from openhpf.ledger.calculations import jishu_days

PRIOR_YEAR_INTEREST_POLICY = "contribution.refund.prior_year_interest"
RECOVER, LEAVE = "recover", "leave"
INTEREST_EXPENSE = "41101"  # 住房公积金利息支出: the recovered interest reduces it

_LINE_AMOUNT = "(l.employer_amount + l.member_amount)"
_FROM_LINES = ("FROM contributions_remittanceline l JOIN contributions_remittance r ON r.id = l.remittance_id "
               "WHERE r.id = %s")


def is_prior_year(value_date: date, business_date: date) -> bool:
    """The remittance's money arrived before the interest year of `business_date` began (it has been rolled)."""
    return value_date < interest_year(business_date)[0]


def refund_rows(*, remittance_id: int, value_date: date, business_date: date) -> Relation:
    """The ledger rows of a 退缴 (ord, sub_account_id, amount_current, amount_carried, value_date, reference):
    from 当年归集 at the original value date in the same interest year; from 上年结转 at the year's first day
    after the roll."""
    if is_prior_year(value_date, business_date):
        start = interest_year(business_date)[0]
        return Relation(f"SELECT l.id, l.account_id, 0, -{_LINE_AMOUNT}, %s, '退缴' || r.month {_FROM_LINES}",
                        (start, remittance_id))
    return Relation(f"SELECT l.id, l.account_id, -{_LINE_AMOUNT}, 0, %s, '退缴' || r.month {_FROM_LINES}",
                    (value_date, remittance_id))


def interest_factor(*, center_id: int, value_date: date, business_date: date) -> Fraction:
    """Interest per fen that money arriving on `value_date` earned in the interest years settled before the one
    of `business_date`: Σ over those years of its days × that year's annual rate / day basis, at the rates in
    force on each 6/30 (the 当年归集 rate in its first year, the 上年结转 rate after it)."""
    start = interest_year(business_date)[0]
    factor, on, first = Fraction(0), value_date, True
    while on < start:
        ys, ye = interest_year(on)
        rate = policy_rate("deposit.rate.current" if first else "deposit.rate.carried", on=ye, center=center_id)
        basis = int(policy_value("deposit.day_basis", on=ye, center=center_id))
        factor += Fraction(jishu_days(on, ys, ye)) * rate / basis
        on, first = ye + timedelta(days=1), False
    return factor


def interest_policy(*, center_id: int, business_date: date) -> str:
    value = str(policy_value(PRIOR_YEAR_INTEREST_POLICY, on=business_date, center=center_id))
    if value not in (RECOVER, LEAVE):
        raise DomainError(ErrorCode.POLICY_VALUE, f"参数 {PRIOR_YEAR_INTEREST_POLICY} 应为 recover 或 leave：{value}",
                          field="policy")
    return value


def interest_recovery_rows(*, remittance_id: int, factor: Fraction, business_date: date) -> Relation:
    """The ledger rows recovering each line's interest (rounded HALF_UP per line), from 上年结转 at the year's
    first day; lines that earned nothing are left out."""
    start = interest_year(business_date)[0]
    earned = sql_div_half_up(f"{_LINE_AMOUNT} * {factor.numerator}", factor.denominator)
    return Relation(f"SELECT l.id, l.account_id, 0, -{earned}, %s, '冲回利息' || r.month {_FROM_LINES} "
                    f"AND {earned} > 0", (start, remittance_id))
