"""A staff member signs in to the console and sees their center and business date (desktop and phone)."""

from __future__ import annotations

import pytest

from openhpf.conftest import BUSINESS_DATE, grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

PASSWORD = "pw-Clerk-2026"


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="e2eclerk", password=PASSWORD, center=center, display_name="张敏",
                           actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


def login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.browser
def test_staff_logs_in_and_sees_center(page, clerk, center, screenshot, live_server):
    from playwright.sync_api import expect

    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    login(page, "e2eclerk", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("home-center")).to_have_text(center.name)
    expect(page.get_by_test_id("home-business-date")).to_have_text(BUSINESS_DATE.isoformat())
    expect(page.get_by_test_id("business-date")).to_have_text(BUSINESS_DATE.isoformat())
    expect(page.locator("nav.menu")).to_contain_text("个人")
    expect(page.locator("nav.menu")).not_to_contain_text("审计")  # a teller does not see the audit log
    # The vendored htmx was served by the live server (no 404) and ran.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("window.htmx.version").startswith("2.")
    # The jobs panel is filled by htmx once the page loads (a placeholder while the jobs app is not mounted).
    expect(page.locator("#jobs-panel")).not_to_contain_text("正在加载")
    screenshot(page, "home")
    page.problems.assert_none()

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{live_server.url}/login/")


@pytest.mark.browser
def test_wrong_password_stays_on_login(phone_page, clerk, screenshot):
    from playwright.sync_api import expect

    login(phone_page, "e2eclerk", "not-the-password")
    expect(phone_page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    screenshot(phone_page, "login-error-phone")


@pytest.mark.browser
def test_home_on_a_phone(phone_page, clerk, center, screenshot):
    from playwright.sync_api import expect

    login(phone_page, "e2eclerk", PASSWORD)
    expect(phone_page.get_by_test_id("home-center")).to_have_text(center.name)
    # Nothing wider than the screen: the menu scrolls inside itself.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "home-phone")
    phone_page.problems.assert_none()
