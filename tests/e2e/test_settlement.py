"""Finance at the settlement console, in a real browser against the bank simulator: the 专户 and its balances,
a payment whose answer was lost confirmed with 查证, and money of an unknown payer assigned to its employer."""

from __future__ import annotations

import pytest

from banksim.client import SimProcess
from openhpf.accounts.tests.factories import make_employer
from openhpf.conftest import finance_clerk, grant_role
from openhpf.contributions.models import Receipt
from openhpf.core.actors import SystemActor
from openhpf.core.codes import SettlementBizType
from openhpf.iam.services import staff_create
from openhpf.settlement.four_eyes import payee_register
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import (
    bank_account_open,
    bank_channel_link_local,
    instruction_send,
    notices_pull,
    payment_submit,
)

from .harness import menu_link
from .test_login import login

PASSWORD = "pw-Finance-2026"
ACCOUNT = "6222000000000001"


@pytest.fixture
def world(transactional_db, center, tmp_path):
    with SimProcess(tmp_path / "bank.sqlite3") as sim:
        user, _ = staff_create(username="e2efin", password=PASSWORD, center=center, display_name="王会计",
                               actor=SystemActor("test"))
        grant_role(user, "finance", center=center)
        employer = make_employer(center, 1, name="杭州云栖科技有限公司")
        bank = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=ACCOUNT,
                                 account_name=center.name, actor=SystemActor("test"), business_date=center.business_date)
        bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SystemActor("test"))
        sim.open_account(ACCOUNT, name=center.name, bank_code="ICBC", balance=0)
        sim.credit(ACCOUNT, 5_000_000, counter_account="9558000000000001", counter_name="不明付款人",
                   summary="转账", date=center.business_date.isoformat())
        notices_pull(center=center, actor=SystemActor("test"), business_date=center.business_date)
        sim.faults("drop_answer", code="BDC101", count=1)
        payee_register(center=center, account_no="6217000000000001", account_name="张三", kind="counterparty",
                       actor=SystemActor("test"), source="test", approved_by="test")
        ins = payment_submit(center=center, bank_account=bank, amount=1_000_000, payee_account="6217000000000001",
                             payee_name="张三", biz_type=SettlementBizType.OTHER, book_account="21902", summary="退回暂收款",
                             actor=finance_clerk(), business_date=center.business_date)
        ins = instruction_send(instruction=ins, actor=SystemActor("test"), business_date=center.business_date)
        assert ins.state == Instruction.State.UNKNOWN
        yield {"employer": employer, "instruction": ins}


@pytest.mark.browser
def test_finance_confirms_a_lost_answer_and_assigns_unknown_money(page, world, screenshot):
    from playwright.sync_api import expect

    login(page, "e2efin", PASSWORD)
    menu_link(page, "结算").click()
    expect(page.get_by_role("heading", name="银行结算")).to_be_visible()
    expect(page.locator("table").first).to_contain_text(ACCOUNT)
    expect(page.locator("table").first).to_contain_text("10,000.00")  # reserved while the answer is unknown
    screenshot(page, "home")

    page.get_by_role("link", name="结算指令").click()
    row = page.locator("tr", has_text=world["instruction"].seq)
    expect(row).to_contain_text("结果未知")
    row.get_by_role("button", name="查证").click()
    expect(page.locator("tr", has_text=world["instruction"].seq)).to_contain_text("成功")
    expect(page.locator("tr", has_text=world["instruction"].seq)).to_contain_text("BDC110")

    page.goto("/contributions/receipts/")
    row = page.locator("tr", has_text="50,000.00")
    expect(row).to_contain_text("不****")  # the payer's name masked
    row.get_by_label("单位账号").fill(world["employer"].account_no)
    row.get_by_role("button", name="认领").click()
    expect(page.get_by_role("heading", name="确认暂收认领？")).to_be_visible()
    expect(page.get_by_test_id("assign-summary")).to_contain_text("杭州云栖科技有限公司")
    assert Receipt.objects.get(amount=5_000_000).employer_id is None  # nothing moved before the confirmation
    page.get_by_test_id("assign-confirm").click()
    expect(page.get_by_text("没有待认领的暂收款")).to_be_visible()
    expect(page.get_by_test_id("assigned")).to_contain_text("杭州云栖科技有限公司")
    screenshot(page, "receipts")
    assert Receipt.objects.get(amount=5_000_000).employer_id == world["employer"].pk
    page.problems.assert_none()
