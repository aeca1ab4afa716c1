"""Shared fixtures: a center on an explicit business date, actors, and `hpf verify` after every scenario."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

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


def _reseed_if_flushed() -> None:
    """Transactional tests flush every table when they end, the data seeded by migrations included; put the
    national policy values and the calendar back so the next test sees a freshly migrated database."""
    import importlib

    from django.apps import apps

    from openhpf.core.models import CalendarDay, PolicyParameter

    seed = importlib.import_module("openhpf.core.migrations.0002_seed")
    if not PolicyParameter.objects.filter(center__isnull=True).exists():
        seed.seed_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0003_seed_contribution_relief").seed_relief_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0004_finance_policy").seed_finance_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0006_ingest_policy").seed_ingest_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0008_upload_policy").seed_upload_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0009_interest_notice_refund_policy") \
            .seed_interest_notice_refund_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0010_backpay_policy").seed_backpay_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0011_deadline_counting_ratio_step").seed_rules_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0012_receipt_bank_match_policy").seed_receipt_match_policy(apps, None)
        importlib.import_module("openhpf.core.migrations.0013_seed_continuity_policy").seed(apps, None)
        importlib.import_module("openhpf.core.migrations.0014_rating_followup_policy").seed(apps, None)
        importlib.import_module("openhpf.core.migrations.0015_arrears_notice_policy").seed(apps, None)
    if not CalendarDay.objects.exists():
        seed.seed_calendar(apps, None)  # in the letters of its day: recoded as migration 0007 does
        from django.db import connection

        from openhpf.core.recode import recode_sql

        words = importlib.import_module("openhpf.core.migrations.0007_status_words")
        with connection.cursor() as cur:
            cur.execute(recode_sql(CalendarDay._meta.db_table, "kind", words.CALENDAR))
    from openhpf.catalog.models import ServiceItem

    if not ServiceItem.objects.exists():  # the national service items seeded by catalog/0002
        importlib.import_module("openhpf.catalog.migrations.0002_seed_national_items").seed(apps, None)
        importlib.import_module("openhpf.catalog.migrations.0004_employer_change_review").seed(apps, None)
    from openhpf.withdrawals.models import ReasonConfig

    if not ReasonConfig.objects.exists():  # the withdrawal reasons, their rule sets and the rent cap (withdrawals/0002), the risk rules (0003)
        importlib.import_module("openhpf.withdrawals.migrations.0002_seed_reasons").seed(apps, None)
        importlib.import_module("openhpf.withdrawals.migrations.0003_risk_rules").seed(apps, None)
    from openhpf.access.catalogue import sync as access_sync
    from openhpf.access.models import Permission

    if not Permission.objects.exists():  # the roles and permissions seeded by access/0002
        access_sync(apps)


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
