"""The menu on a phone: a ☰ button (aria-controls, aria-expanded) opens the menu as a drawer, with the behaviour in
the static console.js (no inline script); the home page's jobs panel is only there for roles that may see jobs."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

STATIC = settings.BASE_DIR / "openhpf" / "static"


def _staff(center, role: str):
    user, _ = staff_create(username=f"drawer_{role}", password="pw-Drawer-2026", center=center,
                           actor=SystemActor("test"))
    return grant_role(user, role, center=center)


def test_every_page_has_the_drawer_button_and_the_menu_it_controls(client, center):
    client.force_login(_staff(center, "teller"))
    html = client.get("/").content.decode()
    button = re.search(r'<button[^>]*class="menu-toggle"[^>]*>', html)
    assert button is not None
    assert 'aria-controls="main-menu"' in button.group(0) and 'aria-expanded="false"' in button.group(0)
    assert 'type="button"' in button.group(0) and 'aria-label="打开菜单"' in button.group(0)
    assert re.search(r'<nav class="menu" id="main-menu" aria-label="主菜单">', html)
    assert 'data-drawer-close' in html and "<script>" not in html


def test_the_drawer_behaviour_and_its_styles_are_static_files():
    js = (STATIC / "js" / "console.js").read_text()
    for needle in ('aria-expanded', '"Escape"', "data-drawer-close", "htmx:responseError"):
        assert needle in js
    css = (STATIC / "css" / "console.css").read_text()
    assert ".menu.open" in css and ".menu-toggle" in css and "overflow-x: auto" in css


@pytest.mark.parametrize("role,panel", [("teller", True), ("sysadmin", True), ("secadmin", False),
                                        ("secauditor", False)])
def test_the_jobs_panel_shows_only_to_roles_that_may_see_jobs(client, center, role, panel):
    client.force_login(_staff(center, role))
    html = client.get("/").content.decode()
    assert ('id="jobs-panel"' in html) is panel
    assert "作业面板建设中" not in html
