"""个人明细 on the console and in the API: 所属年月, 摘要, a date filter (GET), and the 流水 of event rows saying
what happened (开户 · 单位, 封存 · 原因, 启封 · 单位) instead of the account number."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from ninja import NinjaAPI
from ninja.testing import TestClient

from openhpf.accounts.api import router
from openhpf.accounts.services import member_account_seal, member_account_unseal
from openhpf.accounts.tests.factories import TEST_ACTOR, make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import business_day, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.api_errors import install
from openhpf.core.codes import BizType
from openhpf.iam.auth import StaffTokenAuth
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.ledger.services import Line, SubRow, entry_post


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="histclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def client_in(client, clerk):
    client.force_login(clerk)
    return client


def _remit(center, account, month: str, amount: int, on: date, voucher_text: str):
    with business_day(center, on):
        entry_post(center=center, business_date=on, lines=[Line("10101", debit=amount), Line("201", credit=amount)],
                   source="test", description=voucher_text, actor=TEST_ACTOR, biz_type=BizType.REMITTANCE,
                   sub_rows=[SubRow(account.pk, amount_current=amount, reference=f"汇缴{month}")])


@pytest.fixture
def account(center):
    employer = make_employer(center, 1, name="杭州云栖科技有限公司")
    with business_day(center, date(2026, 9, 1)):
        acct = make_account(center, employer, 1, name="李建国")
    _remit(center, acct, "202609", 200000, date(2026, 10, 15), "汇缴入账 #7")
    _remit(center, acct, "202610", 200000, date(2026, 11, 16), "汇缴入账 #9")
    member_account_seal(account=acct, reason="离职", actor=TEST_ACTOR, business_date=center.business_date)
    return acct


def _cells(html: str, testid: str) -> list[str]:
    return [c.strip() for c in re.findall(rf'data-testid="{testid}">(.*?)</td>', html, re.S)]


def test_history_shows_month_summary_and_what_happened(client_in, center, account):
    html = client_in.get(reverse("accounts:member_detail", args=[account.account_no])).content.decode()
    assert "<th>所属年月</th>" in html and "<th>摘要</th>" in html
    assert _cells(html, "history-month") == ["—", "2026-10", "2026-09", "—"]  # newest first
    assert _cells(html, "history-summary") == ["—", "汇缴入账 #9", "汇缴入账 #7", "—"]
    flows = _cells(html, "history-flow")
    assert flows[0] == "封存 · 离职" and flows[-1] == "开户 · 杭州云栖科技有限公司"
    assert all(account.account_no not in f for f in flows)


def test_unseal_row_names_the_new_employer(client_in, center, account):
    other = make_employer(center, 2, name="杭州西溪湿地有限公司")
    member_account_unseal(account=account, employer=other, actor=TEST_ACTOR, business_date=center.business_date)
    html = client_in.get(reverse("accounts:member_history", args=[account.account_no])).content.decode()
    assert _cells(html, "history-flow")[0] == "启封 · 杭州西溪湿地有限公司"


def test_date_filter(client_in, clerk, center, account):
    detail = reverse("accounts:member_detail", args=[account.account_no])
    html = client_in.get(detail, {"date_from": "2026-10-01", "date_to": "2026-10-31"}).content.decode()
    assert _cells(html, "history-month") == ["2026-09"]
    assert 'value="2026-10-01"' in html and 'value="2026-10-31"' in html
    rec = AuditRecord.objects.filter(action="accounts.member_account.view").order_by("-id").first()
    assert rec is not None and rec.after is not None
    assert rec.after["date_from"] == "2026-10-01" and rec.after["date_to"] == "2026-10-31"
    part = client_in.get(reverse("accounts:member_history", args=[account.account_no]),
                         {"date_from": "2026-11-01"}, HTTP_HX_REQUEST="true").content.decode()
    assert _cells(part, "history-month") == ["—", "2026-10"]
    empty = client_in.get(detail, {"date_to": "2026-08-31"}).content.decode()
    assert "所选日期内无明细" in empty


def test_date_filter_pages_keep_the_filter(client_in, center, account):
    for i in range(21):
        _remit(center, account, "202611", 100 + i, date(2026, 11, 20), f"补记 {i}")
    detail = reverse("accounts:member_detail", args=[account.account_no])
    html = client_in.get(detail, {"date_from": "2026-11-16"}).content.decode()
    assert "第 1 / 2 页 · 第 1–20 条，共 23 笔" in html  # 21 + the 11-16 remittance + the seal row
    assert f"{detail}?date_from=2026-11-16&amp;page=2" in html


@pytest.mark.parametrize(("params", "message"), [
    ({"date_from": "2026-13-01"}, "起始日期：日期格式不正确，应如 2026-11-30"),
    ({"date_from": "2026-11-01", "date_to": "2026-10-01"}, "截止日期：截止日期不能早于起始日期"),
])
def test_bad_dates_are_told_and_not_applied(client_in, account, params, message):
    html = client_in.get(reverse("accounts:member_detail", args=[account.account_no]), params).content.decode()
    assert message in html
    assert len(_cells(html, "history-month")) == 4  # every row: the filter is not applied


def test_api_history_month_summary_and_dates(center, account):
    api = NinjaAPI(auth=StaffTokenAuth(), urls_namespace="accounts-history-test")
    api.add_router("/accounts/", router)
    install(api)
    user, _ = staff_create(username="apihist", password="pw-Api-2026x", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    token, _ = api_token_issue(user=user, name="测试", actor=SystemActor("test"))
    r = TestClient(api).get(f"/accounts/members/{account.account_no}/history?date_from=2026-10-01&date_to=2026-11-20",
                            headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json()
    assert [(i["month"], i["summary"]) for i in r.json()["items"]] == [("202610", "汇缴入账 #9"),
                                                                      ("202609", "汇缴入账 #7")]
