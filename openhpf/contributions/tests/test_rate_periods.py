"""A deposit rate change inside the interest year (利率调整分段): the day-end of the new rate's effective date
closes each account's 积数 for the old period; the accrual and the 6/30 settlement apply each period's own rates.
Hand-computed to the fen: 1.5 % until 2026-12-31, 1.75 % from 2027-01-01, daily rate = annual / 360."""

from datetime import date
from fractions import Fraction

import pytest
from django.db import connection

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.contributions.interest.calculations import Rates, interest_of_periods, sql_interest_periods
from openhpf.contributions.interest.services import interest_accrue, interest_settle
from openhpf.contributions.models import RatePeriodClose, RatePeriodJishu
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.services import center_advance_business_date, policy_set
from openhpf.jobs.dayend import Day, plan
from openhpf.ledger.models import SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import Line, SubRow, entry_post
from openhpf.ledger.tests.factories import deposit, withdraw

ACTOR = SystemActor("test")
OLD, NEW = Rates(Fraction(3, 200), Fraction(3, 200), 360), Rates(Fraction(7, 400), Fraction(7, 400), 360)


class _Ctx:
    def advance(self, n: int = 1, total: int | None = None, cursor: object = None) -> None:
        pass


def _dayend_step(center, name: str) -> dict:
    """One registered day-end step of the center's business date, as the day-end runs it."""
    step = next(s for s in plan() if s.name == name)
    return step.run(Day(center=center, on=center.business_date, actor=ACTOR), _Ctx())  # type: ignore[arg-type]


def _advance(center, to):
    center_advance_business_date(center=center, to=to, actor=ACTOR)
    center.refresh_from_db()


def _new_rates_from(center, on: date, value: str = "0.0175") -> None:
    for key in ("deposit.rate.current", "deposit.rate.carried"):
        policy_set(key=key, value=value, value_type="decimal", effective_from=on, actor=ACTOR,
                   approved_by="测试利率调整通知", center=center)


def _interest(sub_id: int) -> int:
    return SubLedgerRow.objects.get(sub_account_id=sub_id, biz_type=BizType.INTEREST).amount


def test_periods_formula_python_and_sql_agree(db):
    cases = [(0, 0, 0, 0), (3_200_000, 0, 24_470_000, 0), (1_600_000, 7, 10_650_000, 9), (-5_000, 7_000, 1, -3)]
    with connection.cursor() as cur:
        for c1, k1, jc, jk in cases:
            py = interest_of_periods([(c1, k1, OLD), (jc - c1, jk - k1, NEW)])
            cur.execute("SELECT " + sql_interest_periods(str(jc), str(jk), final=NEW, cuts=[(str(c1), str(k1), OLD)]))
            assert cur.fetchone()[0] == py, (c1, k1, jc, jk)
        # three periods, the carried rate apart and a different day basis in the middle one
        mid = Rates(Fraction(11, 1000), Fraction(1, 50), 365)
        for c1, c2, j in [(1_000_000, 2_500_000, 9_000_001), (7, 7, 7), (10**12, 2 * 10**12, 3 * 10**12)]:
            py = interest_of_periods([(c1, c1 // 2, OLD), (c2 - c1, (c2 - c1) // 2, mid), (j - c2, (j - c2) // 2, NEW)])
            cur.execute("SELECT " + sql_interest_periods(str(j), str(c1 // 2 + (c2 - c1) // 2 + (j - c2) // 2), final=NEW,
                                                         cuts=[(str(c1), str(c1 // 2), OLD),
                                                               (str(c2), str(c1 // 2 + (c2 - c1) // 2), mid)]))
            assert cur.fetchone()[0] == py, (c1, c2, j)
    # 3,200,000 × 1.5 % / 360 + 21,270,000 × 1.75 % / 360 = 133.33 + 1,033.96 = 1,167.29 → 1,167 (rounded once)
    assert interest_of_periods([(3_200_000, 0, OLD), (21_270_000, 0, NEW)]) == 1167


def test_rate_change_on_1_january_splits_the_year(db, center):
    emp = make_employer(center, 1)
    a, b, c = (make_account(center, emp, i) for i in (1, 2, 3))
    _new_rates_from(center, date(2027, 1, 1))
    deposit(center, a.sub, 100_000)                                       # 2026-11-30
    entry_post(center=center, business_date=center.business_date, source="test", description="测试结转余额",
               lines=[Line("10101", debit=50_000), Line("201", credit=50_000)], actor=ACTOR,
               biz_type=BizType.REMITTANCE, sub_rows=[SubRow(b.pk, amount_carried=50_000)])
    assert _dayend_step(center, "rate_period") == {"rate_period": None}    # no rate change on 11/30

    _advance(center, date(2027, 1, 1))
    deposit(center, a.sub, 30_000)                                        # on the new rate's first day
    out = _dayend_step(center, "rate_period")
    assert out == {"rate_period": {"starts_on": "2027-01-01", "accounts": 2}}
    close = RatePeriodClose.objects.get(center=center)
    assert close.year_start == date(2026, 7, 1)
    rows = {r.sub_id: (r.jishu_current, r.jishu_carried) for r in RatePeriodJishu.objects.filter(period=close)}
    assert rows == {a.pk: (100_000 * 32, 0), b.pk: (0, 50_000 * 32)}     # 11/30 … 12/31
    assert _dayend_step(center, "rate_period")["rate_period"]["accounts"] == 2  # a rerun finds it done
    assert RatePeriodJishu.objects.count() == 2

    _advance(center, date(2027, 2, 1))
    deposit(center, c.sub, 60_000)                                        # opened after the change
    # January's accrual: a 3,200,000 @ 1.5 % + 130,000 × 31 @ 1.75 % = 133.33 + 195.90 → 329;
    # b 1,600,000 @ 1.5 % + 50,000 × 31 @ 1.75 % = 66.67 + 75.35 → 142
    assert interest_accrue(center=center, year=2027, month=1, actor=ACTOR).total == 329 + 142

    _advance(center, date(2027, 3, 10))
    withdraw(center, a.sub, 20_000)                                       # 3/10 counts at the lower balance
    _advance(center, date(2027, 6, 30))
    interest_settle(center=center, settle_date=date(2027, 6, 30), actor=ACTOR)
    # a: 1/1 … 3/9 = 68 days at 130,000 and 3/10 … 6/30 = 113 days at 110,000 → 21,270,000 @ 1.75 %
    #    + 3,200,000 @ 1.5 % = 1,033.96 + 133.33 = 1,167.29 → 1,167 (the whole year at 1.75 % would be 1,190)
    # b: 1,600,000 @ 1.5 % + 50,000 × 181 @ 1.75 % = 66.67 + 439.93 = 506.60 → 507
    # c: 60,000 × 150 days (2/1 … 6/30) @ 1.75 % = 437.5 → 438
    assert (_interest(a.pk), _interest(b.pk), _interest(c.pk)) == (1167, 507, 438)
    assert gl_balance(center=center, code_prefix="211") == 0
    assert gl_balance(center=center, code_prefix="41101") == 1167 + 507 + 438


def test_the_step_runs_before_the_month_end_accrual():
    orders = {s.name: s.order for s in plan()}
    assert orders["rate_period"] < orders["accrual"]


@pytest.mark.parametrize("on", [date(2027, 7, 1), date(2027, 1, 2)])
def test_no_close_without_a_change_inside_the_year(db, center, on):
    """A rate in force from 7/1 covers its whole interest year; the day after a change closes nothing more."""
    _new_rates_from(center, date(2027, 1, 1))
    _new_rates_from(center, date(2027, 7, 1), "0.02")
    emp = make_employer(center, 1)
    deposit(center, make_account(center, emp, 1).sub, 100_000)
    _advance(center, on)
    assert _dayend_step(center, "rate_period") == {"rate_period": None}
    assert not RatePeriodClose.objects.exists()
