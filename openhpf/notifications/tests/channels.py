"""Channels for the tests: one that records what it is given, one that fails until told otherwise."""

from __future__ import annotations

from openhpf.core.channels import Message


class RecordingChannel:
    name = "recording"
    sent: list[Message] = []

    def send(self, message: Message) -> None:
        RecordingChannel.sent.append(message)


class GatewayDown(Exception):
    pass


class FailingChannel:
    """Raises like a gateway that is down, echoing the number as some do; `fail = False` lets it through."""

    name = "failing"
    fail = True
    calls = 0
    sent: list[Message] = []

    def send(self, message: Message) -> None:
        FailingChannel.calls += 1
        if FailingChannel.fail:
            raise GatewayDown(f"gateway timeout sending to {message.recipient}")
        FailingChannel.sent.append(message)


class NotAChannel:
    pass
