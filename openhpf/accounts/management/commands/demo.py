"""`hpf demo`: a small demonstration center (about 200 employers, 5,000 members) and its staff logins. Idempotent."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.accounts.cutover import CutoverInvalid
from openhpf.accounts.management.commands.cutover import print_checks
from openhpf.accounts.models import Employer
from openhpf.accounts.synthetic import DEFAULT_CENTER_CODE, generate_center
from openhpf.core.errors import DomainError
from openhpf.core.models import Center

# username, role (a group of that name), password, superuser. Demo passwords only: change them in production.
DEMO_USERS = [
    ("teller1", "柜员", "demo-Teller-2026", False),
    ("reviewer1", "复核", "demo-Review-2026", False),
    ("finance1", "财务", "demo-Finance-2026", False),
    ("auditor1", "审计", "demo-Audit-2026", False),
    ("admin", "系统管理员", "demo-Admin-2026", True),
]


class Command(BaseCommand):
    help = "建立演示中心（约 200 家单位、5000 名职工）和演示账号；重复运行只打印登录信息"

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, default=200)
        parser.add_argument("--members", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--cutover-date", type=date.fromisoformat, help="迁移日期（默认今天）")
        parser.add_argument("--center", default=DEFAULT_CENTER_CODE)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        center = Center.objects.filter(code=o["center"]).first()
        if center is not None and Employer.objects.filter(center=center).exists():
            self.stdout.write(f"演示中心已存在：{center}（业务日期 {center.business_date}）")
        else:
            cutover = o["cutover_date"] or timezone.localdate()
            out = Path(settings.VAR_DIR) / "generated" / f"demo-{o['center']}"
            try:
                _gen, result = generate_center(
                    employers=o["employers"], members=o["members"], seed=o["seed"], cutover_date=cutover, out=out,
                    actor="system:demo", center_code=o["center"], progress=not o["no_progress"],
                    echo=self.stdout.write, error_file=out / "errors.csv",
                )
            except CutoverInvalid as exc:
                self.stdout.write(exc.message)
                sys.exit(1)
            except DomainError as exc:
                raise CommandError(f"[{exc.code}] {exc.message}") from exc
            center = Center.objects.get(code=o["center"])
            self.stdout.write(f"已建立演示中心 {center}：单位 {result.employers}，个人账户 {result.accounts}")
            if print_checks(self.stdout, result.checks):
                sys.exit(1)
        self._users(center)

    def _users(self, center: Center) -> None:
        from django.contrib.auth import get_user_model

        from openhpf.iam.services import staff_create

        existing = set(get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
                       .values_list("username", flat=True))
        with transaction.atomic(durable=True):
            for username, role, password, superuser in DEMO_USERS:
                if username in existing:  # never reset a password someone may have changed
                    continue
                user, created = staff_create(username=username, password=password, center=center,
                                             display_name=f"演示{role}", superuser=superuser, actor="system:demo")
                if created:
                    group, _ = Group.objects.get_or_create(name=role)
                    user.groups.add(group)
        self.stdout.write("演示账号（仅供演示，请勿用于生产）：")
        for username, role, password, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<6} {username:<10} 密码 {password}")
