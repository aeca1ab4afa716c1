"""Vouchers on screen: the viewer (lines with account names, totals in 元, status, maker and checker, source),
the printable PDF, the list, and voucher numbers linking to the viewer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from openhpf.approvals.services import command_approve, command_submit

BD = date(2026, 11, 30)


@pytest.fixture
def manual(center, ledger, fin_user, checker_user):
    """A bank fee booked by hand: 王财务 made it, 李复核 approved it."""
    ledger.contribute(date(2026, 10, 8), 2_000_000)
    cmd = command_submit(name="ledger.entry_post", actor=fin_user, center=center, business_date=BD, params={
        "description": "银行手续费", "lines": [{"account": "41102", "debit": 12345, "memo": "11月手续费"},
                                          {"account": "10101", "credit": 12345}]})
    done = command_approve(command=cmd, actor=checker_user, business_date=BD)
    assert done.status == "applied", done.apply_error
    return done


def test_viewer_shows_lines_names_totals_maker_checker_and_source(client, center, manual, fin_user, checker_user):
    no = manual.result["voucher_no"]
    client.force_login(fin_user)
    r = client.get(reverse("finance:voucher", args=[no]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "41102 归集手续费支出" in body and "10101 委托银行专户（默认）" in body and "11月手续费" in body
    assert 'data-testid="voucher-debit">123.45<' in body and 'data-testid="voucher-credit">123.45<' in body
    assert 'data-testid="voucher-maker">王财务<' in body and 'data-testid="voucher-checker">李复核<' in body
    assert reverse("approvals:detail", args=[manual.pk]) in body and "手工记账" in body
    assert 'data-testid="voucher-status">已记账<' in body
    assert "finance/voucher.js" in body and "finance/finance.css" in body
    assert "@media print" in Path(str(finders.find("finance/finance.css"))).read_text()
    # the reversal (maker-checker too): both vouchers link to each other
    rev = command_approve(command=command_submit(name="ledger.entry_reverse", actor=fin_user, center=center,
                                                 business_date=BD, params={"voucher_no": no, "reason": "重复记账"}),
                          actor=checker_user, business_date=BD)
    assert rev.result is not None
    rev_no = rev.result["voucher_no"]
    body = client.get(reverse("finance:voucher", args=[no])).content.decode()
    assert f"已被 {rev_no} 冲正" in body and reverse("finance:voucher", args=[rev_no]) in body
    body = client.get(reverse("finance:voucher", args=[rev_no])).content.decode()
    assert f"冲正 {no}" in body and reverse("approvals:detail", args=[rev.pk]) in body
    # the list finds it by number and by 摘要, and links every number
    lst = client.get(reverse("finance:vouchers"), {"q": "手续费"}).content.decode()
    assert reverse("finance:voucher", args=[no]) in lst and "123.45" in lst
    bad = client.get(reverse("finance:vouchers"), {"on": "2026-13-01"})
    assert bad.status_code == 422 and "业务日期格式不正确" in bad.content.decode()
    assert client.get(reverse("finance:voucher", args=["记-209901-000001"])).status_code == 404


def test_voucher_pdf(client, center, manual, fin_user):
    client.force_login(fin_user)
    r = client.get(reverse("finance:voucher_pdf", args=[manual.result["voucher_no"]]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "attachment" in r["Content-Disposition"]


def test_voucher_pages_need_ledger_view(client, center, manual, teller_user):
    client.force_login(teller_user)
    no = manual.result["voucher_no"]
    for name in ("finance:voucher", "finance:voucher_pdf"):
        assert client.get(reverse(name, args=[no])).status_code == 403
    assert client.get(reverse("finance:vouchers")).status_code == 403


def test_voucher_numbers_link_to_the_viewer(client, center, ledger, fin_user):
    from openhpf.core.actors import SystemActor
    from openhpf.finance.services import year_end_close

    ledger.income(date(2025, 6, 21), 90_000)
    rec = year_end_close(center=center, year=2025, actor=SystemActor("test"), business_date=BD)
    client.force_login(fin_user)
    page = client.get(reverse("finance:value_added"), {"year": "2025"}).content.decode()
    assert f'href="{reverse("finance:voucher", args=[rec.close_vouchers[0]])}"' in page
    body = client.get(reverse("finance:voucher", args=[rec.close_vouchers[0]])).content.decode()
    assert "年末损益结转" in body and f"{reverse('finance:value_added')}?year=2025" in body


def test_deposits_page(client, center, fin_user, teller_user):
    client.force_login(fin_user)
    r = client.get(reverse("finance:deposits"))
    assert r.status_code == 200 and "尚无定期或通知存款" in r.content.decode()
    client.force_login(teller_user)
    assert client.get(reverse("finance:deposits")).status_code == 403
