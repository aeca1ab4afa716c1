"""The interfaces of 日终对账: hpf recon (load CSV/NDJSON, run with its exit code, gate), the API and the console
(home, 调节表, the htmx work queue, explain in place, resolve, run)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from openhpf.conftest import grant_role
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.settlement.services import bank_account_open

from ..models import BankStatement, Reconciliation, ReconItem
from .test_services import D0, D1, OPENING, SYS, _day_with_every_reason, _post

NO = "1202020100000001"


@pytest.fixture
def acct(center):
    a = bank_account_open(center=center, bank_code="102", bank_name="工商银行杭州分行", account_no=NO, account_name="",
                          actor=SYS, business_date=D0)
    _post(center, a, D0, [("in", OPENING, "")], description="期初余额")
    return a


@pytest.fixture
def finance(center):
    user, _ = staff_create(username="fin1", password="pw-Finance-2026", center=center, actor=SYS)
    return grant_role(user, "finance", center=center)


@pytest.fixture
def inspector(center):
    user, _ = staff_create(username="insp1", password="pw-Inspect-2026", center=center, actor=SYS)
    return grant_role(user, "inspector", center=center)


def _h(user):
    token, _ = api_token_issue(user=user, name="t", actor=SYS)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# ---------------------------------------------------------------- CLI


def test_cli_load_csv_and_ndjson_run_and_gate(center, acct, tmp_path):
    _post(center, acct, D1, [("in", 1000_00, "B1")])
    _post(center, acct, D1, [("out", 500_00, "S1")])
    # a bank's CSV in GBK with Chinese headers, amounts in yuan
    rows = ["银行流水号,收支方向,金额(元),余额(元),对方账号,对方户名,摘要,指令流水号",
            f"B1,收,1000.00,{(OPENING + 1000_00) / 100:.2f},6222000011112222,杭州某公司,汇缴,",
            f"B9,付,500.00,{(OPENING + 500_00) / 100:.2f},6222000033334444,李四,提取,S1"]
    (tmp_path / "s.csv").write_bytes("\n".join(rows).encode("gbk"))
    out = io.StringIO()
    call_command("recon", "load", str(tmp_path / "s.csv"), "--account", NO, "--date", D1.isoformat(), "--no-progress",
                 stdout=out)
    got = json.loads(out.getvalue())
    assert (got["lines"], got["opening"], got["closing"]) == (2, OPENING, OPENING + 500_00)
    out = io.StringIO()
    call_command("recon", "run", "--account", NO, "--date", D1.isoformat(), "--no-progress", stdout=out)
    text = out.getvalue()
    assert "银行存款余额调节表" in text and "平衡" in text and "matched_by_key=2" in text
    out = io.StringIO()
    call_command("recon", "gate", "--date", D1.isoformat(), stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
    # the next day by NDJSON with its header; a bank fee not in the books → the table balances only with an item,
    # a carried one the day after would need a note; here: same day, a timing difference → exit 0
    d2 = date(2026, 11, 29)
    lines = [{"opening_balance": OPENING + 500_00, "closing_balance": OPENING + 500_00 - 12_00, "account": NO,
              "date": d2.isoformat()},
             {"bank_seq": "B20", "direction": "out", "amount": 12_00, "balance": OPENING + 500_00 - 12_00,
              "summary": "手续费", "ref": ""}]
    (tmp_path / "s.ndjson").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    call_command("recon", "load", str(tmp_path / "s.ndjson"), "--account", NO, "--date", d2.isoformat(),
                 "--no-progress", stdout=io.StringIO())
    out = io.StringIO()
    call_command("recon", "run", "--account", NO, "--date", d2.isoformat(), "--json", "--no-progress", stdout=out)
    got = json.loads(out.getvalue())
    assert got["status"] == "balanced" and got["bank_out_open"] == 12_00 and got["items_new"] == 1
    # an unexplained difference: exit 1
    d3 = date(2026, 11, 30)
    (tmp_path / "s3.ndjson").write_text(json.dumps({"opening_balance": OPENING + 488_00, "closing_balance": OPENING + 488_00}),
                                        encoding="utf-8")
    call_command("recon", "load", str(tmp_path / "s3.ndjson"), "--account", NO, "--date", d3.isoformat(),
                 "--no-progress", stdout=io.StringIO())
    with pytest.raises(SystemExit) as e:
        call_command("recon", "run", "--account", NO, "--date", d3.isoformat(), "--no-progress",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert e.value.code == 1  # the fee is carried and unexplained now
    with pytest.raises(SystemExit):
        call_command("recon", "gate", "--date", d3.isoformat(), stdout=io.StringIO())
    with pytest.raises(CommandError) as ce:
        call_command("recon", "run", "--account", "999", "--date", d3.isoformat())
    assert ce.value.returncode == 2
    with pytest.raises(CommandError) as ce:
        call_command("recon", "run", "--account", NO, "--date", "2026-12-05", "--no-progress")
    assert ce.value.returncode == 1 and "RECON_FUTURE" in str(ce.value)


def test_cli_refuses_a_broken_file_with_nothing_written(center, acct, tmp_path):
    (tmp_path / "bad.csv").write_text("bank_seq,direction,amount,balance\nB1,in,100,999\nB2,in,-5,994\n",
                                      encoding="utf-8")
    with pytest.raises(CommandError) as ce:
        call_command("recon", "load", str(tmp_path / "bad.csv"), "--account", NO, "--date", D1.isoformat(),
                     "--opening", "899", "--closing", "994", "--no-progress")
    assert ce.value.returncode == 1 and "STATEMENT_INVALID" in str(ce.value) and "第 2 行" in str(ce.value)
    assert not BankStatement.objects.exists()


# ---------------------------------------------------------------- API


def test_api(center, acct, finance, inspector, client):
    r = _day_with_every_reason(center, acct)
    h = _h(finance)
    got = client.get("/api/v1/reconciliation/reconciliations", {"account_no": NO}, **h)
    assert got.status_code == 200, got.content
    (row,) = got.json()
    assert (row["status"], row["difference"], row["adjusted_bank"]) == ("unexplained", 0, row["adjusted_book"])
    detail = client.get(f"/api/v1/reconciliation/reconciliations/{r.pk}", **h).json()
    assert len(detail["items"]) == 6
    bank_item = next(i for i in detail["items"] if i["ref_key"] == "B6")
    assert bank_item["counter_name"] == "张*" and bank_item["counter_account"].startswith("6222")
    assert client.get("/api/v1/reconciliation/items", {"state": "unexplained"}, **h).json()["total"] == 6
    # paged with the true total: page 2 of 4 holds the last two, oldest first; past the end is the last page
    got = client.get("/api/v1/reconciliation/items", {"state": "unexplained", "page": "2", "page_size": "4"}, **h).json()
    assert (got["total"], got["page"], got["page_size"], len(got["items"])) == (6, 2, 4, 2)
    first = client.get("/api/v1/reconciliation/items", {"state": "unexplained", "page_size": "4"}, **h).json()
    ids = [i["id"] for i in first["items"] + got["items"]]
    assert len(set(ids)) == 6 and ids == list(ReconItem.objects.filter(pk__in=ids).order_by("opened_on", "pk")
                                              .values_list("pk", flat=True))
    assert client.get("/api/v1/reconciliation/items", {"state": "unexplained", "page": "9", "page_size": "4"},
                      **h).json()["page"] == 2
    items = client.get("/api/v1/reconciliation/items", {"state": "blocking"}, **h).json()["items"]
    assert {i["reason"] for i in items} == {"AM"}
    for i in items:
        res = client.post(f"/api/v1/reconciliation/items/{i['id']}/explain", json.dumps({"note": "银行少记"}),
                          content_type="application/json", **h)
        assert res.status_code == 200 and res.json()["status"] == "explained"
    gate = client.get("/api/v1/reconciliation/day-end", {"on": D1.isoformat()}, **h).json()
    assert gate == {"date": D1.isoformat(), "ok": True, "problems": []}
    res = client.post("/api/v1/reconciliation/run", json.dumps({"account_no": NO, "date": D1.isoformat()}),
                      content_type="application/json", **h)
    assert res.status_code == 200 and res.json()["status"] == "balanced"  # a re-run keeps the notes
    ki = ReconItem.objects.get(reason="KI")
    res = client.post("/api/v1/reconciliation/items/resolve", json.dumps({"ids": [ki.pk], "note": "x"}),
                      content_type="application/json", **h)
    assert res.status_code == 422 and res.json()["code"] == "RESOLVE_UNBALANCED"
    # 稽核 may read, not act
    hi = _h(inspector)
    assert client.get("/api/v1/reconciliation/items", **hi).status_code == 200
    res = client.post(f"/api/v1/reconciliation/items/{ki.pk}/explain", json.dumps({"note": "x"}),
                      content_type="application/json", **hi)
    assert res.status_code == 403
    bad = client.get("/api/v1/reconciliation/reconciliations", {"date_from": "bad"}, **h)
    assert bad.status_code == 400 and bad.json()["code"] == "DATE_INVALID"


# ---------------------------------------------------------------- console


def test_console_pages(center, acct, finance, client):
    r = _day_with_every_reason(center, acct)
    client.force_login(finance)
    page = client.get(reverse("reconciliation:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert NO in html and "存在未说明差异" in html and "2026-11-28" in html
    page = client.get(reverse("reconciliation:detail", args=[r.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "银行存款余额调节表" in html and "1,002,290.00" in html
    assert "张*" in html and "张三" not in html  # the counterparty is masked
    assert client.get(reverse("reconciliation:detail", args=[999999])).status_code == 404
    # the work queue: the filter swaps only the list (htmx)
    part = client.get(reverse("reconciliation:items"), {"reason": "AM", "state": "open"}, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert part.status_code == 200 and "<html" not in body and body.count('data-testid="item-row"') == 2
    am = ReconItem.objects.filter(reason="AM").order_by("pk")
    row = client.post(reverse("reconciliation:item_explain", args=[am[0].pk]), {"note": "银行少记 50 元"},
                      HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "银行少记 50 元" in row.content.decode() and "<tr" in row.content.decode()
    bad = client.post(reverse("reconciliation:item_explain", args=[am[1].pk]), {"note": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "请填写差异说明" in bad.content.decode()
    res = client.post(reverse("reconciliation:item_explain", args=[am[1].pk]), {"note": "已查明"})
    assert res.status_code == 302
    assert Reconciliation.objects.get(pk=r.pk).status == Reconciliation.Status.BALANCED
    res = client.post(reverse("reconciliation:items_resolve"), {"ids": [ReconItem.objects.get(reason="KI").pk],
                                                                 "note": "x"}, follow=True)
    assert "核销后调节表仍不平衡" in res.content.decode()
    res = client.post(reverse("reconciliation:run"), {"account_no": NO, "date": D1.isoformat()})
    assert res.status_code == 302 and res.url == reverse("reconciliation:detail", args=[r.pk])
    res = client.post(reverse("reconciliation:run"), {"account_no": NO, "date": "2026-13-01"}, follow=True)
    assert "对账日期格式" in res.content.decode()
