"""Staff sign-in with the TOTP second factor in a real browser (enrol, then log in with a code; a replayed code
is refused), and the lockout after five wrong passwords."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.core.cache import cache

from openhpf.core.actors import SystemActor
from openhpf.iam.models import StaffSecurity
from openhpf.iam.services import staff_create, staff_totp_require

PASSWORD = "pw-Clerk-2026"


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="totpclerk", password=PASSWORD, center=center, display_name="赵安",
                           actor=SystemActor("test"))
    staff_totp_require(user=user, required=True, actor=SystemActor("test"))
    return user


def login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _fresh_code(secret: str) -> str:
    """A code not about to roll over (so the test does not race the 30-second step)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(3.5)
    return pyotp.TOTP(secret).now()


@pytest.mark.browser
def test_staff_enrols_and_logs_in_with_totp(page, clerk, live_server, screenshot):
    from playwright.sync_api import expect

    csp_violations: list[str] = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "totpclerk", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/totp/")  # required but not yet enrolled
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert secret == StaffSecurity.objects.get(user=clerk).totp_secret
    expect(page.get_by_test_id("totp-uri")).to_contain_text("otpauth://totp/")
    screenshot(page, "totp-enrol")
    page.get_by_label("应用显示的 6 位动态口令").fill(_fresh_code(secret))
    page.get_by_role("button", name="确认绑定").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{live_server.url}/login/")

    # Sign in again: the password, then the code.
    login(page, "totpclerk", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/login/totp/")
    page.get_by_label("动态口令").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("alert")).to_contain_text("动态口令不正确")
    time.sleep(max(0.0, 30 - time.time() % 30) + 0.5)  # the enrolment used this step's code: wait for the next
    code = _fresh_code(secret)
    page.get_by_label("动态口令").fill(code)
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("home-center")).to_have_text("杭州住房公积金管理中心")
    screenshot(page, "totp-signed-in")
    page.get_by_role("button", name="退出").click()

    # The same code again (same step): a replay, refused.
    login(page, "totpclerk", PASSWORD)
    page.get_by_label("动态口令").fill(code)
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("alert")).to_contain_text("动态口令不正确或已使用")
    csp = page.request.get(f"{live_server.url}/login/").headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert not csp_violations, csp_violations  # nothing the pages load or run was blocked by the CSP


@pytest.mark.browser
def test_lockout_in_the_browser(phone_page, clerk, live_server):
    from playwright.sync_api import expect

    for _ in range(5):
        login(phone_page, "totpclerk", "wrong-password")
    expect(phone_page.get_by_role("alert")).to_contain_text("已锁定")
    login(phone_page, "totpclerk", PASSWORD)
    expect(phone_page.get_by_role("alert")).to_contain_text("已锁定")
    expect(phone_page).to_have_url(f"{live_server.url}/login/")
