"""Interest with hand-computed 积数 (docs/domain.md "Interest"): 1.5%/yr, daily rate = annual / 360, HALF_UP once."""

from datetime import date
from fractions import Fraction

import pytest
from django.db import connection

from openhpf.accounts.services import member_account_seal
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.contributions.interest.calculations import interest_of, jishu_before, sql_interest
from openhpf.contributions.interest.services import interest_accrue, interest_settle
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError
from openhpf.core.services import center_advance_business_date
from openhpf.ledger.models import JournalEntry, SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.tests.factories import deposit, withdraw

R = Fraction(3, 200)  # 1.5 %


def test_interest_formula_python_and_sql_agree(db):
    cases = [(0, 0), (21_300_000, 0), (1, 1), (359, 0), (12_345_678_901, 98_765_432_109), (-5_000, 7_000)]
    rates = [(R, R), (Fraction(7, 2000), Fraction(11, 1000))]
    with connection.cursor() as cur:
        for jc, jk in cases:
            for rc, rk in rates:
                py = interest_of(jishu_current=jc, jishu_carried=jk, rate_current=rc, rate_carried=rk, day_basis=360)
                cur.execute("SELECT " + sql_interest(str(jc), str(jk), rate_current=rc, rate_carried=rk, day_basis=360))
                assert cur.fetchone()[0] == py, (jc, jk, rc, rk)
    # 21,300,000 fen·days × 1.5% / 360 = 887.5 → 888 (HALF_UP)
    assert interest_of(jishu_current=21_300_000, jishu_carried=0, rate_current=R, rate_carried=R, day_basis=360) == 888


def _advance(center, to):
    center_advance_business_date(center=center, to=to, actor=SystemActor("test"))
    center.refresh_from_db()


def test_settlement_hand_computed_sealed_and_twice(db, center):
    emp = make_employer(center, 1)
    a = make_account(center, emp, 1)
    b = make_account(center, emp, 2)
    deposit(center, a.sub, 100_000)                                      # 2026-11-30: 213 days to 6/30
    deposit(center, b.sub, 200_000)
    _advance(center, date(2027, 1, 15))
    deposit(center, a.sub, 50_000, value_date=date(2027, 1, 10))        # 172 days (1/10 … 6/30)
    withdraw(center, b.sub, 20_000)                                      # 1/15: 167 days
    member_account_seal(account=b, reason="离职", actor=SystemActor("test"), business_date=center.business_date)
    _advance(center, date(2027, 6, 30))
    jishu_a = 100_000 * 213 + 50_000 * 172
    jishu_b = 200_000 * 213 - 20_000 * 167
    exp_a = interest_of(jishu_current=jishu_a, jishu_carried=0, rate_current=R, rate_carried=R, day_basis=360)
    exp_b = interest_of(jishu_current=jishu_b, jishu_carried=0, rate_current=R, rate_carried=R, day_basis=360)
    assert (exp_a, exp_b) == (1246, 1636)  # 29,900,000 × 0.015 / 360 = 1245.83; 39,260,000 → 1635.83
    batch = interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SystemActor("test"))
    sa, sb = SubAccount.objects.get(pk=a.pk), SubAccount.objects.get(pk=b.pk)
    assert (sa.balance_current, sa.balance_carried) == (0, 150_000 + exp_a)
    assert (sb.balance_current, sb.balance_carried) == (0, 180_000 + exp_b)   # sealed accounts earn too
    assert sa.year_start == date(2027, 7, 1)
    assert sa.jishu_carried == (150_000 + exp_a) * 366                       # 2027-07-01 … 2028-06-30 (leap)
    row = SubLedgerRow.objects.get(sub_account=sa, biz_type=BizType.INTEREST)
    assert (row.amount, row.value_date, row.balance_after) == (exp_a, date(2027, 6, 30), 150_000 + exp_a)
    assert gl_balance(center=center, code_prefix="211") == 0
    assert gl_balance(center=center, code_prefix="41101") == exp_a + exp_b
    again = interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SystemActor("test"))
    assert again.pk == batch.pk and SubLedgerRow.objects.filter(biz_type=BizType.INTEREST).count() == 2


def test_monthly_accrual_then_settlement_trues_up(db, center):
    emp = make_employer(center, 1)
    a = make_account(center, emp, 1)
    deposit(center, a.sub, 100_000)
    with pytest.raises(DomainError):
        interest_accrue(center=center, year=2026, month=12, actor=SystemActor("test"))
    _advance(center, date(2026, 12, 31))
    e1 = interest_accrue(center=center, year=2026, month=11, actor=SystemActor("test"))
    # 11/30 only: 100,000 × 1 day × 0.015 / 360 = 4.17 → 4
    assert e1.total == 4 and e1.business_date == date(2026, 11, 30)
    assert interest_accrue(center=center, year=2026, month=11, actor=SystemActor("test")).pk == e1.pk
    e2 = interest_accrue(center=center, year=2026, month=12, actor=SystemActor("test"))
    # through 12/31: 32 days → 133.33 → 133, less 4 already accrued
    assert e2.total == 129
    _advance(center, date(2027, 6, 30))
    interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SystemActor("test"))
    assert gl_balance(center=center, code_prefix="211") == 0
    assert JournalEntry.objects.filter(source="interest.trueup:2027").exists()


def test_interest_to_date_on_close_mid_year():
    # an account with 100,000 fen from 7/1 (projected 365 days) closing on 2027-03-01 earns 7/1 … 2/28 = 243 days
    projected = 100_000 * 365
    j = jishu_before(projected=projected, balance=100_000, on=date(2027, 3, 1))
    assert j == 100_000 * 243
    assert interest_of(jishu_current=j, jishu_carried=0, rate_current=R, rate_carried=R, day_basis=360) == 1013


def test_settlement_refused_on_wrong_dates(db, center):
    with pytest.raises(DomainError) as e:
        interest_settle(center=center, settle_date=date(2027, 6, 29), actor=SystemActor("test"))
    assert e.value.code == "SETTLE_DATE"
    with pytest.raises(DomainError) as e:
        interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SystemActor("test"))
    assert e.value.code == "SETTLE_BUSINESS_DATE"


@pytest.mark.postgres_only
def test_settlement_opens_next_year_in_the_same_update_on_postgresql(db, center):
    """On PostgreSQL the settlement rolls each account it moves in the apply's own update (a second update of
    every account in the same transaction finds no room on the pages); the roll afterwards finds none left."""
    if connection.vendor != "postgresql":
        pytest.skip("the folded roll is PostgreSQL's")
    emp = make_employer(center, 1)
    a = make_account(center, emp, 1)
    deposit(center, a.sub, 100_000)
    _advance(center, date(2027, 6, 30))
    exp = interest_of(jishu_current=100_000 * 213, jishu_carried=0, rate_current=R, rate_carried=R, day_basis=360)
    interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SystemActor("test"))
    sa = SubAccount.objects.get(pk=a.pk)
    assert (sa.year_start, sa.balance_current, sa.jishu_current, sa.jishu_base_current) == (date(2027, 7, 1), 0, 0, 0)
    assert sa.jishu_carried == sa.jishu_base_carried == (100_000 + exp) * 366
    roll = AuditRecord.objects.filter(action="ledger.year_roll").latest("pk")
    assert roll.after is not None and (roll.after["rolled_here"], roll.after["accounts"]) == (0, 1)
