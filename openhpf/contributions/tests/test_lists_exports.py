"""The contributions lists page with their true totals and their exports open in openpyxl with the right totals:
the 汇缴单 list (filters kept across pages), the 催缴清单 (opens on the latest month that has arrears, says which;
one row per employer in the export), the hardship applications; exports need accounts.export and are audited."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import business_day, grant_role
from openhpf.contributions.models import Remittance
from openhpf.contributions.relief.arrears import arrears_default_month
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

from .relief_helpers import set_paid

SYS = SystemActor("test")


def _user(center, name: str, role: str):
    user, _ = staff_create(username=name, password="pw-Lists-2026", center=center, actor=SYS)
    return grant_role(user, role, center=center)


def _rows(resp) -> list[list[Any]]:
    assert resp.status_code == 200, resp.content[:300]
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    return [[c.value for c in r] for r in ws.iter_rows()]


@pytest.fixture
def remittances(center):
    """60 汇缴单 of one employer (months 2021-01…2025-12, 1 person, n 元 each) and 2 of another."""
    a, b = make_employer(center, 1), make_employer(center, 2)
    months = [f"{2021 + i // 12}{i % 12 + 1:02d}" for i in range(60)]
    Remittance.objects.bulk_create(
        Remittance(center=center, employer=a, month=m, status=Remittance.Status.CONFIRMED, lines=1,
                   total=(i + 1) * 100, business_date=center.business_date, created_by="test")
        for i, m in enumerate(months))
    Remittance.objects.bulk_create(
        Remittance(center=center, employer=b, month=m, status=Remittance.Status.CONFIRMED, lines=3,
                   total=999900, business_date=center.business_date, created_by="test") for m in ("202601", "202602"))
    return a, b


def test_remittance_list_page_two_keeps_the_filters(client, center, remittances):
    a, _ = remittances
    client.force_login(_user(center, "rt1", "teller"))
    r = client.get(reverse("remit:list"), {"employer": a.account_no, "from": "2021-01", "page": "2"})
    html = r.content.decode()
    assert r.context["page"].total == 60 and "第 2 / 2 页 · 第 51–60 条，共 60 张" in html
    assert f'href="?employer={a.account_no}&amp;from=2021-01&amp;page=1"' in html
    assert 'name="from" value="2021-01"' in html  # a month input, its value kept


def test_remittance_export_has_every_filtered_row_and_the_totals(client, center, remittances):
    a, _ = remittances
    url = reverse("remit:export")
    client.force_login(_user(center, "rt2", "teller"))
    assert client.post(url, {"employer": a.account_no, "reason": "对账"}).status_code == 403
    client.force_login(_user(center, "ri2", "inspector"))
    rows = _rows(client.post(url, {"employer": a.account_no, "from": "2021-01", "reason": "对账"}))
    assert rows[0][0] == "汇缴单列表" and "用途 对账" in rows[1][0] and rows[2][0] == "编号"
    data = rows[3:-1]
    assert len(data) == 60 and {r[1] for r in data} == {a.account_no} and data[0][3] == "2025-12"
    assert rows[-1][:7] == ["合计", "60 张", None, None, None, "60", "1830.00"]  # 1+2+…+60 元
    [rec] = AuditRecord.objects.filter(action="contributions.remittance.export")
    assert rec.after == {"rows": 60, "reason": "对账", "filters": {"employer_no": a.account_no,
                                                                  "month_from": "202101"}}
    r = client.post(url, {"from": "2021-13", "reason": "对账"}, follow=True)
    assert "未能导出：年月格式不正确" in r.content.decode()


@pytest.fixture
def owing(center):
    """On 2026-12-01: employer 1 (payday 15) owes November for two people; employer 2 is paid up."""
    e1, e2 = make_employer(center, 1, payday=15), make_employer(center, 2, payday=15)
    set_paid(make_account(center, e1, 1), "202610")
    set_paid(make_account(center, e1, 2, base=500000), "202610")
    set_paid(make_account(center, e2, 3), "202611")
    Employer.objects.filter(pk__in=[e1.pk, e2.pk]).update(paid_up_to="202610")
    return e1, e2


def test_arrears_opens_on_the_latest_month_that_has_arrears(client, center, staff, owing):
    e1, _ = owing
    with business_day(center, date(2026, 12, 1)):
        assert arrears_default_month(center=center, user=staff) == ("202611", True)
        client.force_login(_user(center, "at1", "teller"))
        html = client.get(reverse("relief:arrears")).content.decode()
        assert 'value="2026-11"' in html and "显示最近一个有欠缴的月份" in html
        assert "合计 1 个单位，欠缴 <strong>3,600.00</strong> 元" in html and e1.account_no in html
        # December asked for: its deadline has not passed, nobody owes it yet
        assert "没有欠缴单位" in client.get(reverse("relief:arrears"), {"month": "2026-12"}).content.decode()


def test_arrears_export_per_employer_with_totals(client, center, owing):
    e1, _ = owing
    url = reverse("relief:arrears_export")
    with business_day(center, date(2026, 12, 1)):
        client.force_login(_user(center, "at2", "teller"))
        assert client.post(url, {"month": "2026-11", "reason": "催缴"}).status_code == 403
        client.force_login(_user(center, "ai2", "inspector"))
        rows = _rows(client.post(url, {"month": "2026-11", "reason": "催缴"}))
    assert rows[0][0] == "欠缴催缴清单（所属年月 2026-11，截至 2026-12-01）" and "用途 催缴" in rows[1][0]
    assert rows[3] == [e1.account_no, e1.name, "15", "2026-11-20", "2026-10", "1", "2", "3600.00"]
    assert rows[-1] == ["合计", "1 个单位", None, None, None, None, "2", "3600.00"]
    [rec] = AuditRecord.objects.filter(action="contributions.arrears.export")
    assert rec.object_id == "202611" and rec.after is not None and rec.after["rows"] == 1


def test_hardship_list_filters_by_code_tables(client, center):
    client.force_login(_user(center, "ht1", "teller"))
    html = client.get(reverse("relief:hardship")).content.decode()
    assert 'data-testid="hardship-total">共 0 份申请<' in html and "降低缴存比例" in html and "执行中" in html
    assert "申请状态代码不正确：zz" in client.get(reverse("relief:hardship"), {"status": "zz"}).content.decode()


def test_arrears_member_page_past_the_end_shows_the_last_page(client, center, owing):
    with business_day(center, date(2026, 12, 1)):
        client.force_login(_user(center, "at3", "teller"))
        r = client.get(reverse("relief:arrears"), {"month": "2026-11", "members": "1", "mpage": "999"})
    html = r.content.decode()
    assert r.context["member_page"].page == 1 and len(r.context["members"]) == 2
    assert "第 1 / 1 页 · 第 1–2 条，共 2 人" in html
