"""The development message channel (开发用通道): instead of sending an SMS it stores the message in iam.Outbox,
which the console's 发件箱 shows to security admins. Registered by dotted path in settings.HPF_MESSAGE_CHANNELS;
the interface is core.channels.MessageChannel."""

from __future__ import annotations

from django.utils import timezone

from openhpf.core.channels import Message

from .models import Outbox


class OutboxChannel:
    name = "outbox"

    def send(self, message: Message) -> None:
        Outbox.objects.create(channel=self.name, recipient=message.recipient, body=message.body,
                              purpose=message.kind, created_at=timezone.now())
