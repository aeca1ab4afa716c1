"""Pluggable message channels for one-time codes (短信验证码). Production plugs an SMS gateway in through
settings.HPF_MESSAGE_CHANNEL; the development channel writes to the Outbox table shown in the console."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class MessageChannel(Protocol):
    name: str
    # True: send() writes to the database and runs inside the caller's transaction (the message exists only if
    # the code does). False (an external gateway): send() runs after the transaction commits.
    transactional: bool

    def send(self, *, recipient: str, body: str, purpose: str) -> None:
        """Deliver `body` to `recipient` (a phone number)."""


class OutboxChannel:
    """开发用通道: stores the message in iam.Outbox instead of sending it."""

    name = "outbox"
    transactional = True

    def send(self, *, recipient: str, body: str, purpose: str) -> None:
        from .models import Outbox

        Outbox.objects.create(channel=self.name, recipient=recipient, body=body, purpose=purpose,
                              created_at=timezone.now())


def get_channel() -> MessageChannel:
    path = getattr(settings, "HPF_MESSAGE_CHANNEL", "openhpf.iam.channels.OutboxChannel")
    return import_string(path)()
