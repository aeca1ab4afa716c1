"""The overdue-management actions of `hpf loan` (the command module wires them in):

    hpf loan cases [--state open|closed|all] [--page N]       the collection work queue (JSON, names masked)
    hpf loan cases --run                                       open and close the cases of the business date
    hpf loan credit-export [--month YYYY-MM] [--out FILE]      the 征信 data set as CSV (stdout without --out)

They act as SystemActor("cli") (on behalf of the --as user when one is named); reads of personal data are
audited. Errors: `[CODE] 中文说明`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError

from .collection import case_page, cases_open
from .credit import credit_export, csv_lines

ACTIONS = frozenset({"cases", "credit-export"})


def add_arguments(sub: Any) -> None:
    p = sub.add_parser("cases", help="逾期催收案件：列出催收工作台，或 --run 按业务日期立案与结案")
    add_common(p)
    p.add_argument("--state", default="open", choices=["open", "closed", "all"], help="open 催收中（默认），closed 已结案，all 全部")
    p.add_argument("--page", type=int, default=1, help="页码")
    p.add_argument("--run", action="store_true", help="按当前业务日期立案（逾期满规定天数）并结案（已还清逾期、结清或核销）")
    p = sub.add_parser("credit-export", help="导出征信报送数据（个人借贷账户信息，CSV）")
    add_common(p)
    p.add_argument("--month", default="", help="报送月份 YYYY-MM（默认：业务日期所在月份）")
    p.add_argument("--out", default="", help="输出文件路径（默认输出到屏幕）")


def handle(opts: dict[str, Any], stdout: Any) -> None:
    center, actor, bd = common(opts)
    try:
        if opts["action"] == "cases":
            if opts["run"]:
                r = cases_open(center=center, on=bd, actor=actor)
                stdout.write(json.dumps({"business_date": bd.isoformat(), "opened": r.opened, "closed": r.closed},
                                        ensure_ascii=False))
                return
            with transaction.atomic():
                p = case_page(actor=actor, center=center, state="" if opts["state"] == "all" else opts["state"],
                              page=opts["page"])
            stdout.write(json.dumps({"total": p.total, "page": p.page, "page_size": p.page_size, "items": p.items},
                                    ensure_ascii=False, cls=DjangoJSONEncoder, indent=1))
            return
        export = credit_export(actor=actor, center=center, month=opts["month"])
        if opts["out"]:
            with Path(opts["out"]).open("w", encoding="utf-8", newline="") as f:
                for line in csv_lines(export):
                    f.write(line)
            stdout.write(f"已导出 {export.total} 笔贷款（{export.month:%Y-%m}）到 {opts['out']}")
            return
        for line in csv_lines(export):
            stdout.write(line, ending="")
    except DomainError as e:
        raise CommandError(f"[{e.code}] {e.message}") from None
