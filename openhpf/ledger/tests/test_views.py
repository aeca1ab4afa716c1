"""Console page of the ledger: the trial balance of a month in yuan, with totals and 平衡/不平衡; and the 作业 page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.ledger.tests.factories import deposit, open_account, withdraw


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="ledgerclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "finance", center=center)


@pytest.fixture
def client_in(client, clerk):
    client.force_login(clerk)
    return client


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_staff_only(client, center, django_user_model, staff):
    url = reverse("ledger:home")
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("console:login"))
    client.force_login(django_user_model.objects.create_user("member9", password="pw-Member-2026"))
    assert client.get(url).status_code == 403
    client.force_login(staff)  # no center
    assert client.get(url).status_code == 403


def test_trial_balance_defaults_to_the_business_month(client_in, center):
    sub = open_account(center, 1)
    deposit(center, sub, 1234567)
    withdraw(center, sub, 34567)
    html = _html(client_in.get(reverse("ledger:home")))
    assert 'value="2026-11"' in html and "2026-11 试算平衡表" in html
    # 10101 debit 12,345.67 and credit 345.67; 201 the other way round; totals over the top-level accounts
    assert 'data-testid="total-debit">12,691.34<' in html and 'data-testid="total-credit">12,691.34<' in html
    assert 'data-testid="balanced">平衡<' in html
    assert "12,000.00" in html  # closing balance of 101 and 201
    assert "10101" in html and "201" in html
    assert "未显示" in html  # accounts without movements are hidden by default
    assert "未显示" not in _html(client_in.get(reverse("ledger:home"), {"period": "2026-11", "all": "1"}))


def test_trial_balance_of_another_month(client_in, center):
    sub = open_account(center, 1)
    deposit(center, sub, 10000, business_date=date(2026, 10, 15))
    deposit(center, sub, 5000)
    html = _html(client_in.get(reverse("ledger:home"), {"period": "2026-10"}))
    assert 'value="2026-10"' in html and 'data-testid="total-debit">100.00<' in html
    html = _html(client_in.get(reverse("ledger:home"), {"period": "2026-11"}))
    # November: opening 100.00 carried from October, movement 50.00, closing 150.00
    assert 'data-testid="total-debit">50.00<' in html and "150.00" in html and "100.00" in html
    html = _html(client_in.get(reverse("ledger:home"), {"period": "2027-01"}))
    assert 'data-testid="total-debit">0.00<' in html and 'data-testid="balanced">平衡<' in html


def test_bad_period_falls_back_to_the_business_month(client_in, center):
    html = _html(client_in.get(reverse("ledger:home"), {"period": "2026-13"}))
    assert "格式不正确" in html and 'value="2026-11"' in html


def test_jobs_page(client_in, client, center):
    html = _html(client_in.get(reverse("jobs:list")))
    assert "<h1>作业</h1>" in html and 'id="job-list"' in html and "暂无作业" in html
    assert f'href="{reverse("jobs:list")}" class="active"' in html
    client.logout()
    assert client.get(reverse("jobs:list")).status_code == 302
