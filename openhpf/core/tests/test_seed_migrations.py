"""The test reseed finds the seed migrations itself: every migration of the project with a RunPython operation
declares SEEDS (its seed functions, or [] for a backfill, an encryption, a guard), the reseed runs them in the
order `migrate` does, and a flushed database comes back with what a migrated one holds."""

from __future__ import annotations

import sys

import pytest
from django.core.management import call_command
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

from openhpf.access.models import Permission, Role
from openhpf.audit.models import Installation
from openhpf.catalog.models import ServiceItem, ServiceItemVersion
from openhpf.conftest import _reseed_if_flushed, seed_functions
from openhpf.core.models import CalendarDay, PolicyParameter
from openhpf.withdrawals.models import ReasonConfig


def _project_migrations():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return [m for key, m in graph.nodes.items() if type(m).__module__.startswith("openhpf.")]


def test_every_runpython_migration_declares_its_seeds():
    undeclared, bad = [], []
    for m in _project_migrations():
        module = sys.modules[type(m).__module__]
        if not any(isinstance(op, migrations.RunPython) for op in m.operations):
            continue
        seeds = getattr(module, "SEEDS", None)
        if seeds is None:
            undeclared.append(f"{m.app_label}.{m.name}")
        elif not isinstance(seeds, list | tuple) or not all(callable(fn) for fn in seeds):
            bad.append(f"{m.app_label}.{m.name}")
    assert not undeclared, f"declare SEEDS (seed functions, or [] when nothing is seeded) in: {undeclared}"
    assert not bad, f"SEEDS must list functions: {bad}"


def test_the_seeds_run_in_migration_order():
    names = [f"{fn.__module__.rsplit('.', 3)[-3]}.{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
             for fn in seed_functions()]
    assert names.index("core.0002_seed.seed_calendar") < names.index("core.0007_status_words.recode_calendar")
    assert names.index("catalog.0002_seed_national_items.seed") < names.index(
        "catalog.0004_employer_change_review.seed")
    assert "withdrawals.0002_seed_reasons.seed" in names and "access.0002_seed_roles.seed" in names


SEEDED = (PolicyParameter, CalendarDay, ServiceItem, ServiceItemVersion, ReasonConfig, Permission, Role)


def _counts():
    return {model.__name__: model.objects.count() for model in SEEDED}


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_is_reseeded_as_migrated():
    before = _counts()
    assert all(before.values()), before
    call_command("flush", "--no-input")
    assert not PolicyParameter.objects.exists() and not Installation.objects.exists()
    _reseed_if_flushed()
    assert _counts() == before
    assert set(CalendarDay.objects.values_list("kind", flat=True)) == {"holiday", "workday"}  # recoded as 0007 does
    assert Installation.objects.count() == 1
    _reseed_if_flushed()  # a database that holds its seeds is left alone
    assert _counts() == before
