"""The print stylesheet (static/css/print.css, media="print") on a printable document, 个人明细: with print media
emulated the menu, the buttons and the filter form are gone while the statement's table and its sign-off line
(shown only in print) are there; and the page printed to PDF by Chromium has the document's text and none of
the screen's controls (read back with poppler's pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from openhpf.ledger.tests.factories import deposit

from .test_login import login

PASSWORD = "pw-Print-2026"


@pytest.fixture
def statement_url(teller_shop, center) -> str:
    _, (acct,) = teller_shop(username="e2eprint", password=PASSWORD, display_name="陈柜员",
                             employer_name="杭州打印示例有限公司", base=600000, numbers=(1,))
    deposit(center, acct.sub, 123_456)
    return f"/accounts/members/{acct.account_no}/statement/"


@pytest.mark.browser
def test_print_media_hides_the_screen_and_keeps_the_document(page, statement_url, tmp_path):
    from playwright.sync_api import expect

    login(page, "e2eprint", PASSWORD)
    page.goto(statement_url)
    doc = page.get_by_test_id("member-statement")
    expect(doc).to_be_visible()
    signoff = doc.locator(".signoff")
    # on screen: the controls are there, the sign-off line is not
    expect(page.locator("nav.menu")).to_be_attached()
    expect(page.get_by_test_id("statement-filter")).to_be_visible()
    expect(doc.get_by_role("button", name="打印")).to_be_visible()
    expect(signoff).to_be_hidden()

    page.emulate_media(media="print")
    for hidden in (page.locator("nav.menu"), page.locator(".menu-toggle"), page.get_by_test_id("statement-filter"),
                   doc.get_by_role("button", name="打印"), page.get_by_test_id("statement-pdf"),
                   page.locator(".crumbs")):
        expect(hidden).to_be_hidden()
    assert page.locator("button:visible, input:visible, select:visible, form:visible").count() == 0
    expect(doc.locator("table")).to_be_visible()
    expect(doc.locator("table")).to_contain_text("1,234.56")
    expect(signoff).to_be_visible()
    expect(signoff).to_contain_text("经办人：陈柜员")
    expect(signoff).to_contain_text("经办机构（盖章）")
    page.problems.assert_none()

    pdf = tmp_path / "statement.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = _pdf_text(pdf)
    for expected in ("住房公积金个人明细", "个人账号", "期末余额", "1,234.56", "经办人：陈柜员", "复核人",
                     "经办机构（盖章）"):
        assert expected in text, expected
    for screen_only in ("下载 PDF", "查询", "退出"):
        assert screen_only not in text, screen_only


def _pdf_text(path: Any) -> str:
    exe = shutil.which("pdftotext")
    assert exe is not None, "pdftotext (poppler-utils) is needed to read the printed page back"
    return subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, check=True, text=True,
                          timeout=60).stdout
