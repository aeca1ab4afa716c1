"""hpf notifications send [--limit N]: send the pending notifications that are due (retries included);
hpf notifications status: how many are pending, sent, failed and expired."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...models import Notification
from ...selectors import notification_counts
from ...services import notifications_send_due


class Command(BaseCommand):
    help = "消息通知：发送到期的待发消息（send，含失败重试），按状态统计条数（status）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("send", help="发送到期的待发消息（含失败重试），与日终无关，可每分钟运行")
        p.add_argument("--limit", type=int, default=500, help="本次最多发送条数（默认 500）")
        sub.add_parser("status", help="各状态的消息条数")

    def handle(self, *args, **opts):
        if opts["action"] == "send":
            r = notifications_send_due(limit=opts["limit"])
            self.stdout.write(f"发送成功 {r.sent} 条，待重试 {r.retrying} 条，发送失败 {r.failed} 条，"
                              f"过期未发 {r.expired} 条")
        labels = dict(Notification.Status.choices)
        self.stdout.write("  ".join(f"{labels[k]} {v}" for k, v in notification_counts().items()))
