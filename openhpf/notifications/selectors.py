"""Reads of the notification outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from .models import Notification


def notification_counts() -> dict[str, int]:
    """Rows per status (every status present, 0 when none)."""
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {s.value: counts.get(s.value, 0) for s in Notification.Status}


@dataclass(frozen=True)
class Notice:
    """One message as its recipient reads it in an inbox (站内消息)."""

    id: int
    kind: str
    body: str
    created_at: datetime
    status_label: str


SECRET_KEYS = ("code",)  # a message carrying one of these payload keys (a one-time code) is never listed again


def notices_to(*, recipient: str, limit: int = 50) -> list[Notice]:
    """The messages sent (or being sent) to `recipient` (a phone number, matched by its blind index), newest
    first, without those that carried a one-time code."""
    if not recipient:
        return []
    out: list[Notice] = []
    for n in Notification.objects.filter(recipient=recipient).exclude(status=Notification.Status.EXPIRED)[: limit * 4]:
        if any(k in n.payload for k in SECRET_KEYS):
            continue
        out.append(Notice(id=n.pk, kind=n.kind, body=n.body, created_at=n.created_at,
                          status_label=n.get_status_display()))
        if len(out) >= limit:
            break
    return out
