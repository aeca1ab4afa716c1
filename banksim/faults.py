"""Faults the simulator injects on request (POST /sim/faults): delay, drop_answer, duplicate_notice, reject, outage.
A 退汇 (a paid payment sent back later by the payee's bank) is POST /sim/return (banksim.bank.Bank.return_payment)."""

from __future__ import annotations

import threading
from typing import Any

KINDS = ("delay", "drop_answer", "duplicate_notice", "reject", "outage")


class FaultError(ValueError):
    pass


class Faults:
    """The active faults, kept in memory (a restart clears them). Each applies to messages of its `code` (every
    code when absent), `count` times (0: until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[dict[str, Any]] = []
        self._next_id = 1

    def add(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise FaultError("请求必须是 JSON 对象")
        kind = payload.get("fault")
        if kind not in KINDS:
            raise FaultError(f"fault 必须是 {', '.join(KINDS)} 之一")
        code = payload.get("code")
        if code is not None and (not isinstance(code, str) or not code):
            raise FaultError("code 必须是交易码字符串，如 BDC101")
        count = payload.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise FaultError("count 必须是非负整数（0 表示直到清除）")
        seconds = payload.get("seconds", 5)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= 3600:
            raise FaultError("seconds 必须是 0 到 3600 之间的数")
        with self._lock:
            fault = {"id": self._next_id, "fault": kind, "code": code, "count": count, "remaining": count,
                     "seconds": seconds, "hits": 0}
            self._next_id += 1
            self._active.append(fault)
            return dict(fault)

    def clear(self) -> int:
        with self._lock:
            n = len(self._active)
            self._active.clear()
            return n

    def take(self, kind: str, code: str | None) -> dict[str, Any] | None:
        """Consume one application of the first active `kind` fault matching `code`; None when none applies."""
        with self._lock:
            for fault in self._active:
                if fault["fault"] != kind or (fault["code"] is not None and fault["code"] != code):
                    continue
                fault["hits"] += 1
                if fault["count"]:
                    fault["remaining"] -= 1
                    if fault["remaining"] <= 0:
                        self._active.remove(fault)
                return dict(fault)
        return None

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(f) for f in self._active]
