from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openhpf.core.errors import DomainError
from openhpf.core.money import div_half_up, format_fen, mul_half_up, parse_yuan, round_fen


def test_div_half_up_cases():
    assert div_half_up(5, 2) == 3
    assert div_half_up(-5, 2) == -3
    assert div_half_up(4, 3) == 1
    assert div_half_up(7, -2) == -4


@given(st.integers(-10**15, 10**15), st.integers(1, 10**6))
def test_div_half_up_matches_decimal(n, d):
    from decimal import ROUND_HALF_UP, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        expected = int((Decimal(n) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert div_half_up(n, d) == expected


def test_parse_and_format_yuan():
    assert parse_yuan("1,234.565") == 123457
    assert parse_yuan("0.004") == 0
    assert parse_yuan(Decimal("12")) == 1200
    assert format_fen(123456) == "1,234.56"
    assert format_fen(-5) == "-0.05"
    with pytest.raises(DomainError) as e:
        parse_yuan("十二元", field="amount", row=3)
    assert e.value.code == "MONEY_INVALID" and e.value.row == 3
    with pytest.raises(TypeError):
        parse_yuan(1.5)  # type: ignore[arg-type]


def test_rate_and_rounding_units():
    assert mul_half_up(1000000, "0.015") == 15000
    assert mul_half_up(333, Fraction(1, 2)) == 167
    assert round_fen(123455, "jiao") == 123460
    assert round_fen(123449, "yuan") == 123400


def test_sql_div_half_up_twin(db):
    from django.db import connection

    from openhpf.core.money import sql_div_half_up

    cases = [(5, 2), (-5, 2), (4, 3), (-7, 2), (123456789, 1000), (0, 7), (-1, 3)]
    with connection.cursor() as cur:
        for n, d in cases:
            cur.execute(f"SELECT {sql_div_half_up(str(n), d)}")
            assert cur.fetchone()[0] == div_half_up(n, d), (n, d)
