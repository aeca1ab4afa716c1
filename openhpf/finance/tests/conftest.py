"""Fixtures of the finance tests: staff of the center (财务 maker, 复核员 checker, a teller without finance
rights) and the ledger builder (builders.py), whose loan and in-transit postings are unwound when a test ends."""

from __future__ import annotations

import pytest

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

from .builders import LedgerBuilder


@pytest.fixture
def ledger(center):
    b = LedgerBuilder(center)
    yield b
    b.unwind_loans()


@pytest.fixture
def fin_user(center):
    user, _ = staff_create(username="fin1", password="pw-Finance-2026", center=center, actor=SystemActor("test"),
                           display_name="王财务")
    return grant_role(user, "finance", center=center)


@pytest.fixture
def checker_user(center):
    user, _ = staff_create(username="rev1", password="pw-Review-2026", center=center, actor=SystemActor("test"),
                           display_name="李复核")
    return grant_role(user, "reviewer", center=center)


@pytest.fixture
def teller_user(center):
    user, _ = staff_create(username="tel1", password="pw-Teller-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)
