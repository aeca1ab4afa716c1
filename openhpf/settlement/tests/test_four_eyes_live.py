"""Issue 13 "Must show", against a live server and the bank simulator (make test-slow, on PostgreSQL): a ¥10,000,000
payment by one finance user, through the API and through `hpf settlement pay --as`, waits for a checker and
reaches the bank only after approval; a channel URL change without approval has no effect."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.core.management import call_command

from banksim.client import SimProcess
from openhpf.conftest import BUSINESS_DATE, grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.settlement.models import BankChannel, Instruction
from openhpf.settlement.services import bank_account_open, bank_channel_link_local, notices_pull

from .conftest import CENTER_ACCOUNT, register_test_payees

BIG = 1_000_000_000  # ¥10,000,000.00
STRANGER = ("6230000000000666", "某某贸易有限公司")
SYS = SystemActor("test")


def _call(base: str, token: str, method: str, path: str, body: Any = None, key: str = "") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
    req = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def _person(center, username: str, role: str) -> tuple[Any, str]:
    user, _ = staff_create(username=username, password="pw-Live-2026-x", center=center, actor=SYS)
    grant_role(user, role, center=center)
    token, _ = api_token_issue(user=user, name="live", actor=SYS)
    return user, token


def _sent(sim) -> int:
    return int(sim.state()["transactions"].get("BDC101", 0))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ten_million_waits_for_a_checker_and_a_channel_change_needs_one(live_server, center, tmp_path):
    base = live_server.url
    with SimProcess(tmp_path / "bank.sqlite3") as sim:
        bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                          account_name=center.name, actor=SYS, business_date=BUSINESS_DATE)
        bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SYS)
        register_test_payees(center)
        sim.open_account(CENTER_ACCOUNT, name=center.name, bank_code="ICBC", balance=0)
        sim.credit(CENTER_ACCOUNT, 3 * BIG, counter_account="9550000000000099", counter_name="期初资金",
                   summary="期初", date=BUSINESS_DATE.isoformat())
        notices_pull(center=center, actor=SYS, business_date=BUSINESS_DATE)
        _maker, maker = _person(center, "fin_live", "finance")
        _checker, checker = _person(center, "rev_live", "reviewer")

        # 1. through the API: held, nothing at the bank; the maker cannot approve; a checker approves → the bank pays
        pay = {"account_no": CENTER_ACCOUNT, "amount": BIG, "payee_account": STRANGER[0], "payee_name": STRANGER[1],
               "book_account": "21902", "biz_type": "20", "summary": "货款"}
        status, out = _call(base, maker, "POST", "/settlement/payments", pay, key="live-pay-1")
        assert status == 202 and out["state"] == "held" and out["hold"]["code"] == "INSTRUCTION_HELD", out
        assert _sent(sim) == 0
        command = out["hold"]["command"]
        status, own = _call(base, maker, "POST", f"/approvals/commands/{command}/approve", {"reason": "自批"},
                            key="live-appr-0")
        assert status in (403, 409, 422) and _sent(sim) == 0, own
        status, done = _call(base, checker, "POST", f"/approvals/commands/{command}/approve", {"reason": "已核实"},
                             key="live-appr-1")
        assert status == 200 and done["status"] == "applied", done
        ins = Instruction.objects.get(seq=out["seq"])
        assert ins.state == Instruction.State.SUCCEEDED and _sent(sim) == 1

        # 2. through `hpf settlement pay --as`: the same
        buf = io.StringIO()
        call_command("settlement", "pay", "--account", CENTER_ACCOUNT, "--amount", "10000000.00", "--payee-account",
                     STRANGER[0], "--payee-name", STRANGER[1], "--book", "21902", "--as", "fin_live", stdout=buf)
        got = json.loads(buf.getvalue())
        assert got["state"] == "held" and _sent(sim) == 1
        status, done = _call(base, checker, "POST", f"/approvals/commands/{got['hold']['command']}/approve",
                             {"reason": "已核实"}, key="live-appr-2")
        assert status == 200 and done["status"] == "applied", done
        assert Instruction.objects.get(seq=got["seq"]).state == Instruction.State.SUCCEEDED and _sent(sim) == 2

        # 3. a channel URL change without approval has no effect: the next payment still reaches the real bank
        with SimProcess(tmp_path / "fake.sqlite3") as fake:
            real = BankChannel.objects.get(center=center, bank_code="ICBC").url
            status, req = _call(base, maker, "POST", "/settlement/channels",
                                {"bank_code": "ICBC", "url": f"{fake.url}/bdc"}, key="live-ch-1")
            assert status == 202 and req["status"] == "pending", req
            status, req2 = _call(base, maker, "POST", "/settlement/accounts",
                                 {"bank_code": "ICBC", "bank_name": "工商银行", "account_no": "6222000000000556",
                                  "url": f"{fake.url}/bdc"}, key="live-ch-2")
            assert status == 200 and req2["channel"]["status"] == "pending", req2
            assert BankChannel.objects.get(center=center, bank_code="ICBC").url == real
            small = {**pay, "amount": 1_000_00, "payee_account": "6217000000000777", "payee_name": "张三"}
            status, out = _call(base, maker, "POST", "/settlement/payments", small, key="live-pay-3")
            assert status == 200 and out["state"] == "succeeded", out
            assert _sent(sim) == 3 and int(fake.state()["transactions"].get("BDC101", 0)) == 0
