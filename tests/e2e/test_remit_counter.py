"""A teller runs a month's 汇缴 with a preview, then a 补缴, and prints its 回单 (desktop and 390 px), nothing done
in the CLI or the API: the menu's 汇缴 list, 办理汇缴 (employer and month → 核对 with the totals → 确认办理 → 回单),
办理补缴 (the month's unpaid members → chosen members and a reason → 核对 in 元 → 回单 → 下载 PDF)."""

from __future__ import annotations

import re

import pytest

from .harness import menu_link
from .test_login import login

PASSWORD = "pw-Remit-2026"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def shop(teller_shop):
    """A teller, and an employer of four accounts opened on 2026-08-10 (business date 2026-11-30)."""
    return teller_shop(username="e2eteller", password=PASSWORD, display_name="柜员李", employer_name="杭州西溪食品有限公司",
                       base=800000, numbers=(1, 2, 3, 4))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_teller_runs_a_months_remittance_then_a_back_payment_and_prints_its_receipt(request, shop, screenshot, size):
    from playwright.sync_api import expect

    pg = request.getfixturevalue("page" if size == "desktop" else "phone_page")
    employer, accts = shop
    login(pg, "e2eteller", PASSWORD)
    expect(pg.locator("#jobs-panel")).not_to_contain_text("正在加载")

    # the menu's 汇缴: the list, then 办理汇缴
    menu_link(pg, "汇缴").click()
    expect(pg.get_by_role("heading", name="汇缴单")).to_be_visible()
    expect(pg.get_by_test_id("remit-total")).to_have_text("共 0 张")
    pg.get_by_test_id("remit-month-link").click()
    form = pg.get_by_test_id("counter-form")
    form.get_by_label("单位账号").fill(employer.account_no)
    form.get_by_label("缴存年月").fill("2026-11")
    pg.get_by_role("button", name="下一步：核对").click()
    summary = pg.get_by_test_id("counter-summary")
    expect(summary).to_contain_text("杭州西溪食品有限公司")
    expect(summary).to_contain_text("4 人")
    expect(summary).to_contain_text("单位 12% / 个人 12%（4 人）")
    expect(summary).to_contain_text("7,680.00 元")  # 4 × 8,000.00 × 24%
    screenshot(pg, f"{size}-remit-preview")
    pg.get_by_label("已与客户核对金额和账户").check()
    pg.get_by_test_id("confirm").click()
    expect(pg).to_have_url(re.compile(r"/documents/receipts/HD\d+/$"))
    expect(pg.locator("body")).to_contain_text("汇缴（按月生成汇缴单）")
    expect(pg.locator("body")).to_contain_text("7,680.00")
    expect(pg.locator("body")).to_contain_text("柜员李")
    screenshot(pg, f"{size}-remit-receipt")

    # 办理补缴: the October members not paid, two of them chosen, with a reason
    pg.goto("/contributions/remittances/")
    expect(pg.get_by_test_id("remit-table")).to_contain_text("已确认待到账")
    pg.get_by_test_id("remit-back-link").click()
    query = pg.get_by_test_id("back-candidates-query")
    query.get_by_label("单位账号").fill(employer.account_no)
    query.get_by_label("补缴年月").fill("2026-10")
    query.get_by_role("button", name="查询该月未缴人员").click()
    candidates = pg.get_by_test_id("back-candidates")
    expect(candidates).to_contain_text("未缴人员（共 4 人）")
    expect(candidates).to_contain_text(accts[0].account_no)
    screenshot(pg, f"{size}-back-candidates")
    form = pg.get_by_test_id("counter-form")
    expect(form.get_by_label("单位账号")).to_have_value(employer.account_no)
    form.get_by_label("补缴类型").select_option("adhoc")
    form.get_by_label("补缴人员（个人账号，每行一个）").fill(f"{accts[0].account_no}\n{accts[1].account_no}")
    form.get_by_label("补缴原因").fill("单位漏报两人十月缴存")
    pg.get_by_role("button", name="下一步：核对").click()
    summary = pg.get_by_test_id("counter-summary")
    expect(summary).to_contain_text("个别补缴")
    expect(summary).to_contain_text("2 人")
    expect(summary).to_contain_text("3,840.00 元")
    expect(summary).to_contain_text("单位漏报两人十月缴存")
    expect(pg.get_by_test_id("money-warning")).to_be_visible()
    screenshot(pg, f"{size}-back-preview")
    pg.get_by_label("已与客户核对金额和账户").check()
    pg.get_by_test_id("confirm").click()
    expect(pg).to_have_url(re.compile(r"/documents/receipts/HD\d+/$"))
    body = pg.locator("body")
    expect(body).to_contain_text("补缴")
    expect(body).to_contain_text("3,840.00")
    expect(body).to_contain_text("单位漏报两人十月缴存")
    expect(pg.get_by_test_id("print")).to_be_visible()
    screenshot(pg, f"{size}-back-receipt")
    pdf = pg.request.get(pg.get_by_test_id("receipt-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    pg.problems.assert_none()
