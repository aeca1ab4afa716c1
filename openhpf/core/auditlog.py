"""The audit trail as the platform's lowest apps see it: `audit_log` and `actor_label`, implemented by the
audit app and registered at start-up (AuditConfig.ready), so that core and security write audit rows without
importing the app that seals them (audit itself signs its checkpoints with security's keys)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from .audit_events import AuditEvent, require_event

_impl: dict[str, Callable[..., Any]] = {}


def register(*, audit_log: Callable[..., Any], actor_label: Callable[[Any], tuple[str, int | None]]) -> None:
    _impl["audit_log"] = audit_log
    _impl["actor_label"] = actor_label


def _get(name: str) -> Callable[..., Any]:
    try:
        return _impl[name]
    except KeyError:
        raise RuntimeError("the audit app is not installed: no audit trail can be written") from None


def audit_log(*, actor: Any, action: AuditEvent, obj: Any = None, center: Any = None,
              business_date: date | None = None, before: dict[str, Any] | None = None,
              after: dict[str, Any] | None = None) -> Any:
    """Append one audit row in the current transaction (audit.services.audit_log). `action` is a member of the
    audit-event catalogue (core.audit_events); anything else raises TypeError and writes nothing."""
    return _get("audit_log")(actor=actor, action=require_event(action), obj=obj, center=center,
                             business_date=business_date, before=before, after=after)


def actor_label(actor: Any) -> tuple[str, int | None]:
    """(label, user id) of an actor as the audit trail records it."""
    return _get("actor_label")(actor)
