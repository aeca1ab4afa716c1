"""The HTTP face of the bank simulator: POST /bdc (docs/bdc-protocol.md), the /sim control endpoints, the batch
settler and the SBDC100 notice pusher; `run` is what `hpf bank-sim` and `python -m banksim` start."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import protocol as p
from .bank import DEMAND_RATE, Bank, SimError
from .faults import FaultError, Faults

MAX_BODY = 256 * 1024 * 1024
DEFAULT_DB = "var/banksim.sqlite3"


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], bank: Bank, *, notify_url: str | None = None,
                 notify_token: str | None = None) -> None:
        super().__init__(address, Handler)
        self.bank = bank
        self.notify_url, token = split_push_token(notify_url)
        self.notify_token = notify_token or token
        self.stopping = threading.Event()
        self.started = time.monotonic()

    def config(self) -> dict[str, Any]:
        return {"notify_url": self.notify_url, "notify_token_set": bool(self.notify_token),
                "batch_delay": self.bank.batch_delay, "demand_rate": self.bank.demand_rate, "db": self.bank.path}


PUSH_TOKEN_HEADER = "X-HPF-Push-Token"  # noqa: S105 (a header name, not a secret)


def split_push_token(url: str | None) -> tuple[str | None, str | None]:
    """(URL without its `token` query parameter, the token): the push token travels in the header
    X-HPF-Push-Token, never in a URL (a URL reaches access logs and proxies). A URL written the old way,
    `…/notify/<center>/<bank>/?token=…`, still works: the token is taken out of it."""
    if not url:
        return url or None, None
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    token = next((v for k, v in pairs if k == "token"), None)
    query = urlencode([(k, v) for k, v in pairs if k != "token"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment)), token


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SimServer
    server_version = "bank-sim/1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per request is noise
        return

    # -- plumbing ---------------------------------------------------------------------------------------
    def _read_json(self) -> tuple[bool, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise SimError(413, "请求过大")
        raw = self.rfile.read(length) if length else b""
        try:
            return True, json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            return False, None

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        """Close the connection without a single byte of answer (the caller sees a dropped connection)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except SimError as e:
            self._send(e.status, {"ok": False, "error": e.message, **e.extra})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            self._send(500, {"ok": False, "result": "9999", "error": f"模拟器内部错误：{e}"})

    # -- routes -----------------------------------------------------------------------------------------
    def do_POST(self) -> None:
        self._guard(self._post)

    def do_GET(self) -> None:
        self._guard(self._get)

    def do_DELETE(self) -> None:
        self._guard(self._delete)

    def _post(self) -> None:
        path = self.path.split("?", 1)[0]
        ok, payload = self._read_json()
        if path == "/bdc":
            self._bdc(payload if ok else None)
            return
        if not ok:
            raise SimError(400, "请求不是有效的 JSON")
        bank = self.server.bank
        routes = {"/sim/accounts": bank.account_set, "/sim/credit": bank.credit, "/sim/debit": bank.debit,
                  "/sim/credit-bulk": bank.credit_bulk, "/sim/return": bank.return_payment, "/sim/faults": self._fault_add, "/sim/config": self._config}
        if path not in routes:
            raise SimError(404, f"没有这个接口：{path}")
        self._send(200, routes[path](payload))

    def _get(self) -> None:
        path = self.path.split("?", 1)[0]
        bank = self.server.bank
        if path == "/sim/health":
            self._send(200, {"ok": True, "pid": os.getpid(), "db": bank.path,
                             "uptime": round(time.monotonic() - self.server.started, 3)})
        elif path == "/sim/state":
            self._send(200, {"ok": True, "accounts": bank.accounts(), "counts": bank.counts(),
                             "transactions": bank.transactions_by_code(),
                             "faults": bank.faults.snapshot(), "config": self.server.config()})
        elif path == "/sim/faults":
            self._send(200, {"ok": True, "faults": bank.faults.snapshot()})
        elif path == "/sim/accounts":
            self._send(200, {"ok": True, "accounts": bank.accounts()})
        elif path.startswith("/sim/accounts/"):
            self._send(200, bank.account_view(path.removeprefix("/sim/accounts/")))
        else:
            raise SimError(404 if path != "/bdc" else 405, f"没有这个接口：GET {path}")

    def _delete(self) -> None:
        if self.path.split("?", 1)[0] != "/sim/faults":
            raise SimError(404, f"没有这个接口：DELETE {self.path}")
        self._send(200, {"ok": True, "cleared": self.server.bank.faults.clear()})

    def _fault_add(self, payload: Any) -> dict[str, Any]:
        try:
            return {"ok": True, "fault": self.server.bank.faults.add(payload)}
        except FaultError as e:
            raise SimError(400, str(e)) from None

    def _config(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise SimError(400, "请求必须是 JSON 对象")
        if "notify_url" in payload:
            url = payload["notify_url"]
            if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")):
                raise SimError(400, "notify_url 必须是 http(s) 地址或 null")
            self.server.notify_url, token = split_push_token(url or None)
            if token:
                self.server.notify_token = token
        if "notify_token" in payload:
            token = payload["notify_token"]
            if token is not None and not isinstance(token, str):
                raise SimError(400, "notify_token 必须是字符串或 null")
            self.server.notify_token = token or None
            self.server.bank.notice_event.set()
        if "batch_delay" in payload:
            delay = payload["batch_delay"]
            if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 3600:
                raise SimError(400, "batch_delay 必须是 0 到 3600 秒")
            self.server.bank.batch_delay = float(delay)
        if "demand_rate" in payload:
            self.server.bank.demand_rate = demand_rate(payload["demand_rate"])
        return {"ok": True, "config": self.server.config()}

    def _bdc(self, env: Any) -> None:
        faults = self.server.bank.faults
        code = env.get("code") if isinstance(env, dict) and isinstance(env.get("code"), str) else None
        if faults.take("outage", code):
            self._send(503, p.OUTAGE)
            return
        answer = self.server.bank.handle(env)
        delay = faults.take("delay", code)
        if delay:
            time.sleep(delay["seconds"])
        if faults.take("drop_answer", code):
            self._drop()
            return
        self._send(200, answer)


# -- background workers ------------------------------------------------------------------------------------
def settler(server: SimServer) -> None:
    """Settles accepted batches as soon as they are due (BDC103/104 answer 2001 first, then settle here)."""
    bank = server.bank
    while not server.stopping.is_set():
        bank.batch_event.clear()
        try:
            bank.settle_due()
        except Exception:
            traceback.print_exc(file=sys.stderr)
        due = bank.next_batch_due()
        wait = 1.0 if due is None else max(0.0, min(1.0, due - time.monotonic()))
        if wait:
            bank.batch_event.wait(wait)


def post_notice(url: str, payload: str, timeout: float = 5.0, *, token: str | None = None) -> bool:
    """POST one SBDC100 to the center, the push token in the header X-HPF-Push-Token; delivered only on
    HTTP 200."""
    url, in_url = split_push_token(url)  # type: ignore[assignment]
    token = token or in_url
    parts = urlsplit(url)
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=payload.encode("utf-8"),
                     headers={"Content-Type": "application/json; charset=utf-8",
                              **({PUSH_TOKEN_HEADER: token} if token else {})})
        resp = conn.getresponse()
        resp.read()
        return resp.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def notifier(server: SimServer) -> None:
    """Pushes every undelivered notice, in order, to the notify URL; a failure is retried (0.1 s doubling to 5 s)
    and holds back the later notices so the center sees them in order."""
    bank = server.bank
    backoff = 0.1
    while not server.stopping.is_set():
        url = server.notify_url
        bank.notice_event.clear()
        batch = bank.undelivered(200) if url else []
        if not batch:
            bank.notice_event.wait(1.0)
            continue
        delivered: list[int] = []
        failed = False
        for notice_id, payload in batch:
            if server.stopping.is_set():
                break
            if post_notice(url, payload, token=server.notify_token):  # type: ignore[arg-type]
                delivered.append(notice_id)
                backoff = 0.1
            else:
                failed = True
                break
        if delivered:
            bank.mark_delivered(delivered)
        if failed:
            server.stopping.wait(backoff)
            backoff = min(backoff * 2, 5.0)


# -- entry point -------------------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="bank-sim", description="银行模拟器：BDC 报文（docs/bdc-protocol.md）")
    add_arguments(ap)
    return ap


def demand_rate(value: Any) -> str:
    """活期结息的年利率（%）: a number from 0 to 10 with at most four decimals, kept as its Decimal string."""
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SimError(400, "demand_rate 必须是 0 到 10 之间的年利率（%）") from None
    if isinstance(value, bool) or not rate.is_finite() or not 0 <= rate <= 10 or rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise SimError(400, "demand_rate 必须是 0 到 10 之间的年利率（%），最多 4 位小数")
    return str(rate)


def _rate_arg(value: str) -> str:
    try:
        return demand_rate(value)
    except SimError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_arguments(ap: Any) -> None:
    ap.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    ap.add_argument("--port", type=int, default=8765, help="端口（默认 8765；0 = 任选空闲端口）")
    ap.add_argument("--db", default=DEFAULT_DB, help=f"SQLite 文件（默认 {DEFAULT_DB}）")
    ap.add_argument("--notify-url", dest="notify_url", default=None,
                    help="SBDC100 账户变动通知推送地址；推送令牌取自环境变量 HPF_BANKSIM_NOTIFY_TOKEN，放在请求头 X-HPF-Push-Token")
    ap.add_argument("--port-file", dest="port_file", default=None, help="启动后把端口写入此文件")
    ap.add_argument("--batch-delay", dest="batch_delay", type=float, default=0.0,
                    help="批量交易受理后延迟处理的秒数（默认 0）")
    ap.add_argument("--demand-rate", dest="demand_rate", default=DEMAND_RATE, type=_rate_arg,
                    help=f"专户活期结息年利率（%%，默认 {DEMAND_RATE}；每季末月 20 日结息）")


def _write_port_file(path: str, port: int) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    tmp.write_text(f"{port}\n", encoding="utf-8")
    tmp.replace(target)


def run(*, host: str = "127.0.0.1", port: int = 8765, db: str = DEFAULT_DB, notify_url: str | None = None,
        port_file: str | None = None, batch_delay: float = 0.0, out: Any = None, demand_rate: str = DEMAND_RATE,
        notify_token: str | None = None) -> int:
    """Serve until SIGTERM/SIGINT; prints `bank-sim listening on http://HOST:PORT` first."""
    out = out or sys.stdout
    bank = Bank(db, faults=Faults(), batch_delay=batch_delay, demand_rate=demand_rate)
    try:
        server = SimServer((host, port), bank, notify_url=notify_url,
                           notify_token=notify_token or os.environ.get("HPF_BANKSIM_NOTIFY_TOKEN") or None)
    except OSError as e:
        bank.close()
        sys.stderr.write(f"bank-sim: 无法监听 {host}:{port}：{e}\n")
        return 1
    actual = server.server_address[1]
    out.write(f"bank-sim listening on http://{host}:{actual}\n")
    out.flush()
    if port_file:
        _write_port_file(port_file, actual)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    workers = [threading.Thread(target=fn, args=(server,), name=fn.__name__, daemon=True)
               for fn in (settler, notifier)]
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http",
                               daemon=True)
    for t in (*workers, serving):
        t.start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stopping.set()
        bank.batch_event.set()
        bank.notice_event.set()
        server.shutdown()
        server.server_close()
        for t in workers:
            t.join(timeout=5)
        bank.close()
        for s, h in previous.items():
            signal.signal(s, h)
        out.write("bank-sim stopped\n")
        out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run(host=args.host, port=args.port, db=args.db, notify_url=args.notify_url, port_file=args.port_file,
               batch_delay=args.batch_delay, demand_rate=args.demand_rate)
