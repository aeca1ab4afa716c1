"""Notifications through an outbox: `notify` writes the message in the caller's transaction and sends it after
commit (as Zulip's send_event_on_commit does); a rolled-back change sends nothing.

Sending is at least once: a send claims the row for a lease (settings.HPF_NOTIFICATIONS["LEASE_SECONDS"]),
calls the channel outside any transaction, then marks the row sent, or records the error and schedules the
next attempt with exponential backoff, until MAX_ATTEMPTS have failed (status failed). A process that dies
mid-send leaves the row pending; `hpf notifications send` (run from cron, independent of day-end) sends every
due row again. Channels get the notification's id as `Message.reference` to drop such duplicates."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openhpf.core.channels import ChannelNotConfigured, Message, channel_names, get_channel, render
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import mask_phone

from .models import Notification

logger = logging.getLogger("openhpf.notifications")

DEFAULTS: dict[str, int] = {
    "MAX_ATTEMPTS": 5,  # then status failed
    "BACKOFF_SECONDS": 30,  # wait after the first failure; doubled after each further one
    "BACKOFF_MAX_SECONDS": 3600,
    "LEASE_SECONDS": 120,  # a claimed row is not sent again before this, unless marked
}


def _config() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "HPF_NOTIFICATIONS", {})}


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` failed ones: BACKOFF_SECONDS · 2^(attempts-1), capped."""
    cfg = _config()
    return timedelta(seconds=min(cfg["BACKOFF_SECONDS"] * 2 ** max(attempts - 1, 0), cfg["BACKOFF_MAX_SECONDS"]))


def notify(*, channel: str, recipient: str, kind: str, payload: Mapping[str, Any] | None = None,
           center: Any = None, expires_at: datetime | None = None) -> Notification:
    """Queue a message of `kind` (registered with core.channels.message_template) to `recipient` through
    `channel`, in the current transaction; it is sent once the outermost transaction commits."""
    recipient = (recipient or "").strip()
    if not recipient:
        raise DomainError(ErrorCode.NOTIFY_NO_RECIPIENT, "没有接收人，无法发送消息", field="recipient")
    if channel not in channel_names():
        raise ChannelNotConfigured(f"message channel {channel!r} is not in settings.HPF_MESSAGE_CHANNELS")
    payload = dict(payload or {})
    body = render(kind, payload)
    now = timezone.now()
    n = Notification.objects.create(
        center_id=getattr(center, "pk", center), channel=channel, kind=kind, recipient=recipient,
        payload_json=json.dumps(payload, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder) if payload else "",
        body=body, next_attempt_at=now, expires_at=expires_at, created_at=now)
    transaction.on_commit(partial(notification_send, n.pk), robust=True)
    return n


_LONG_DIGITS = re.compile(r"\d{7,}")


def _error_text(exc: BaseException) -> str:
    """The error as stored and logged: a gateway may echo the phone number, so digit runs are masked."""
    return _LONG_DIGITS.sub(lambda m: mask_phone(m.group()), f"{type(exc).__name__}: {exc}")[:300]


def notification_send(notification_id: int) -> str:
    """Try to deliver one pending notification that is due. Returns its status afterwards ("sent", "pending"
    with a retry scheduled, "failed", "expired"), or "" when it was not due or another sender holds it.
    Call it outside a transaction: the channel may take a while, and must not hold locks meanwhile."""
    cfg = _config()
    now = timezone.now()
    # the claim: one conditional UPDATE, so two senders (after-commit and the flush) never both take it
    claimed = Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING,
                                          next_attempt_at__lte=now).update(
        attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=cfg["LEASE_SECONDS"]))
    if not claimed:
        return ""
    n = Notification.objects.get(pk=notification_id)
    mine = Notification.objects.filter(pk=n.pk, status=Notification.Status.PENDING, attempts=n.attempts)
    if n.expires_at is not None and n.expires_at <= now:
        mine.update(status=Notification.Status.EXPIRED)
        return Notification.Status.EXPIRED
    try:
        get_channel(n.channel).send(Message(recipient=n.recipient, kind=n.kind, body=n.body, payload=n.payload,
                                            reference=str(n.pk)))
    except Exception as exc:
        error = _error_text(exc)
        if n.attempts >= cfg["MAX_ATTEMPTS"]:
            status = Notification.Status.FAILED
            mine.update(status=status, last_error=error)
        else:
            status = Notification.Status.PENDING
            mine.update(last_error=error, next_attempt_at=timezone.now() + backoff(n.attempts))
        logger.warning("notification %s (%s/%s) attempt %s failed: %s", n.pk, n.channel, n.kind, n.attempts, error,
                       extra={"notification": n.pk, "status": status})
        return status
    mine.update(status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return Notification.Status.SENT


@dataclass
class SendResult:
    """What one flush did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0
    skipped: int = 0  # taken by another sender meanwhile

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.expired + self.skipped


def notifications_send_due(*, limit: int = 500) -> SendResult:
    """Send every pending notification whose next attempt is due (oldest first, at most `limit`): the retry
    loop behind `hpf notifications send`. Independent of day-end; run it every minute or so."""
    ids = list(Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    result = SendResult()
    field = {Notification.Status.SENT: "sent", Notification.Status.PENDING: "retrying",
             Notification.Status.FAILED: "failed", Notification.Status.EXPIRED: "expired", "": "skipped"}
    for pk in ids:
        name = field[notification_send(pk)]
        setattr(result, name, getattr(result, name) + 1)
    return result
