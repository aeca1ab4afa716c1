"""A clerk works the queue (办件工作台) in the browser: files a 租房提取 for a member at the counter (item, 个人账号,
the item's form, the scanned materials → 核对 → 回单), finds it in the queue, claims it (领办), reviews it at 初审 with
a reason (通过) and carries it out (办理) — nothing in the CLI or the API.

The real items' handlers come from their own apps; here a small handler with a form is registered for the seeded
item HPF-P-WD-07 in this process, which is the live server's too."""

from __future__ import annotations

import re

import pytest
from django import forms

from openhpf.applications.models import RuleSet
from openhpf.applications.registry import Handler, handler_swapped
from openhpf.conftest import grant_role
from openhpf.core.formfields import YuanField
from openhpf.core.money import format_fen

from .harness import menu_link
from .test_login import login

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ITEM = "HPF-P-WD-07"
PASSWORD = "pw-Queue-2026x"


class RentForm(forms.Form):
    amount = YuanField(label="提取金额（元）")
    lease_start = forms.DateField(label="租赁起始日期")


def _validate(payload, app):
    problems = [] if isinstance(payload.get("amount"), int) and payload["amount"] > 0 else ["提取金额应大于零"]
    return payload, problems


@pytest.fixture
def rent_item():
    RuleSet.objects.filter(item_code=ITEM).delete()  # the item's seeded rules read inputs this handler has not
    with handler_swapped(Handler(
        item_code=ITEM, validate=_validate, rule_inputs=lambda app: {}, execute=lambda app, actor, d: {"paid": app.amount},
        amount=lambda p: p.get("amount"), form=RentForm,
        describe=lambda p: [("提取金额", f"{format_fen(p['amount'])} 元"), ("租赁起始日期", str(p["lease_start"]))])):
        yield


def test_a_clerk_files_claims_reviews_and_completes_an_application(page, teller_shop, rent_item, screenshot, tmp_path):
    from playwright.sync_api import expect

    pg = page
    employer, accts = teller_shop(username="e2equeue", password=PASSWORD, display_name="柜员周",
                                  employer_name="杭州运河物流有限公司", base=800000, numbers=(1,))
    from django.contrib.auth import get_user_model

    grant_role(get_user_model().objects.get(username="e2equeue"), "reviewer", center=employer.center)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned at the counter")
    login(pg, "e2equeue", PASSWORD)

    # 柜面代为申请: the item, the member, the form, the scans → 核对 → 回单
    menu_link(pg, "办件").click()
    expect(pg.get_by_role("heading", name="办件工作台")).to_be_visible()
    pg.get_by_test_id("intake-link").click()
    pg.get_by_test_id("intake-items").get_by_role("link", name="租房提取").click()
    form = pg.get_by_test_id("counter-form")
    form.get_by_label("个人账号").fill(accts[0].account_no)
    form.get_by_label("提取金额（元）").fill("2500")
    form.get_by_label("租赁起始日期").fill("2026-01-01")
    for field in form.locator("input[type=file]").all():
        field.set_input_files(str(scan))
    pg.get_by_role("button", name="下一步：核对").click()
    summary = pg.get_by_test_id("counter-summary")
    expect(summary).to_contain_text("租房提取")
    expect(summary).to_contain_text("2,500.00 元")
    pg.get_by_test_id("confirm").click()
    expect(pg).to_have_url(re.compile(r"/documents/receipts/HD\d+/$"))
    expect(pg.locator("body")).to_contain_text("审核中")
    number = re.search(r"SQ\d{16}", pg.locator("body").inner_text()).group(0)
    screenshot(pg, "intake-receipt")

    # the queue: unclaimed, due in 3 days; claim it
    menu_link(pg, "办件").click()
    expect(pg.get_by_test_id("queue-total")).to_have_text("共 1 件")
    row = pg.get_by_test_id("queue-table").locator(f"tr[data-number='{number}']")
    expect(row).to_contain_text("2,500.00")
    expect(row).to_contain_text("未领取")
    row.get_by_role("link", name=number).click()
    expect(pg.get_by_test_id("application-materials")).to_contain_text("scan.pdf")
    pg.get_by_test_id("claim").click()
    expect(pg.get_by_test_id("application-holder")).to_have_text("柜员周")

    # 初审 with a reason: approved (2,500 元 needs no 复审), then 办理
    review = pg.get_by_test_id("review-form")
    review.get_by_role("radio", name="通过", exact=True).check()
    review.get_by_label("理由", exact=True).fill("租赁合同与发票齐全")
    pg.get_by_test_id("review-submit").click()
    expect(pg.get_by_test_id("application-state")).to_have_text("审核通过")
    pg.get_by_test_id("execute").click()
    expect(pg.get_by_test_id("application-state")).to_have_text("已办结")
    expect(pg.get_by_test_id("application-timeline")).to_contain_text("初审通过：租赁合同与发票齐全")
    screenshot(pg, "completed")
    pg.problems.assert_none()
