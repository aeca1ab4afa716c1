"""The notification outbox (消息发件队列): a message written in the transaction of the change it tells about and
sent after that transaction commits, retried with backoff until sent, failed or expired."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from openhpf.security.fields import BlindIndexField, EncryptedFieldsMixin, EncryptedTextField


class Notification(EncryptedFieldsMixin, models.Model):
    """One message to one recipient through one channel (settings.HPF_MESSAGE_CHANNELS).

    The recipient (a phone number), the parameters and the text are personal data and may hold a one-time
    code: all three are SM4 encrypted at rest; the recipient has a blind index for exact lookups."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        EXPIRED = "expired", "已过期未发送"

    center = models.ForeignKey("core.Center", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name="管理中心")
    channel = models.CharField("通道", max_length=20)
    kind = models.CharField("消息类型", max_length=60)
    recipient = EncryptedTextField("接收人", purpose="phone", blind_index="recipient_bidx", normalize="phone")
    recipient_bidx = BlindIndexField("接收人盲索引", source="recipient", db_index=True)
    payload_json = EncryptedTextField("参数", purpose="notification.payload", blank=True)
    body = EncryptedTextField("内容", purpose="notification.body")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    # not worth delivering after this (a login code past its lifetime): marked expired instead
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息通知"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["pending", "sent", "failed", "expired"]),
                                   name="notification_status_known"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel}/{self.kind} {self.status}"

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json) if self.payload_json else {}
