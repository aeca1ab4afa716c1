"""Finance's whole day in a real browser against the bank simulator, without the CLI or the API: pull the bank's
notices, assign the 暂收 of an unknown payer, fetch the statement, reconcile, book a bank fee through maker-checker
(a checker approves it on a phone), close the day; the next day's day-end is refused over the fee left
unbooked, finance books it, the checker approves, and the day-end is re-run from the page and closes."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest

from banksim.client import SimProcess
from openhpf.accounts.tests.factories import make_employer
from openhpf.approvals.models import PendingCommand
from openhpf.conftest import grant_role
from openhpf.contributions.models import Receipt
from openhpf.core.actors import SystemActor
from openhpf.core.models import Center
from openhpf.iam.services import staff_create
from openhpf.jobs.models import Job
from openhpf.reconciliation.models import Reconciliation
from openhpf.settlement.services import bank_account_open, bank_channel_link_local

from .harness import menu_link
from .test_login import login

PASSWORD = "pw-Finance-2026"
ACCOUNT = "6222000000000077"


@pytest.fixture
def world(transactional_db, center, tmp_path):
    from django.apps import apps

    # transactional tests flush the seeded policy rows; the liquidity step of day-end reads the finance keys
    importlib.import_module("openhpf.core.migrations.0004_finance_policy").seed_finance_policy(apps, None)
    with SimProcess(tmp_path / "bank.sqlite3") as sim:
        for name, role, display in (("e2efin", "finance", "王会计"), ("e2echk", "reviewer", "李复核")):
            user, _ = staff_create(username=name, password=PASSWORD, center=center, display_name=display,
                                   actor=SystemActor("test"))
            grant_role(user, role, center=center)
        employer = make_employer(center, 1, name="杭州云栖科技有限公司")
        bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=ACCOUNT,
                          account_name=center.name, actor=SystemActor("test"), business_date=center.business_date)
        bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SystemActor("test"))
        sim.open_account(ACCOUNT, name=center.name, bank_code="ICBC", balance=0)
        on = center.business_date.isoformat()
        sim.credit(ACCOUNT, 5_000_000, counter_account="9558000000000001", counter_name="不明付款人", summary="转账",
                   date=on)
        fee = sim.debit(ACCOUNT, 150, counter_name="工商银行", summary="汇划手续费", date=on)
        late = sim.debit(ACCOUNT, 300, counter_name="工商银行", summary="账户管理费", date=on)
        yield {"center": center, "employer": employer, "sim": sim, "fee": fee, "late": late}


def _approve(checker, command: PendingCommand) -> None:
    """The checker opens the command from the 复核 queue and approves it."""
    from playwright.sync_api import expect

    checker.goto("/approvals/")
    checker.locator(f"a[href='/approvals/{command.pk}/']").first.click()
    checker.get_by_test_id("approve").click()
    checker.get_by_test_id("approve-confirm").click()  # 通过 asks for confirmation
    expect(checker.get_by_test_id("status")).to_have_text("已执行")


def _book(page, item_text: str, summary: str) -> PendingCommand:
    """补记凭证 for the open item whose row shows `item_text`: the fee as 41102 against the 专户, checked on the
    核对 page, submitted for a checker, with its 业务回单."""
    from playwright.sync_api import expect

    before = PendingCommand.objects.count()
    page.goto("/reconciliation/items/")
    page.get_by_test_id("item-row").filter(has_text=item_text).get_by_role("link", name="补记凭证").click()
    page.get_by_label("对方科目").select_option("41102")
    page.get_by_label("凭证摘要").fill(summary)
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.locator("main")).to_contain_text("41102 归集手续费支出")
    page.get_by_test_id("confirm").click()
    expect(page.locator("main")).to_contain_text("补记凭证（已提交复核）")
    assert PendingCommand.objects.count() == before + 1
    cmd = PendingCommand.objects.order_by("-pk").first()
    # the item now waits for the checker: its row links the command and does not offer 补记凭证 again
    page.goto("/reconciliation/items/")
    row = page.get_by_test_id("item-row").filter(has_text=item_text)
    expect(row.get_by_test_id("item-pending")).to_contain_text(f"复核单 #{cmd.pk}")
    expect(row.get_by_role("link", name="补记凭证")).to_have_count(0)
    return cmd


@pytest.mark.browser
@pytest.mark.slow
def test_finance_closes_the_day_on_screen(page, phone_page, world, screenshot):
    from playwright.sync_api import expect

    center = world["center"]
    d1 = center.business_date
    login(page, "e2efin", PASSWORD)
    expect(page.locator("#jobs-panel")).not_to_contain_text("正在加载")

    # the gate does not say 可以日终 while nothing was reconciled
    menu_link(page, "对账").click()
    expect(page.get_by_test_id("day-end-gate")).to_contain_text("未对账")
    expect(page.get_by_test_id("day-end-gate")).not_to_contain_text("可以日终")

    # 1. notices: the unknown payer's money lands in 暂收, the bank's fees wait for finance
    menu_link(page, "结算").click()
    page.get_by_role("button", name="拉取到账通知").click()
    expect(page.locator(".messages")).to_contain_text("新通知 3 笔")
    expect(page.locator(".messages")).to_contain_text("50,000.00 元")
    screenshot(page, "notices-pulled")

    # 2. assign the 暂收 to its employer
    page.goto("/contributions/receipts/")
    row = page.locator("tr", has_text="50,000.00")
    expect(row).to_contain_text("不****")  # the payer's name masked
    row.get_by_label("单位账号").fill(world["employer"].account_no)
    row.get_by_role("button", name="认领").click()
    page.get_by_test_id("assign-confirm").click()  # 认领 names the employer and asks for confirmation
    expect(page.get_by_text("没有待认领的暂收款")).to_be_visible()
    assert Receipt.objects.get(amount=5_000_000).employer_id == world["employer"].pk

    # 3. the statement from the bank (BDC113), then 4. reconcile
    page.goto("/reconciliation/")
    account = page.get_by_test_id(f"account-{ACCOUNT}")
    account.get_by_role("button", name="下载对账单").click()
    expect(page.locator(".messages")).to_contain_text("3 笔，收入 50,000.00 元，支出 4.50 元")
    page.get_by_test_id(f"account-{ACCOUNT}").get_by_role("button", name="运行对账").click()
    expect(page.locator(".messages")).to_contain_text("对账完成")
    expect(page.locator("body")).to_contain_text("汇划手续费")
    screenshot(page, "reconciled")

    # 5. the fee the bank took is booked through maker-checker; the checker approves it on a phone
    cmd = _book(page, world["fee"]["bank_seq"], "汇划手续费")
    login(phone_page, "e2echk", PASSWORD)
    expect(phone_page.locator("#jobs-panel")).not_to_contain_text("正在加载")
    _approve(phone_page, cmd)
    screenshot(phone_page, "fee-approved")
    page.goto("/reconciliation/")
    page.get_by_test_id(f"account-{ACCOUNT}").get_by_role("button", name="运行对账").click()
    expect(page.locator(".messages")).to_contain_text("对账完成")
    r = Reconciliation.objects.get(recon_date=d1)
    assert r.items_open == 1 and r.bank_out_open == 300  # the fee is matched; the 账户管理费 waits (未达账项)

    # 6. close the day: the steps are shown while it runs, then the outcome
    page.goto("/reconciliation/dayend/")
    expect(page.get_by_test_id("day-end-gate")).to_contain_text("可以日终")
    page.get_by_label(re.compile("确认结束")).check()
    page.get_by_role("button", name="运行日终").click()
    expect(page.get_by_test_id("dayend-outcome")).to_contain_text(f"日终 {d1} 完成", timeout=60_000)
    expect(page.get_by_test_id("dayend-status")).to_have_text("成功")
    expect(page.locator("[data-step=close]")).to_contain_text("完成")
    screenshot(page, "day-closed")
    d2 = d1 + timedelta(days=1)
    assert Center.objects.get(pk=center.pk).business_date == d2

    # the next day: the 账户管理费 still unbooked holds the day-end, with the whole reason on screen
    page.goto("/reconciliation/dayend/")
    page.get_by_label(re.compile("确认结束")).check()
    page.get_by_role("button", name="运行日终").click()
    expect(page.get_by_test_id("dayend-outcome")).to_contain_text("DAYEND_UNRECONCILED", timeout=60_000)
    expect(page.get_by_test_id("dayend-error")).to_contain_text(f"{d2} 对账未平，日终不能结束")
    expect(page.get_by_test_id("dayend-error")).to_contain_text("1 笔差异待说明")
    expect(page.locator("[data-step=gate]")).to_contain_text("失败")
    screenshot(page, "day-refused")
    assert Center.objects.get(pk=center.pk).business_date == d2

    # fixed from the screen: the fee booked through maker-checker; the day-end re-run continues and closes
    cmd = _book(page, world["late"]["bank_seq"], "账户管理费")
    _approve(phone_page, cmd)
    page.goto("/reconciliation/dayend/")
    expect(page.get_by_test_id("dayend-error")).to_be_visible()
    page.get_by_label(re.compile("确认结束")).check()
    page.get_by_role("button", name="重新运行日终").click()
    expect(page.get_by_test_id("dayend-outcome")).to_contain_text(f"日终 {d2} 完成", timeout=60_000)
    expect(page.get_by_test_id("dayend-status")).to_have_text("成功")
    screenshot(page, "day-rerun")
    assert Center.objects.get(pk=center.pk).business_date == d2 + timedelta(days=1)
    assert Job.objects.filter(kind="settlement.dayend", status=Job.Status.SUCCEEDED).count() == 2
    page.problems.assert_none()
    phone_page.problems.assert_none()
