"""The withdrawal order (提取扣减顺序): how a debit divides between 当年归集 and 上年结转."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openhpf.accounts.calculations import CARRIED_FIRST, CURRENT_FIRST, withdrawal_split
from openhpf.accounts.services import member_debit_split, withdrawal_order
from openhpf.core.models import PolicyParameter
from openhpf.ledger.models import SubAccount


@pytest.mark.parametrize(("amount", "current", "carried", "order", "expected"), [
    (300, 500, 1000, CURRENT_FIRST, (300, 0)),  # 当年归集 covers it
    (800, 500, 1000, CURRENT_FIRST, (500, 300)),  # 当年归集 emptied first, the rest from 上年结转
    (1500, 500, 1000, CURRENT_FIRST, (500, 1000)),  # everything
    (300, 0, 1000, CURRENT_FIRST, (0, 300)),
    (300, 500, 1000, CARRIED_FIRST, (0, 300)),
    (1200, 500, 1000, CARRIED_FIRST, (200, 1000)),
    (300, 500, 0, CARRIED_FIRST, (300, 0)),
    (800, 500, 1000, "", (500, 300)),  # any other value is current first, as the policy row has always been read
    (800, -5, 1000, CURRENT_FIRST, (0, 800)),  # a negative balance gives nothing
    (200, 100, 50, CURRENT_FIRST, (100, 100)),  # beyond both balances: the second takes the rest (the ledger refuses)
])
def test_withdrawal_split(amount, current, carried, order, expected):
    assert withdrawal_split(amount, balance_current=current, balance_carried=carried, order=order) == expected


@given(st.integers(1, 10**12), st.integers(-10**6, 10**12), st.integers(-10**6, 10**12),
       st.sampled_from([CURRENT_FIRST, CARRIED_FIRST]))
def test_withdrawal_split_takes_the_first_balance_first(amount, current, carried, order):
    cur, car = withdrawal_split(amount, balance_current=current, balance_carried=carried, order=order)
    assert cur + car == amount and cur >= 0 and car >= 0
    first, second = (cur, car) if order == CURRENT_FIRST else (car, cur)
    first_balance = max(current if order == CURRENT_FIRST else carried, 0)
    assert first == min(first_balance, amount)  # the first balance gives all it can before the second gives any
    assert second == 0 or first == first_balance


def _sub(center, current: int, carried: int) -> SubAccount:
    return SubAccount(pk=7, center_id=center.pk, account_no="x", balance_current=current, balance_carried=carried)


def test_member_debit_split_follows_the_policy_in_force(center):
    on = center.business_date
    assert withdrawal_order(center=center, on=on) == CURRENT_FIRST  # the national value
    row = member_debit_split(sub_account=_sub(center, 500, 1000), amount=800, on=on, reference="R1")
    assert (row.sub_account_id, row.amount_current, row.amount_carried, row.reference) == (7, -500, -300, "R1")
    PolicyParameter.objects.create(center=center, key="withdrawal.order", value_type="str", value=CARRIED_FIRST,
                                   effective_from=on, approved_by="test", source="测试")
    assert withdrawal_order(center=center, on=on) == CARRIED_FIRST
    assert withdrawal_order(center=center, on=date(on.year - 1, 1, 1)) == CURRENT_FIRST  # effective-dated
    row = member_debit_split(sub_account=_sub(center, 500, 1000), amount=800, on=on)
    assert (row.amount_current, row.amount_carried) == (0, -800)
    # an order the caller already read wins over the policy (a batch reads it once)
    row = member_debit_split(sub_account=_sub(center, 500, 1000), amount=800, on=on, order=CURRENT_FIRST)
    assert (row.amount_current, row.amount_carried) == (-500, -300)


@pytest.mark.django_db
@given(st.integers(0, 10000))
def test_sql_ratio_from_e4_is_the_exact_decimal_on_both_databases(e4):
    from decimal import Decimal

    from django.db import connection

    from openhpf.accounts.calculations import sql_ratio_from_e4

    with connection.cursor() as cur:
        cur.execute(f"SELECT {sql_ratio_from_e4('t.v', connection.vendor)} FROM (SELECT %s AS v) t", [e4])
        got = cur.fetchone()[0]
    assert not isinstance(got, float)
    assert Decimal(got) == Decimal(e4) / 10000
