"""约定提取 edges: the API under /api/v1/withdrawals/agreements (paged lists, Chinese errors, maker-checker) and
`hpf withdrawals agreement … / agreed-run / agreed-runs / agreed-release` (the batch released under four eyes)."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from openhpf.approvals.services import command_approve
from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.iam.models import StaffProfile
from openhpf.iam.services import api_token_issue
from openhpf.settlement.models import Instruction
from openhpf.withdrawals.models import AgreedItem, AgreedRun, Agreement
from openhpf.withdrawals.tests.test_agreed import _settle, agreements  # noqa: F401 — the signed agreements

pytestmark = pytest.mark.django_db
URL = "/api/v1/withdrawals/agreements"


def _h(user, center):
    StaffProfile.objects.get_or_create(user=user, defaults={"center": center})
    token, _ = api_token_issue(user=user, name="t", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client, url, body, h):
    return client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex, **h)


def _hpf(*args):
    out = io.StringIO()
    call_command("withdrawals", *args, stdout=out)
    return json.loads(out.getvalue())


def test_api_signs_lists_and_stops_an_agreement_under_maker_checker(client, world, bank):
    w, c = world, world["center"]
    teller, r1 = _h(w["teller"], c), _h(w["r1"], c)
    body = {"account_no": w["acct"].account_no, "loan_kind": "commercial", "contract_no": "JK-API-1",
            "installment": 2_000_00, "start_month": c.business_date.isoformat(), "bank_code": "CCB",
            "bank_name": "建设银行", "repay_account": "6227000011112222", "repay_name": w["member"].name}
    bad = _post(client, URL, {**body, "repay_account": "12AB"}, teller)
    assert bad.status_code == 400 and bad.json()["code"] == "WITHDRAWAL_AGREEMENT_INVALID"
    assert "还款账号" in bad.json()["message"] and bad.json()["field"] == "repay_account"
    assert Agreement.objects.count() == 0  # nothing written
    r = _post(client, URL, body, teller)
    assert r.status_code == 201, r.content
    ag = r.json()
    assert ag["status"] == "pending" and ag["repay_account"].endswith("2222") and "6227000011112222" not in r.text
    assert ag["member_name"] != w["member"].name  # masked
    page = client.get(f"{URL}?page_size=1", **r1).json()
    assert (page["total"], page["page"], page["page_size"], len(page["items"])) == (1, 1, 1, 1)
    assert client.get(f"{URL}?status=active", **r1).json()["total"] == 0
    nope = client.get(f"{URL}?status=nope", **r1)
    assert nope.status_code == 400 and "状态应为" in nope.json()["message"]
    assert client.get(f"{URL}/999999", **r1).status_code == 404
    command_approve(command=ag["command_id"], actor=w["r1"], business_date=c.business_date)
    assert client.get(f"{URL}?status=active", **r1).json()["items"][0]["contract_no"] == "JK-API-1"
    again = _post(client, URL, body, teller)
    assert again.status_code == 409 and again.json()["code"] == "WITHDRAWAL_AGREEMENT_EXISTS"
    no_reason = _post(client, f"{URL}/{ag['id']}/stop", {"reason": " "}, teller)
    assert no_reason.status_code == 400 and "终止原因" in no_reason.json()["message"]
    stop = _post(client, f"{URL}/{ag['id']}/stop", {"reason": "贷款已结清"}, teller)
    assert stop.status_code == 200 and stop.json()["status"] == "stopping"
    command_approve(command=stop.json()["command_id"], actor=w["r2"], business_date=c.business_date)
    assert client.get(f"{URL}/{ag['id']}", **r1).json()["status"] == "stopped"
    reads = AuditRecord.objects.filter(action="withdrawals.agreement.read")
    assert reads.filter(object_id=str(ag["id"])).exists()  # the detail read is audited
    assert reads.count() == 3  # and the two list pages that held an agreement (empty pages are no read)


def test_api_run_and_release_under_four_eyes(client, world, agreements, sim):  # noqa: F811
    w, c = world, world["center"]
    fin, r2 = _h(w["fin"], c), _h(w["r2"], c)
    wrong = _post(client, f"{URL}/runs", {"month": "2020-01"}, fin)
    assert wrong.status_code == 400 and wrong.json()["code"] == "WITHDRAWAL_AGREED_MONTH"
    assert AgreedRun.objects.count() == 0
    r = _post(client, f"{URL}/runs", {"month": f"{c.business_date:%Y-%m}"}, fin)
    assert r.status_code == 200, r.content
    run = r.json()
    assert run["status"] == "submitted" and run["count"] == 4 and run["instruction_state"] == "held"
    assert run["release_command"]
    items = client.get(f"{URL}/runs/{run['id']}/items?state=submitted&page_size=2", **r2).json()
    assert items["total"] == 4 and len(items["items"]) == 2
    assert client.get(f"{URL}/runs", **r2).json()["total"] == 1
    own = _post(client, f"{URL}/runs/{run['id']}/release", {}, fin)  # the maker cannot release it
    assert own.status_code in (403, 409, 422) and Instruction.objects.get(seq=run["instruction_seq"]).state == "held"
    ok = _post(client, f"{URL}/runs/{run['id']}/release", {"reason": "核对无误"}, r2)
    assert ok.status_code == 200, ok.content
    ins = _settle(Instruction.objects.get(seq=run["instruction_seq"]), w)
    assert ins.state == "succeeded"
    done = client.get(f"{URL}/runs/{run['id']}", **r2).json()
    assert (done["status"], done["paid"], done["release_command"]) == ("done", 4, None)
    twice = _post(client, f"{URL}/runs/{run['id']}/release", {}, r2)
    assert twice.status_code == 409 and twice.json()["code"] == "WITHDRAWAL_AGREED_RUN_STATE"


def test_cli_agreement_run_and_release(world, bank, sim):
    w, c = world, world["center"]
    month = f"{c.business_date:%Y-%m}"
    with pytest.raises(CommandError, match="WITHDRAWAL_AGREEMENT_INVALID"):
        _hpf("agreement", "sign", "--as", "wd_teller", "--account-no", w["acct"].account_no, "--loan-kind",
             "commercial", "--contract-no", "JK-CLI-1", "--installment", "1500.00", "--start-month", "2026-13")
    ag = _hpf("agreement", "sign", "--as", "wd_teller", "--account-no", w["acct"].account_no, "--loan-kind",
              "commercial", "--contract-no", "JK-CLI-1", "--installment", "1500.00", "--start-month", month,
              "--bank-code", "CCB", "--bank-name", "建设银行", "--repay-account", "6227000033334444",
              "--repay-name", w["member"].name)
    assert ag["status"] == "pending" and ag["installment"] == 1_500_00
    command_approve(command=ag["command_id"], actor=w["r1"], business_date=c.business_date)
    listed = _hpf("agreement", "list", "--status", "active")
    assert listed["total"] == 1 and listed["items"][0]["contract_no"] == "JK-CLI-1"
    with pytest.raises(CommandError, match="WITHDRAWAL_AGREED_MONTH"):
        _hpf("agreed-run", "--as", w["fin"].username, "--month", "2020-01")
    with pytest.raises(CommandError, match="--as"):
        _hpf("agreed-run", "--month", month)
    run = _hpf("agreed-run", "--as", w["fin"].username, "--month", month)
    assert run["status"] == "submitted" and run["total"] == 1_500_00
    assert _hpf("agreed-run", "--as", w["fin"].username, "--month", month)["id"] == run["id"]  # the same run
    with pytest.raises(CommandError):
        _hpf("agreed-release", "--as", w["fin"].username, "--run", str(run["id"]))  # four eyes
    _hpf("agreed-release", "--as", "wd_rev2", "--run", str(run["id"]))
    _settle(Instruction.objects.get(seq=run["instruction_seq"]), w)
    assert _hpf("agreed-runs")["items"][0]["status"] == "done"
    assert AgreedItem.objects.get().state == "paid"
