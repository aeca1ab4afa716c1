"""Year-end interest through day-end (docs/domain.md "Interest", "Year end in day-end"): the 6/30 day-end settles
the year and rolls it, a day-end never runs past an unsettled 6/30, a center that missed it settles late
(value date 6/30, posted in the open period), a late accrual accrues to the month end asked for, and a value
date in a settled interest year is refused."""

import json
from datetime import date
from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import finance_clerk
from openhpf.contributions.interest.calculations import interest_of
from openhpf.contributions.interest.late import interest_settle_late
from openhpf.contributions.interest.services import interest_accrue
from openhpf.contributions.interest.statements import annual_statement
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.core.services import center_advance_business_date
from openhpf.jobs.dayend import dayend_run
from openhpf.ledger.models import JournalEntry, PostingBatch, SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import SubRow, batch_post
from openhpf.ledger.tests.factories import deposit

R = Fraction(3, 200)  # 1.5 %
ACTOR = SystemActor("test")


def _interest(jishu: int) -> int:
    return interest_of(jishu_current=jishu, jishu_carried=0, rate_current=R, rate_carried=R, day_basis=360)


def _carried(jishu: int) -> int:
    return interest_of(jishu_current=0, jishu_carried=jishu, rate_current=R, rate_carried=R, day_basis=360)


def _advance(center, to: date) -> Center:
    center_advance_business_date(center=center, to=to, actor=ACTOR)
    return Center.objects.get(pk=center.pk)


def _dayends(center, through: date) -> Center:
    """Day-end of every business date up to and including `through`."""
    while center.business_date <= through:
        dayend_run(center=center, actor=ACTOR)
        center = Center.objects.get(pk=center.pk)
    return center


def _account(center):
    a = make_account(center, make_employer(center, 1), 1)
    deposit(center, a.sub, 100_000)  # 2026-11-30: 213 days to 2027-06-30
    return a


def test_dayend_settles_6_30_in_two_consecutive_years(db, center):
    a = _account(center)
    center = _dayends(_advance(center, date(2027, 6, 29)), date(2027, 7, 1))
    assert center.business_date == date(2027, 7, 2)
    first = _interest(100_000 * 213)
    assert first == 888  # 21,300,000 × 1.5 % / 360 = 887.5 → 888
    batch = PostingBatch.objects.get(key="interest:330100:2027")
    assert batch.status == PostingBatch.Status.POSTED and batch.total_amount == first
    sub = SubAccount.objects.get(pk=a.sub.pk)
    assert (sub.year_start, sub.balance_current, sub.balance_carried) == (date(2027, 7, 1), 0, 100_000 + first)
    assert gl_balance(center=center, code_prefix="211") == 0

    # the next year is a leap year: 2027-07-01 … 2028-06-30 is 366 days of 上年结转
    center = _dayends(_advance(center, date(2028, 6, 29)), date(2028, 7, 1))
    second = _carried((100_000 + first) * 366)
    assert second == 1539  # 36,925,008 × 1.5 % / 360 = 1538.54 → 1539
    assert PostingBatch.objects.get(key="interest:330100:2028").total_amount == second
    sub = SubAccount.objects.get(pk=a.sub.pk)
    assert (sub.year_start, sub.balance_carried) == (date(2028, 7, 1), 100_000 + first + second)
    assert gl_balance(center=center, code_prefix="211") == 0
    assert gl_balance(center=center, code_prefix="41101") == first + second
    rows = SubLedgerRow.objects.filter(sub_account_id=a.sub.pk, biz_type=BizType.INTEREST).order_by("id")
    assert [(r.amount, r.value_date) for r in rows] == [(first, date(2027, 6, 30)), (second, date(2028, 6, 30))]


def test_dayend_refuses_to_run_past_an_unsettled_6_30(db, center):
    _account(center)
    center = _advance(center, date(2027, 7, 1))  # the 6/30 day-end never ran
    with pytest.raises(DomainError) as e:
        dayend_run(center=center, actor=ACTOR)
    assert e.value.code == "YEAR_NOT_SETTLED" and "--late" in e.value.message
    assert Center.objects.get(pk=center.pk).business_date == date(2027, 7, 1)
    with pytest.raises(DomainError) as e:
        interest_accrue(center=_advance(center, date(2027, 7, 31)), year=2027, month=7, actor=ACTOR)
    assert e.value.code == "YEAR_NOT_SETTLED"
    assert not JournalEntry.objects.filter(source__startswith="interest.accrue:2027-07").exists()


def test_late_settlement_value_dated_6_30_and_the_next_accrual_keeps_it(db, center, staff):
    a = _account(center)
    center = _advance(center, date(2027, 6, 30))
    accrued = interest_accrue(center=center, year=2027, month=6, actor=ACTOR)
    assert accrued is not None and gl_balance(center=center, code_prefix="211") == -888
    center = _advance(center, date(2027, 7, 31))  # 6/30 and July passed without a settlement
    with pytest.raises(PermissionDenied):
        interest_settle_late(center=center, actor=staff)
    done = interest_settle_late(center=center, actor=finance_clerk())
    assert [b.key for b in done] == ["interest:330100:2027"]
    batch = PostingBatch.objects.get(key="interest:330100:2027")
    assert batch.business_date == date(2027, 7, 31) and batch.total_amount == 888  # posted in the open period
    row = SubLedgerRow.objects.get(sub_account_id=a.sub.pk, biz_type=BizType.INTEREST)
    assert (row.business_date, row.value_date, row.amount) == (date(2027, 7, 31), date(2027, 6, 30), 888)
    assert batch.entry is not None and batch.entry.value_date == date(2027, 6, 30)
    sub = SubAccount.objects.get(pk=a.sub.pk)
    assert (sub.year_start, sub.balance_carried, sub.jishu_carried) == (date(2027, 7, 1), 100_888, 100_888 * 366)
    assert gl_balance(center=center, code_prefix="211") == 0
    assert interest_settle_late(center=center, actor=finance_clerk()) == []  # nothing left to settle
    # the 对账单 of the settled year shows the interest; the next year opens after it
    settled = annual_statement(account=a, year=2026, user=ACTOR)
    assert (settled.interest, settled.closing, settled.jishu) == (888, 100_888, 100_000 * 213)
    following = annual_statement(account=a, year=2027, user=ACTOR)
    assert (following.opening, following.interest, following.movements) == (100_888, 0, [])

    # the 7/31 day-end now runs, and its July accrual adds July's interest: it does not reverse the year's
    center = _dayends(center, date(2027, 7, 31))
    july = _carried(100_888 * 31)
    assert july == 130  # 3,127,528 × 1.5 % / 360 = 130.31
    assert gl_balance(center=center, code_prefix="211") == -july
    assert gl_balance(center=center, code_prefix="41101") == 888 + july


def test_late_settlement_is_refused_when_nothing_was_missed(db, center):
    _account(center)
    center = _advance(center, date(2027, 6, 30))  # the 6/30 itself is settled by its day-end, not late
    assert interest_settle_late(center=center, actor=finance_clerk()) == []
    assert not PostingBatch.objects.filter(biz_type=BizType.INTEREST).exists()


def test_cli_settle_late_needs_a_finance_user(db, center, capsys):
    _account(center)
    _advance(center, date(2027, 7, 2))
    with pytest.raises(CommandError, match="--as"):
        call_command("interest", "settle", "--late")
    get_user_model().objects.create_user("teller7", is_staff=True)
    with pytest.raises(PermissionDenied):
        call_command("interest", "settle", "--late", "--as", "teller7")
    call_command("interest", "settle", "--late", "--as", finance_clerk().username)
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["settled"] == [{"batch": "interest:330100:2027", "accounts": 1, "interest": 888,
                               "voucher_no": out["settled"][0]["voucher_no"]}]
    assert SubAccount.objects.get().year_start == date(2027, 7, 1)


def test_late_accrual_accrues_to_the_month_end_asked_for(db, center):
    a = _account(center)
    center = _advance(center, date(2026, 12, 20))
    deposit(center, a.sub, 50_000)  # 12/20, after the November month end
    nov = interest_accrue(center=center, year=2026, month=11, actor=ACTOR)
    assert nov is not None and nov.total == 4  # 11/30 only: 100,000 × 1 day × 1.5 % / 360 = 4.17
    center = _advance(center, date(2027, 1, 5))
    deposit(center, a.sub, 30_000, value_date=date(2026, 12, 31))  # back-valued into December: it counts
    deposit(center, a.sub, 20_000)  # 2027-01-05: it does not
    dec = interest_accrue(center=center, year=2026, month=12, actor=ACTOR)
    through_dec = _interest(100_000 * 32 + 50_000 * 12 + 30_000 * 1)  # 11/30 … 12/31, 12/20 … 12/31, 12/31
    assert dec is not None and dec.total == through_dec - 4
    assert gl_balance(center=center, code_prefix="211") == -through_dec


def test_an_accrual_behind_a_later_one_is_refused(db, center):
    _account(center)
    center = _advance(center, date(2027, 1, 31))
    interest_accrue(center=center, year=2027, month=1, actor=ACTOR)
    with pytest.raises(DomainError) as e:
        interest_accrue(center=center, year=2026, month=12, actor=ACTOR)
    assert e.value.code == "ACCRUE_OUT_OF_ORDER"


def test_a_value_date_in_a_settled_year_is_refused(db, center):
    a = _account(center)
    center = _dayends(_advance(center, date(2027, 6, 30)), date(2027, 7, 1))
    before = SubAccount.objects.get(pk=a.sub.pk)
    with pytest.raises(DomainError) as e:
        deposit(center, a.sub, 10_000, value_date=date(2027, 6, 28))
    assert e.value.code == "VALUE_DATE_BEFORE_YEAR" and "2027-07-01" in e.value.message
    with pytest.raises(DomainError) as e:
        batch_post(center=center, key="t-old-value", biz_type=BizType.REMITTANCE, business_date=center.business_date,
                   counter_account="10101", description="测试", actor=ACTOR,
                   rows=[SubRow(a.sub.pk, amount_current=10_000, value_date=date(2027, 6, 29))])
    assert e.value.code == "VALUE_DATE_BEFORE_YEAR"
    after = SubAccount.objects.get(pk=a.sub.pk)
    assert (after.balance, after.jishu_current) == (before.balance, before.jishu_current)
    deposit(center, a.sub, 10_000, value_date=date(2027, 7, 1))  # the new year's first day is fine
