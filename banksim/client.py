"""Test and demo control of the bank simulator: `SimProcess` starts `python -m banksim` as a separate
process and drives its /sim endpoints. Importable without Django. The center's settlement gateway has its own
transport; this is only for tests and the demo."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .server import split_push_token


class SimHTTPError(Exception):
    """The simulator answered with an HTTP status other than 200."""

    def __init__(self, status: int, payload: Any) -> None:
        super().__init__(f"HTTP {status}: {payload}")
        self.status = status
        self.payload = payload


def http_json(base_url: str, method: str, path: str, payload: Any = None, *,
              timeout: float = 10.0) -> tuple[int, Any]:
    """One JSON request; (status, decoded body). Transport failures (timeout, dropped connection) raise."""
    host, _, port = base_url.removeprefix("http://").rstrip("/").partition(":")
    conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
    try:
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw.decode("utf-8")) if raw else None
    finally:
        conn.close()


class SimProcess:
    """`with SimProcess() as sim:` runs a bank simulator on a free loopback port with its own SQLite file
    (in a temporary directory unless `db` is given) and stops it on exit."""

    def __init__(self, db: str | Path | None = None, *, notify_url: str | None = None, batch_delay: float = 0.0,
                 python: str | None = None, startup_timeout: float = 15.0, center: str = "330100",
                 date: str = "2026-11-30", demand_rate: str = "0") -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="banksim-"))
        self.db = Path(db) if db else self._tmp / "banksim.sqlite3"
        self.notify_url = notify_url
        self.batch_delay = batch_delay
        self.demand_rate = demand_rate  # 活期结息 off by default: tests that move dates see only their own money
        self.python = python or sys.executable
        self.startup_timeout = startup_timeout
        self.center, self.date = center, date
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = self._tmp / "banksim.log"
        self._seqs = itertools.count(1)
        self._seq_prefix = f"T{os.getpid() % 100000:05d}{int(time.time() * 1000) % 10**8:08d}"

    # -- process -------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SimProcess:
        port_file = self._tmp / "port"
        port_file.unlink(missing_ok=True)
        cmd = [self.python, "-m", "banksim", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", str(self.db), "--port-file", str(port_file), "--batch-delay", str(self.batch_delay),
               "--demand-rate", str(self.demand_rate)]
        # the push token goes to the process in its environment, never on its command line (readable by anyone
        # on the machine) nor in the URL (server.split_push_token)
        notify_url, token = split_push_token(self.notify_url)
        if notify_url:
            cmd += ["--notify-url", notify_url]
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        if token:
            env["HPF_BANKSIM_NOTIFY_TOKEN"] = token
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)  # noqa: S603
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bank-sim exited with {self.proc.returncode}: {self.log()}")
            if port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text())
                try:
                    if http_json(self.url, "GET", "/sim/health", timeout=2)[0] == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"bank-sim did not become healthy in {self.startup_timeout}s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL if it does not go; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code, self.proc = self.proc.returncode, None
        return code

    def kill(self) -> None:
        """SIGKILL (kill -9): no clean-up at all, as in a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self) -> SimProcess:
        """Stop (if running) and start again on the same port with the same database."""
        self.stop()
        return self.start()

    def __enter__(self) -> SimProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
        shutil.rmtree(self._tmp, ignore_errors=True)

    # -- requests ------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, payload: Any = None, *, timeout: float = 10.0) -> tuple[int, Any]:
        return http_json(self.url, method, path, payload, timeout=timeout)

    def control(self, path: str, payload: Any = None, *, method: str | None = None) -> Any:
        """A /sim request (POST when there is a payload, else GET); raises SimHTTPError unless HTTP 200."""
        status, body = self.request(method or ("GET" if payload is None else "POST"), path, payload)
        if status != 200:
            raise SimHTTPError(status, body)
        return body

    def next_seq(self) -> str:
        return f"{self._seq_prefix}{next(self._seqs):06d}"

    def envelope(self, code: str, body: dict[str, Any], *, seq: str | None = None, date: str | None = None,
                 center: str | None = None) -> dict[str, Any]:
        return {"code": code, "seq": seq or self.next_seq(), "center": center or self.center,
                "date": date or self.date, "body": body}

    def bdc(self, code: str, body: dict[str, Any], *, seq: str | None = None, date: str | None = None,
            timeout: float = 10.0) -> dict[str, Any]:
        """Send one BDC message; the answer. HTTP 503 raises SimHTTPError; a timeout or dropped connection
        raises the transport's OSError/http.client exception."""
        return self.send(self.envelope(code, body, seq=seq, date=date), timeout=timeout)

    def send(self, envelope: Any, *, timeout: float = 10.0) -> dict[str, Any]:
        status, answer = self.request("POST", "/bdc", envelope, timeout=timeout)
        if status != 200:
            raise SimHTTPError(status, answer)
        return answer

    def health(self) -> dict[str, Any]:
        return self.control("/sim/health")

    def state(self) -> dict[str, Any]:
        return self.control("/sim/state")

    def open_account(self, account: str, *, name: str = "", bank_code: str = "", balance: int | None = None,
                     **extra: Any) -> dict[str, Any]:
        payload = {"account": account, "name": name, "bank_code": bank_code, **extra}
        if balance is not None:
            payload["balance"] = balance
        return self.control("/sim/accounts", payload)

    def faults(self, fault: str, *, code: str | None = None, count: int = 1,
               seconds: float | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"fault": fault, "count": count}
        if code:
            payload["code"] = code
        if seconds is not None:
            payload["seconds"] = seconds
        return self.control("/sim/faults", payload)

    def clear_faults(self) -> dict[str, Any]:
        return self.control("/sim/faults", method="DELETE")

    def credit(self, account: str, amount: int, *, date: str | None = None, counter_account: str = "",
               counter_name: str = "", summary: str = "") -> dict[str, Any]:
        return self.control("/sim/credit", {"account": account, "amount": amount, "date": date or self.date,
                                            "counter_account": counter_account, "counter_name": counter_name,
                                            "summary": summary})

    def debit(self, account: str, amount: int, *, date: str | None = None, counter_account: str = "",
              counter_name: str = "", summary: str = "") -> dict[str, Any]:
        return self.control("/sim/debit", {"account": account, "amount": amount, "date": date or self.date,
                                           "counter_account": counter_account, "counter_name": counter_name,
                                           "summary": summary})

    def credit_bulk(self, account: str, items: list[dict[str, Any]], *, date: str | None = None) -> dict[str, Any]:
        return self.control("/sim/credit-bulk", {"account": account, "date": date or self.date, "items": items})

    def configure(self, **config: Any) -> dict[str, Any]:
        return self.control("/sim/config", config)
