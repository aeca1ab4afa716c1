"""A clerk finds a member by name, opens the account and sees only masked personal data (desktop and phone)."""

from __future__ import annotations

import re

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.ledger.tests.factories import deposit

from .harness import menu_link
from .test_login import login

PASSWORD = "pw-Clerk-2026"
RAW_ID = "11010119900107123X"
RAW_PHONE = "13812341234"


@pytest.fixture
def policies(transactional_db):
    """Seeded policy values are put back after flushes by openhpf/conftest.py (_reseed_if_flushed)."""
    from openhpf.core.models import PolicyParameter

    assert PolicyParameter.objects.filter(center__isnull=True).exists()


@pytest.fixture
def member(policies, center):
    user, _ = staff_create(username="e2eclerk", password=PASSWORD, center=center, display_name="张敏",
                           actor=SystemActor("test"))
    grant_role(user, "teller", "finance", center=center)  # finds members, then opens the trial balance
    employer = make_employer(center, 1, name="杭州云栖科技有限公司")
    account = make_account(center, employer, 1, name="李建国", id_number=RAW_ID, phone=RAW_PHONE, base=1250000)
    for i in range(1, 24):
        deposit(center, account.sub, 300000 + i)
    make_account(center, employer, 2, name="李秀英")
    return account


def _find_and_open(pg, account) -> None:
    from playwright.sync_api import expect

    login(pg, "e2eclerk", PASSWORD)
    # let the home page's jobs panel load first: leaving earlier aborts its request (a "page problem")
    expect(pg.locator("#jobs-panel")).not_to_contain_text("正在加载")
    menu_link(pg, "个人").click()
    pg.get_by_label("个人账户查询").fill("李建")  # htmx posts the query as one types
    result = pg.get_by_test_id("member-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("李**")
    expect(result).to_contain_text("110***********123X")
    expect(result).to_contain_text("138****1234")
    assert RAW_ID not in pg.content() and RAW_PHONE not in pg.content()
    result.click()
    expect(pg).to_have_url(re.compile(rf"/accounts/members/{account.account_no}/$"))
    expect(pg.get_by_test_id("member-name")).to_have_text("李**")
    expect(pg.get_by_test_id("member-id-number")).to_have_text("110***********123X")
    expect(pg.get_by_test_id("member-phone")).to_have_text("138****1234")
    html = pg.content()
    assert RAW_ID not in html and RAW_PHONE not in html and "李建国" not in html


@pytest.mark.browser
def test_clerk_finds_a_member_and_sees_masked_data(page, member, screenshot):
    from playwright.sync_api import expect

    _find_and_open(page, member)
    expect(page.locator("#history").get_by_test_id("pager-status")).to_contain_text("第 1 / 2 页")
    screenshot(page, "member-detail")
    # htmx pages the 明细账 in place
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("#history").get_by_test_id("pager-status")).to_contain_text("第 2 / 2 页")
    expect(page.locator("#history")).to_contain_text("开户")
    # the employer page lists its members with masked names
    page.get_by_role("link", name="杭州云栖科技有限公司").click()
    expect(page.locator("#members")).to_contain_text("李**")
    assert "李建国" not in page.content()
    screenshot(page, "employer-detail")
    menu_link(page, "账务").click()
    expect(page.get_by_test_id("balanced")).to_have_text("平衡")
    screenshot(page, "trial-balance")
    page.problems.assert_none()


@pytest.mark.browser
def test_member_detail_on_a_phone(phone_page, member, screenshot):
    from playwright.sync_api import expect

    _find_and_open(phone_page, member)
    # the page itself never scrolls sideways (wide tables scroll inside their own box)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "member-detail-phone")
    menu_link(phone_page, "单位").click()
    phone_page.get_by_label("单位查询").fill("云栖")
    phone_page.get_by_role("link", name="杭州云栖科技有限公司").click()
    expect(phone_page.locator("#members")).to_contain_text("李**")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "employer-detail-phone")
    phone_page.problems.assert_none()
