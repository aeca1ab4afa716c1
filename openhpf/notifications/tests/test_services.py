"""The notification outbox: written in the caller's transaction, sent after commit, nothing on rollback, retried
with backoff until failed, flushed by `hpf notifications send`, encrypted at rest."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from openhpf.core.channels import ChannelNotConfigured, get_channel, message_template
from openhpf.notifications.models import Notification
from openhpf.notifications.services import backoff, notification_send, notifications_send_due, notify

from .channels import FailingChannel, RecordingChannel

PHONE = "13912345678"
HELLO = message_template("test.hello", "【住房公积金】{name}，您好。验证码 {code}。")
CHANNELS = {"sms": "openhpf.notifications.tests.channels.RecordingChannel",
            "flaky": "openhpf.notifications.tests.channels.FailingChannel",
            "broken": "openhpf.notifications.tests.channels.NotAChannel"}
RETRIES = {"MAX_ATTEMPTS": 4, "BACKOFF_SECONDS": 30, "BACKOFF_MAX_SECONDS": 100, "LEASE_SECONDS": 120}

pytestmark = pytest.mark.usefixtures("channels")


@pytest.fixture
def channels():
    RecordingChannel.sent = []
    FailingChannel.sent, FailingChannel.calls, FailingChannel.fail = [], 0, True
    with override_settings(HPF_MESSAGE_CHANNELS=CHANNELS, HPF_NOTIFICATIONS=RETRIES):
        yield


def hello(channel: str = "sms", **kw) -> Notification:
    return notify(channel=channel, recipient=PHONE, kind=HELLO, payload={"name": "张三", "code": "123456"}, **kw)


def make_due(n: Notification) -> None:
    """Let time pass until the next attempt is due."""
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# ---------------------------------------------------------------- after commit, never on rollback


def test_written_in_the_transaction_and_sent_after_commit(transactional_db, center):
    with transaction.atomic(durable=True):
        n = hello(center=center)
        assert Notification.objects.get().status == Notification.Status.PENDING
        assert RecordingChannel.sent == []  # not before the commit
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (Notification.Status.SENT, 1, "")
    assert n.sent_at is not None and n.center_id == center.pk
    [m] = RecordingChannel.sent
    assert (m.recipient, m.kind, m.reference) == (PHONE, "test.hello", str(n.pk))
    assert m.body == "【住房公积金】张三，您好。验证码 123456。" and m.payload == {"name": "张三", "code": "123456"}


def test_rollback_sends_nothing(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic(durable=True):
        hello()
        raise RuntimeError("the change fails after the message was queued")
    assert not Notification.objects.exists()
    assert RecordingChannel.sent == []


def test_rolled_back_savepoint_drops_its_message_only(db):
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        kept = hello()
        try:
            with transaction.atomic():
                notify(channel="sms", recipient="13900000009", kind=HELLO, payload={"name": "李四", "code": "1"})
                raise RuntimeError
        except RuntimeError:
            pass
    assert len(callbacks) == 1
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]
    assert [m.recipient for m in RecordingChannel.sent] == [PHONE]


def test_outside_a_transaction_it_is_sent_at_once(transactional_db):
    n = hello()
    n.refresh_from_db()
    assert n.status == Notification.Status.SENT and len(RecordingChannel.sent) == 1


# ---------------------------------------------------------------- retries


def test_failing_channel_is_retried_with_backoff_then_marked_failed(db):
    assert [backoff(a).total_seconds() for a in (1, 2, 3, 4)] == [30, 60, 100, 100]  # doubling, capped
    with TestCase.captureOnCommitCallbacks(execute=True):
        n = hello("flaky")
    waits = []
    for attempt in range(1, 5):
        n.refresh_from_db()
        assert n.attempts == attempt and FailingChannel.calls == attempt
        if attempt < 4:
            assert n.status == Notification.Status.PENDING
            waits.append(n.next_attempt_at - timezone.now())
            assert notifications_send_due().total == 0  # not due yet
            make_due(n)
            notifications_send_due()
    assert [round(w.total_seconds() / 10) * 10 for w in waits] == [30, 60, 100]
    assert n.status == Notification.Status.FAILED
    assert "GatewayDown" in n.last_error and PHONE not in n.last_error and "139****5678" in n.last_error
    make_due(n)
    assert notifications_send_due().total == 0 and FailingChannel.calls == 4  # failed is final


def test_a_retry_that_gets_through_is_marked_sent(db):
    with TestCase.captureOnCommitCallbacks(execute=True):
        n = hello("flaky")
    FailingChannel.fail = False
    make_due(n)
    r = notifications_send_due()
    n.refresh_from_db()
    assert (r.sent, n.status, n.attempts, n.last_error) == (1, Notification.Status.SENT, 2, "")
    assert len(FailingChannel.sent) == 1


def test_a_claimed_notification_is_not_sent_twice(db):
    n = hello()  # its after-commit send is not run: as if the process were still sending it
    assert notification_send(n.pk) == Notification.Status.SENT
    assert notification_send(n.pk) == ""
    n = hello()
    Notification.objects.filter(pk=n.pk).update(attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=120))
    assert notification_send(n.pk) == "" and notifications_send_due().total == 0  # held by another sender's lease
    assert len(RecordingChannel.sent) == 1


def test_an_expired_message_is_not_sent(db):
    n = hello(expires_at=timezone.now() - timedelta(seconds=1))
    assert notifications_send_due().expired == 1
    n.refresh_from_db()
    assert n.status == Notification.Status.EXPIRED and RecordingChannel.sent == []


# ---------------------------------------------------------------- the flush command


def test_send_command_flushes_pending_ones(db):
    with TestCase.captureOnCommitCallbacks(execute=False):  # committed, then the process died before sending
        hello()
        notify(channel="sms", recipient="13900000002", kind=HELLO, payload={"name": "李四", "code": "654321"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        failing = hello("flaky")
    assert RecordingChannel.sent == [] and Notification.objects.filter(status="pending").count() == 3
    make_due(failing)
    out = StringIO()
    call_command("notifications", "send", stdout=out)
    assert "发送成功 2 条，待重试 1 条，发送失败 0 条" in out.getvalue()
    assert "已发送 2" in out.getvalue() and "待发送 1" in out.getvalue()
    assert sorted(m.recipient for m in RecordingChannel.sent) == ["13900000002", PHONE]
    out = StringIO()
    call_command("notifications", "status", stdout=out)
    assert "已发送 2  发送失败 0  已过期未发送 0" in out.getvalue()


# ---------------------------------------------------------------- personal data and configuration


def test_recipient_and_text_are_encrypted_at_rest(db):
    n = hello()
    with connection.cursor() as cur:
        cur.execute("SELECT recipient, body, payload_json FROM notifications_notification WHERE id = %s", [n.pk])
        row = cur.fetchone()
    assert all(":" in v for v in row) and not any(PHONE in v or "123456" in v or "张三" in v for v in row)
    assert Notification.objects.get(recipient=PHONE).pk == n.pk  # through the blind index
    assert Notification.objects.get().payload == {"name": "张三", "code": "123456"}


def test_bad_requests_write_nothing(db):
    with pytest.raises(LookupError):
        notify(channel="sms", recipient=PHONE, kind="test.unregistered", payload={})
    with pytest.raises(KeyError):
        notify(channel="sms", recipient=PHONE, kind=HELLO, payload={"name": "张三"})
    with pytest.raises(ChannelNotConfigured):
        hello("fax")
    with pytest.raises(Exception, match="NOTIFY_NO_RECIPIENT"):
        notify(channel="sms", recipient=" ", kind=HELLO, payload={"name": "x", "code": "1"})
    assert not Notification.objects.exists()


def test_channels_come_from_settings():
    assert isinstance(get_channel("sms"), RecordingChannel)
    assert get_channel("sms") is get_channel("sms")
    with pytest.raises(ChannelNotConfigured, match="not a MessageChannel"):
        get_channel("broken")
    with pytest.raises(ChannelNotConfigured):
        get_channel("fax")
    with pytest.raises(ValueError):
        message_template("test.hello", "another text")
