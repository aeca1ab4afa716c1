"""`hpf rotate_keys`: re-encrypt every encrypted column under the active SM4 key (HPF_SM4_ACTIVE_KEY_ID)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openhpf.core.actors import SystemActor
from openhpf.security.services import ROTATE_CHUNK, keys_rotate


class Command(BaseCommand):
    help = "用当前 SM4 密钥重新加密全部加密字段。当前密钥由 HPF_SM4_ACTIVE_KEY_ID 指定；分块提交，中断后重新运行即可继续"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=ROTATE_CHUNK)

    def handle(self, *args: Any, **opts: Any) -> None:
        result = keys_rotate(actor=SystemActor("rotate_keys"), chunk=opts["chunk"],
                             echo=lambda s: self.stdout.write(s) if opts["verbosity"] > 1 else None)
        for label, n in result.columns.items():
            self.stdout.write(f"{label}: 重新加密 {n} 个值")
        self.stdout.write(self.style.SUCCESS(f"已用密钥 {result.active_key_id} 重新加密 {result.total} 个值"))
