"""`hpf api_token USERNAME [--days N] [--name TEXT]`: issue an API bearer token and print it once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.iam.services import api_token_issue


class Command(BaseCommand):
    help = "为业务人员签发 API 令牌（明文只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=30, help="有效天数（默认 30）")
        parser.add_argument("--name", default="cli", help="用途说明")

    def handle(self, *args, username: str, days: int, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        try:
            with transaction.atomic(durable=True):
                plaintext, token = api_token_issue(user=user, name=name, days=days, actor=SystemActor("cli"))
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stderr.write(f"令牌 {token.prefix}… 已签发给 {username}，到期 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M}")
        self.stdout.write(plaintext)
