"""The simulator as a process: `hpf bank-sim` start-up line and port file, clean SIGTERM, and its books surviving
kill -9 and restart."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from banksim.client import SimProcess, http_json

from .conftest import DAY, balance, lines

CENTER = "6222000000000001"


@pytest.mark.parametrize("entry", [["-m", "openhpf.cli", "bank-sim"], ["-m", "banksim"]],
                         ids=["hpf bank-sim", "python -m banksim"])
def test_start_line_port_file_and_sigterm(tmp_path, entry):
    port_file = tmp_path / "port"
    proc = subprocess.Popen([sys.executable, *entry, "--port", "0", "--db", str(tmp_path / "b.sqlite3"),
                             "--port-file", str(port_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        first = proc.stdout.readline().strip()
        m = re.fullmatch(r"bank-sim listening on http://127\.0\.0\.1:(\d+)", first)
        assert m, (first, proc.stderr.read() if proc.poll() is not None else "")
        for _ in range(100):
            if port_file.exists():
                break
            time.sleep(0.02)
        assert port_file.read_text().strip() == m.group(1)
        status, body = http_json(f"http://127.0.0.1:{m.group(1)}", "GET", "/sim/health")
        assert status == 200 and body["ok"] is True and body["pid"] == proc.pid
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0 and "bank-sim stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.slow  # kill -9 of the simulator process
def test_books_survive_kill_9_and_restart(tmp_path):
    with SimProcess(tmp_path / "bank.sqlite3", date=DAY) as sim:
        sim.open_account(CENTER, name="中心专户", balance=1_000_000)
        sim.credit(CENTER, 50_000, counter_name="某单位")
        pay = sim.envelope("BDC101", {"account": CENTER, "payee_account": "6217000000000001", "payee_name": "张三",
                                      "amount": 20_000, "biz_type": "02", "summary": "提取"})
        first = sim.send(pay)
        sim.configure(batch_delay=60)
        batch = sim.bdc("BDC103", {"account": CENTER, "biz_type": "02", "summary": "批量", "count": 2, "total": 300,
                                   "items": [{"item": "1", "counter_account": "X1", "counter_name": "", "amount": 100},
                                             {"item": "2", "counter_account": "X2", "counter_name": "", "amount": 200}]})
        assert batch["result"] == "2001"
        before = sim.bdc("BDC113", {"account": CENTER, "date": DAY})["body"]
        notices = sim.bdc("BDC124", {"after": 0})["body"]["notices"]
        sim.kill()
        sim.restart()  # batch_delay back to 0: the accepted batch settles now, exactly once
        after = sim.bdc("BDC113", {"account": CENTER, "date": DAY})["body"]
        assert after["opening_balance"] == before["opening_balance"] == 1_000_000
        assert after["lines"][: len(before["lines"])] == before["lines"]
        assert sim.bdc("BDC124", {"after": 0})["body"]["notices"][: len(notices)] == notices
        done = sim.bdc("BDC107", {"orig_seq": batch["seq"]})["body"]
        assert done["state"] == "S" and done["succeeded_amount"] == 300
        # the replayed payment is the recorded answer; the money moved once
        again = sim.send(pay)
        assert again["duplicate"] is True and again["bank_seq"] == first["bank_seq"]
        assert balance(sim, CENTER) == 1_000_000 + 50_000 - 20_000 - 300
        assert [ln["amount"] for ln in lines(sim, CENTER)] == [50_000, 20_000, 300]
        # bank sequence numbers keep counting from where they were
        nxt = sim.bdc("BDC101", {**pay["body"], "amount": 1})
        assert int(nxt["bank_seq"][9:]) > int(batch["bank_seq"][9:])


@pytest.mark.slow  # kill -9 of the simulator process
def test_kill_9_during_a_bulk_write_is_all_or_nothing(tmp_path):
    with SimProcess(tmp_path / "bank.sqlite3", date=DAY) as sim:
        sim.open_account(CENTER, balance=0)
        sim.credit(CENTER, 1)
        items = [{"amount": 1 + n % 3, "counter_account": f"C{n}", "counter_name": "", "summary": ""}
                 for n in range(10_000)]
        errors = []

        def bulk():
            try:
                sim.credit_bulk(CENTER, items)
            except Exception as e:  # the connection dies with the process
                errors.append(e)

        t = threading.Thread(target=bulk)
        t.start()
        time.sleep(0.15)
        sim.kill()
        t.join(10)
        sim.restart()
        body = sim.bdc("BDC113", {"account": CENTER, "date": DAY})["body"]
        assert body["count"] in (1, 10_001)
        money_in = sum(ln["amount"] for ln in lines(sim, CENTER))
        assert body["opening_balance"] + money_in == body["closing_balance"] == balance(sim, CENTER)
        assert sim.state()["counts"]["notices"] == body["count"]
