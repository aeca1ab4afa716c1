"""Message channels (消息通道): the interface that SMS gateways and the development outbox implement.

A channel is chosen by name from settings.HPF_MESSAGE_CHANNELS ({"sms": "dotted.path.Class"}), so no app
imports an implementation. Services never call a channel: they call `openhpf.notifications.services.notify`,
which writes the message in the caller's transaction and sends it after commit, with retries.

Message kinds (消息模板) are one catalogue: an app registers the text of each kind it sends with
`message_template`; a gateway that sends pre-approved templates maps `Message.kind` to its template code and
sends `Message.payload` as the template's parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Message:
    """One message to deliver: `recipient` (a phone number for "sms"), `kind` (a registered template),
    `payload` (the template's parameters) and `body` (the text rendered from them)."""

    recipient: str
    kind: str
    body: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    # The notification's id: a gateway may pass it as its idempotency key, so that a retry after a lost
    # answer is not delivered twice.
    reference: str = ""


@runtime_checkable
class MessageChannel(Protocol):
    """Delivers a message, or raises. It runs after the notification's transaction committed, outside any
    transaction; an exception is recorded on the notification and the send is retried with backoff."""

    name: str

    def send(self, message: Message) -> None: ...


class ChannelNotConfigured(ImproperlyConfigured):
    pass


@cache
def _channel(name: str) -> MessageChannel:
    paths: dict[str, str] = getattr(settings, "HPF_MESSAGE_CHANNELS", {})
    if name not in paths:
        raise ChannelNotConfigured(f"message channel {name!r} is not in settings.HPF_MESSAGE_CHANNELS")
    channel = import_string(paths[name])()
    if not isinstance(channel, MessageChannel):
        raise ChannelNotConfigured(f"{paths[name]} is not a MessageChannel (name, send(message))")
    return channel


def get_channel(name: str) -> MessageChannel:
    """The implementation of channel `name` configured in settings.HPF_MESSAGE_CHANNELS (one instance)."""
    return _channel(name)


def channel_names() -> list[str]:
    return list(getattr(settings, "HPF_MESSAGE_CHANNELS", {}))


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "HPF_MESSAGE_CHANNELS":
        _channel.cache_clear()


# ---------------------------------------------------------------- message kinds (消息模板)

_TEMPLATES: dict[str, str] = {}


def message_template(kind: str, text: str) -> str:
    """Register the text of a message kind ("app.what", a str.format template over the payload's keys);
    registering the same kind again with the same text is a no-op. Returns `kind`."""
    if _TEMPLATES.get(kind, text) != text:
        raise ValueError(f"message kind {kind!r} is already registered with another text")
    _TEMPLATES[kind] = text
    return kind


def render(kind: str, payload: Mapping[str, Any]) -> str:
    """The body of a message of `kind`; an unknown kind or a missing parameter raises (in the caller's
    transaction, before anything is written)."""
    try:
        text = _TEMPLATES[kind]
    except KeyError:
        raise LookupError(f"message kind {kind!r} is not registered (core.channels.message_template)") from None
    return text.format_map(dict(payload))
