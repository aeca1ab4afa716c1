"""hpf loan schedule --principal P --annual-rate R --months N --method equal-installment|equal-principal
--first-due YYYY-MM-DD --format csv|json: a loan's repayment schedule (还款计划), in 元 with two decimals.
hpf loan cases … and hpf loan credit-export …: overdue management (openhpf/loans/risk_cli.py)."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.loans import risk_cli
from openhpf.loans.calculator import CalculatorResult, calculate, calculator_input

COLUMNS = ("period", "due_date", "payment", "principal", "interest", "balance")


def _yuan(fen: int) -> str:
    return format_fen(fen, grouping=False)


def table(result: CalculatorResult) -> list[dict[str, Any]]:
    return [{"period": p, "due_date": due.isoformat(), "payment": _yuan(part + interest), "principal": _yuan(part),
             "interest": _yuan(interest), "balance": _yuan(balance)}
            for p, due, part, interest, balance in result.rows]


class Command(BaseCommand):
    help = "贷款：试算还款计划（元，两位小数）、逾期催收案件、征信报送数据导出"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("schedule", help="输出还款计划：期次、还款日、月供、本金、利息、剩余本金")
        s.add_argument("--principal", help="贷款金额（元），如 1000000")
        s.add_argument("--annual-rate", dest="annual_rate", help="年利率（%），如 2.85")
        s.add_argument("--months", help="贷款期限（月），1 至 360")
        s.add_argument("--method", help="还款方式：equal-installment 等额本息，equal-principal 等额本金")
        s.add_argument("--first-due", dest="first_due", help="首次还款日 YYYY-MM-DD")
        s.add_argument("--format", dest="fmt", default="csv", help="输出格式：csv 或 json（默认 csv）")
        risk_cli.add_arguments(sub)

    def handle(self, *args, **opts):
        if opts["action"] in risk_cli.ACTIONS:
            risk_cli.handle(opts, self.stdout)
            return
        if opts["fmt"] not in ("csv", "json"):
            raise CommandError("输出格式应为 csv 或 json")
        missing = [label for key, label in (("principal", "--principal 贷款金额"), ("annual_rate", "--annual-rate 年利率"),
                                            ("months", "--months 贷款期限"), ("method", "--method 还款方式"),
                                            ("first_due", "--first-due 首次还款日")) if not opts.get(key)]
        if missing:
            raise CommandError("缺少参数：" + "、".join(missing))
        try:
            data = calculator_input(principal=opts["principal"], annual_rate=opts["annual_rate"],
                                    months=opts["months"], method=opts["method"], first_due=opts["first_due"],
                                    today=timezone.localdate(), first_due_required=True)
        except DomainError as e:
            raise CommandError(e.message) from None
        rows = table(calculate(data))
        if opts["fmt"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
