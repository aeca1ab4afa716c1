"""Root test configuration, for openhpf/ and tests/ alike: the hypothesis profile and the `slow` split.

HPF_HYPOTHESIS_PROFILE picks the property-test profile: "ci" (the default: few examples, derandomized, what
`make test` runs, database-backed property tests included) or "full" (many examples, random; `make test-slow`
runs every hypothesis test with it). Browser tests are slow tests: `make test` deselects them (-m "not slow")."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# The machine is shared and the suite runs under pytest-xdist: no per-example deadline, in either profile.
settings.register_profile("ci", max_examples=15, derandomize=True, deadline=None)
settings.register_profile("full", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HPF_HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header(config):
    return f"hypothesis profile: {settings.get_current_profile_name()} (HPF_HYPOTHESIS_PROFILE)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)



@pytest.fixture(autouse=True)
def _audit_anchor_dir(settings, tmp_path):
    """Each test anchors the audit chain in a directory of its own: a test database starts a fresh chain, which
    an anchor left by another test would show as a truncated one (docs/security.md, audit anchors)."""
    settings.HPF_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchor"
