"""Exports open in openpyxl with the right totals: an inspector (稽核, who may export) pages a list past its first
page, then downloads each business list from its page — employers, members (masked), remittances, arrears — with
a 用途, and every workbook opens in openpyxl with the watermark, all the filtered rows and the totals."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import business_day, grant_role
from openhpf.contributions.models import Remittance
from openhpf.contributions.tests.relief_helpers import set_paid
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

from .test_login import login

PASSWORD = "pw-Inspect-2026"


@pytest.fixture
def world(transactional_db, center):
    user, _ = staff_create(username="e2einsp", password=PASSWORD, center=center, display_name="周审",
                           actor=SystemActor("test"))
    grant_role(user, "inspector", center=center)
    owing = make_employer(center, 1, name="杭州欠缴示例有限公司", payday=15)
    set_paid(make_account(center, owing, 1, name="王一"), "202610")
    set_paid(make_account(center, owing, 2, name="王二", base=500000), "202610")
    Employer.objects.filter(pk=owing.pk).update(paid_up_to="202610")
    others = [make_employer(center, n, name=f"杭州示例{n:02d}有限公司") for n in range(2, 56)]
    Remittance.objects.bulk_create(
        Remittance(center=center, employer=e, month="202610", status=Remittance.Status.CONFIRMED, lines=1,
                   total=100 * n, business_date=center.business_date, created_by="test")
        for n, e in enumerate(others, start=1))
    with business_day(center, dt.date(2026, 12, 1)):
        yield center


def _download(pg: Any, testid: str, reason: str) -> list[list[Any]]:
    form = pg.get_by_test_id(testid)
    form.get_by_label("导出用途").fill(reason)
    with pg.expect_download() as dl:
        form.get_by_role("button").click()
    path = Path(dl.value.path())
    assert dl.value.suggested_filename.endswith(".xlsx") and path.read_bytes()[:2] == b"PK"
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows()]
    assert rows[1][0].startswith("OpenHPF 导出 · 导出人") and f"用途 {reason}" in rows[1][0]
    return rows


@pytest.mark.browser
def test_exports_open_in_openpyxl_with_the_right_totals(page, world):
    from playwright.sync_api import expect

    login(page, "e2einsp", PASSWORD)
    expect(page.locator("#jobs-panel")).not_to_contain_text("正在加载")
    # 单位: 55 employers, page 2 keeps the filter, the export has every one
    page.goto("/accounts/employers/?q=杭州")
    expect(page.get_by_test_id("pager-status")).to_contain_text("第 1 / 2 页 · 第 1–50 条，共 55 个单位")
    page.get_by_test_id("pager-next").click()
    expect(page.get_by_test_id("pager-status")).to_contain_text("第 2 / 2 页 · 第 51–55 条，共 55 个单位")
    rows = _download(page, "employer-export", "年度检查")
    assert len(rows) == 3 + 55 + 1 and rows[-1][:2] == ["合计", "55 个单位"]
    # 个人: the search is posted; the export is masked
    page.goto("/accounts/members/")
    page.get_by_label("个人账户查询").fill("王")
    expect(page.get_by_test_id("member-result")).to_have_count(2)
    rows = _download(page, "member-export", "稽核抽查")
    assert rows[-1][:2] == ["合计", "2 户"] and {r[1] for r in rows[3:-1]} == {"王*"}
    # 汇缴单: 54 of them, 1+2+…+54 元
    page.goto("/contributions/remittances/?from=2026-10&to=2026-10")
    expect(page.get_by_test_id("remit-total")).to_contain_text("共 54 张")
    rows = _download(page, "remit-export", "核对汇缴")
    assert rows[-1][:7] == ["合计", "54 张", None, None, None, "54", "1485.00"]
    # 欠缴: opens on November (December's deadline has not passed on 12-01), one employer, 3,600.00 元
    page.goto("/relief/arrears/")
    expect(page.get_by_test_id("arrears-month")).to_contain_text("所属年月 2026-11")
    expect(page.get_by_test_id("arrears-total")).to_contain_text("合计 1 个单位，欠缴 3,600.00 元")
    rows = _download(page, "arrears-export", "催缴")
    assert rows[-1] == ["合计", "1 个单位", None, None, None, None, "2", "3600.00"]
    # Chromium reports a form post that turns into a download as aborted; nothing else may go wrong
    assert all("export/" in p and "ERR_ABORTED" in p for p in page.problems), page.problems
