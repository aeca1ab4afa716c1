"""The audit trail as the platform's lowest apps see it: `audit_log` and `actor_label`, implemented by the
audit app and registered at start-up (AuditConfig.ready), so that core and security write audit rows without
importing the app that seals them (audit itself signs its checkpoints with security's keys)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_impl: dict[str, Callable[..., Any]] = {}


def register(*, audit_log: Callable[..., Any], actor_label: Callable[[Any], tuple[str, int | None]]) -> None:
    _impl["audit_log"] = audit_log
    _impl["actor_label"] = actor_label


def _get(name: str) -> Callable[..., Any]:
    try:
        return _impl[name]
    except KeyError:
        raise RuntimeError("the audit app is not installed: no audit trail can be written") from None


def audit_log(**kwargs: Any) -> Any:
    """Append one audit row in the current transaction (audit.services.audit_log)."""
    return _get("audit_log")(**kwargs)


def actor_label(actor: Any) -> tuple[str, int | None]:
    """(label, user id) of an actor as the audit trail records it."""
    return _get("actor_label")(actor)
