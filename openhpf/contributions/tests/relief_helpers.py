"""Builders shared by the relief tests."""

from __future__ import annotations

from datetime import date

from openhpf.accounts.models import MemberAccount, PaidMonths
from openhpf.accounts.paidmonths import paid_months_ranges_from
from openhpf.core.db import Relation


def set_paid(account, paid_up_to: str, opened=None):
    """Test set-up only: a history paid without a gap from the month of opening to `paid_up_to` (an account
    opened after that month is taken as opened in it). The remittance service keeps the paid months and the
    缴至年月; these tests need a history without it."""
    account.refresh_from_db()
    opened = opened or account.opened_date
    if paid_up_to and f"{opened.year:04d}{opened.month:02d}" > paid_up_to:
        opened = date(int(paid_up_to[:4]), int(paid_up_to[4:]), 1)
    MemberAccount.objects.filter(pk=account.pk).update(paid_up_to=paid_up_to, opened_date=opened)
    PaidMonths.objects.filter(account_id=account.pk).delete()
    if paid_up_to:
        first = f"{opened.year:04d}{opened.month:02d}"
        paid_months_ranges_from(source=Relation("SELECT %s AS sub_id, %s AS first_ym, %s AS last_ym",
                                                (account.pk, first, paid_up_to)))
    account.refresh_from_db()
    return account
