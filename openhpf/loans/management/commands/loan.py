"""hpf loan schedule --principal P --annual-rate R --months N --method equal-installment|equal-principal
--first-due YYYY-MM-DD --format csv|json: a loan's repayment schedule (还款计划), in 元 with two decimals.

hpf loan cob [--business-date D]: rerun the loans' day-end steps (贷后日终) of the current business date as a job.
hpf loan repay --loan N --amount 元 --reference R [--bank-ref B] --as USER: a counter repayment (柜台还款)."""

from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openhpf.core.cli_options import add_as, add_common, cli_actor, common
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.money import format_fen, parse_yuan
from openhpf.jobs.models import JobStep
from openhpf.loans.calculator import CalculatorResult, calculate, calculator_input
from openhpf.loans.cob import run_cob
from openhpf.loans.models import Loan
from openhpf.loans.repayments import repayment_counter

COLUMNS = ("period", "due_date", "payment", "principal", "interest", "balance")


def _yuan(fen: int) -> str:
    return format_fen(fen, grouping=False)


def table(result: CalculatorResult) -> list[dict[str, Any]]:
    return [{"period": p, "due_date": due.isoformat(), "payment": _yuan(part + interest), "principal": _yuan(part),
             "interest": _yuan(interest), "balance": _yuan(balance)}
            for p, due, part, interest, balance in result.rows]


class Command(BaseCommand):
    help = "贷款试算：按等额本息或等额本金输出还款计划（金额以元为单位，两位小数）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("schedule", help="输出还款计划：期次、还款日、月供、本金、利息、剩余本金")
        s.add_argument("--principal", help="贷款金额（元），如 1000000")
        s.add_argument("--annual-rate", dest="annual_rate", help="年利率（%），如 2.85")
        s.add_argument("--months", help="贷款期限（月），1 至 360")
        s.add_argument("--method", help="还款方式：equal-installment 等额本息，equal-principal 等额本金")
        s.add_argument("--first-due", dest="first_due", help="首次还款日 YYYY-MM-DD")
        s.add_argument("--format", dest="fmt", default="csv", help="输出格式：csv 或 json（默认 csv）")
        c = sub.add_parser("cob", help="重跑当前业务日期的贷后日终步骤：到期应还、逾期转列、五级分类、风险准备测算、还款提醒")
        c.add_argument("--center", help="机构代码（默认：唯一的中心）")
        add_as(c)
        c.add_argument("--business-date", dest="business_date", help="业务日期（只能是中心当前业务日期）")
        c.add_argument("--quiet", action="store_true", help="不显示进度条")
        r = sub.add_parser("repay", help="柜台还款：按罚息、逾期利息、逾期本金、当期利息、当期本金顺序冲还")
        add_common(r, money=True)
        r.add_argument("--loan", required=True, help="贷款账号")
        r.add_argument("--amount", required=True, help="还款金额（元），如 4135.57")
        r.add_argument("--reference", required=True, help="还款流水号（柜台收据号，同一流水号只入账一次）")
        r.add_argument("--bank-ref", dest="bank_ref", default="", help="银行流水号（默认同还款流水号）")

    def handle(self, *args, **opts):
        if opts["action"] == "cob":
            return self._cob(opts)
        if opts["action"] == "repay":
            return self._repay(opts)
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

    def _cob(self, opts):
        center = (Center.objects.filter(code=opts["center"]).first() if opts.get("center")
                  else Center.objects.order_by("pk").first())
        if center is None:
            raise CommandError("没有管理中心" if not opts.get("center") else f"管理中心不存在：{opts['center']}")
        on = center.business_date
        if opts.get("business_date"):
            try:
                on = date.fromisoformat(opts["business_date"])
            except ValueError:
                raise CommandError("业务日期格式应为 YYYY-MM-DD") from None
        try:
            job = run_cob(center=center, actor=cli_actor(opts), on=on, progress=None if opts["quiet"] else "rich")
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        steps = {s.name: s.status for s in JobStep.objects.filter(job=job).order_by("order")}
        self.stdout.write(json.dumps({"job": job.pk, "date": str(job.business_date), "status": job.status,
                                      "steps": steps, "result": job.result}, ensure_ascii=False, default=str))

    def _repay(self, opts):
        center, actor, bd = common(opts, money=True)
        try:
            amount = parse_yuan(opts["amount"], field="amount")
            loan = Loan.objects.filter(center=center, number=opts["loan"].strip()).first()
            if loan is None:
                raise CommandError(f"贷款 {opts['loan']} 不存在")
            with transaction.atomic(durable=True):
                p = repayment_counter(loan=loan, amount=amount, reference=opts["reference"], bank_ref=opts["bank_ref"],
                                      actor=actor, business_date=bd)
        except DomainError as e:
            raise CommandError(f"[{e.code}] {e.message}") from None
        loan.refresh_from_db()
        self.stdout.write(json.dumps({
            "loan": loan.number, "reference": p.reference, "amount": _yuan(p.amount), "penalty": _yuan(p.penalty),
            "overdue_interest": _yuan(p.overdue_interest), "overdue_principal": _yuan(p.overdue_principal),
            "interest": _yuan(p.interest), "principal": _yuan(p.principal),
            "voucher": p.entry.voucher_no if p.entry else "", "outstanding": _yuan(loan.outstanding)},
            ensure_ascii=False))
