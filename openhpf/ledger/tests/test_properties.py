"""Property tests: any sequence of valid postings keeps every invariant; bad postings change nothing."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from openhpf.conftest import finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.core.business_date import back_value
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError
from openhpf.core.services import center_advance_business_date, center_create
from openhpf.core.verify import run_checks
from openhpf.ledger.calculations import jishu_days
from openhpf.ledger.models import JournalEntry, SubAccount, SubLedgerRow
from openhpf.ledger.services import (
    Line,
    SubRow,
    batch_post,
    entry_post,
    entry_reverse,
    period_close,
    subaccount_open,
)

ACTOR = SystemActor("property-test")
amounts = st.integers(min_value=1, max_value=5_000_000)


class LedgerMachine:
    def __init__(self):
        self.center = center_create(code="110100", name="测试中心", business_date=date(2026, 11, 30), actor=ACTOR)
        self.n = 0
        self.batches = 0

    @property
    def bd(self) -> date:
        self.center.refresh_from_db()
        return self.center.business_date

    def open_account(self):
        self.n += 1
        return subaccount_open(center=self.center, account_no=f"110100{self.n:010d}", business_date=self.bd).pk

    def deposit(self, acct, amount, back):
        vd = max(self.bd - timedelta(days=back), interest_year(self.bd)[0])
        entry_post(center=self.center, business_date=self.bd, value_date=vd, source="prop", description="存",
                   lines=[Line("10101", debit=amount), Line("201", credit=amount)], actor=ACTOR,
                   biz_type=BizType.REMITTANCE, sub_rows=[SubRow(acct, amount_current=amount, value_date=vd)])

    def withdraw(self, acct, share):
        sub = SubAccount.objects.get(pk=acct)
        want = sub.available * share // 100
        if want <= 0:
            return
        cur = min(want, sub.balance_current)
        car = want - cur
        entry_post(center=self.center, business_date=self.bd, source="prop", description="取",
                   lines=[Line("201", debit=want), Line("10101", credit=want)], actor=ACTOR,
                   biz_type=BizType.PARTIAL_WITHDRAWAL, sub_rows=[SubRow(acct, -cur, -car)])

    def batch(self, accts, amount):
        self.batches += 1
        batch_post(center=self.center, key=f"prop-{self.batches}", biz_type=BizType.REMITTANCE, business_date=self.bd,
                   counter_account="10101", description="批量", actor=ACTOR,
                   rows=[SubRow(a, amount_current=amount + i) for i, a in enumerate(accts)])

    def reverse(self, pick):
        candidates = list(JournalEntry.objects.filter(reversal_of__isnull=True, reversed_by__isnull=True).order_by("id"))
        if not candidates:
            return
        e = candidates[pick % len(candidates)]
        try:
            entry_reverse(entry=e, business_date=self.bd, actor=finance_clerk(), reason="属性测试")
        except DomainError as err:  # reversing a deposit already spent is refused, and changes nothing
            assert err.code == "INSUFFICIENT_BALANCE"

    def advance_and_close(self, days):
        old = self.bd
        new = old + timedelta(days=days)
        if new > interest_year(old)[1]:
            return
        center_advance_business_date(center=self.center, to=new, actor=ACTOR)
        if new.month != old.month:
            period_close(center=self.center, year=old.year, month=old.month, actor=ACTOR)
            # posting into the closed month is refused by the code and changes nothing
            before = SubLedgerRow.objects.count()
            try:  # even through the audited back-value path
                with back_value(center=self.center, business_date=old, actor=finance_clerk(), reason="补记已结账月份"):
                    entry_post(center=self.center, business_date=old, source="prop", description="x",
                               lines=[Line("10101", debit=1), Line("201", credit=1)], actor=ACTOR)
                raise AssertionError("posted into a closed period")
            except DomainError as err:
                assert err.code in {"PERIOD_CLOSED", "CONTROL_MISMATCH"}
            assert SubLedgerRow.objects.count() == before

    def unbalanced_refused(self, acct, amount, off):
        before = (JournalEntry.objects.count(), SubLedgerRow.objects.count())
        try:
            entry_post(center=self.center, business_date=self.bd, source="prop", description="x",
                       lines=[Line("10101", debit=amount), Line("201", credit=amount + off)], actor=ACTOR,
                       sub_rows=[SubRow(acct, amount_current=amount + off)])
            raise AssertionError("unbalanced entry accepted")
        except DomainError as err:
            assert err.code == "ENTRY_UNBALANCED"
        assert (JournalEntry.objects.count(), SubLedgerRow.objects.count()) == before

    def ledger_invariants_hold(self):
        bad = [r for r in run_checks() if r.name.startswith("ledger.") and not r.ok]
        assert not bad, bad

    def jishu_equals_python_recompute(self):
        """Independent of the SQL twin: recompute 积数 from the sub-ledger rows in Python."""
        for sub in SubAccount.objects.all():
            ys, ye = interest_year(sub.year_start)
            jc = sub.jishu_base_current
            jk = sub.jishu_base_carried
            for r in SubLedgerRow.objects.filter(sub_account=sub, business_date__gte=ys):
                d = jishu_days(r.value_date, ys, ye)
                jc += r.amount_current * d
                jk += r.amount_carried * d
            assert (sub.jishu_current, sub.jishu_carried) == (jc, jk)



acct_ix = st.integers(0, 7)
OPS = st.one_of(
    st.tuples(st.just("open_account")),
    st.tuples(st.just("deposit"), acct_ix, amounts, st.integers(0, 40)),
    st.tuples(st.just("withdraw"), acct_ix, st.integers(1, 100)),
    st.tuples(st.just("batch"), st.lists(acct_ix, min_size=1, max_size=6), amounts),
    st.tuples(st.just("reverse"), st.integers(0, 10_000)),
    st.tuples(st.just("advance_and_close"), st.integers(1, 45)),
    st.tuples(st.just("unbalanced_refused"), acct_ix, amounts, st.integers(1, 1000)),
)


class TestLedgerProperties(TestCase):
    # example count from the hypothesis profile (root conftest.py): few in `make test`, many in `make test-slow`
    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(OPS, min_size=1, max_size=30))
    def test_any_sequence_keeps_invariants(self, ops):
        m = LedgerMachine()
        accts = [m.open_account(), m.open_account()]
        for op in ops:
            name, *args = op
            if name == "open_account":
                accts.append(m.open_account())
                continue
            if name in ("deposit", "withdraw", "unbalanced_refused"):
                args[0] = accts[args[0] % len(accts)]
            if name == "batch":
                args[0] = [accts[i % len(accts)] for i in args[0]]
            getattr(m, name)(*args)
        m.ledger_invariants_hold()
        m.jishu_equals_python_recompute()
