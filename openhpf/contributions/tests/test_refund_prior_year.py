"""退缴 after the year roll (issue 14 item 8): a remittance of the previous interest year is taken from 上年结转,
value-dated 7/1 of the new year; the interest it earned in the settled year is recovered by its own posting, or
left, by the policy contribution.refund.prior_year_interest. A fully frozen account refuses the refund."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from django.db import transaction

from openhpf.accounts.services import member_account_freeze
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.services import command_approve
from openhpf.contributions.interest.calculations import interest_of
from openhpf.contributions.interest.services import interest_settle
from openhpf.contributions.models import Remittance
from openhpf.contributions.remittance.services import (
    receipt_record,
    remittance_confirm,
    remittance_create,
    remittance_refund_submit,
)
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.models import PolicyParameter
from openhpf.core.services import center_advance_business_date
from openhpf.ledger.models import SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance

SYS = SystemActor("test")
MONTHLY = 240000  # base 10,000 元 at 12% + 12%
DAYS = 213        # 2026-11-30 … 2027-06-30
RATE = Fraction(3, 200)  # 1.5%


def _advance(center, to):
    center_advance_business_date(center=center, to=to, actor=SYS)
    center.refresh_from_db()


@pytest.fixture
def rolled(center):
    """An employer of two, its 2026-11 remittance paid on 2026-11-30, the year settled on 2027-06-30 and the
    center on 2027-07-01."""
    emp = make_employer(center, 1)
    accts = [make_account(center, emp, n) for n in (1, 2)]
    bd = center.business_date
    with transaction.atomic():
        r = remittance_create(employer=emp, month="2026-11", actor=SYS, business_date=bd)
        r = remittance_confirm(remittance=r, actor=SYS, business_date=bd)
        receipt_record(center=center, amount=r.total, value_date=bd, bank_ref="R1", actor=SYS, business_date=bd,
                       employer=emp)
    r.refresh_from_db()
    assert r.status == Remittance.Status.POSTED and r.value_date == date(2026, 11, 30)
    _advance(center, date(2027, 6, 30))
    interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SYS)
    _advance(center, date(2027, 7, 1))
    return r, accts


def _refund(center, r, staff, checker):
    with transaction.atomic():
        cmd = remittance_refund_submit(remittance=r, reason="错缴", to="suspense", actor=staff,
                                       business_date=center.business_date)
    with transaction.atomic():
        return command_approve(command=cmd, actor=checker, business_date=center.business_date)


def test_refund_of_last_years_remittance_takes_carried_and_recovers_its_interest(center, rolled, staff, checker):
    r, accts = rolled
    earned = interest_of(jishu_current=MONTHLY * DAYS, jishu_carried=0, rate_current=RATE, rate_carried=RATE,
                         day_basis=360)
    assert earned == 2130  # 240,000 × 213 × 1.5% / 360 = 2,130.00
    sub = SubAccount.objects.get(pk=accts[0].pk)
    assert (sub.balance_current, sub.balance_carried) == (0, MONTHLY + earned)
    cmd = _refund(center, r, staff, checker)
    assert cmd.status == "applied", cmd.apply_error
    r.refresh_from_db()
    assert r.status == Remittance.Status.REFUNDED
    for a in accts:
        s = SubAccount.objects.get(pk=a.pk)
        assert (s.balance_current, s.balance_carried) == (0, 0)
        assert s.jishu_carried == 0  # nothing left earns from 7/1
        rows = list(SubLedgerRow.objects.filter(sub_account_id=a.pk, business_date=date(2027, 7, 1))
                    .order_by("id").values_list("biz_type", "amount_current", "amount_carried", "value_date"))
        assert rows == [(BizType.REMITTANCE, 0, -MONTHLY, date(2027, 7, 1)),
                        (BizType.INTEREST, 0, -earned, date(2027, 7, 1))]
    assert -gl_balance(center=center, code_prefix="21901") == 2 * MONTHLY  # the money back in 暂存
    assert gl_balance(center=center, code_prefix="41101") == 0  # the interest expense is recovered


def test_leaving_the_interest_is_a_policy(center, rolled, staff, checker):
    r, accts = rolled
    PolicyParameter.objects.create(center=center, key="contribution.refund.prior_year_interest", value_type="str",
                                   value="leave", effective_from=date(2027, 7, 1), approved_by="test",
                                   source="测试：本地规定不冲回")
    assert _refund(center, r, staff, checker).status == "applied"
    s = SubAccount.objects.get(pk=accts[0].pk)
    assert (s.balance_current, s.balance_carried) == (0, 2130)
    assert not SubLedgerRow.objects.filter(biz_type=BizType.INTEREST, amount__lt=0).exists()


def test_a_fully_frozen_account_refuses_the_refund(center, rolled, staff, checker):
    r, accts = rolled
    member_account_freeze(account=accts[1], kind="1", reason="法院协助冻结", actor=staff,
                          business_date=center.business_date)
    before = list(SubAccount.objects.filter(pk__in=[a.pk for a in accts]).order_by("pk")
                  .values_list("balance_current", "balance_carried"))
    cmd = _refund(center, r, staff, checker)
    assert cmd.status != "applied" and "ACCOUNT_FROZEN" in cmd.apply_error
    r.refresh_from_db()
    assert r.status == Remittance.Status.POSTED
    assert list(SubAccount.objects.filter(pk__in=[a.pk for a in accts]).order_by("pk")
                .values_list("balance_current", "balance_carried")) == before

