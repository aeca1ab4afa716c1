"""Fixtures for the root test tree (browser tests): the shared ones of openhpf/conftest.py, and a loud header."""

from __future__ import annotations

import os

from openhpf.conftest import _verify_after_scenario, center, staff  # noqa: F401

from .e2e.harness import browser_unavailable_reason


def pytest_report_header(config):
    reason = browser_unavailable_reason()
    if reason is None:
        return "browser tests: Chromium via Playwright (headless)"
    mode = "FAIL (HPF_REQUIRE_BROWSER=1)" if os.environ.get("HPF_REQUIRE_BROWSER") == "1" else "SKIPPED"
    bar = "!" * 78
    return [bar, f"!! BROWSER TESTS WILL BE {mode}: {reason}", bar]
