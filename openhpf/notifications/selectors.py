"""Reads of the notification outbox."""

from __future__ import annotations

from django.db.models import Count

from .models import Notification


def notification_counts() -> dict[str, int]:
    """Rows per status (every status present, 0 when none)."""
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {s.value: counts.get(s.value, 0) for s in Notification.Status}
