"""The months each account actually paid (缴存月份): gaps behind a later month, refunds of an earlier month and
continuity, derived from the paid-month store (accounts.paidmonths)."""

from __future__ import annotations

import importlib
import json
from datetime import date
from io import StringIO
from itertools import count

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import transaction

from openhpf.accounts.models import Employer, MemberAccount, PaidMonths, PaidMonthsAssumed, PaidMonthsStart
from openhpf.accounts.paidmonths import paid_months, paid_months_assume_from
from openhpf.accounts.services import member_account_seal, member_account_unseal
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.services import command_approve
from openhpf.contributions.models import Remittance
from openhpf.contributions.relief.arrears import arrears_list
from openhpf.contributions.relief.hardship import continuity_months
from openhpf.contributions.remittance.services import (
    back_payment_create,
    receipt_record,
    remittance_confirm,
    remittance_create,
    remittance_refund_submit,
)
from openhpf.core.actors import SystemActor
from openhpf.core.db import Relation
from openhpf.core.models import PolicyParameter

SYS = SystemActor("test")
REFS = count(1)
AFTER_DEADLINE = date(2026, 12, 20)  # the 202611 deadline of a payday-15 employer has passed


@pytest.fixture
def emp(center):
    """One employer, two accounts opened in July 2026 (they owe from August)."""
    e = make_employer(center, 1)
    accts = [make_account(center, e, n) for n in (1, 2)]
    MemberAccount.objects.filter(employer=e).update(opened_date=date(2026, 7, 10))
    return e, [MemberAccount.objects.get(pk=a.pk) for a in accts]


def pay(center, employer, month: str, *, back: str = "") -> Remittance:
    """汇缴 (or a full 补缴 when `back`) of `month`, confirmed and paid by an exact bank receipt."""
    bd = center.business_date
    with transaction.atomic():
        if back:
            r = back_payment_create(employer=employer, month=month, back_kind="full", reason=back, actor=SYS,
                                    business_date=bd)
        else:
            r = remittance_create(employer=employer, month=month, actor=SYS, business_date=bd)
        r = remittance_confirm(remittance=r, actor=SYS, business_date=bd)
    return receive(center, employer, r)


def receive(center, employer, r: Remittance) -> Remittance:
    """The exact amount of a confirmed remittance arrives at the bank: it posts."""
    bd = center.business_date
    with transaction.atomic():
        receipt_record(center=center, amount=r.total, value_date=bd, bank_ref=f"PM{next(REFS)}", actor=SYS,
                       business_date=bd, employer=employer)
    r.refresh_from_db()
    assert r.status == Remittance.Status.POSTED
    return r


def refund(center, r: Remittance, staff, checker) -> None:
    bd = center.business_date
    with transaction.atomic():
        cmd = remittance_refund_submit(remittance=r, reason="错缴", to="suspense", actor=staff, business_date=bd)
    with transaction.atomic():
        command_approve(command=cmd, actor=checker, business_date=bd)
    r.refresh_from_db()
    assert r.status == Remittance.Status.REFUNDED


def owed(center, staff, month="202611") -> dict[str, int]:
    r = arrears_list(center=center, month=month, user=staff, on=AFTER_DEADLINE)
    return {m.account_no: m.months for m in r.members}


def full_back_lines(center, employer, month) -> int:
    with transaction.atomic():
        r = back_payment_create(employer=employer, month=month, back_kind="full", reason="漏缴", actor=SYS,
                                business_date=center.business_date)
        return r.lines


def test_missed_month_behind_later_months_stays_owed(center, emp, staff):
    e, (a, b) = emp
    for m in ("202608", "202610", "202611"):  # September skipped
        pay(center, e, m)
    assert MemberAccount.objects.get(pk=a.pk).paid_up_to == "202611"
    assert set(paid_months(a)) == {"202608", "202610", "202611"}
    assert owed(center, staff) == {a.account_no: 1, b.account_no: 1}       # September is still owed
    assert full_back_lines(center, e, "202609") == 2                         # and a full 补缴 bills it
    assert continuity_months(a, "202611") == 2                               # October and November only


def test_back_payment_fills_the_gap(center, emp, staff):
    e, (a, _b) = emp
    for m in ("202608", "202610", "202611"):
        pay(center, e, m)
    pay(center, e, "202609", back="漏缴补缴")
    assert owed(center, staff) == {}
    assert paid_months(a) == {"202608": False, "202609": True, "202610": False, "202611": False}
    assert continuity_months(a, "202611") == 4
    # a center whose 补缴 months do not count towards continuity (policy value)
    PolicyParameter.objects.create(center=center, key="contribution.continuity.back_payment_counts",
                                   value_type="bool", value=False, effective_from=date(2026, 1, 1),
                                   approved_by="test", source="test")
    assert continuity_months(a, "202611") == 2


def test_refund_of_a_month_after_the_next_one_is_paid(center, emp, staff, checker):
    e, (a, b) = emp
    pay(center, e, "202608")
    oct_ = pay(center, e, "202610")
    pay(center, e, "202611")
    refund(center, oct_, staff, checker)                                     # 退缴 of October after November
    assert set(paid_months(a)) == {"202608", "202611"}
    assert MemberAccount.objects.get(pk=a.pk).paid_up_to == "202611"
    assert owed(center, staff) == {a.account_no: 2, b.account_no: 2}        # September and October
    assert full_back_lines(center, e, "202610") == 2
    assert continuity_months(a, "202611") == 1


def test_refund_of_the_last_month_goes_back_to_the_last_paid_one(center, emp, staff, checker):
    e, (a, _b) = emp
    pay(center, e, "202608")
    oct_ = pay(center, e, "202610")
    nov = pay(center, e, "202611")
    refund(center, oct_, staff, checker)
    refund(center, nov, staff, checker)
    assert MemberAccount.objects.get(pk=a.pk).paid_up_to == "202608"        # not 202610: October was refunded
    assert Employer.objects.get(pk=e.pk).paid_up_to == "202608"
    assert set(paid_months(a)) == {"202608"}


def test_continuity_is_not_overstated(center, emp):
    e, (a, _b) = emp
    MemberAccount.objects.filter(pk=a.pk).update(opened_date=date(2016, 11, 20))
    for m in ("202604", "202605", "202606", "202607", "202608", "202609", "202610", "202611"):
        pay(center, e, m)
    a = MemberAccount.objects.get(pk=a.pk)
    assert a.paid_up_to == "202611"
    assert continuity_months(a, "202611") == 8                               # not 121 (2016-11 … 2026-11)


def test_clerk_sees_the_paid_months_and_the_assumed_accounts(center, emp):
    e, (a, b) = emp
    for m in ("202608", "202610"):
        pay(center, e, m)
    MemberAccount.objects.filter(pk=b.pk).update(paid_up_to="202607")
    paid_months_assume_from(accounts=Relation("SELECT %s", (b.pk,)), source="cutover", business_date=date(2026, 7, 31))
    out = StringIO()
    call_command("paid_months", a.account_no, "--upto", "2026-10", stdout=out)
    text = out.getvalue()
    assert "缴至年月 202610" in text and "连续缴存 1 个月" in text
    assert "2026   ·  ·  ·  ·  ·  ·  ·  ✓  ·  ✓  ·  ·" in text
    out = StringIO()
    call_command("paid_months", "--assumed", stdout=out)
    assert f"{b.account_no}  202607–202607  来源 cutover" in out.getvalue()
    out = StringIO()
    call_command("paid_months", b.account_no, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["assumed"]["last_month"] == "202607" and data["months"]["202610"] == "paid"


FILL = importlib.import_module("openhpf.contributions.migrations.0008_fill_paid_months")


def test_the_data_migration_fills_the_store_from_the_posted_lines(center, emp, staff, checker):
    e, (a, b) = emp
    pay(center, e, "202608")
    oct_ = pay(center, e, "202610")
    pay(center, e, "202611")
    refund(center, oct_, staff, checker)
    pay(center, e, "202609", back="漏缴补缴")
    # b came with the cut-over paid up to July, opened in 2020: its months before August are not in any line
    MemberAccount.objects.filter(pk=b.pk).update(opened_date=date(2020, 3, 5))
    b = member_account_seal(account=MemberAccount.objects.get(pk=b.pk), reason="离职", actor=SYS,
                            business_date=center.business_date)
    member_account_unseal(account=b, employer=e, actor=SYS, business_date=center.business_date)  # back at once
    expected = {acc.pk: paid_months(acc) for acc in (a, b)}
    PaidMonths.objects.all().delete()
    PaidMonthsStart.objects.all().delete()
    FILL.forward(django_apps, None)
    assert paid_months(a) == expected[a.pk] == {"202608": False, "202609": True, "202611": False}
    months_b = paid_months(b)
    assert min(months_b) == "202003" and "202607" in months_b and "202610" not in months_b
    flag = PaidMonthsAssumed.objects.get(account_id=b.pk)
    assert (flag.first_month, flag.last_month, flag.source) == ("202003", "202607", "migration")
    assert not PaidMonthsAssumed.objects.filter(account_id=a.pk).exists()  # opened in July, first paid August
    assert PaidMonthsStart.objects.get(account_id=b.pk).month == "202612"   # came back on 2026-11-30
    assert not PaidMonthsStart.objects.filter(account_id=a.pk).exists()
