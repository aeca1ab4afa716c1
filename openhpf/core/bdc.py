"""The wire to the banks as the platform sees it: one BDC message out, one classified outcome back
(docs/bdc-protocol.md). The implementation is chosen in settings (HPF_BDC_TRANSPORT, a dotted path to a class
with `exchange`); the default speaks JSON over HTTP (openhpf.settlement.transport.HttpJsonTransport), and a real
bank adapter replaces only that class.

The one rule every transport keeps: an outage (nothing reached the bank, or the bank says 503) may be sent
again; anything else without an answer is UNKNOWN and only a result query (BDC110) may settle it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

ANSWER, OUTAGE, UNKNOWN = "answer", "outage", "unknown"


@dataclass(frozen=True)
class Outcome:
    kind: str  # answer | outage | unknown
    answer: dict[str, Any] | None = None
    error: str = ""


class Transport(Protocol):
    def exchange(self, url: str, message: dict[str, Any], *, timeout: float) -> Outcome: ...


@cache
def _transport(path: str) -> Transport:
    return import_string(path)()


def get_transport() -> Transport:
    return _transport(getattr(settings, "HPF_BDC_TRANSPORT", "openhpf.settlement.transport.HttpJsonTransport"))


def exchange(url: str, message: dict[str, Any], *, timeout: float) -> Outcome:
    """Send one message through the configured transport and classify what came back."""
    return get_transport().exchange(url, message, timeout=timeout)
