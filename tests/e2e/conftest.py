"""Browser test fixtures: Debian's Chromium driven by Playwright's sync API against pytest-django's live_server.

Without Chromium the tests are skipped with a loud reason, unless HPF_REQUIRE_BROWSER=1 (CI), which fails them."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.models import PolicyParameter
from openhpf.iam.services import staff_create

from .harness import CHROMIUM, CHROMIUM_ARGS, browser_unavailable_reason, screenshots_dir

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = browser_unavailable_reason()
    if reason is not None:
        if os.environ.get("HPF_REQUIRE_BROWSER") == "1":
            pytest.fail(f"BROWSER TESTS REQUIRED (HPF_REQUIRE_BROWSER=1) but cannot run: {reason}")
        pytest.skip(f"!!! BROWSER TESTS SKIPPED: {reason} !!!")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; Django's ORM would then refuse the test's
    # own queries as "async context". Allowed only while browser tests run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems(list):
    """HTTP errors (4xx/5xx), failed requests and JavaScript errors seen by a page."""

    def assert_none(self) -> None:
        assert not self, "page problems: " + "; ".join(self)


def _new_page(browser: Any, live_server: Any, **context_args: Any) -> tuple[Any, Any, PageProblems]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url,
                                  **context_args)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = PageProblems()

    def on_response(r: Any) -> None:
        if r.status >= 400:
            problems.append(f"HTTP {r.status} {r.url}")

    page.on("response", on_response)
    def on_failed(r: Any) -> None:
        # an htmx panel's background request cut off because the user navigated away is not a problem of the page
        if r.resource_type in ("xhr", "fetch") and "ERR_ABORTED" in str(r.failure or ""):
            return
        problems.append(f"failed {r.url}: {r.failure}")

    page.on("requestfailed", on_failed)
    page.on("pageerror", lambda e: problems.append(f"JS error: {e}"))
    page.problems = problems
    return context, page, problems


@pytest.fixture
def page(browser, live_server) -> Iterator[Any]:
    """A desktop-sized page; `page.problems` lists 404s, failed loads and JS errors."""
    context, pg, _ = _new_page(browser, live_server, viewport={"width": 1280, "height": 800})
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator[Any]:
    """A phone-sized page (390×844, touch)."""
    context, pg, _ = _new_page(browser, live_server, **PHONE)
    yield pg
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name") → var/screenshots/<test>-<name>.png (gitignored)."""

    def take(pg: Any, name: str = "page") -> str:
        folder = screenshots_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-{name}")
        path = folder / f"{stem}.png"
        pg.screenshot(path=str(path), full_page=True)
        return str(path)

    return take


@pytest.fixture
def teller_shop(transactional_db, center):
    """make(username=…, password=…, display_name=…, employer_name=…, base=…, numbers=(1, 2)) → (employer,
    accounts): a teller of the center, and an employer whose accounts (numbered as given, all at `base` fen) have
    been open since 2026-08-10 (business date 2026-11-30). The seeded policy values are there (put back after
    flushes by openhpf/conftest.py's _reseed_if_flushed)."""
    assert PolicyParameter.objects.filter(center__isnull=True).exists()

    def make(*, username: str, password: str, display_name: str, employer_name: str, base: int,
             numbers: tuple[int, ...]) -> tuple[Any, list[Any]]:
        user, _ = staff_create(username=username, password=password, center=center, display_name=display_name,
                               actor=SystemActor("test"))
        grant_role(user, "teller", center=center)
        employer = make_employer(center, 1, name=employer_name)
        accts = [make_account(center, employer, i, base=base) for i in numbers]
        MemberAccount.objects.filter(pk__in=[a.pk for a in accts]).update(opened_date=date(2026, 8, 10))
        return employer, accts

    return make
