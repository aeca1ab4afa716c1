"""`hpf verification-seed`: fill the local verification registry (核验) for the demo center's members, so that the
verification sources answer for them (a home for some, marriages, retirements, hospital stays, credit summaries,
a few 失信 listings, face-comparison results). Idempotent: members filled already are left as they are."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from openhpf.accounts.models import Member
from openhpf.core.actors import SystemActor
from openhpf.core.models import Center
from openhpf.demo.synthetic import DEFAULT_CENTER_CODE
from openhpf.verification.registry import registry_fill_synthetic


class Command(BaseCommand):
    help = "为演示中心的缴存职工填充本地核验库（不动产、婚姻、户籍、退休、住院、征信、失信、人脸）。可重复运行"

    def add_arguments(self, parser):
        parser.add_argument("--center", default=DEFAULT_CENTER_CODE, help="管理中心代码（默认演示中心）")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--limit", type=int, default=0, help="至多填充的职工数（0：全部）")

    def handle(self, *args, **opts):
        center = Center.objects.filter(code=opts["center"]).first()
        if center is None:
            raise CommandError(f"管理中心 {opts['center']} 不存在，请先运行 hpf demo")
        members = Member.objects.filter(center=center).order_by("id")
        if opts["limit"]:
            members = members[: opts["limit"]]
        subjects = [mb.id_number for mb in members.only("id", "id_number")]
        filled = registry_fill_synthetic(subjects, on=center.business_date, seed=opts["seed"],
                                         actor=SystemActor("verification-seed"))
        self.stdout.write(f"本地核验库：新填充 {filled} 名职工（共 {len(subjects)} 名）")
