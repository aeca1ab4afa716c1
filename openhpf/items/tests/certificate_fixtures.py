"""Fixtures of the 缴存使用证明 tests: two members who can sign in, the first with a paid history with a gap."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import TestCase

from openhpf.accounts.models import MemberAccount, PaidMonths
from openhpf.accounts.paidmonths import paid_months_ranges_from
from openhpf.core.actors import SystemActor
from openhpf.core.db import Relation
from openhpf.iam.models import Outbox
from openhpf.iam.services import member_principal_create

MEMBER_PW = "Member-Pass-2026"


@pytest.fixture(autouse=True, name="_empty_rate_limits")
def empty_rate_limits_fixture():
    cache.clear()
    yield
    cache.clear()


def paid_ranges(account, *ranges: tuple[str, str]) -> None:
    """Test set-up: the months the account paid (the remittance service keeps them), 缴至年月 the last one."""
    PaidMonths.objects.filter(account_id=account.pk).delete()
    for first, last in ranges:
        paid_months_ranges_from(source=Relation("SELECT %s AS sub_id, %s AS first_ym, %s AS last_ym",
                                                (account.pk, first, last)))
    MemberAccount.objects.filter(pk=account.pk).update(paid_up_to=ranges[-1][1])
    account.refresh_from_db()


@pytest.fixture(name="people")
def people_fixture(center):
    from datetime import date

    from openhpf.accounts.tests.factories import make_account, make_employer
    from openhpf.ledger.models import SubAccount
    from openhpf.ledger.tests.factories import deposit

    e1 = make_employer(center, 1)
    a = make_account(center, e1, 1, phone="13900000001", name="张三丰")
    b = make_account(center, e1, 2, phone="13900000002")
    MemberAccount.objects.filter(pk=a.pk).update(opened_date=date(2024, 1, 1))
    # paid 2024-01 … 2024-06, nothing in 2024-07 and 08, then 2024-09 … 2025-11: 15 months without a gap
    paid_ranges(a, ("202401", "202406"), ("202409", "202511"))
    deposit(center, SubAccount.objects.get(pk=a.pk), 1_234_567)
    for acc in (a, b):
        member_principal_create(member=acc.member, password=MEMBER_PW, actor=SystemActor("test"))
    return {"e1": e1, "a": a, "b": b}


def last_code(phone: str) -> str:
    msg = Outbox.objects.filter(recipient=phone).order_by("-id").first()
    assert msg is not None
    found = re.search(r"\d{6}", msg.body)
    assert found is not None
    return found.group(0)


def member_token(client, login: str, phone: str) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/api/v1/member/login", {"login": login, "password": MEMBER_PW},
                        content_type="application/json")
    assert r.status_code == 200, r.content
    r = client.post("/api/v1/member/otp", {"challenge": r.json()["challenge"], "code": last_code(phone)},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
