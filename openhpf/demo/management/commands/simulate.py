"""hpf simulate --months K [--seed S] [rates]: grow the center's history month by month through the real services."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from openhpf.core.cli_options import add_as, cli_actor
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.demo.simulate import add_rate_arguments, rates_from_options, simulate_months


class Command(BaseCommand):
    help = ("按月模拟后续业务，全部经由正式业务服务，同一种子得到同样的历史。内容：汇缴清册导入、到账、入账；增员（开户或启封）、减员（封存）、"
            "基数和比例调整；逾期单位次月全额补缴、基数追溯的差额补缴；多缴转入单位暂存后分配；月末计提利息，"
            "6月30日结息，7月基数年度调整。最后一行输出每月汇总（JSON）")

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, required=True, help="模拟的月数（从业务日期的下一个月起）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--center", help="机构代码（默认：唯一的中心）")
        add_as(parser)
        add_rate_arguments(parser)

    def handle(self, *args, **opts):
        center = Center.objects.get(code=opts["center"]) if opts.get("center") else Center.objects.order_by("pk").first()
        if center is None:
            raise CommandError("没有管理中心，请先运行 hpf generate 或 hpf demo")
        actor = cli_actor(opts, name="simulate")
        try:
            res = simulate_months(center=center, months=opts["months"], actor=actor, seed=opts["seed"],
                                  rates=rates_from_options(opts), progress=lambda line: self.stderr.write(line))
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        self.stdout.write(json.dumps([asdict(m) for m in res.months], ensure_ascii=False))
