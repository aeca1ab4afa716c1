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
    assert parse_yuan("1,234.56") == 123456
    assert parse_yuan("1234.560") == 123456
    assert parse_yuan(Decimal("12")) == 1200
    assert format_fen(123456) == "1,234.56"
    assert format_fen(-5) == "-0.05"
    with pytest.raises(DomainError) as e:
        parse_yuan("十二元", field="amount", row=3)
    assert e.value.code == "MONEY_INVALID" and e.value.row == 3
    with pytest.raises(TypeError):
        parse_yuan(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["1,234.565", "1234.565", "0.004", "0.001", Decimal("12.345")])
def test_parse_yuan_refuses_digits_below_the_fen(typed):
    """Issue 14 item 18: '1234.565' was rounded to 1234.57 without a word; it is refused."""
    with pytest.raises(DomainError) as e:
        parse_yuan(typed, field="amount")
    assert e.value.code == "MONEY_SUB_FEN" and e.value.field == "amount"
    assert "两位小数" in e.value.message


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


def test_format_fen_is_exact_for_any_size():
    assert format_fen(280824) == "2,808.24"
    assert format_fen(280824, grouping=False) == "2808.24"
    assert format_fen(10**20 + 1) == "1,000,000,000,000,000,000.01"  # a float would print …000.00
    assert format_fen(-123456789) == "-1,234,567.89"
    with pytest.raises(TypeError):
        format_fen(1.5)  # type: ignore[arg-type]


def test_ratios_shown_in_percent():
    from openhpf.core.money import format_ratio, format_ratio_e4

    assert [format_ratio_e4(v) for v in (1200, 1250, 1234, 5, 0, 10000, -50)] == [
        "12%", "12.5%", "12.34%", "0.05%", "0%", "100%", "-0.5%"]
    assert format_ratio(Decimal("0.1200")) == "12%"
    assert format_ratio("0.125") == "12.5%"
    assert format_ratio(Fraction(843215, 10**6)) == "84.32%"
    assert format_ratio(Fraction(1, 3)) == "33.33%"
    assert format_ratio(Fraction(1, 8000)) == "0.01%"  # 0.0125% → 0.01% (HALF_UP on the hundredth of a percent)
    assert format_ratio(None) == "—"
    with pytest.raises(TypeError):
        format_ratio(0.12)  # type: ignore[arg-type]


def test_parse_percent():
    from openhpf.core.money import e4_to_ratio, parse_percent

    assert [parse_percent(v) for v in ("12", "12%", " 12.5％", Decimal("7"), "0.01", "12.340")] == \
        [1200, 1200, 1250, 700, 1, 1234]
    for below in ("0.005", "12.345", "0.001%"):  # below 0.01 %: refused, never rounded to a ratio nobody typed
        with pytest.raises(DomainError) as e:
            parse_percent(below, field="member_ratio")
        assert e.value.code == "RATIO_INVALID" and e.value.field == "member_ratio" and "0.01%" in e.value.message
    assert e4_to_ratio(1250) == Decimal("0.1250")
    with pytest.raises(DomainError) as e:
        parse_percent("百分之十二", field="employer_ratio", row=2)
    assert e.value.code == "RATIO_INVALID" and e.value.field == "employer_ratio" and "12.5%" in e.value.message
    with pytest.raises(TypeError):
        parse_percent(0.12)  # type: ignore[arg-type]


def test_messages_and_filters_use_the_formatters():
    from openhpf.core.money import format_message
    from openhpf.core.templatetags.money import percent, percent_e4, yuan

    assert format_message("缴存基数 {0:yuan} 元，比例 {1:percent_e4}，{2}", 1170100, 1200, "x") == \
        "缴存基数 11,701.00 元，比例 12%，x"
    assert format_message("{0:yuan}|{1:percent}|{extra:yuan}", "", "0.125", extra="abc") == "|12.5%|abc"
    assert (yuan(280824), yuan(None), percent("0.1200"), percent_e4(1250), percent_e4(None)) == (
        "2,808.24", "—", "12%", "12.5%", "—")
