"""Every menu page (console/nav.py MENU), for every staff role that sees it, at 390 px: no page is wider than the
viewport (wide tables scroll inside their card), no panel errors (the harness records any 4xx/5xx, failed load
or JavaScript error) and no htmx panel is left spinning. The first link of each list leads one level down, and
that page is held to the same rules. The menu itself is a drawer behind ☰, opened and closed by keyboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from openhpf.access.catalogue import ROLES
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.console.nav import nav_items
from openhpf.contributions.remittance.services import remittance_create
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.ledger.models import SubAccount
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.services import bank_account_open

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SYS = SystemActor("test")
# The first link of a list page: search results, then table rows; never a download, an action or another menu.
FIRST_LINK = ("main .results a[href^='/'], main table tbody a[href^='/'], main .card li a[href^='/']")
SKIP_HREF = ("/logout", "export", "download", ".xlsx", ".pdf", ".csv", "/errors/", "template")


@pytest.fixture
def world(transactional_db, center):
    """A center with data on every list: employers with long names, accounts with money, a 汇缴单, a 专户; and one
    staff member per built-in role."""
    employers = [make_employer(center, 1, name="杭州钱塘新区智能制造装备产业园区开发建设有限责任公司"),
                 make_employer(center, 2, name="杭州云栖科技有限公司")]
    for i, emp in enumerate(employers * 2, start=1):
        acct = make_account(center, emp, i)
        deposit(center, SubAccount.objects.get(pk=acct.pk), 1_234_567 * i)
    remittance_create(employer=employers[1], month="2026-11", actor=SYS, business_date=center.business_date)
    bank_account_open(center=center, bank_code="ICBC", bank_name="中国工商银行", account_no="6222000000000088",
                      account_name=center.name, actor=SYS, business_date=center.business_date)
    users = {}
    for spec in ROLES:
        user, _ = staff_create(username=f"walk_{spec.code}", password="pw-Walk-2026", center=center,
                               display_name=spec.name, actor=SYS)
        users[spec.code] = grant_role(user, spec.code, center=center)
    return users


def _sign_in(pg, live_server, user) -> None:
    """The session of a signed-in user, set as the browser's cookie (nine password logins from one address would
    meet the login rate limit; signing in through the form is tested in test_login.py)."""
    c = Client()
    c.force_login(user)
    pg.context.clear_cookies()
    pg.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                             "url": live_server.url}])


def _settle(pg) -> None:
    """Wait for the page and its htmx panels (load-triggered requests) to finish."""
    pg.wait_for_load_state("networkidle")
    pg.wait_for_function("!document.querySelector('.htmx-request')", timeout=10_000)


def _check(pg, role: str, where: str) -> list[str]:
    """What is wrong with the page now: wider than the viewport, a panel still loading or failed, page problems."""
    bad = []
    # A phone browser widens its layout viewport to content that overflows (innerWidth follows scrollWidth
    # then), so the page is held to the device's width as well: clientWidth and the 390 px of the viewport.
    width, inner, client = pg.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]")
    limit = min(inner, client, pg.viewport_size["width"])
    if width > limit:
        culprit = pg.evaluate("""() => { const w = document.documentElement.clientWidth; let best = null;
            for (const el of document.querySelectorAll('main *, header *, nav *')) {
              const r = el.getBoundingClientRect();
              if (r.right > w + 1 && (!best || r.width < best.r.width)) { best = {el, r}; } }
            return best ? best.el.tagName + '.' + best.el.className + ' ' + Math.round(best.r.right) : ''; }""")
        bad.append(f"{role} {where}: {width}px wide > {limit}px ({culprit})")
    spinning = pg.locator("main").get_by_text("正在加载").filter(visible=True)
    if spinning.count():
        bad.append(f"{role} {where}: a panel is still loading")
    if pg.locator(".panel-error").count():
        bad.append(f"{role} {where}: a panel failed: {pg.locator('.panel-error').first.inner_text()}")
    bad += [f"{role} {where}: {p}" for p in pg.problems]
    pg.problems.clear()
    return bad


def _first_link(pg) -> str | None:
    for a in pg.locator(FIRST_LINK).all():
        href = a.get_attribute("href") or ""
        if href and not any(s in href for s in SKIP_HREF) and a.is_visible():
            return href
    return None


def test_every_menu_page_for_every_role_fits_a_phone(world, phone_page, live_server, screenshot):
    pg = phone_page
    problems: list[str] = []
    walked = 0
    for role, user in world.items():
        _sign_in(pg, live_server, user)
        items = [i for i in nav_items("/", user=user) if i.url]
        assert items, f"{role} sees no menu page"
        for item in items:
            pg.goto(item.url)
            _settle(pg)
            assert urlsplit(pg.url).path == item.url, f"{role} {item.label}: sent to {pg.url}"
            found = _check(pg, role, item.label)
            if found:
                screenshot(pg, f"{role}-{item.url.strip('/').replace('/', '-') or 'home'}")
            problems += found
            walked += 1
            href = _first_link(pg) if item.url != "/" else None
            if href:
                pg.goto(href)
                _settle(pg)
                found = _check(pg, role, f"{item.label} → {href}")
                if found:
                    screenshot(pg, f"{role}-detail-{href.strip('/').replace('/', '-')}")
                problems += found
                walked += 1
    assert walked > 40  # nine roles, most of the menu and the pages one level down
    assert not problems, "\n".join(problems)


def test_the_menu_drawer_by_keyboard(world, phone_page, live_server):
    from playwright.sync_api import expect

    pg = phone_page
    _sign_in(pg, live_server, world["teller"])
    pg.goto("/")
    toggle = pg.locator("button.menu-toggle")
    menu = pg.locator("nav.menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="单位")).to_be_hidden()  # closed: off screen and out of the tab order
    toggle.focus()
    pg.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="单位")).to_be_visible()
    expect(menu.get_by_role("link", name="首页")).to_be_focused()  # focus goes into the drawer
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    pg.keyboard.press("Enter")
    pg.keyboard.press("Tab")  # 首页 → 单位
    pg.keyboard.press("Enter")
    expect(pg).to_have_url(f"{live_server.url}/accounts/employers/")
    expect(pg.locator("button.menu-toggle")).to_have_attribute("aria-expanded", "false")
    pg.problems.assert_none()


def test_an_expired_session_sends_the_whole_page_to_login(world, phone_page, live_server):
    """Signed out behind the page's back: the next htmx request (the employer search) takes the whole page to
    the login page, with next= the page, instead of the login form landing in the results box."""
    from playwright.sync_api import expect

    pg = phone_page
    _sign_in(pg, live_server, world["teller"])
    pg.goto("/accounts/employers/")
    _settle(pg)
    pg.context.clear_cookies()  # the session is gone (expired or signed out elsewhere)
    pg.get_by_label("单位查询").fill("云栖")
    expect(pg).to_have_url(f"{live_server.url}/login/?next=%2Faccounts%2Femployers%2F")
    expect(pg.get_by_label("用户名")).to_be_visible()
    assert pg.locator(".results, [data-testid=employer-result]").count() == 0
    pg.problems.assert_none()
