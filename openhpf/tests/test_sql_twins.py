"""Property tests: every money rule's SQL twin equals its Python form, on the database the suite runs on.

Each twin is evaluated through the real connection, the way its callers use it (over typed BIGINT / DATE
columns, and with inlined integer literals), over many generated inputs at once (one VALUES list a query),
and compared exactly with the Python function. The results must come back as integers: a float or a
PostgreSQL numeric would mean the twin left integer arithmetic. Example counts follow the hypothesis
profile (root conftest.py): few in `make test`, many in `make test-slow`."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from openhpf.accounts.calculations import monthly_amount, sql_monthly_amount
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.contributions.interest.calculations import interest_of, sql_interest
from openhpf.contributions.interest.services import interest_settle
from openhpf.core.actors import SystemActor
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType
from openhpf.core.models import PolicyParameter
from openhpf.core.money import div_half_up, sql_div_half_up
from openhpf.core.services import center_advance_business_date, center_create
from openhpf.ledger.calculations import jishu_days, sql_jishu_days
from openhpf.ledger.models import SubAccount
from openhpf.ledger.services import Line, SubRow, entry_post

BIGINT_MAX = 2**63 - 1
# the examples only read the database; the `db` fixture's transaction is the same for all of them
DB_PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _over_values(expr: str, rows: list[tuple[Any, ...]], types: tuple[str, ...]) -> list[Any]:
    """`expr` evaluated for each row of a VALUES list, in the rows' order. The row's values are bound and
    cast to `types` (columns v.column2, v.column3, …; v.column1 is the row's index)."""
    cells = ", ".join(["%s", *(f"CAST(%s AS {t})" for t in types)])
    values = ", ".join([f"({cells})"] * len(rows))
    params = [x for i, row in enumerate(rows) for x in (i, *row)]
    with transaction.atomic(), connection.cursor() as cur:  # a savepoint: an error leaves the test's transaction usable
        cur.execute(f"SELECT {expr} FROM (VALUES {values}) AS v ORDER BY v.column1", params)
        return [r[0] for r in cur.fetchall()]


def _literals(exprs: list[str]) -> list[Any]:
    """Each expression (inlined literals, no parameters) as one column of a single SELECT."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(exprs))
        return list(cur.fetchone())


def _assert_same(got: list[Any], expected: list[int], inputs: list[Any]) -> None:
    bad = [(i, g, e) for i, g, e in zip(inputs, got, expected, strict=True) if type(g) is not int or g != e]
    assert not bad, f"SQL twin differs on {connection.vendor} (input, SQL, Python): {bad[:5]}"


def _clamp(lo: int, hi: int):
    return lambda x: max(lo, min(hi, x))


# ---------------------------------------------------------------- div_half_up

DENOMINATORS = st.one_of(st.sampled_from([1, 2, 3, 7, 10, 100, 360, 365, 7200, 10**4, 10**6]), st.integers(1, 10**12))


@st.composite
def div_cases(draw) -> tuple[int, list[int]]:
    """A denominator and numerators up to the twin's limit (|n| × 2 + d a BIGINT), many on a .5 boundary;
    each example also holds the fixed edges: 0, ±1, ±the limit, the first halves (d/2, 3d/2 …) give or take 1."""
    d = draw(DENOMINATORS)
    lim = (BIGINT_MAX - d) // 2
    near_half = st.builds(lambda q, delta, sign: _clamp(-lim, lim)(sign * (q * d + d // 2 + delta)),
                          st.integers(0, lim // d), st.sampled_from([-1, 0, 1]), st.sampled_from([-1, 1]))
    small_half = st.builds(lambda q, delta, sign: _clamp(-lim, lim)(sign * (q * d + d // 2 + delta)),
                           st.integers(0, 1000), st.sampled_from([-1, 0, 1]), st.sampled_from([-1, 1]))
    edges = [0, 1, -1, lim, -lim, lim - 1, -lim + 1, 2**31, -(2**31), 2**31 - 1]
    edges += [_clamp(-lim, lim)(sign * (q * d + d // 2 + delta)) for q in range(3) for delta in (-1, 0, 1)
              for sign in (-1, 1)]
    ns = draw(st.lists(st.one_of(st.integers(-lim, lim), near_half, small_half), min_size=1, max_size=60))
    return d, ns + edges


@DB_PROPERTY
@given(div_cases())
def test_div_half_up_twin_over_bigint_columns(db, case):
    d, ns = case
    got = _over_values(sql_div_half_up("v.column2", d), [(n,) for n in ns], ("BIGINT",))
    _assert_same(got, [div_half_up(n, d) for n in ns], ns)


@DB_PROPERTY
@given(div_cases())
def test_div_half_up_twin_over_literals(db, case):
    """Inlined literals: PostgreSQL types a small literal as integer (32 bits), where n × 2 would overflow."""
    d, ns = case
    got = _literals([sql_div_half_up(str(n), d) for n in ns])
    _assert_same(got, [div_half_up(n, d) for n in ns], ns)


@DB_PROPERTY
@given(div_cases())
def test_div_half_up_twin_over_a_sum(db, case):
    """A sum of BIGINTs is a numeric on PostgreSQL, where `/` no longer truncates: the twin stays integer."""
    d, ns = case
    rows = [r for k, n in enumerate(ns) for r in ((k, n // 2), (k, n - n // 2))]  # each n in two rows, summed
    expr = sql_div_half_up("g.n", d)
    cells = ", ".join(["(%s, CAST(%s AS BIGINT))"] * len(rows))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT {expr} FROM (SELECT v.column1 AS k, SUM(v.column2) AS n FROM (VALUES {cells}) AS v "
                    "GROUP BY v.column1) AS g ORDER BY g.k", [x for r in rows for x in r])
        got = [r[0] for r in cur.fetchall()]
    _assert_same(got, [div_half_up(n, d) for n in ns], ns)


# ---------------------------------------------------------------- 积数 days


@st.composite
def jishu_cases(draw) -> tuple[date, date, list[tuple[str, int]]]:
    """An interest year (leap Februaries, 2000 and 2100 included) and value dates up to its 6/30, some long
    before its 7/1, with amounts (the callers multiply amount × days); the year's edges are in every example."""
    y = draw(st.one_of(st.sampled_from([1999, 2015, 2023, 2026, 2027, 2099, 2103, 2399]), st.integers(1901, 2500)))
    ys, ye = interest_year(date(y, 7, 1))
    edges = [ys, ys - timedelta(days=1), ys + timedelta(days=1), ye, ye - timedelta(days=1), date(y, 12, 31),
             date(y + 1, 1, 1), date(y + 1, 2, 28), date(y + 1, 3, 1), date(y, 2, 28), date(y, 3, 1), date(y - 1, 7, 1)]
    if (y + 1) % 4 == 0 and ((y + 1) % 100 != 0 or (y + 1) % 400 == 0):
        edges.append(date(y + 1, 2, 29))
    vd = st.integers(0, 1500).map(lambda k: ye - timedelta(days=k))
    amount = st.one_of(st.integers(-10**12, 10**12), st.sampled_from([0, 1, -1]))
    rows = draw(st.lists(st.tuples(vd.map(date.isoformat), amount), min_size=1, max_size=60))
    return ys, ye, rows + [(e.isoformat(), 10**12 - n) for n, e in enumerate(edges)]


@DB_PROPERTY
@given(jishu_cases())
def test_jishu_days_twin(db, case):
    ys, ye, rows = case
    days = sql_jishu_days(connection.vendor, "v.column2", ys, ye)
    date_type = "DATE" if connection.vendor == "postgresql" else "TEXT"
    got = _over_values(days, rows, (date_type, "BIGINT"))
    _assert_same(got, [jishu_days(date.fromisoformat(v), ys, ye) for v, _ in rows], rows)
    # the callers' product: amount × days, still an integer
    got = _over_values(f"v.column3 * {days}", rows, (date_type, "BIGINT"))
    _assert_same(got, [a * jishu_days(date.fromisoformat(v), ys, ye) for v, a in rows], rows)


# ---------------------------------------------------------------- interest


def _decimal_rate(places: int, hi: int) -> st.SearchStrategy[Fraction]:
    """A rate with up to `places` decimals in [0, hi / 10**places], as policy_rate reads it (exact)."""
    return st.integers(0, hi).map(lambda n: Fraction(Decimal(n).scaleb(-places)))


RATES = st.one_of(
    st.sampled_from([Fraction(Decimal(r)) for r in ("0", "0.0035", "0.011", "0.015", "0.0275", "0.2")]),
    _decimal_rate(4, 2_000),    # policy rates as published: up to four decimals (0.0035, 0.0275)
    _decimal_rate(6, 200_000),  # any decimal up to six places, up to 20 %
)
DAY_BASES = st.one_of(st.sampled_from([360, 365, 366]), st.integers(1, 366))
# 10^10 fen (一亿元) over a 366-day year; both sub-balances together at most twice that
JISHU_MAX = 366 * 10**10


@st.composite
def interest_cases(draw) -> tuple[Fraction, Fraction, int, list[tuple[int, int]]]:
    rc, rk, basis = draw(RATES), draw(RATES), draw(DAY_BASES)
    jishu = st.one_of(st.integers(-JISHU_MAX, JISHU_MAX), st.sampled_from([0, 1, -1, JISHU_MAX, -JISHU_MAX]),
                      st.integers(0, 10**9))
    return rc, rk, basis, draw(st.lists(st.tuples(jishu, jishu), min_size=1, max_size=60))


@DB_PROPERTY
@given(interest_cases())
def test_interest_twin(db, case):
    rc, rk, basis, rows = case
    expr = sql_interest("v.column2", "v.column3", rate_current=rc, rate_carried=rk, day_basis=basis)
    got = _over_values(expr, rows, ("BIGINT", "BIGINT"))
    _assert_same(got, [interest_of(jishu_current=jc, jishu_carried=jk, rate_current=rc, rate_carried=rk,
                                   day_basis=basis) for jc, jk in rows], rows)


@DB_PROPERTY
@given(RATES.filter(bool), DAY_BASES, st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_interest_twin_on_half_boundaries(db, rate, basis, ms):
    """积数 for which the interest is exactly ….5 fen when an integer 积数 gives that (else as near to it as
    one comes), and the 积数 either side, of either sign."""
    # jc × n / (basis × d) = (2m + 1) / 2  ⇔  jc = (2m + 1) × basis × d / (2n): an integer when 2m + 1 is a
    # multiple of g = 2n / gcd(2n, basis × d), which needs g odd
    two_n, bd = 2 * rate.numerator, basis * rate.denominator
    g = two_n // math.gcd(two_n, bd)

    def centre(m: int) -> int:
        return g * (2 * m + 1) * bd // two_n if g % 2 else math.floor((m + Fraction(1, 2)) * bd / rate.numerator)

    rows = []
    for m in ms:
        c = centre(m) if centre(m) < JISHU_MAX else centre(0)  # centre(0) ≤ basis × d, far inside the limit
        rows += [(sign * j, 0) for j in (c - 1, c, c + 1) if j >= 0 for sign in (1, -1)]
    for rc, rk, jishu in ((rate, Fraction(3, 200), rows), (Fraction(3, 200), rate, [(k, j) for j, k in rows])):
        expr = sql_interest("v.column2", "v.column3", rate_current=rc, rate_carried=rk, day_basis=basis)
        _assert_same(_over_values(expr, jishu, ("BIGINT", "BIGINT")),
                     [interest_of(jishu_current=jc, jishu_carried=jk, rate_current=rc, rate_carried=rk,
                                  day_basis=basis) for jc, jk in jishu], jishu)


def test_interest_twin_on_an_exact_half(db):
    """21,300,000 fen·days × 1.5 % / 360 = 887.5 fen → 888, and −887.5 → −888 (HALF_UP away from zero)."""
    r = Fraction(3, 200)
    expr = sql_interest("v.column2", "v.column3", rate_current=r, rate_carried=Fraction(7, 2000), day_basis=360)
    assert _over_values(expr, [(21_300_000, 0), (-21_300_000, 0)], ("BIGINT", "BIGINT")) == [888, -888]


def test_interest_twin_with_six_decimal_rates_on_an_ordinary_balance(db):
    """Rates of 1.2347 % and 1.5001 % on 27,400 元 held all year (10^9 fen·days): the product of the two
    denominators (10^12) would overflow a BIGINT; their least common one (10^6) does not."""
    rc, rk = Fraction(Decimal("0.012347")), Fraction(Decimal("0.015001"))
    rows = [(0, 10**9), (10**9, 10**9), (-(10**9), 3 * 10**9)]
    expr = sql_interest("v.column2", "v.column3", rate_current=rc, rate_carried=rk, day_basis=360)
    _assert_same(_over_values(expr, rows, ("BIGINT", "BIGINT")),
                 [interest_of(jishu_current=jc, jishu_carried=jk, rate_current=rc, rate_carried=rk, day_basis=360)
                  for jc, jk in rows], rows)
    assert interest_of(jishu_current=0, jishu_carried=10**9, rate_current=rc, rate_carried=rk, day_basis=360) == 41669


# ---------------------------------------------------------------- monthly contribution


RATIOS = st.one_of(
    st.sampled_from(["0.05", "0.12", "0.01", "0.0833", "0.115", "0", "1"]).map(Decimal),
    st.integers(0, 10_000).map(lambda e4: Decimal(e4) / 10000),  # 万分之 ratios as the file loaders build them
    st.integers(0, 99_999).map(lambda n: Decimal(n).scaleb(-4)),  # any value of the DECIMAL(5,4) columns
)
ROUNDINGS = st.sampled_from(["fen", "jiao", "yuan"])


@st.composite
def monthly_cases(draw) -> tuple[Decimal, str, list[int]]:
    """A ratio, a rounding unit and bases up to the twin's limit, with in every example: 0, the 2026 floor and
    cap (杭州), the limit, and bases whose amount is exactly ….5 fen, or lands on ….5 角 / ….50 元 give or take."""
    ratio, rounding = draw(RATIOS), draw(ROUNDINGS)
    r = Fraction(ratio)
    n, d, step = r.numerator, r.denominator, {"fen": 1, "jiao": 10, "yuan": 100}[rounding]
    # base × n × 2 + d × step a BIGINT (one rounding, straight to the unit)
    lim = (BIGINT_MAX - d * step) // (2 * max(n, 1)) - 1
    clamp = _clamp(0, lim)
    edges = [0, 1, 228_000, 3_447_000, lim]
    strategies = [st.integers(0, 10**7), st.integers(0, lim)]
    if n and d % 2 == 0:
        # base × n ≡ d / 2 (mod d): the amount is exactly ….5 fen before rounding
        b0 = (d // 2) * pow(n, -1, d) % d
        edges += [clamp(b0 + k * d) for k in range(3)]
        strategies.append(st.integers(0, 10**6).map(lambda k: clamp(b0 + k * d)))
    if n:
        # bases whose amount is near ….5 角 / ….50 元 (…5 / …50 fen), give or take a fen of base
        def near(k: int, delta: int) -> int:
            return clamp((k * step + step // 2) * d // n + delta)

        edges += [near(k, delta) for k in range(3) for delta in (-1, 0, 1)]
        strategies.append(st.builds(near, st.integers(0, 10**5), st.sampled_from([-1, 0, 1])))
    return ratio, rounding, draw(st.lists(st.one_of(*strategies), min_size=1, max_size=60)) + edges


@DB_PROPERTY
@given(monthly_cases())
def test_monthly_amount_twin_over_bigint_columns(db, case):
    ratio, rounding, bases = case
    got = _over_values(sql_monthly_amount("v.column2", ratio, rounding), [(b,) for b in bases], ("BIGINT",))
    _assert_same(got, [monthly_amount(b, ratio, rounding) for b in bases], bases)


@DB_PROPERTY
@given(monthly_cases())
def test_monthly_amount_twin_over_literals(db, case):
    ratio, rounding, bases = case
    got = _literals([sql_monthly_amount(str(b), ratio, rounding) for b in bases])
    _assert_same(got, [monthly_amount(b, ratio, rounding) for b in bases], bases)


# ---------------------------------------------------------------- a whole batch path: the year-end settlement

ACTOR = SystemActor("twins-test")
SETTLE_YEAR = interest_year(date(2026, 11, 30))
SIX_DECIMAL_RATES = _decimal_rate(6, 200_000).filter(bool)  # the published ones are in RATES above
# an account's postings: (to 上年结转?, amount in fen, days before the business date for the value date)
POSTINGS = st.lists(st.tuples(st.booleans(), st.integers(1, 10**9), st.integers(0, 200)), min_size=1, max_size=3)


def _post(center, sub_id: int, amount: int, *, carried: bool, value_date: date) -> None:
    """Money in (amount > 0) or out of one sub-balance of an account, with its value date."""
    counter, member = Line("10101", debit=amount), Line("201", credit=amount)
    if amount < 0:
        counter, member = Line("201", debit=-amount), Line("10101", credit=-amount)
    row = SubRow(sub_id, amount_carried=amount, value_date=value_date) if carried else \
        SubRow(sub_id, amount_current=amount, value_date=value_date)
    entry_post(center=center, business_date=center.business_date, value_date=value_date, lines=[counter, member],
               source="twins", description="属性测试", actor=ACTOR, biz_type=BizType.REMITTANCE, sub_rows=[row])


class TestSettlementAgreesWithPython(HypothesisTestCase):
    """interest_settle (one set-based statement through the interest twin, then a ledger batch through the
    积数 twin) credits each account what interest_of gives for the 积数 computed in Python from its postings,
    at random rates of six decimals, day bases, amounts and value dates, over two business dates."""

    # a third of the profile's examples: each one builds a center and settles its year
    @settings(suppress_health_check=[HealthCheck.too_slow], max_examples=max(5, settings.default.max_examples // 3))
    @given(st.lists(st.tuples(POSTINGS, POSTINGS, st.integers(0, 100)), min_size=1, max_size=3),
           SIX_DECIMAL_RATES, SIX_DECIMAL_RATES, DAY_BASES, st.integers(1, 200))
    def test_settlement(self, accounts, rate_current, rate_carried, basis, step_days):
        ys, ye = SETTLE_YEAR
        center = center_create(code="330100", name="测试中心", business_date=date(2026, 11, 30), actor=ACTOR)
        for key, value, vtype in (("deposit.rate.current", rate_current, "decimal"),
                                  ("deposit.rate.carried", rate_carried, "decimal"),
                                  ("deposit.day_basis", basis, "int")):
            shown = str(Decimal(value.numerator) / Decimal(value.denominator)) if vtype == "decimal" else value
            PolicyParameter.objects.create(center=center, key=key, value_type=vtype, value=shown,
                                           effective_from=center.business_date, approved_by="test", source="测试")
        employer = make_employer(center, 1)
        subs = [make_account(center, employer, n).sub_id for n in range(1, len(accounts) + 1)]
        jishu = {s: [0, 0] for s in subs}
        balance = {s: [0, 0] for s in subs}

        def post_all(which: int) -> None:
            bd = center.business_date
            for sub, spec in zip(subs, accounts, strict=True):
                for carried, amount, back in spec[which]:
                    vd = max(bd - timedelta(days=back), ys)
                    _post(center, sub, amount, carried=carried, value_date=vd)
                    jishu[sub][carried] += amount * jishu_days(vd, ys, ye)
                    balance[sub][carried] += amount
                share = spec[2]  # then a withdrawal of that share of 当年归集, on the business date
                out = balance[sub][0] * share // 100
                if out:
                    _post(center, sub, -out, carried=False, value_date=bd)
                    jishu[sub][0] -= out * jishu_days(bd, ys, ye)
                    balance[sub][0] -= out

        post_all(0)
        center_advance_business_date(center=center, to=min(center.business_date + timedelta(days=step_days), ye),
                                     actor=ACTOR)
        center.refresh_from_db()
        post_all(1)
        if center.business_date != ye:
            center_advance_business_date(center=center, to=ye, actor=ACTOR)
            center.refresh_from_db()
        earned = {sub: interest_of(jishu_current=jishu[sub][0], jishu_carried=jishu[sub][1],
                                   rate_current=rate_current, rate_carried=rate_carried, day_basis=basis)
                  for sub in subs}
        # a settlement whose interest is nil in total cannot post its batch (a ledger batch nets to non-zero)
        assume(sum(earned.values()) != 0)
        interest_settle(center=center, settle_date=ye, actor=ACTOR)
        for sub in subs:
            a = SubAccount.objects.get(pk=sub)
            assert (a.balance_current, a.balance_carried) == (0, sum(balance[sub]) + earned[sub]), (sub, jishu[sub])
