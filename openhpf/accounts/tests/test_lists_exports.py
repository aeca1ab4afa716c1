"""The employer and member lists page with their true totals (filters kept across pages, the member search's
terms never in a URL), and their exports open in openpyxl: every employer the filters find with the right totals,
members masked as on screen, a watermark, an audit row, a refusal above the cap, and 403 without accounts.export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from openhpf.accounts import selectors
from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

SYS = SystemActor("test")


def _user(center, name: str, role: str):
    user, _ = staff_create(username=name, password="pw-Lists-2026", center=center, actor=SYS)
    return grant_role(user, role, center=center)


def _rows(resp) -> list[list[Any]]:
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    return [[c.value for c in r] for r in ws.iter_rows()]


@pytest.fixture
def employers(center):
    """55 employers in 制造业 (C) and 3 in 信息业 (I), the n-th with a 暂存 of n 元 on the list (read only: put
    back to 0 before hpf verify compares them with the ledger)."""
    made = [make_employer(center, n, name=f"测试制造{n:02d}有限公司", industry="C") for n in range(1, 56)]
    made += [make_employer(center, n, name=f"测试信息{n}有限公司", industry="I") for n in range(56, 59)]
    for i, e in enumerate(made, start=1):
        Employer.objects.filter(pk=e.pk).update(suspense_balance=i * 100)
    yield made
    Employer.objects.filter(center=center).update(suspense_balance=0)


def test_employer_list_pages_with_the_true_total_and_keeps_its_filters(client, center, employers):
    client.force_login(_user(center, "lt1", "teller"))
    url = reverse("accounts:employer_list")
    html = client.get(url).content.decode()
    assert "第 1 / 2 页 · 第 1–50 条，共 58 个单位" in html
    html = client.get(url, {"industry": "C", "q": "测试"}).content.decode()
    assert 'data-testid="employer-total">共 55 个单位<' in html and "C 制造业" in html
    assert 'href="/accounts/employers/?industry=C&amp;q=%E6%B5%8B%E8%AF%95&amp;page=2"' in html  # filters kept
    page2 = client.get(url, {"industry": "C", "q": "测试", "page": "2"}).content.decode()
    assert "第 2 / 2 页 · 第 51–55 条，共 55 个单位" in page2 and "测试信息" not in page2
    assert page2.count('data-testid="employer-result"') == 5
    bad = client.get(url, {"industry": "ZZ"}).content.decode()
    assert "所属行业代码不正确：ZZ" in bad


def test_employer_export_every_row_with_totals_watermark_and_audit(client, center, employers):
    teller = _user(center, "lt2", "teller")
    client.force_login(teller)
    url = reverse("accounts:employer_export")
    assert client.post(url, {"industry": "C", "reason": "年度检查"}).status_code == 403  # a teller may not export
    client.force_login(_user(center, "li2", "inspector"))
    rows = _rows(client.post(url, {"industry": "C", "reason": "年度检查"}))
    assert rows[0][0] == "单位查询结果" and rows[1][0].startswith("OpenHPF 导出") and "用途 年度检查" in rows[1][0]
    assert rows[2][:5] == ["单位账号", "单位名称", "统一社会信用代码", "经济类型", "所属行业"]
    data = rows[3:-1]
    assert len(data) == 55 and all(r[4] == "C 制造业" and r[3] == "160 有限责任公司" for r in data)
    assert rows[-1][:2] == ["合计", "55 个单位"] and rows[-1][-1] == "1540.00"  # 1+2+…+55 元
    assert sum(int(r[-1].replace(".", "")) for r in data) == 154000
    [rec] = AuditRecord.objects.filter(action="accounts.employer.export")
    assert rec.after == {"rows": 55, "reason": "年度检查", "filters": {"industry": "C"}}
    # no reason: nothing exported, told in Chinese on the list, nothing audited
    r = client.post(url, {"industry": "C", "reason": ""}, follow=True)
    assert "未能导出：导出须填写用途" in r.content.decode()
    assert AuditRecord.objects.filter(action="accounts.employer.export").count() == 1


@pytest.fixture
def members(center):
    e = make_employer(center, 1)
    return [make_account(center, e, n, name=f"王{n:02d}") for n in range(1, 56)]


def test_member_search_pages_by_post_and_never_puts_the_terms_in_a_url(client, center, members):
    client.force_login(_user(center, "lt3", "teller"))
    url = reverse("accounts:member_list")
    html = client.post(url, {"q": "王"}).content.decode()
    assert 'data-testid="member-total">共 55 个账户<' in html and "第 1 / 2 页 · 第 1–50 条，共 55 个账户" in html
    assert 'form="member-search" name="page" value="2"' in html and "?q=" not in html
    page2 = client.post(url, {"q": "王", "page": "2"}).content.decode()
    assert "第 2 / 2 页 · 第 51–55 条，共 55 个账户" in page2 and page2.count('data-testid="member-result"') == 5
    last = AuditRecord.objects.filter(action="accounts.member.search").order_by("-id").first()
    assert last is not None and last.after is not None
    assert last.after["page"] == 2 and last.after["total"] == 55 and len(last.after["results"]) == 5


def test_member_export_is_xlsx_masked_audited_and_refused_above_the_cap(client, center, members, monkeypatch):
    client.force_login(_user(center, "li4", "inspector"))
    url = reverse("access:member_export")
    rows = _rows(client.post(url, {"q": "王", "reason": "稽核抽查"}))
    data = rows[3:-1]
    assert len(data) == 55 and rows[-1][:2] == ["合计", "55 户"]  # all of them, not the first 20 or 100
    assert all(r[1].startswith("王") and "*" in r[1] and "*" in r[2] for r in data)
    assert members[0].member.id_number not in {c for r in rows for c in r}
    [rec] = AuditRecord.objects.filter(action="accounts.member.export")
    assert rec.after is not None
    assert rec.after["rows"] == 55 and rec.after["reason"] == "稽核抽查" and len(rec.after["results"]) == 55
    monkeypatch.setattr(selectors, "MEMBER_EXPORT_CAP", 50)
    r = client.post(url, {"q": "王", "reason": "稽核抽查"})
    assert r.status_code == 422 and r["Content-Type"].startswith("text/html")
    assert "符合条件的记录共 55 条，超过单次导出上限 50 条，请缩小查询范围后分次导出" in r.content.decode()
    assert AuditRecord.objects.filter(action="accounts.member.export").count() == 1  # the refusal read nothing
