"""`hpf demo`: a small demonstration center (about 200 employers, 5,000 members) and its staff logins. Idempotent."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.access.catalogue import BUSINESS, ROLE_BY_CODE
from openhpf.access.services import role_assign
from openhpf.accounts.cutover import CutoverInvalid
from openhpf.accounts.management.commands.cutover import print_checks
from openhpf.accounts.models import Employer
from openhpf.audit.services import audit_seal
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.demo.simulate import add_rate_arguments, rates_from_options, simulate_months
from openhpf.demo.synthetic import DEFAULT_CENTER_CODE, generate_center
from openhpf.iam.services import staff_create

# username, role code (access/catalogue.py), password, superuser. Demo passwords only: change them in production.
# 三员分立: admin (a superuser) is the system administrator and sees no business data; secadmin1 grants roles;
# auditor1 is the security auditor and reads only the audit log.
DEMO_USERS = [
    ("teller1", "teller", "demo-Teller-2026", False),
    ("reviewer1", "reviewer", "demo-Review-2026", False),
    ("finance1", "finance", "demo-Finance-2026", False),
    ("inspector1", "inspector", "demo-Inspect-2026", False),
    ("leader1", "leader", "demo-Leader-2026", False),
    ("auditor1", "secauditor", "demo-Audit-2026", False),
    ("secadmin1", "secadmin", "demo-SecAdm-2026", False),
    ("admin", "sysadmin", "demo-Admin-2026", True),
]


def _months_back_end(today: date, months: int) -> date:
    """The last day of the month `months` months before today's month (months ≥ 1)."""
    first = today.replace(day=1)
    y, m = first.year, first.month - (months - 1)
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1) - timedelta(days=1)


class Command(BaseCommand):
    help = "建立演示中心（约 200 家单位、5000 名职工、24 个月模拟业务）和演示账号。重复运行只打印登录信息"

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, default=200)
        parser.add_argument("--members", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--cutover-date", type=date.fromisoformat,
                            help="迁移日期（默认：--months 个月之前的月末，使业务日期止于上月末）")
        parser.add_argument("--months", type=int, default=24,
                            help="迁移后按月模拟的业务月数（汇缴、增员减员、调整、补缴、逾期、暂存、计提、结息，"
                                 "见 hpf simulate；默认 24，0 为不模拟）")
        add_rate_arguments(parser)
        parser.add_argument("--center", default=DEFAULT_CENTER_CODE)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **o):
        try:
            rates = rates_from_options(o)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        center = Center.objects.filter(code=o["center"]).first()
        if center is not None and Employer.objects.filter(center=center).exists():
            self.stdout.write(f"演示中心已存在：{center}（业务日期 {center.business_date}）")
        else:
            months = max(o["months"], 0)
            cutover = o["cutover_date"] or _months_back_end(timezone.localdate(), months + 1)
            out = Path(settings.VAR_DIR) / "generated" / f"demo-{o['center']}"
            try:
                _gen, result = generate_center(
                    employers=o["employers"], members=o["members"], seed=o["seed"], cutover_date=cutover, out=out,
                    actor=SystemActor("demo"), center_code=o["center"], progress=not o["no_progress"],
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
            if months:  # the history comes from the real services, month by month (demo.simulate)
                self.stdout.write(f"按月模拟 {months} 个月的业务……")
                try:
                    simulate_months(center=center, months=months, actor=SystemActor("demo"), seed=o["seed"],
                                    rates=rates, progress=None if o["no_progress"] else self.stdout.write)
                except DomainError as exc:
                    raise CommandError(f"[{exc.code}] {exc.message}") from exc
                center.refresh_from_db()
                self.stdout.write(f"演示中心业务日期：{center.business_date}")
            # the local verification registry (核验) answers for the demo members
            call_command("verification_seed", center=center.code, seed=o["seed"], stdout=self.stdout)
        self._users(center)
        # the periodic sealer, once: the demo leaves its audit trail and ledger digests sealed and anchored
        r = audit_seal()
        self.stdout.write(f"审计封存：{r.rows} 条记录，{r.checkpoints} 个检查点，用时 {r.seconds:.1f} 秒")

    def _users(self, center: Center) -> None:
        from django.contrib.auth import get_user_model

        existing = set(get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
                       .values_list("username", flat=True))
        with transaction.atomic(durable=True):
            for n, (username, role, password, superuser) in enumerate(DEMO_USERS, start=1):
                if username in existing:  # never reset a password someone may have changed
                    continue
                spec = ROLE_BY_CODE[role]
                user, created = staff_create(username=username, password=password, center=center,
                                             display_name=f"演示{spec.name}", superuser=superuser,
                                             mobile=f"1380000{n:04d}", actor=SystemActor("demo"))
                if created:  # business roles at the demo center; the three administrators instance-wide
                    role_assign(user=user, role=role, center=center if spec.kind == BUSINESS else None,
                                actor=SystemActor("demo"))
        self.stdout.write("演示账号（仅供演示，请勿用于生产）：")
        for username, role, password, _ in DEMO_USERS:
            self.stdout.write(f"  {ROLE_BY_CODE[role].name:<6} {username:<10} 密码 {password}")
