"""领导驾驶舱: each month's 缴存额, 提取额, 缴存余额, 贷款余额 and 个贷率 tie to the liquidity selectors and to a
plain sum of what the test posted; the arrears card is the 待办's 欠缴 list; the page is for leaders and finance."""

from __future__ import annotations

import json
import re
from datetime import date
from fractions import Fraction

import pytest
from django.urls import reverse

from openhpf.conftest import grant_role
from openhpf.contributions.relief.arrears import arrears_latest
from openhpf.core.actors import SystemActor
from openhpf.core.errors import PermissionDenied
from openhpf.finance.cockpit import cockpit
from openhpf.finance.liquidity import balances_on, monthly_flows, position
from openhpf.iam.services import staff_create

POSTINGS = [  # (date, kind, amount) posted by the test; 2025-10 is before the 12 months shown
    (date(2025, 10, 8), "contribute", 9_000_000),
    (date(2025, 12, 3), "contribute", 1_000_000), (date(2026, 1, 9), "withdraw", 200_000),
    (date(2026, 3, 4), "contribute", 2_500_000), (date(2026, 3, 20), "disburse", 1_000_000),
    (date(2026, 7, 1), "repay", 100_000), (date(2026, 11, 28), "contribute", 700_000),
]


def _leader(center):
    user, _ = staff_create(username="boss1", password="pw-Leader-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "leader", center=center)


def _month_end(key: str) -> date:
    y, m = int(key[:4]), int(key[4:])
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def test_figures_tie_to_the_selectors_and_to_a_plain_sum(center, ledger):
    for d, kind, amount in POSTINGS:
        getattr(ledger, kind)(d, amount)
    leader = _leader(center)
    c = cockpit(center=center, user=leader)
    assert [m.key for m in c.months] == [f"{y}{m:02d}" for y, m in [(2025, 12)] + [(2026, i) for i in range(1, 12)]]
    flows = monthly_flows(center, date(2025, 12, 1), center.business_date)
    for m in c.months:
        on = min(_month_end(m.key), center.business_date)
        b = balances_on(center, on)
        assert m.balance == -b["201"] and m.loans == b["121"] + b["122"], m.key
        assert m.deposits == flows.get(m.key, {}).get("contributions", 0), m.key
        assert m.withdrawals == flows.get(m.key, {}).get("withdrawals", 0), m.key
        deposits = sum(a for d, k, a in POSTINGS if d <= on and k == "contribute") - sum(
            a for d, k, a in POSTINGS if d <= on and k == "withdraw")
        loans = sum(a for d, k, a in POSTINGS if d <= on and k == "disburse") - sum(
            a for d, k, a in POSTINGS if d <= on and k == "repay")
        assert (m.balance, m.loans) == (deposits, loans), m.key
        assert m.loan_ratio == Fraction(loans, deposits)
    assert c.deposits_12m == 1_000_000 + 2_500_000 + 700_000 and c.withdrawals_12m == 200_000
    assert c.last.loan_ratio == position(center, center.business_date).loan_ratio
    latest = arrears_latest(center=center, user=leader)
    assert (c.arrears_month, c.arrears_employers, c.arrears_amount) == (latest.month, len(latest.employers),
                                                                        latest.total)
    ledger.unwind_loans()


def test_page_for_leader_charts_in_yuan_and_says_when_there_are_no_loans(client, center, ledger, teller_user,
                                                                         fin_user):
    ledger.contribute(date(2026, 10, 8), 12_345_678)
    leader = _leader(center)
    client.force_login(leader)
    r = client.get(reverse("console:cockpit"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "123,456.78 元" in html and "尚未发放个人住房贷款" in html and "提取额为 0" in html
    assert "vendor/echarts.min.js" in html and "js/cockpit.js" in html
    data = json.loads(re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>', html, re.S)
                      .group(1))
    assert data["deposits"][-2] == 12_345_678 and data["labels"]["loan_ratio"] == "个贷率"
    assert data["loan_ratio"][-1] == 0.0
    client.force_login(fin_user)
    assert client.get(reverse("console:cockpit")).status_code == 200
    client.force_login(teller_user)
    assert client.get(reverse("console:cockpit")).status_code == 403
    with pytest.raises(PermissionDenied):
        cockpit(center=center, user=teller_user)
