"""iam test fixtures: an empty rate-limit cache per test, staff with roles, members and agents."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

PASSWORD = "pw-Clerk-2026"
CLERK_MOBILE = "13812340001"


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="secclerk", password=PASSWORD, center=center, actor=SystemActor("test"),
                           mobile=CLERK_MOBILE)
    return grant_role(user, "teller", center=center)


@pytest.fixture
def secadmin(center):
    user, _ = staff_create(username="secadmin", password="pw-SecAdmin-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "secadmin", center=center)


@pytest.fixture
def accounts(center):
    """Two employers: members A and B at employer 1 (with money), C at employer 2."""
    from openhpf.accounts.tests.factories import make_account, make_employer
    from openhpf.ledger.models import SubAccount
    from openhpf.ledger.tests.factories import deposit

    e1 = make_employer(center, 1)
    e2 = make_employer(center, 2)
    a = make_account(center, e1, 1, phone="13900000001")
    b = make_account(center, e1, 2, phone="13900000002")
    c = make_account(center, e2, 3, phone="13900000003")
    deposit(center, SubAccount.objects.get(pk=a.pk), 123_456)
    deposit(center, SubAccount.objects.get(pk=b.pk), 50_000)
    return {"e1": e1, "e2": e2, "a": a, "b": b, "c": c}
