"""hpf documents_verify: re-hash every archived document (of a center) chunk by chunk; exit 1 on any mismatch.

Runs as a job (kind documents.verify), so it shows in the console and resumes from its cursor after a crash."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from openhpf.core.actors import SystemActor
from openhpf.core.models import Center
from openhpf.jobs.runner import ProgressMode, Step, StepContext, job_start, run_job

from ...selectors import documents_of_center
from ...services import document_check


class Command(BaseCommand):
    help = "重新计算业务档案的 SM3 摘要，报告不符的档案。逐块读取；有不符时退出码为 1"

    def add_arguments(self, parser):
        parser.add_argument("--center", metavar="CODE", help="中心机构代码（默认全部中心）")
        parser.add_argument("--chunk", type=int, default=500, help="每块档案数（默认 500）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **opts):
        center = None
        if opts["center"]:
            center = Center.objects.filter(code=opts["center"]).first()
            if center is None:
                raise CommandError(f"中心 {opts['center']} 不存在")
        chunk = max(1, opts["chunk"])
        documents = documents_of_center(center=center)

        def verify(ctx: StepContext) -> dict:
            state = ctx.cursor or {"after": 0, "checked": 0, "mismatches": []}
            after, checked, mismatches = state["after"], state["checked"], list(state["mismatches"])
            ctx.advance(0, total=checked + documents.filter(pk__gt=after).count())
            while batch := list(documents.filter(pk__gt=after)[:chunk]):
                for doc in batch:
                    problem = document_check(document=doc)
                    if problem:
                        mismatches.append({"id": doc.pk, "name": doc.original_name, "problem": problem})
                        ctx.log(f"档案 #{doc.pk} {doc.original_name}：{problem}", level="warning")
                after, checked = batch[-1].pk, checked + len(batch)
                ctx.advance(len(batch), cursor={"after": after, "checked": checked, "mismatches": mismatches})
            return {"checked": checked, "mismatches": mismatches}

        job = job_start(
            kind="documents.verify",
            title="业务档案摘要校验" + (f"（{center.code}）" if center else ""),
            params={"center": center.code if center else None, "chunk": chunk},
            center=center,
            business_date=center.business_date if center else None,
            actor=SystemActor("documents_verify"),
        )
        progress: ProgressMode = None if opts["no_progress"] or not sys.stderr.isatty() else "rich"
        run_job(job, steps=[Step("verify", verify, label="校验档案摘要")], progress=progress)
        result = job.result or {}
        mismatches = result.get("mismatches", [])
        for m in mismatches:
            self.stdout.write(f"不符  #{m['id']}  {m['name']}  {m['problem']}")
        summary = f"作业 #{job.pk}：校验档案 {result.get('checked', 0)} 份，不符 {len(mismatches)} 份"
        if mismatches:
            raise CommandError(summary)
        self.stdout.write(summary)
