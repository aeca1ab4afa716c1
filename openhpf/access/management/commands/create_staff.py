"""`hpf create_staff USERNAME [--password P] [--center CODE] [--mobile M] [--role R …] [--superuser]`: create or update a staff
login and grant its first roles at install, so nothing needs a shell. Runs as SystemActor("cli"); each role is
granted through access.services.role_assign (三员分立 checked, audited) at --center (every center without one)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.access.services import role_assign
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.models import Branch, Center
from openhpf.core.services import center_create
from openhpf.iam.services import staff_create

CLI = SystemActor("cli")


class Command(BaseCommand):
    help = "创建或更新业务人员账号，归属到管理中心，可同时授予初始角色"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="密码（新建账号时必填；已有账号不填则不改密码）")
        parser.add_argument("--center", help="管理中心 6 位机构代码")
        parser.add_argument("--branch", help="网点代码（须属于该中心）")
        parser.add_argument("--display-name", default="", help="姓名")
        parser.add_argument("--mobile", default="", help="本人手机号码（重置密码的短信重置码发到这里；已登记的号码只能由本人修改）")
        parser.add_argument("--superuser", action="store_true", help="同时授予系统管理员权限")
        parser.add_argument("--role", action="append", default=[], metavar="ROLE",
                            help="授予角色（可多次给出，如 --role finance --role reviewer），在 --center 所指中心；"
                                 "不给 --center 时在全部中心")
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
                        center = center_create(code=o["center"], name=o["create_center"],
                                               business_date=timezone.localdate(), actor=CLI)
                        self.stderr.write(f"已新建管理中心 {center}")
                    if center is None:
                        raise CommandError(f"管理中心不存在：{o['center']}（可加 --create-center 名称）")
                    if o["branch"]:
                        branch = Branch.objects.filter(center=center, code=o["branch"]).first()
                        if branch is None:
                            raise CommandError(f"网点不存在：{o['branch']}")
                elif o["branch"]:
                    raise CommandError("--branch 需要同时给出 --center")
                user = get_user_model().objects.filter(username=o["username"]).first()
                created = False
                account = bool(o["password"] or user is None or o["superuser"] or o["display_name"] or o["mobile"])
                if account:
                    if not o["password"]:
                        raise CommandError("新建账号或修改账号信息须给出 --password（只授予角色时可不给）")
                    user, created = staff_create(
                        username=o["username"], password=o["password"], center=center, branch=branch,
                        display_name=o["display_name"], superuser=o["superuser"], mobile=o["mobile"], actor=CLI,
                    )
                assert user is not None  # found, or just created
                granted = self._grant(user, o["role"], center=center, branch=branch)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        roles = f"授予角色 {'、'.join(granted)}" if granted else "未授予新角色"
        if not account:
            self.stdout.write(f"业务人员 {user.get_username()}：{roles}" + (f"（{center}）" if center else "（全部中心）"))
            return
        verb = "已创建" if created else "已更新"
        where = f"，所属 {center}" if center else ""
        self.stdout.write(f"{verb}业务人员 {user.get_username()}{where}" + (f"，{roles}" if granted else ""))

    def _grant(self, user, roles: list[str], *, center: Center | None, branch: Branch | None) -> list[str]:
        """Grant each role once: a role already held at that place is left as it is (re-running is harmless)."""
        granted = []
        for code in dict.fromkeys(roles):
            try:
                with transaction.atomic():
                    role_assign(user=user, role=code, center=center, branch=branch, actor=CLI)
            except DomainError as exc:
                if exc.code != "ROLE_HELD":
                    raise
                self.stderr.write(f"已持有角色 {code}")
                continue
            granted.append(code)
        return granted
