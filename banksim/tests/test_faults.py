"""Fault injection (POST /sim/faults): what the settlement gateway must survive."""

from __future__ import annotations

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from banksim.client import SimHTTPError, SimProcess

from .conftest import balance, lines


def pay_body(account, amount=1_000):
    return {"account": account, "payee_account": "6217000000000001", "payee_name": "张三", "amount": amount,
            "biz_type": "02", "summary": "提取"}


def test_drop_answer_settles_then_drops_the_connection(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("drop_answer", code="BDC101")
    env = sim.envelope("BDC101", pay_body(acct))
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        sim.send(env)
    q = sim.bdc("BDC110", {"orig_seq": env["seq"]})["body"]
    assert q["state"] == "S" and q["result"] == "0000" and q["bank_seq"]
    assert balance(sim, acct) == 9_000
    # a (wrong) resend of the same seq changes nothing: recorded answer, duplicate
    again = sim.send(env)
    assert again["duplicate"] is True and again["bank_seq"] == q["bank_seq"]
    assert balance(sim, acct) == 9_000 and len(lines(sim, acct)) == 1


def test_delay_answers_late_but_the_bank_settles(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("delay", code="BDC101", seconds=1.5)
    env = sim.envelope("BDC101", pay_body(acct))
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        sim.send(env, timeout=0.3)
    assert time.monotonic() - t0 < 1.0
    q = sim.bdc("BDC110", {"orig_seq": env["seq"]})["body"]
    assert q["state"] == "S"
    assert balance(sim, acct) == 9_000
    # the fault was used up: the next one answers at once
    t0 = time.monotonic()
    assert sim.bdc("BDC101", pay_body(acct), timeout=1.0)["result"] == "0000"
    assert time.monotonic() - t0 < 1.0


def test_delay_with_patience_gets_the_answer(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("delay", code="BDC101", seconds=0.3)
    t0 = time.monotonic()
    assert sim.bdc("BDC101", pay_body(acct), timeout=5)["result"] == "0000"
    assert time.monotonic() - t0 >= 0.3


def test_reject_answers_1004_and_moves_nothing(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("reject", code="BDC101")
    a = sim.bdc("BDC101", pay_body(acct))
    assert (a["result"], a["state"], a["message"]) == ("1004", "F", "银行拒绝交易")
    assert balance(sim, acct) == 10_000 and lines(sim, acct) == []
    assert sim.bdc("BDC110", {"orig_seq": a["seq"]})["body"]["result"] == "1004"
    assert sim.bdc("BDC101", pay_body(acct))["result"] == "0000"  # count 1: used up


def test_reject_leaves_queries_alone(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("reject", count=0)
    assert sim.bdc("BDC123", {"account": acct})["result"] == "0000"
    assert sim.bdc("BDC101", pay_body(acct))["result"] == "1004"
    assert sim.bdc("BDC102", {**pay_body(acct), "payer_account": "X", "payer_name": ""})["result"] == "1004"


def test_outage_is_503_then_works_after_clearing(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("outage", count=0)
    env = sim.envelope("BDC101", pay_body(acct))
    for _ in range(2):
        with pytest.raises(SimHTTPError) as e:
            sim.send(env)
        assert e.value.status == 503 and e.value.payload["result"] == "9503"
    # the control endpoints still answer during an outage
    assert sim.state()["faults"][0]["fault"] == "outage"
    sim.clear_faults()
    assert sim.bdc("BDC110", {"orig_seq": env["seq"]})["body"]["state"] == "N"  # nothing was done
    a = sim.send(env)  # the same seq, sent again
    assert a["result"] == "0000" and a["duplicate"] is False
    assert balance(sim, acct) == 9_000


def test_code_filter_and_count(sim, new_account):
    acct = new_account(balance=10_000)
    sim.faults("outage", code="BDC102", count=2)
    assert sim.bdc("BDC101", pay_body(acct))["result"] == "0000"
    collect = {**pay_body(acct), "payer_account": "X", "payer_name": ""}
    collect.pop("payee_account")
    collect.pop("payee_name")
    for _ in range(2):
        with pytest.raises(SimHTTPError):
            sim.bdc("BDC102", collect)
    assert sim.bdc("BDC102", collect)["result"] == "0000"
    assert sim.control("/sim/faults")["faults"] == []


def test_duplicate_notice_delivers_the_same_notice_twice(sim, new_account):
    acct = new_account()
    cursor = sim.bdc("BDC124", {"after": 0, "limit": 1, "account": acct})["body"]["next"]
    sim.faults("duplicate_notice", code="BDC101")
    sim.credit(acct, 5_000)  # a /sim/credit is not a BDC101: one notice
    sim.bdc("BDC101", pay_body(acct, 100))
    sim.credit(acct, 1)  # the fault was used up
    got = sim.bdc("BDC124", {"after": cursor, "account": acct})["body"]["notices"]
    ids = [n["notice_id"] for n in got]
    assert len(ids) == 4 and ids[1] == ids[2] and len(set(ids)) == 3
    assert got[1] == got[2] and got[1]["amount"] == 100
    assert len(lines(sim, acct)) == 3


def test_faults_are_listed_and_cleared(sim):
    sim.faults("delay", code="BDC113", seconds=2, count=0)
    sim.faults("reject")
    listed = sim.control("/sim/faults")["faults"]
    assert [(f["fault"], f["code"], f["count"]) for f in listed] == [("delay", "BDC113", 0), ("reject", None, 1)]
    assert sim.clear_faults()["cleared"] == 2 and sim.control("/sim/faults")["faults"] == []


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        with server.lock:
            server.calls += 1
            failing = server.calls <= server.fail_first
            if not failing:
                server.got.append(body)
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    srv.lock, srv.calls, srv.got, srv.fail_first = threading.Lock(), 0, [], 2
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _wait(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_notices_are_pushed_with_retries_in_order(receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/settlement/notices"
    with SimProcess(notify_url=url) as own:
        acct = "6222000000000001"
        own.open_account(acct, name="中心专户", balance=0)
        own.credit(acct, 100, counter_name="甲")
        own.faults("duplicate_notice")
        own.credit(acct, 200, counter_name="乙")
        _wait(lambda: len(receiver.got) >= 3)
        assert receiver.calls == 2 + 3  # two refusals (HTTP 500), then three deliveries
        assert [n["amount"] for n in receiver.got] == [100, 200, 200]
        assert receiver.got[1]["notice_id"] == receiver.got[2]["notice_id"] != receiver.got[0]["notice_id"]
        assert all(n["code"] == "SBDC100" and n["account"] == acct for n in receiver.got)
        _wait(lambda: own.state()["counts"]["notices_undelivered"] == 0)
        # pushed notices are still there to pull
        assert len(own.bdc("BDC124", {"after": 0})["body"]["notices"]) == 3


def test_notify_url_can_be_set_while_running(receiver):
    receiver.fail_first = 0
    with SimProcess() as own:
        own.open_account("A1", balance=0)
        own.credit("A1", 7)
        time.sleep(0.2)
        assert receiver.got == []
        own.configure(notify_url=f"http://127.0.0.1:{receiver.server_address[1]}/n")
        _wait(lambda: len(receiver.got) == 1)
        assert receiver.got[0]["amount"] == 7
