"""hpf arrears --month YYYY-MM [--members] [--json]: the reminder list (催缴清单) of employers past the deadline."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from openhpf.contributions.relief.arrears import arrears_list
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen

from ._relief_cli import add_common, common


class Command(BaseCommand):
    help = "欠缴催缴清单：已过汇缴期限且缴至年月落后的单位及其职工"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="所属年月 YYYY-MM")
        parser.add_argument("--members", action="store_true", help="同时列出每名职工")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        add_common(parser)

    def handle(self, *args, **opts):
        center, actor, bd = common(opts)
        try:
            r = arrears_list(center=center, month=opts["month"], user=actor, on=bd,
                             with_members=opts["members"] or opts["json"])
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        if opts["json"]:
            out = {"month": r.month, "on": r.on.isoformat(), "total": r.total,
                   "employers": [asdict(e) for e in r.employers], "members": [asdict(m) for m in r.members]}
            self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
            return
        # OutputWrapper is a TextIOBase, which typeshed does not count as the IO[str] rich asks for (it only writes)
        console = Console(file=self.stdout, width=140)  # type: ignore[arg-type]
        t = Table(title=f"{center.name} {r.month[:4]}-{r.month[4:]} 欠缴催缴清单（截至 {r.on}）")
        for col in ("单位账号", "单位名称", "发薪日", "缴存期限", "缴至年月", "欠缴月数", "欠缴人数", "欠缴金额（元）"):
            t.add_column(col)
        for emp in r.employers:
            t.add_row(emp.account_no, emp.name, str(emp.payday), str(emp.deadline), emp.paid_up_to or "—",
                      str(emp.months), str(emp.members), format_fen(emp.amount))
        console.print(t)
        if opts["members"]:
            m = Table(title="职工明细")
            for col in ("单位账号", "个人账号", "姓名", "缴至年月", "欠缴月数", "月缴存额", "欠缴金额"):
                m.add_column(col)
            for x in r.members:
                m.add_row(x.employer_no, x.account_no, x.name, x.paid_up_to or "—", str(x.months),
                          format_fen(x.monthly_amount), format_fen(x.amount))
            console.print(m)
        console.print(f"合计 {len(r.employers)} 个单位，欠缴 {format_fen(r.total)} 元")
