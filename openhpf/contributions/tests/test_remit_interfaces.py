"""The interfaces of remittances: hpf remit (exit codes, JSON), the API and the console upload page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve
from openhpf.conftest import finance_clerk, grant_role
from openhpf.contributions.models import Receipt, Remittance
from openhpf.contributions.remittance.fileimport import roster_rows
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create


@pytest.fixture
def world(center):
    emp = make_employer(center, 1)
    accts = [make_account(center, emp, i) for i in range(1, 21)]
    return emp, accts


def _csv(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("gbk")


def test_cli_import_receipt_post(center, world, tmp_path, checker):
    emp, _accts = world
    finance_clerk()
    rows = list(roster_rows(center=center, month="2026-11"))
    bad = [r[:] for r in rows]
    bad[3][1] = "错名字"
    (tmp_path / "bad.csv").write_bytes(_csv(bad))
    out = io.StringIO()
    with pytest.raises(SystemExit) as e:
        call_command("remit", "import", str(tmp_path / "bad.csv"), "--month", "2026-11", "--no-progress", stdout=out,
                     stderr=io.StringIO())
    assert e.value.code == 1
    got = json.loads(out.getvalue())
    assert got["status"] == "rejected" and got["error_file"].endswith(".xlsx") and got["remittances"] == 0
    with pytest.raises(CommandError) as ce:
        call_command("remit", "import", str(tmp_path / "missing.csv"), "--month", "2026-11")
    assert ce.value.returncode == 2
    (tmp_path / "good.csv").write_bytes(_csv(rows))
    out = io.StringIO()
    call_command("remit", "import", str(tmp_path / "good.csv"), "--month", "2026-11", "--no-progress", stdout=out)
    got = json.loads(out.getvalue())
    assert got["status"] == "accepted" and len(got["remittance_ids"]) == 1
    rid = got["remittance_ids"][0]
    out = io.StringIO()
    call_command("remit", "receipt", "--employer", emp.account_no, "--amount", got["total_yuan"], "--value-date",
                 "2026-11-28", "--bank-ref", "CLI-1", "--business-date", "2026-11-30", "--as", "fin1", stdout=out)
    rc = json.loads(out.getvalue())
    # typed in by hand: matched, nothing booked until a checker confirms it (issue 13); small: posted then at once
    assert rc["status"] == "unconfirmed" and rc["remittance_ids"] == [rid]
    cmd = PendingCommand.objects.get(name="contributions.receipt_confirm")
    assert command_approve(command=cmd, actor=checker, business_date=center.business_date).status == "applied"
    assert Receipt.objects.get(pk=rc["receipt_id"]).status == "posted"
    out = io.StringIO()
    call_command("remit", "post", "--remittance", str(rid), "--no-progress", stdout=out)
    assert json.loads(out.getvalue())["already_posted"] is True
    assert Remittance.objects.get(pk=rid).value_date.isoformat() == "2026-11-28"


def test_api_and_console(center, world, client, checker):
    emp, _accts = world
    user, _ = staff_create(username="remit_clerk", password="pw-Remit-2026", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    token, _ = api_token_issue(user=user, name="t", actor=SystemActor("test"))
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    r = client.post("/api/v1/contributions/remittances", json.dumps({"employer_no": emp.account_no, "month": "2026-11",
                                                                      "confirm": True}),
                    content_type="application/json", **h)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "confirmed" and body["lines"] == 20
    r = client.post("/api/v1/contributions/receipts", json.dumps({"amount": body["total"], "value_date": "2026-11-30",
                                                                  "bank_ref": "API-1", "employer_no": emp.account_no}),
                    content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["status"] == "unconfirmed" and r.json()["code"] == "RECEIPT_UNCONFIRMED"
    cmd = PendingCommand.objects.get(name="contributions.receipt_confirm", maker=user)
    command_approve(command=cmd, actor=checker, business_date=center.business_date)
    assert client.get(f"/api/v1/contributions/remittances/{body['id']}", **h).json()["status"] == "posted"
    client.force_login(user)
    assert client.get("/contributions/remittances/").status_code == 200
    assert client.get(f"/contributions/remittances/{body['id']}/").status_code == 200
    rows = list(roster_rows(center=center, month="2026-12"))
    rows[2][7] = "1.00"
    r = client.post("/contributions/remittances/upload/", {"month": "2026-12", "file": SimpleUploadedFile("r.csv", _csv(rows))})
    assert r.status_code == 200 and "AMOUNT_MISMATCH" in r.content.decode()
    imp = r.context["result"].import_id
    r = client.get(f"/contributions/imports/{imp}/errors/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
