"""What a browser test needs from the machine: Debian's Chromium, the playwright package, the vendored htmx.
Playwright never downloads a browser here; it drives /usr/bin/chromium."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

CHROMIUM = Path(os.environ.get("HPF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
VENDOR_HTMX = ROOT / "node_modules" / ".hpf-assets" / "vendor" / "htmx.min.js"


def screenshots_dir() -> Path:
    """var/screenshots/ (gitignored with the rest of var/)."""
    return Path(settings.VAR_DIR) / "screenshots"


def browser_unavailable_reason() -> str | None:
    """None when browser tests can run, else why not (said loudly by the skip or the failure)."""
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does this)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    if not VENDOR_HTMX.exists():
        return f"front-end assets missing ({VENDOR_HTMX.relative_to(ROOT)}; run make assets)"
    return None


def menu_link(pg, name: str):
    """The menu's link `name`. On a phone the menu is a drawer behind the ☰ button: opened first."""
    toggle = pg.locator("button.menu-toggle")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return pg.locator("nav.menu").get_by_role("link", name=name)
