"""hpf loan schedule --principal P --annual-rate R --months N --method equal-installment|equal-principal
--first-due YYYY-MM-DD --format csv|json: a loan's repayment schedule (还款计划), in 元 with two decimals.

hpf loan repay --loan 贷款账号 --amount 元 --reference 银行流水号 --as 用户名: 柜台还款 (repay.repayment_counter) on
the center's business date; prints the allocation and the voucher as JSON."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.core.cli_options import add_common, common
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen, parse_yuan
from openhpf.loans.calculator import CalculatorResult, calculate, calculator_input
from openhpf.loans.repay import repayment_counter

COLUMNS = ("period", "due_date", "payment", "principal", "interest", "balance")


def _yuan(fen: int) -> str:
    return format_fen(fen, grouping=False)


def table(result: CalculatorResult) -> list[dict[str, Any]]:
    return [{"period": p, "due_date": due.isoformat(), "payment": _yuan(part + interest), "principal": _yuan(part),
             "interest": _yuan(interest), "balance": _yuan(balance)}
            for p, due, part, interest, balance in result.rows]


class Command(BaseCommand):
    help = "贷款：试算还款计划（schedule）；柜台还款入账（repay）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("schedule", help="输出还款计划：期次、还款日、月供、本金、利息、剩余本金")
        s.add_argument("--principal", help="贷款金额（元），如 1000000")
        s.add_argument("--annual-rate", dest="annual_rate", help="年利率（%），如 2.85")
        s.add_argument("--months", help="贷款期限（月），1 至 360")
        s.add_argument("--method", help="还款方式：equal-installment 等额本息，equal-principal 等额本金")
        s.add_argument("--first-due", dest="first_due", help="首次还款日 YYYY-MM-DD")
        s.add_argument("--format", dest="fmt", default="csv", help="输出格式：csv 或 json（默认 csv）")
        r = sub.add_parser("repay", help="柜台还款入账：按罚息、逾期利息、逾期本金、当期利息、当期本金顺序冲还")
        r.add_argument("--loan", required=True, help="贷款账号")
        r.add_argument("--amount", required=True, help="还款金额（元），如 4289.78")
        r.add_argument("--reference", required=True, help="银行缴款流水号（同一流水号只入账一次）")
        add_common(r, money=True)

    def handle(self, *args, **opts):
        if opts["action"] == "repay":
            self._repay(opts)
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

    def _repay(self, opts: dict[str, Any]) -> None:
        _center, actor, bd = common(opts, money=True)
        try:
            amount = parse_yuan(opts["amount"], field="amount")
            with transaction.atomic(durable=True):
                p = repayment_counter(loan_number=opts["loan"], amount=amount, reference=opts["reference"],
                                      actor=actor, business_date=bd)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        out = {"loan": opts["loan"], "reference": p.reference, "business_date": p.business_date.isoformat(),
               "amount": _yuan(p.amount), "penalty": _yuan(p.penalty), "overdue_interest": _yuan(p.overdue_interest),
               "overdue_principal": _yuan(p.overdue_principal), "interest": _yuan(p.interest),
               "principal": _yuan(p.principal), "voucher_no": p.entry.voucher_no if p.entry is not None else None}
        self.stdout.write(json.dumps(out, ensure_ascii=False))
