"""hpf dayend: run (or resume) the day-end of the center's business date (日终), with progress; --plan prints the
registered steps in the order they run."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError
from openhpf.jobs.dayend import dayend_run, plan
from openhpf.jobs.models import JobStep


class Command(BaseCommand):
    help = "日终：按登记的步骤依次运行并推进业务日期，--plan 只列出步骤"

    def add_arguments(self, parser):
        add_common(parser)
        parser.add_argument("--days", type=int, default=1, help="连续运行的天数（默认 1）")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")
        parser.add_argument("--plan", action="store_true", help="只列出日终步骤及其顺序，不运行")

    def handle(self, *args, **opts):
        if opts["plan"]:
            for i, s in enumerate(plan(), 1):
                self.stdout.write(f"{i:>2}. {s.name:<14} {s.label}（{s.app}）")
            return
        center, actor, bd = common(opts)
        if bd != center.business_date:
            raise CommandError(f"--business-date 须为中心当前业务日期 {center.business_date}")
        out = []
        for _ in range(max(1, opts["days"])):
            center.refresh_from_db()
            try:
                job = dayend_run(center=center, actor=actor, progress=None if opts["quiet"] else "rich")
            except DomainError as e:
                raise CommandError(f"[{e.code}] {e.message}") from None
            steps = {s.name: s.status for s in JobStep.objects.filter(job=job).order_by("order")}
            out.append({"job": job.pk, "date": str(job.business_date), "status": job.status, "steps": steps,
                        "result": job.result})
        self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
