"""The employer page's panels from contributions: 单位缴存历史 (remittances by 所属年月) and 暂存 movements, in 元,
paged, loaded by the employer page through accounts.panels (accounts does not import contributions)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.contributions import selectors
from openhpf.contributions.remittance import employer_views
from openhpf.contributions.remittance.services import (
    receipt_record,
    remittance_confirm,
    remittance_create,
    suspense_allocate,
)
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create

SYS = SystemActor("test")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="panelclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def paid(center):
    """An employer with two accounts (2,400 元 a month each): its 2026-11 汇缴单 paid from 暂存 after 5,000 元
    arrived without a matching amount, and a 2026-10 one still waiting for money."""
    e = make_employer(center, 1, name="杭州云栖科技有限公司")
    for n in (1, 2):
        make_account(center, e, n)
    bd = center.business_date
    with transaction.atomic():
        r = remittance_confirm(remittance=remittance_create(employer=e, month="2026-11", actor=SYS, business_date=bd),
                               actor=SYS, business_date=bd)
        waiting = remittance_create(employer=e, month="2026-10", actor=SYS, business_date=bd)
        receipt_record(center=center, amount=500000, value_date=bd, bank_ref="PANEL1", actor=SYS, business_date=bd,
                       payer_account=e.account_no)
        suspense_allocate(remittance=r, actor=SYS, business_date=bd)
    return e, r, waiting


def test_remittance_history_by_month_in_yuan(client, clerk, paid, center):
    e, _r, waiting = paid
    client.force_login(clerk)
    resp = client.get(reverse("remit:employer_remittances", args=[e.account_no]), **HX)
    html = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in html  # a fragment for htmx
    assert "单位缴存历史" in html and "2026-11" in html and "2026-10" in html
    assert "4,800.00" in html and "已入账" in html and "编辑中" in html
    assert center.business_date.strftime("%Y-%m-%d") in html  # the posted one's date
    assert "480000" not in html and "分" not in html
    rows = selectors.employer_remittances(employer=e, user=clerk).items
    assert [(x.month, x.kind_label, x.lines, x.total, x.status) for x in rows] == [
        ("202611", "汇缴", 2, 480000, "posted"), ("202610", "汇缴", waiting.lines, waiting.total, "draft")]
    assert rows[0].paid_on == center.business_date and rows[1].paid_on is None


def test_suspense_moves_with_balance_after(client, clerk, paid):
    e, r, _ = paid
    client.force_login(clerk)
    p = selectors.employer_suspense_moves(employer=e, user=clerk)
    assert [(m.kind, m.amount_in, m.amount_out, m.balance_after) for m in p.items] == [
        ("allocate", 0, 480000, 20000), ("in", 500000, 0, 500000)]
    assert f"汇缴单 #{r.pk}（2026-11）" in p.items[0].summary and "PANEL1" in p.items[1].summary
    html = client.get(reverse("remit:employer_suspense", args=[e.account_no]), **HX).content.decode()
    assert "暂存分配入账" in html and "5,000.00" in html and "4,800.00" in html and "200.00" in html


def test_panels_page_and_page_past_the_end(client, clerk, paid, monkeypatch):
    e, _r, _ = paid
    client.force_login(clerk)
    monkeypatch.setattr(employer_views, "PANEL_PAGE_SIZE", 1)
    url = reverse("remit:employer_suspense", args=[e.account_no])
    html = client.get(url + "?page=2", **HX).content.decode()
    assert "第 2 / 2 页 · 第 2–2 条，共 2 笔" in html and "到账转入单位暂存" in html and "暂存分配入账" not in html
    assert f'hx-get="{url}?page=1"' in html
    assert "第 2 / 2 页" in client.get(url + "?page=99", **HX).content.decode()
    # without htmx: a page of its own, with the menu and a way back to the employer
    page = client.get(url).content.decode()
    assert "<html" in page and reverse("accounts:employer_detail", args=[e.account_no]) in page


def test_employer_page_loads_the_panels(client, clerk, paid):
    e, _r, _ = paid
    client.force_login(clerk)
    html = client.get(reverse("accounts:employer_detail", args=[e.account_no])).content.decode()
    for name in ("remit:employer_remittances", "remit:employer_suspense"):
        assert f'hx-get="{reverse(name, args=[e.account_no])}"' in html
    assert 'data-testid="panel-remittances"' in html and 'data-testid="panel-suspense"' in html


def test_unknown_employer_is_404(client, clerk, center):
    client.force_login(clerk)
    assert client.get(reverse("remit:employer_remittances", args=["99999999999999"])).status_code == 404
