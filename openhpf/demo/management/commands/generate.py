"""`hpf generate --employers N --members M --seed S [--cutover-date D] [--dirty] [--out DIR] [--center CODE]
[--no-load] [--months K]`: write a synthetic legacy extract, load it through the cut-over import, and (with
--months) grow K months of history after the cut-over through the real services (contributions.simulate)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openhpf.accounts.cutover import CutoverInvalid, CutoverResult
from openhpf.accounts.management.commands.cutover import print_checks
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.demo.simulate import add_rate_arguments, rates_from_options, simulate_months
from openhpf.demo.synthetic import DEFAULT_CENTER_CODE, generate_center
from openhpf.jobs.selectors import job_get


class Command(BaseCommand):
    help = ("生成可复现的合成原系统数据，并经期初数据迁移导入。--months K 时随后按月模拟 K 个月的业务"
            "（汇缴、增员减员、基数比例调整、补缴、逾期、暂存、计提与结息，与 hpf simulate 相同，种子取 --seed）")

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, required=True)
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--cutover-date", type=date.fromisoformat, help="迁移日期（默认今天）")
        parser.add_argument("--dirty", action="store_true", help="每个文件故意放几行错误数据")
        parser.add_argument("--out", help="输出目录（默认 var/generated/<中心>-<种子>）")
        parser.add_argument("--center", default=DEFAULT_CENTER_CODE)
        parser.add_argument("--encoding", default="utf-8-sig", help="utf-8-sig（默认）、utf-8 或 gbk")
        parser.add_argument("--no-load", action="store_true", help="只生成文件，不导入")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--months", type=int, default=0,
                            help="迁移后按月模拟的业务月数（经由正式业务服务，见 hpf simulate；默认 0 不模拟）")
        add_rate_arguments(parser)

    def handle(self, *args, **o):
        cutover = o["cutover_date"] or timezone.localdate()
        out = Path(o["out"]) if o["out"] else Path(settings.VAR_DIR) / "generated" / f"{o['center']}-{o['seed']}"
        errors = out / "errors.csv"
        try:
            gen, result = generate_center(
                employers=o["employers"], members=o["members"], seed=o["seed"], cutover_date=cutover, out=out,
                actor=SystemActor("generate"), center_code=o["center"], dirty=o["dirty"], load=not o["no_load"],
                encoding=o["encoding"], progress=not o["no_progress"], echo=self.stdout.write, error_file=errors,
            )
        except CutoverInvalid as exc:
            self.stdout.write(exc.message)
            sys.exit(1)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(f"已生成 {gen.directory}：单位 {gen.employers}，个人 {gen.members}（封存 {gen.sealed}，"
                          f"冻结 {gen.frozen}），余额合计 {format_fen(gen.total_balance)} 元，生成用时 {gen.seconds:.1f} 秒")
        if result is not None:
            self.stdout.write(f"已导入中心 {o['center']}：单位 {result.employers}，个人账户 {result.accounts}，"
                              f"凭证 {result.voucher_no or '无'}，导入用时 {gen.import_seconds:.1f} 秒")
            self.stdout.write("导入分步用时（秒）：" + _step_seconds(result))
            if print_checks(self.stdout, result.checks):
                sys.exit(1)
            if o["months"] > 0:
                self._simulate(o)

    def _simulate(self, o: dict) -> None:
        center = Center.objects.get(code=o["center"])
        self.stdout.write(f"按月模拟 {o['months']} 个月的业务……")
        t0 = time.perf_counter()
        try:
            res = simulate_months(center=center, months=o["months"], actor=SystemActor("generate"), seed=o["seed"],
                                  rates=rates_from_options(o), progress=None if o["no_progress"] else self.stdout.write)
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        center.refresh_from_db()
        self.stdout.write(f"模拟 {o['months']} 个月用时 {time.perf_counter() - t0:.1f} 秒，业务日期 {center.business_date}")
        self.stdout.write(json.dumps([asdict(m) for m in res.months], ensure_ascii=False))


def _step_seconds(result: CutoverResult) -> str:
    """The import job's steps with their durations, the load step followed by its parts in brackets (the part
    after the last one named is the load's commit)."""
    parts = []
    for step in job_get(result.job_id).steps.all() if result.job_id else []:
        if step.started_at is None or step.finished_at is None:
            continue
        seconds = (step.finished_at - step.started_at).total_seconds()
        text = f"{step.name} {seconds:.1f}"
        if step.name == "load" and result.timings:
            inner = [f"{k} {v:.1f}" for k, v in result.timings.items()]
            inner.append(f"commit {seconds - sum(result.timings.values()):.1f}")
            text += f"（{'，'.join(inner)}）"
        parts.append(text)
    return "，".join(parts)
