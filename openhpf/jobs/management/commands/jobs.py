"""hpf jobs: the recent job records with their state (a running job whose heartbeat is too old shows as 中断)
and percent; `--show ID` prints one job's steps and log; `--cancel ID` and `--resume ID` are 取消 and 续跑."""

from __future__ import annotations

import io

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich import box
from rich.console import Console
from rich.table import Table

from openhpf.core.cli_options import add_as, cli_actor
from openhpf.core.errors import DomainError
from openhpf.core.ingest import sweep_uploads
from openhpf.core.models import Center

from ...runner import job_cancel, job_resume_registered, jobs_mark_stale
from ...selectors import job_get, job_list


def _at(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


class Command(BaseCommand):
    help = "列出最近的批处理作业，--show ID 显示一个作业的步骤与日志，--cancel / --resume ID 取消或续跑"

    def add_arguments(self, parser):
        parser.add_argument("--show", type=int, metavar="ID", help="显示该作业的步骤与日志")
        parser.add_argument("--center", metavar="CODE", help="只列该中心（6位机构代码）的作业")
        parser.add_argument("--limit", type=int, default=50, help="列出条数（默认 50）")
        parser.add_argument(
            "--mark-stale", action="store_true",
            help="把心跳超时的运行中作业标为失败（可续跑），并清理已退出进程遗留的上传临时文件"
        )
        parser.add_argument("--cancel", type=int, metavar="ID", help="取消该作业（等待、失败或中断的作业）")
        parser.add_argument("--resume", type=int, metavar="ID", help="续跑该作业（失败或中断的作业）")
        add_as(parser)

    def handle(self, *args, **opts):
        if opts["mark_stale"]:
            self.stdout.write(f"标记心跳超时作业 {jobs_mark_stale()} 个")
            self.stdout.write(f"清理遗留上传临时文件 {sweep_uploads()} 个")
        for action in ("cancel", "resume"):
            if opts[action] is not None:
                self._act(action, opts[action], opts)
                return
        if opts["show"] is not None:
            self._show(opts["show"])
            return
        center = None
        if opts["center"]:
            center = Center.objects.filter(code=opts["center"]).first()
            if center is None:
                raise CommandError(f"中心 {opts['center']} 不存在")
        jobs = list(job_list(center=center, limit=opts["limit"]))
        if not jobs:
            self.stdout.write("暂无作业")
            return
        table = Table(
            "ID", "作业", "类型", "中心", "状态", "进度", "当前步骤", "开始", "结束", box=box.SIMPLE
        )
        for j in jobs:
            table.add_row(
                str(j.pk),
                j.title,
                j.kind,
                j.center.code if j.center else "",
                j.state_label,
                f"{j.percent}%",
                j.current_step,
                _at(j.started_at),
                _at(j.finished_at),
            )
        buf = io.StringIO()
        Console(file=buf, width=200, no_color=True).print(table)
        self.stdout.write("\n".join(line.rstrip() for line in buf.getvalue().splitlines()).strip("\n"))

    def _act(self, action: str, job_id: int, opts: dict) -> None:
        actor = cli_actor(opts)
        try:
            job = job_get(job_id)
            if action == "cancel":
                job = job_cancel(job=job, actor=actor)
            else:
                job = job_resume_registered(job=job, actor=actor)
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(f"作业 #{job.pk} {job.display_name}：{job.state_label}")

    def _show(self, job_id: int) -> None:
        try:
            job = job_get(job_id)
        except DomainError as e:
            raise CommandError(e.message) from e
        w = self.stdout.write
        w(f"作业 #{job.pk} {job.display_name}")
        w(f"  类型：{job.kind}")
        w(f"  中心：{job.center or '—'}    业务日期：{job.business_date or '—'}")
        w(f"  幂等键：{job.idempotency_key or '—'}    发起人：{job.created_by}")
        w(f"  状态：{job.state_label}  进度：{job.percent}%  当前步骤：{job.current_step or '—'}")
        w(
            f"  创建：{_at(job.created_at)}  开始：{_at(job.started_at)}  结束：{_at(job.finished_at)}"
            f"  心跳：{_at(job.heartbeat_at)}"
        )
        if job.params:
            w(f"  参数：{job.params}")
        if job.result:
            w(f"  结果：{job.result}")
        if job.error:
            w(f"  错误：[{job.error_code}] {job.error}")
        w("步骤：")
        for s in job.steps.all():
            total = s.total if s.total is not None else "?"
            w(
                f"  {s.order:>2}. {s.name:<20}{s.get_status_display():<6}{s.done}/{total}  续跑位置：{s.cursor}"
            )
        w("日志：")
        for line in job.logs.all():
            w(f"  {_at(line.at)} {line.get_level_display()} {line.message}")
