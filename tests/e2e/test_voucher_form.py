"""Browser: the 手工记账 form adds up 借 and 贷 as the clerk types (finance/voucher.js). An unbalanced voucher is
held on the form with the difference in the message (no request leaves the page); once balanced it goes on to
the 核对 page. The server checks the balance again either way (finance/tests/test_counters.py)."""

from __future__ import annotations

import pytest

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

from .test_login import login

PASSWORD = "pw-Finance-2026"


@pytest.fixture
def accountant(center):
    user, _ = staff_create(username="e2efin", password=PASSWORD, center=center, display_name="王会计",
                           actor=SystemActor("test"))
    return grant_role(user, "finance", center=center)


@pytest.mark.browser
def test_unbalanced_voucher_is_held_on_the_form_and_a_balanced_one_goes_on(page, accountant, screenshot):
    from playwright.sync_api import expect

    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/vouchers/new/" in r.url else None)
    login(page, "e2efin", PASSWORD)
    page.goto("/finance/vouchers/new/")
    check = page.get_by_test_id("voucher-check")
    expect(check).to_have_text("借贷平衡：借方合计 0.00 元，贷方合计 0.00 元")
    page.get_by_label("摘要").fill("银行汇划手续费")
    expect(page.get_by_label("业务类型")).to_have_value("99")
    page.locator("[name=account_1]").select_option("41102")
    page.locator("[name=debit_1]").fill("1,234.50")
    page.locator("[name=account_2]").select_option("10101")
    page.locator("[name=credit_2]").fill("1,000")
    expect(check).to_have_text("借贷不平：借方合计 1,234.50 元，贷方合计 1,000.00 元，差额 234.50 元")
    expect(check).to_have_class("voucher-check bad")
    page.get_by_role("button", name="下一步：核对凭证").click()
    expect(check).to_have_attribute("role", "alert")  # held: the message is announced, the form stays
    expect(page.get_by_test_id("counter-form")).to_be_visible()
    assert posts == [], "an unbalanced voucher must not be submitted"
    screenshot(page, "voucher-unbalanced")
    # a third line makes it balance
    page.get_by_role("button", name="增加一行").click()
    page.locator("[name=account_3]").select_option("10101")
    page.locator("[name=credit_3]").fill("234.5")
    expect(check).to_have_text("借贷平衡：借方合计 1,234.50 元，贷方合计 1,234.50 元")
    page.locator("[name=debit_1]").fill("12.345")
    expect(check).to_have_text("金额格式不正确（元，最多两位小数）")
    page.get_by_role("button", name="下一步：核对凭证").click()
    assert posts == []
    page.locator("[name=debit_1]").fill("1234.50")
    page.get_by_role("button", name="下一步：核对凭证").click()
    main = page.locator("main")
    expect(main).to_contain_text("请核对以下内容")
    expect(main).to_contain_text("借 41102 归集手续费支出")
    expect(main).to_contain_text("1,234.50 元 / 1,234.50 元")
    assert len(posts) == 1
    page.problems.assert_none()
