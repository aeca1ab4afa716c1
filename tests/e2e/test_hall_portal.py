"""The member portal in a browser (phone 390×844, then desktop and 360 px): a member registers, signs in, sees the
balance, applies for a rent withdrawal with every rule shown first and photos from the camera input, the center
accepts, approves and pays it (services, as the counter and day-end would), and the member sees it paid and rates
it. 长辈模式 renders the member pages without horizontal scrolling at 360 px and is operable by keyboard."""

from __future__ import annotations

import re

import pytest

from openhpf.applications import services as engine
from openhpf.applications.models import Application, Rating, State
from openhpf.core.actors import SystemActor
from openhpf.iam.models import Outbox
from openhpf.iam.services import member_principal_create
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_send
from openhpf.settlement.tests.conftest import bank, sim  # noqa: F401
from openhpf.verification import models as vm
from openhpf.withdrawals.handlers import RENT
from openhpf.withdrawals.tests.conftest import verified_card, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "Portal-Pass-2026"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _last_code(phone: str) -> str:
    msg = Outbox.objects.filter(recipient=phone).order_by("-id").first()
    assert msg is not None, "no code was sent"
    found = re.search(r"\d{6}", msg.body)
    assert found is not None
    return found.group(0)


@pytest.fixture
def member(transactional_db, world, bank, sim):  # noqa: F811
    verified_card(world)
    vm.FaceResult.objects.create(subject=world["member"].id_number, score=95, live=True)
    return world


def _sign_in(page, account_no: str, phone: str) -> None:
    from playwright.sync_api import expect

    page.goto("/hall/login/")
    page.get_by_label("个人账号或证件号码").fill(account_no)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步：短信验证码").click()
    expect(page.get_by_role("heading", name="输入短信验证码")).to_be_visible()
    page.get_by_label("验证码").fill(_last_code(phone))
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("hall-member")).to_be_visible()


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url}: {width[0]} px wide in a {width[1]} px viewport"


def test_member_registers_applies_for_rent_sees_it_paid_and_rates_it(phone_page, member, live_server, screenshot):
    from playwright.sync_api import expect

    w, page = member, phone_page
    m, acct = w["member"], w["acct"]
    page.goto("/hall/login/")
    page.get_by_test_id("register-link").click()
    page.get_by_label("姓名").fill(m.name)
    page.get_by_label("证件号码").fill(m.id_number)
    page.get_by_label("个人账号").fill(acct.account_no)
    page.get_by_label("登记的手机号码").fill(m.phone)
    page.get_by_role("button", name="下一步：获取短信验证码").click()
    expect(page.get_by_role("heading", name="设置登录密码")).to_be_visible()
    page.get_by_label("短信验证码").fill(_last_code(m.phone))
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    screenshot(page, "register")
    page.get_by_role("button", name="开通").click()
    expect(page.locator(".messages")).to_contain_text("网上服务大厅已开通")

    _sign_in(page, acct.account_no, m.phone)
    expect(page.get_by_test_id("balance")).to_have_text("100,000.00")
    _no_horizontal_scroll(page)
    screenshot(page, "home")

    page.get_by_role("link", name="租房提取").click()
    page.get_by_label("提取金额（元）").fill("6000")
    page.get_by_label("租房月数").select_option("3")
    page.get_by_label("本人及配偶在本市无自有住房（个人承诺）").select_option("1")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("rule-results")).to_contain_text("不超过租房提取限额")
    expect(page.get_by_test_id("rule-results")).to_contain_text("需人工审核")  # the card is new this month
    assert not Application.objects.exists()  # the preview kept nothing
    _no_horizontal_scroll(page)
    screenshot(page, "rent-rules")
    for code in ("id_card", "bank_card"):
        page.set_input_files(f"#material_{code}", files=[{"name": f"{code}.jpg", "mimeType": "image/jpeg",
                                                          "buffer": JPEG}])
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("app-state")).to_have_text("已提交")
    app = Application.objects.get(item_code=RENT, member_id=m.pk)
    assert app.channel == "web" and app.identity_level == 3 and app.amount == 600_000

    day = w["center"].business_date
    app = engine.application_accept(application=app, actor=w["teller"], business_date=day)
    app = engine.application_review(application=app, actor=w["r1"], business_date=day, decision="pass")
    app = engine.application_execute(application=app, actor=w["fin"], business_date=day)
    instruction_send(instruction=Instruction.objects.get(seq=(app.result or {})["instruction"]), actor=w["fin"],
                     business_date=day)
    assert Application.objects.get(pk=app.pk).state == State.COMPLETED

    page.get_by_role("link", name="我的办件", exact=True).click()
    expect(page.get_by_test_id(f"state-{app.number}")).to_have_text("已办结")
    page.get_by_test_id("applications").get_by_role("link", name="租房提取").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("已办结")
    page.get_by_label("非常满意").check()
    page.get_by_label("评价内容（选填）").fill("在手机上就办完了")
    page.get_by_test_id("rate").click()
    expect(page.get_by_test_id("rating-done")).to_contain_text("非常满意")
    assert Rating.objects.get(application=app).level == "very_satisfied"
    screenshot(page, "rated")
    page.get_by_role("link", name="消息", exact=True).click()
    expect(page.get_by_test_id("inbox")).to_contain_text(app.number)
    page.problems.assert_none()


def test_elder_mode_has_no_horizontal_scrolling_at_360_px(browser, live_server, transactional_db, world,  # noqa: F811
                                                         screenshot):
    from playwright.sync_api import expect

    member_principal_create(member=world["member"], password=PASSWORD, actor=SystemActor("test"))
    for viewport in ({"width": 360, "height": 740}, {"width": 1280, "height": 800}):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url,
                                      viewport=viewport)
        page = context.new_page()
        _sign_in(page, world["acct"].account_no, world["member"].phone)
        # keyboard: Tab reaches the toggle, Enter switches 长辈模式 on
        for _ in range(12):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.dataset.testid") == "elder-toggle":
                break
        page.keyboard.press("Enter")
        expect(page.locator("body")).to_have_class(re.compile(r"\belder\b"))
        for path in ("/hall/", "/hall/history/", "/hall/withdraw/rent/", "/hall/applications/", "/hall/me/",
                     "/hall/inbox/", "/hall/ecard/"):
            page.goto(path)
            expect(page.locator("body")).to_have_class(re.compile(r"\belder\b"))
            _no_horizontal_scroll(page)
        page.goto("/hall/")
        size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 20
        screenshot(page, f"elder-{viewport['width']}")
        context.close()
