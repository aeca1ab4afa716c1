"""Browser: a finance officer opens the liquidity page and sees the forecast chart drawn by ECharts (a canvas
inside the chart div, no page errors under the CSP), then a balance sheet with its figures (desktop and phone).
The ledger figures are posted with the finance tests' builder (openhpf/finance/tests/builders.py)."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.finance.tests.builders import LedgerBuilder
from openhpf.iam.services import staff_create

from .harness import menu_link
from .test_login import login

PASSWORD = "pw-Finance-2026"


@pytest.fixture
def books(transactional_db, center):
    """24 months of contributions and withdrawals, and a loan (unwound at the end: no loans app yet)."""
    from django.apps import apps

    # transactional tests flush the seeded policy rows; openhpf/conftest.py puts back 0002/0003, this puts back
    # the finance keys of core.0004 (idempotent)
    importlib.import_module("openhpf.core.migrations.0004_finance_policy").seed_finance_policy(apps, None)
    user, _ = staff_create(username="e2efin", password=PASSWORD, center=center, display_name="王财务",
                           actor=SystemActor("test"))
    grant_role(user, "finance", center=center)
    b = LedgerBuilder(center)
    y, m = 2024, 11
    for i in range(24):
        d = date(y, m, 10)
        b.contribute(d, 12_000_000 + 150_000 * i + (3_000_000 if m == 12 else 0))
        b.withdraw(d + timedelta(days=5), 7_000_000 + 100_000 * i)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    b.disburse(date(2026, 10, 20), 80_000_000)
    yield b
    b.unwind_loans()


@pytest.mark.browser
def test_liquidity_chart_and_balance_sheet(page, books, screenshot):
    from playwright.sync_api import expect

    login(page, "e2efin", PASSWORD)
    expect(page.locator("#jobs-panel")).not_to_contain_text("正在加载")
    menu_link(page, "财务").click()
    expect(page.get_by_test_id("home-loan-ratio")).to_be_visible()
    page.get_by_role("link", name="流动性").first.click()
    expect(page.get_by_test_id("loan-ratio")).not_to_have_text("—")
    chart = page.get_by_test_id("forecast-chart")
    expect(chart.locator("canvas, svg").first).to_be_attached()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert page.evaluate("typeof window.echarts") == "object"
    assert page.evaluate("window.echarts.getInstanceByDom(document.getElementById('forecast-chart')) !== undefined")
    expect(page.get_by_test_id("forecast-table").locator("tbody tr")).to_have_count(6)
    # the flows have their own axis: 可用资金 (tens of millions) is drawn against the right-hand one
    axes = page.evaluate("(() => { const o = window.echarts.getInstanceByDom(document.getElementById('forecast-chart'))"
                         ".getOption(); return [o.yAxis.map(a => a.name), o.series.map(s => s.yAxisIndex)]; })()")
    assert axes == [["流量（万元）", "可用资金（万元）"], [0, 0, 0, 1]], axes
    screenshot(page, "liquidity")
    page.goto("/finance/liquidity/?on=2031-01-01")  # a day after the business date: refused, not replaced
    expect(page.get_by_role("alert")).to_contain_text("2031-01-01 晚于业务日期")
    expect(page.get_by_test_id("forecast-chart")).to_have_count(0)
    page.goto("/finance/liquidity/")

    page.get_by_role("link", name="财务报表").click()
    page.get_by_label("报表期间").fill("2026-10")
    page.get_by_role("button", name="查询").click()
    table = page.get_by_test_id("statement-table").first
    expect(table).to_contain_text("住房公积金存款")
    deposits = books.balance("101", date(2026, 10, 31))
    from openhpf.core.money import format_fen

    expect(table).to_contain_text(format_fen(deposits))
    expect(page.get_by_test_id("statement-balanced")).to_contain_text("勾稽关系全部成立")
    screenshot(page, "balance-sheet")
    page.problems.assert_none()
    with page.expect_download() as dl:
        page.get_by_test_id("download-xlsx").click()
    assert dl.value.suggested_filename == "资产负债表-2026-10.xlsx"
    assert Path(dl.value.path()).read_bytes()[:2] == b"PK"
    # Chromium reports a navigation that turns into a download as aborted; nothing else may go wrong
    assert all("/finance/statements/export/" in p and "ERR_ABORTED" in p for p in page.problems), page.problems


@pytest.mark.browser
def test_liquidity_on_a_phone(phone_page, books, screenshot):
    from playwright.sync_api import expect

    login(phone_page, "e2efin", PASSWORD)
    # let the home page's jobs panel load first: leaving earlier aborts its request (a "page problem")
    expect(phone_page.locator("#jobs-panel")).not_to_contain_text("正在加载")
    phone_page.goto("/finance/liquidity/")
    expect(phone_page.get_by_test_id("forecast-chart").locator("canvas, svg").first).to_be_attached()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "liquidity-phone")
    phone_page.problems.assert_none()
