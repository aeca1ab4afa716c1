"""The finance interfaces: console pages, the JSON API and `hpf finance`."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from openhpf.approvals.models import PendingCommand
from openhpf.core.actors import SystemActor
from openhpf.finance.models import LiquiditySnapshot, ValueAddedYear
from openhpf.iam.services import api_token_issue


@pytest.fixture
def books(ledger):
    ledger.contribute(date(2025, 4, 1), 5_000_000)
    ledger.income(date(2025, 6, 21), 90_000)
    ledger.expense(date(2025, 6, 30), 40_000)
    ledger.contribute(date(2026, 10, 8), 2_000_000)
    ledger.disburse(date(2026, 10, 9), 1_000_000)
    return ledger


def _auth(user) -> dict[str, str]:
    token, _ = api_token_issue(user=user, name="t", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_console_pages(client, center, books, fin_user, teller_user):
    client.force_login(fin_user)
    home = client.get(reverse("finance:home"))
    assert home.status_code == 200 and "当日个贷率" in home.content.decode() and "14.29%" in home.content.decode()
    for kind in ("balance_sheet", "income", "distribution", "business", "trial_balance"):
        r = client.get(reverse("finance:statements"), {"kind": kind, "period": "2026-10"})
        body = r.content.decode()
        assert r.status_code == 200 and "勾稽关系全部成立" in body, kind
    r = client.get(reverse("finance:statements"), {"kind": "balance_sheet", "period": "2026-10"})
    assert "70,000.00" in r.content.decode()  # 201 住房公积金 at the end of October
    bad = client.get(reverse("finance:statements"), {"period": "2026-13"})
    assert bad.status_code == 422 and "格式不正确" in bad.content.decode()
    x = client.get(reverse("finance:statement_export"), {"kind": "income", "period": "2025", "format": "xlsx"})
    assert x.status_code == 200 and x["Content-Type"].endswith("spreadsheetml.sheet")
    assert "attachment" in x["Content-Disposition"] and x.content[:2] == b"PK"
    p = client.get(reverse("finance:statement_export"), {"kind": "business", "period": "2026", "format": "pdf"})
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    liq = client.get(reverse("finance:liquidity"))
    body = liq.content.decode()
    assert liq.status_code == 200 and 'id="forecast-data"' in body and 'id="forecast-chart"' in body
    assert "finance/liquidity.js" in body and "vendor/echarts.min.js" in body and "<script>" not in body
    client.force_login(teller_user)
    assert client.get(reverse("finance:home")).status_code == 403
    assert client.post(reverse("finance:liquidity_snapshot")).status_code == 403


def test_console_year_end_and_snapshot(client, center, books, fin_user, checker_user):
    client.force_login(fin_user)
    page = client.get(reverse("finance:value_added"))  # defaults to the last complete year
    assert page.status_code == 200 and "2025 年度" in page.content.decode() and "2025 年末结转（提交复核）" in page.content.decode()
    page = page.content.decode()
    assert f'{reverse("finance:value_added_close")}?year=2025' in page  # a link to the confirmation form
    # the year-end forms themselves (confirmation, maker-checker): test_counters.py
    assert client.post(reverse("finance:value_added_close"), {"year": "2025"}).status_code == 400  # no one-click
    assert not ValueAddedYear.objects.exists() and not PendingCommand.objects.exists()
    assert client.post(reverse("finance:liquidity_snapshot")).status_code == 302
    assert LiquiditySnapshot.objects.filter(on=center.business_date).count() == 1


def test_api(client, center, books, fin_user, checker_user, teller_user):
    h = _auth(fin_user)
    r = client.get("/api/v1/finance/statements/balance_sheet", {"period": "2026-10"}, **h)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["balanced"] and body["unit"] == "分" and body["period"] == "2026-10"
    assets = {row["code"]: row["values"] for row in body["sections"][0]["rows"] if row["code"]}
    assert assets["101"] == [5_090_000, 6_090_000] and assets["121"] == [0, 1_000_000]
    r = client.get("/api/v1/finance/statements/business/export", {"period": "2026", "format": "pdf"}, **h)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get("/api/v1/finance/statements/nope", **h).status_code == 400  # STATEMENT_KIND: malformed
    liq = client.get("/api/v1/finance/liquidity", **h).json()
    assert liq["loan_ratio"] == "0.142857" and liq["loan_total"] == 1_000_000 and liq["level"] == "ok"
    fc = client.get("/api/v1/finance/liquidity/forecast", {"months": "3"}, **h).json()
    assert len(fc["months"]) == 27 and fc["method"] == "seasonal" and "预测方法" in fc["explanation"]
    snap = client.post("/api/v1/finance/liquidity/snapshots", {}, content_type="application/json", **h)
    assert snap.status_code == 200 and snap.json()["loan_ratio"] == "0.142857"
    assert [s["on"] for s in client.get("/api/v1/finance/liquidity/snapshots", **h).json()] == ["2026-11-30"]
    close = client.post("/api/v1/finance/value-added/2025/close", **h)
    assert close.status_code == 200 and close.json()["status"] == "pending"  # nothing posted before a checker
    assert close.json()["params"]["revenue"] == 90_000 and not ValueAddedYear.objects.filter(year=2025).exists()
    approved = client.post(f"/api/v1/approvals/commands/{close.json()['pending_command']}/approve", {"reason": "同意"},
                           content_type="application/json", **_auth(checker_user))
    assert approved.status_code == 200, approved.content
    assert ValueAddedYear.objects.get(year=2025).revenue == 90_000
    ov = client.get("/api/v1/finance/value-added/2025", **h).json()
    assert ov["plan"]["distributable"] == 50_000 and ov["plan"]["risk_reserve"] == 30_000
    sub = client.post("/api/v1/finance/value-added/2025/distribution", **h)
    assert sub.status_code == 200 and sub.json()["status"] == "pending"
    assert client.post("/api/v1/finance/value-added/2025/distribution", **h).json()["code"] == "DISTRIBUTION_PENDING"
    assert client.post("/api/v1/finance/value-added/abc/close", **h).status_code == 400  # not a year: malformed
    t = _auth(teller_user)
    assert client.get("/api/v1/finance/liquidity", **t).status_code == 403
    assert client.post("/api/v1/finance/value-added/abc/close", **t).status_code == 403
    c = _auth(checker_user)  # a reviewer sees statements but does not manage funds
    assert client.get("/api/v1/finance/statements/income", **c).status_code == 403


def test_cli(center, books, tmp_path):
    out = io.StringIO()
    target = tmp_path / "bs.xlsx"
    call_command("finance", "report", "balance_sheet", "--period", "2026-10", "--format", "xlsx", "--out",
                 str(target), stdout=out)
    got = json.loads(out.getvalue())
    assert got["balanced"] and target.read_bytes()[:2] == b"PK"
    out = io.StringIO()
    call_command("finance", "report", "income", "--period", "2025", "--format", "pdf", "--out",
                 str(tmp_path / "i.pdf"), stdout=out)
    assert (tmp_path / "i.pdf").read_bytes().startswith(b"%PDF")
    out = io.StringIO()
    call_command("finance", "close", "--year", "2025", stdout=out)
    assert json.loads(out.getvalue())["revenue"] == 90_000
    out = io.StringIO()
    call_command("finance", "distribute", "--year", "2025", stdout=out)
    assert json.loads(out.getvalue())["risk_reserve"] == 30_000
    out = io.StringIO()
    call_command("finance", "liquidity", "--snapshot", stdout=out)
    assert json.loads(out.getvalue())["loan_ratio"] == "0.142857"
    with pytest.raises(CommandError):
        call_command("finance", "report", "balance_sheet", "--period", "2026-99", "--out", str(target))
