"""Shared fixtures: a center on an explicit business date, actors, and `hpf verify` after every scenario."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from openhpf.core.actors import SystemActor
from openhpf.core.verify import run_checks

BUSINESS_DATE = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _verify_after_scenario(request):
    """Every test that touches the database ends with every invariant of hpf verify holding."""
    from django.core.cache import cache

    cache.clear()  # rate-limit counters live in the cache; each test starts with none
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        f in request.fixturenames for f in ("db", "transactional_db", "live_server")
    )
    if not uses_db or request.node.get_closest_marker("breaks_invariants"):
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    _reseed_if_flushed()
    yield
    bad = [r for r in run_checks() if not r.ok and r.name != "audit.unsealed"]
    assert not bad, "hpf verify failed after scenario: " + "; ".join(f"{r.name}: {r.detail} {r.breaches[:3]}" for r in bad)


_SEEDS: list[Any] | None = None


def seed_functions() -> list[Any]:
    """Every seed function of the project's migrations, in the order `migrate` runs them: each migration module
    with a RunPython operation declares `SEEDS` (the functions that write what a freshly migrated database holds;
    [] for a backfill, an encryption, a guard), found here from the migration graph — so a new seed migration
    cannot be left out of the reseed (core/tests/test_seed_migrations.py checks the declarations). Read once."""
    global _SEEDS
    if _SEEDS is None:
        import sys

        from django.db.migrations.loader import MigrationLoader

        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        plan: dict[tuple[str, str], None] = {}
        for leaf in sorted(graph.leaf_nodes()):
            plan.update(dict.fromkeys(graph.forwards_plan(leaf)))
        _SEEDS = [fn for key in plan for fn in getattr(sys.modules[type(graph.nodes[key]).__module__], "SEEDS", ())]
    return _SEEDS


def _reseed_if_flushed() -> None:
    """Transactional tests flush every table when they end, the data seeded by migrations included; rerun every
    migration's seed functions (seed_functions) so the next test sees a freshly migrated database. A flush empties
    all tables at once, so one of them tells: the national policy values."""
    from django.apps import apps

    from openhpf.core.models import PolicyParameter

    if PolicyParameter.objects.filter(center__isnull=True).exists():
        return
    for fn in seed_functions():
        fn(apps, None)


@contextmanager
def business_day(center, day):
    """A test telling a history day by day: the block runs with the center on business date `day` (stored and on
    the object), as it would have on that day; the center's date is put back afterwards. Writes carry the
    center's business date only (core.business_date), so a test posting on an earlier day says which day it is."""
    from openhpf.core.models import Center

    before = Center.objects.values_list("business_date", flat=True).get(pk=center.pk)
    Center.objects.filter(pk=center.pk).update(business_date=day)
    center.business_date = day
    try:
        yield center
    finally:
        Center.objects.filter(pk=center.pk).update(business_date=before)
        center.business_date = before


@pytest.fixture
def audit_sealed(django_capture_on_commit_callbacks):
    """Seal what is pending as the periodic sealer does (hpf audit_seal), anchor lines included: the tests'
    transaction never commits, so the sealer's after-commit anchoring is run on leaving. Returns the SealResult."""
    from openhpf.audit.services import audit_seal

    def seal():
        with django_capture_on_commit_callbacks(execute=True):
            return audit_seal()

    return seal


def grant_role(user, *roles: str, center=None, branch=None):
    """Give `user` built-in roles (access/catalogue.py) at `center` (None: every center); returns the user."""
    from openhpf.access.services import role_assign

    for role in roles:
        role_assign(user=user, role=role, center=center, branch=branch, actor=SystemActor("test"))
    return user


def finance_clerk(username: str = "fin1"):
    """A 财务 (finance role at every center), made once: money movements (payments, deposits, manual postings,
    reversals) are made by a person, never by a system actor."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    return grant_role(user, "finance") if created else user


@pytest.fixture
def staff(db, django_user_model):
    """A 柜员 (teller) holding the role at every center, without a StaffProfile (no home center)."""
    user = django_user_model.objects.create_user("clerk1", password="pw-Clerk-2026", is_staff=True)
    return grant_role(user, "teller")


@pytest.fixture
def checker(db, django_user_model):
    """A 复核员 (reviewer) at every center."""
    user = django_user_model.objects.create_user("checker1", password="pw-Check-2026", is_staff=True)
    return grant_role(user, "reviewer")


@pytest.fixture
def center(db):
    from openhpf.core.services import center_create

    return center_create(code="330100", name="杭州住房公积金管理中心", business_date=BUSINESS_DATE,
                         actor=SystemActor("test"), city="杭州")
