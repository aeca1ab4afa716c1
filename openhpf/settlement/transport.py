"""The default BDC transport (core.bdc, HPF_BDC_TRANSPORT): messages as JSON over HTTP (docs/bdc-protocol.md),
the outcome classified by the rule core.bdc states (outage may be resent, anything else unanswered is UNKNOWN)."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from openhpf.core.bdc import ANSWER, OUTAGE, UNKNOWN, Outcome


class HttpJsonTransport:
    def exchange(self, url: str, message: dict[str, Any], *, timeout: float) -> Outcome:
        return exchange(url, message, timeout=timeout)


def exchange(url: str, message: dict[str, Any], *, timeout: float) -> Outcome:
    """Send one message and classify what came back."""
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",  # noqa: S310 (configured bank URL)
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            body = resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 503:
            return Outcome(OUTAGE, error="HTTP 503 银行系统暂停服务")
        return Outcome(UNKNOWN, error=f"HTTP {exc.code}")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError | socket.gaierror):
            return Outcome(OUTAGE, error=f"无法连接银行：{reason}")
        if isinstance(reason, TimeoutError | socket.timeout):
            return Outcome(UNKNOWN, error="银行应答超时")
        return Outcome(UNKNOWN, error=f"通讯异常：{reason}")
    except ConnectionRefusedError as exc:
        return Outcome(OUTAGE, error=f"无法连接银行：{exc}")
    except TimeoutError:
        return Outcome(UNKNOWN, error="银行应答超时")
    except (http.client.HTTPException, ConnectionError, OSError) as exc:
        return Outcome(UNKNOWN, error=f"通讯中断：{exc.__class__.__name__}")
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Outcome(UNKNOWN, error="银行应答无法解析")
    if not isinstance(answer, dict):
        return Outcome(UNKNOWN, error="银行应答格式错误")
    return Outcome(ANSWER, answer=answer)
