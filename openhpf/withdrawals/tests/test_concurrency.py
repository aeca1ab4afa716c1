"""Issue 19 "Must show", against a running server: 20 withdrawal approvals in parallel on one account whose
balance covers only 8 of them. The balance never goes negative, exactly the covered ones are held, and executed
(through the bank simulator) exactly those pay; `hpf verify` holds afterwards.

Each database gets its own run: a fresh database (a SQLite file, where writes serialize; a PostgreSQL database,
where they race under row locks), migrated, the world built by `hpf`-style scripts, and `hpf runserver` (threaded)
as a separate process serving the API. `make test-slow`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
HPF = [sys.executable, "-c", "from openhpf.cli import main; main()"]
N_APPS = 20
AMOUNT = 600_000  # 6,000.00 元 each (rent: 3 months at the 2,000.00 元 cap)
BALANCE = 5_000_000  # 50,000.00 元: covers 8 of them
COVERED = BALANCE // AMOUNT
CENTER_ACCOUNT = "6222000000000001"
CARD = "6217000000001234"
PG_ADMIN = os.environ.get("HPF_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


# ---------------------------------------------------------------- run inside the subprocesses (django set up)


def setup_world(sim_url: str) -> dict[str, Any]:
    """The center, its 专户 at the simulator, one member with 50,000.00 元 and a verified card, the clerks with API
    tokens, and 20 rent withdrawals accepted and waiting for 初审."""
    from datetime import date

    from openhpf.accounts.models import PaidMonths
    from openhpf.accounts.tests.factories import make_account, make_employer
    from openhpf.applications import services as engine
    from openhpf.catalog.models import IdentityLevel
    from openhpf.conftest import grant_role
    from openhpf.core.actors import SystemActor
    from openhpf.core.codes import RetentionClass
    from openhpf.core.services import center_create
    from openhpf.documents.models import DocType
    from openhpf.documents.services import document_store
    from openhpf.iam.services import api_token_issue, staff_create
    from openhpf.ledger.tests.factories import deposit
    from openhpf.settlement.services import bank_account_open, bank_channel_link_local, notices_pull
    from openhpf.withdrawals.cards import card_add, card_verify
    from openhpf.withdrawals.handlers import RENT

    sys_actor = SystemActor("test")
    bd = date(2026, 11, 30)
    center = center_create(code="330100", name="杭州住房公积金管理中心", business_date=bd, actor=sys_actor, city="杭州")
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                      account_name=center.name, actor=sys_actor, business_date=bd)
    bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim_url}/bdc", actor=sys_actor, timeout_seconds=10)
    acct = make_account(center, make_employer(center, 1), 1)
    deposit(center, acct.sub, BALANCE, value_date=date(2026, 7, 1))
    PaidMonths.objects.create(account=acct, year=2026, months=0b11110000000, back=0)
    people, tokens = {}, {}
    # the one who executes (办理) needs the counter's permission and the finance one (it moves money)
    for name, roles in (("c_teller", ("teller",)), ("c_rev", ("reviewer",)), ("c_rev2", ("reviewer",)),
                        ("c_fin", ("teller", "finance"))):
        user, _ = staff_create(username=name, password="pw-Conc-2026-x", center=center, actor=sys_actor)
        people[name] = grant_role(user, *roles, center=center)
        tokens[name], _ = api_token_issue(user=user, name="concurrency", actor=sys_actor)
    notices_pull(center=center, actor=people["c_fin"], business_date=bd)  # the bank's opening balance
    card = card_add(member=acct.member, card_no=CARD, bank_code="ICBC", bank_name="工商银行",
                    holder_name=acct.member.name, actor=people["c_teller"], business_date=bd)
    card_verify(card=card, actor=people["c_rev2"], business_date=bd)
    numbers = []
    for _ in range(N_APPS):
        app = engine.application_create(center=center, item_code=RENT, channel="counter",
                                        identity_level=IdentityLevel.COUNTER_CHECK, actor=people["c_teller"],
                                        business_date=bd, member_id=acct.member_id,
                                        payload={"amount": AMOUNT, "months": 3, "no_own_home": True})
        for code in ("id_card", "bank_card"):
            doc = document_store(center=center, content=b"%PDF-1.4 " + code.encode(), original_name=f"{code}.pdf",
                                 doc_type=DocType.ID_PROOF, retention=RetentionClass.LONG_30Y,
                                 actor=people["c_teller"], business_date=bd)
            engine.application_attach(application=app, material_code=code, document=doc, actor=people["c_teller"],
                                      business_date=bd)
        app = engine.application_submit(application=app, actor=people["c_teller"], business_date=bd)
        app = engine.application_accept(application=app, actor=people["c_teller"], business_date=bd)
        assert app.state == "under_review", (app.state, app.problems)
        numbers.append(app.number)
    return {"numbers": numbers, "review": tokens["c_rev"], "execute": tokens["c_fin"], "account": acct.pk}


def check_world(account: int) -> dict[str, Any]:
    """What the books say afterwards: the sub-account, every running balance, the applications, hpf verify."""
    from collections import Counter

    from openhpf.applications.models import Application
    from openhpf.core.verify import run_checks
    from openhpf.ledger.models import SubAccount, SubLedgerRow
    from openhpf.withdrawals.models import Payout

    sub = SubAccount.objects.get(pk=account)
    running, lowest = 0, 0
    for amount in SubLedgerRow.objects.filter(sub_account_id=account).order_by("id").values_list("amount", flat=True):
        running += amount
        lowest = min(lowest, running)
    return {
        "balance": int(sub.balance), "hold": int(sub.hold_amount), "available": int(sub.available), "lowest": lowest,
        "states": dict(Counter(Application.objects.values_list("state", flat=True))),
        "payouts": dict(Counter(Payout.objects.values_list("state", flat=True))),
        "debits": list(SubLedgerRow.objects.filter(sub_account_id=account, amount__lt=0).values_list("amount", flat=True)),
        "failed_checks": [f"{c.name}: {c.detail}" for c in run_checks() if not c.ok and c.name != "audit.unsealed"],
    }


# ---------------------------------------------------------------- the test


def _script(env: dict[str, str], call: str) -> Any:
    code = ("import json, django; django.setup(); from openhpf.withdrawals.tests import test_concurrency as t; "
            f"print('@@' + json.dumps(t.{call}))")
    p = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-4000:]
    return json.loads(next(line for line in p.stdout.splitlines() if line.startswith("@@"))[2:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(base: str, token: str, path: str, body: dict, key: str = "") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    req = urllib.request.Request(f"{base}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def _database(vendor: str, tmp_path: Path) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'hpf.sqlite3'}"
    try:
        import psycopg

        name = "hpf_wd_concurrency"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as exc:  # any failure to reach the server
        if os.environ.get("HPF_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL does not answer at {PG_ADMIN.rsplit('@', 1)[-1]}: {exc}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _parallel(calls: list[Any]) -> list[tuple[int, Any]]:
    """Run the calls at once: every thread waits at a barrier, then fires."""
    gate = threading.Barrier(len(calls))

    def run(call: Any) -> tuple[int, Any]:
        gate.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.parametrize("vendor", ["postgres", "sqlite"])
def test_twenty_parallel_approvals_hold_and_pay_only_what_the_balance_covers(vendor, tmp_path):
    from banksim.client import SimProcess

    url = _database(vendor, tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev",
           "HPF_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}
    p = subprocess.run([*HPF, "migrate", "-v0"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    with SimProcess(tmp_path / "bank.sqlite3") as sim:
        sim.open_account(CENTER_ACCOUNT, name="杭州住房公积金管理中心", bank_code="ICBC", balance=0)
        sim.credit(CENTER_ACCOUNT, 100_000_000, counter_account="9550000000000099", counter_name="期初资金",
                   summary="期初", date="2026-11-30")
        world = _script(env, f"setup_world({sim.url!r})")
        port = _free_port()
        log = tmp_path / "server.log"
        server = subprocess.Popen([*HPF, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=log.open("w"))
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            # 1. twenty reviewers' passes at once
            reviews = _parallel([
                (lambda n=n: _post(base, world["review"], f"/applications/{n}/review",
                                   {"decision": "pass", "reason": "材料齐全"}))
                for n in world["numbers"]])
            approved = [n for n, (status, out) in zip(world["numbers"], reviews, strict=True)
                        if status == 200 and out["state"] == "approved"]
            refused = [out for status, out in reviews if status != 200]
            assert len(approved) == COVERED, (reviews, log.read_text()[-6000:])
            assert len(refused) == N_APPS - COVERED
            assert {r["code"] for r in refused} == {"INSUFFICIENT_BALANCE"}, refused
            mid = _script(env, f"check_world({world['account']})")
            assert mid["hold"] == COVERED * AMOUNT and mid["balance"] == BALANCE and mid["available"] >= 0
            assert mid["states"] == {"approved": COVERED, "under_review": N_APPS - COVERED}
            # 2. the approved ones executed by two clerks' sessions at once: each pays through the bank, once.
            # Every payment path takes its locks in one order (docs/settlement.md "Lock order"): the execution
            # of one and the bank's answer to another, settled in its own transaction, never wait on each other
            runs = _parallel([(lambda n=n: _post(base, world["execute"], f"/applications/{n}/execute", {},
                                                 key=f"exec-{n}")) for n in approved])
            assert all(status == 200 for status, _ in runs), (runs, log.read_text()[-6000:])
            for _ in range(150):  # the payment is sent after each commit: wait for the bank's answers
                end = _script(env, f"check_world({world['account']})")
                if end["states"].get("completed") == COVERED:
                    break
                time.sleep(1)
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert end["states"] == {"completed": COVERED, "under_review": N_APPS - COVERED}, end
        assert end["payouts"] == {"paid": COVERED}
        assert end["debits"] == [-AMOUNT] * COVERED
        assert end["balance"] == BALANCE - COVERED * AMOUNT and end["hold"] == 0 and end["lowest"] >= 0
        assert end["failed_checks"] == []
        assert int(sim.state()["transactions"].get("BDC101", 0)) == COVERED
