"""`hpf create_staff USERNAME --password P [--center CODE] [--superuser]`: create or update a staff login."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.models import Branch, Center
from openhpf.iam.services import staff_create


class Command(BaseCommand):
    help = "创建（或更新）业务人员账号并归属到管理中心"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--center", help="管理中心 6 位机构代码")
        parser.add_argument("--branch", help="网点代码（须属于该中心）")
        parser.add_argument("--display-name", default="", help="姓名")
        parser.add_argument("--superuser", action="store_true", help="同时授予系统管理员权限")
        parser.add_argument(
            "--create-center", metavar="NAME",
            help="中心不存在时以此名称新建（业务日期取今天，供初次安装与演示使用）",
        )

    def handle(self, *args, **o):
        try:
            with transaction.atomic(durable=True):
                center = branch = None
                if o["center"]:
                    center = Center.objects.filter(code=o["center"]).first()
                    if center is None and o["create_center"]:
                        from openhpf.core.services import center_create

                        center = center_create(code=o["center"], name=o["create_center"],
                                               business_date=timezone.localdate(), actor=SystemActor("cli"))
                        self.stderr.write(f"已新建管理中心 {center}")
                    if center is None:
                        raise CommandError(f"管理中心不存在：{o['center']}（可加 --create-center 名称）")
                    if o["branch"]:
                        branch = Branch.objects.filter(center=center, code=o["branch"]).first()
                        if branch is None:
                            raise CommandError(f"网点不存在：{o['branch']}")
                elif o["branch"]:
                    raise CommandError("--branch 需要同时给出 --center")
                user, created = staff_create(
                    username=o["username"], password=o["password"], center=center, branch=branch,
                    display_name=o["display_name"], superuser=o["superuser"], actor=SystemActor("cli"),
                )
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        verb = "已创建" if created else "已更新"
        where = f"，所属 {center}" if center else ""
        self.stdout.write(f"{verb}业务人员 {user.get_username()}{where}")
