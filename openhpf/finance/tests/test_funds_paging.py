"""资金管理 and the 银行结算 page list every deposit, transfer and payee a page at a time with the true total (no
list stops at a fixed number of rows): each list has its own pager, and a page past the end shows the last page."""

from __future__ import annotations

from django.urls import reverse

from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue
from openhpf.settlement.deposits import deposit_open, value_added_transfer
from openhpf.settlement.four_eyes import payee_register
from openhpf.settlement.services import bank_account_open
from openhpf.settlement.tests.conftest import bank, sim  # noqa: F401  (fixtures)

SYS = SystemActor("test")


def test_deposits_transfers_and_payees_page_with_their_true_totals(client, center, bank, fin_user):  # noqa: F811
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000102",
                      account_name=center.name, kind="102", actor=SYS, business_date=center.business_date)
    for i in range(23):
        deposit_open(center=center, bank_account=bank, kind="time", amount=100_00 + i, rate="1.50", term_months=3,
                     actor=fin_user, business_date=center.business_date)
        value_added_transfer(center=center, amount=10_00 + i, actor=fin_user, business_date=center.business_date)
    for i in range(25):
        payee_register(center=center, account_no=f"62179900000{i:05d}", account_name=f"单位{i}", kind="counterparty",
                       actor=SYS, source="test", approved_by="test")
    client.force_login(fin_user)
    r = client.get(reverse("finance:deposits"), {"page": "2", "tpage": "999"})
    page, tpage = r.context["page"], r.context["tpage"]
    assert (page.total, page.page, len(r.context["rows"])) == (23, 2, 3)
    assert (tpage.total, tpage.page, len(r.context["transfers"])) == (23, 2, 3)
    html = r.content.decode()
    assert html.count("第 2 / 2 页 · 第 21–23 条，共 23 笔") == 2  # each list its own pager, the other's page kept
    assert 'href="?page=1&amp;tpage=999#deposits"' in html and 'href="?page=2&amp;tpage=1#transfers"' in html
    r = client.get(reverse("settlement:home"), {"dpage": "2", "ppage": "2"})
    deposits, payees = r.context["deposits"], r.context["payees"]
    assert (deposits.total, deposits.page, len(deposits.items)) == (23, 2, 3)
    total_payees = payees.total
    assert total_payees == 25 + 4 and payees.page == 2 and len(payees.items) == total_payees - 20  # + the test payees
    html = r.content.decode()
    assert f"共 {total_payees} 个" in html and "共 23 笔" in html
    # the API's list of settlement instructions pages too: 23 deposits + 23 transfers
    token, _ = api_token_issue(user=fin_user, name="t", actor=SYS)
    body = client.get("/api/v1/settlement/instructions", {"page": "9", "page_size": "20"},
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (46, 3, 20, 6)
