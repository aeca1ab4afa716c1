"""Accounts' invariants in `hpf verify`: the paid-month store has no database FKs, so the check finds orphans."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from openhpf.accounts.models import PaidMonths, PaidMonthsAssumed
from openhpf.core.verify import run_checks

from .factories import make_account, make_employer


@pytest.mark.django_db
def test_paid_months_of_a_missing_account_are_a_breach(center):
    account = make_account(center, make_employer(center))
    PaidMonths.objects.create(account_id=account.pk, year=2026, months=0b111)
    PaidMonthsAssumed.objects.create(account_id=account.pk, first_month="202001", last_month="202512",
                                     source="cutover", business_date=date(2026, 11, 30))
    (ok,) = run_checks(["accounts.paid_months"])
    assert ok.ok and ok.breaches == []

    missing = account.pk + 1000
    PaidMonths.objects.create(account_id=missing, year=2026, months=0b1)  # no database FK refuses it now
    PaidMonthsAssumed.objects.create(account_id=missing + 1, first_month="202001", last_month="202512",
                                     source="cutover", business_date=date(2026, 11, 30))
    (bad,) = run_checks(["accounts.paid_months"])
    assert not bad.ok
    assert bad.breaches == [f"已缴月份记录的个人账户 {missing} 不存在", f"已缴月份记录的个人账户 {missing + 1} 不存在"]

    PaidMonths.objects.filter(account_id=missing).delete()
    PaidMonthsAssumed.objects.filter(account_id=missing + 1).delete()
    assert run_checks(["accounts.paid_months"])[0].ok


@pytest.mark.django_db
def test_the_paid_month_tables_have_no_database_fk_to_check_at_commit():
    """A cut-over of a million accounts writes a row each: a database FK would check each one at commit."""
    with connection.cursor() as cur:
        for table in (PaidMonths._meta.db_table, PaidMonthsAssumed._meta.db_table):
            constraints = connection.introspection.get_constraints(cur, table)
            assert not [n for n, c in constraints.items() if c["foreign_key"]], table
            # the composite key leads with the account: no second index on it to fill
            assert not [n for n, c in constraints.items()
                        if c["index"] and not c["primary_key"] and c["columns"] == ["account_id"]], table
