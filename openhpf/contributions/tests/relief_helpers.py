"""Builders shared by the relief tests."""

from __future__ import annotations

from openhpf.accounts.models import MemberAccount


def set_paid(account, paid_up_to: str, opened=None):
    """Test set-up only: the remittance service keeps 缴至年月; these tests need a history without it."""
    fields = {"paid_up_to": paid_up_to}
    if opened is not None:
        fields["opened_date"] = opened
    MemberAccount.objects.filter(pk=account.pk).update(**fields)
    account.refresh_from_db()
    return account
