"""hpf loan schedule --principal P --annual-rate R --months N --method equal-installment|equal-principal
--first-due YYYY-MM-DD --format csv|json: a loan's repayment schedule (还款计划), in 元 with two decimals.

hpf loan prepay LOAN --amount 元 --mode term|payment [--bank-ref REF --as USER]: 部分提前还款 (the quote alone
without --bank-ref); hpf loan payoff LOAN [--bank-ref REF --as USER]: 提前结清 (likewise); hpf loan certificate
LOAN [--out FILE]: issue the 贷款结清证明 (once) and write the PDF; hpf loan collateral-watch: ask the registry
about every active loan's collateral (docs/loans.md).

hpf loan repay --loan 贷款账号 --amount 元 --reference 银行流水号 --as 用户名: 柜台还款 (repay.repayment_counter) on
the center's business date; prints the allocation and the voucher as JSON.

hpf loan cob [--business-date D]: rerun the loans' day-end steps (贷后日终) of the current business date as a job.

hpf loan cases … and hpf loan credit-export …: overdue management (openhpf/loans/risk_cli.py)."""

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
from openhpf.loans import risk_cli
from openhpf.loans.calculator import CalculatorResult, calculate, calculator_input
from openhpf.loans.closing import certificate_issue, collateral_release
from openhpf.loans.cob import run_cob
from openhpf.loans.models import Loan
from openhpf.loans.payments import Funding
from openhpf.loans.prepay import MODES, Quote, payoff_apply, payoff_quote, prepay_apply, prepay_quote
from openhpf.loans.repay import repayment_counter
from openhpf.loans.watch import collateral_watch_pull
from openhpf.settlement.selectors import fund_account_for_payments

COLUMNS = ("period", "due_date", "payment", "principal", "interest", "balance")


def _yuan(fen: int) -> str:
    return format_fen(fen, grouping=False)


def table(result: CalculatorResult) -> list[dict[str, Any]]:
    return [{"period": p, "due_date": due.isoformat(), "payment": _yuan(part + interest), "principal": _yuan(part),
             "interest": _yuan(interest), "balance": _yuan(balance)}
            for p, due, part, interest, balance in result.rows]


def _quote_text(q: Quote, what: str) -> str:
    return (f"{what}试算（{q.on}）：贷款 {q.loan}，已到期应还 {format_fen(q.dues)} 元（含罚息 {format_fen(q.penalty)} 元），"
            f"提前还本 {format_fen(q.principal)} 元，自 {q.last_due} 起 {q.days} 天利息 {format_fen(q.interest)} 元，"
            f"合计应付 {format_fen(q.total)} 元，还款后剩余本金 {format_fen(q.balance_after)} 元")


class Command(BaseCommand):
    help = ("贷款：还款计划试算、柜台还款、部分提前还款、提前结清、贷款结清证明、抵押物状态监测、贷后日终、"
            "逾期催收案件、征信报送数据导出（金额以元为单位，两位小数）")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("schedule", help="输出还款计划：期次、还款日、月供、本金、利息、剩余本金")
        s.add_argument("--principal", help="贷款金额（元），如 1000000")
        s.add_argument("--annual-rate", dest="annual_rate", help="年利率（%），如 2.85")
        s.add_argument("--months", help="贷款期限（月），1 至 360")
        s.add_argument("--method", help="还款方式：equal-installment 等额本息，equal-principal 等额本金")
        s.add_argument("--first-due", dest="first_due", help="首次还款日 YYYY-MM-DD")
        s.add_argument("--format", dest="fmt", default="csv", help="输出格式：csv 或 json（默认 csv）")
        p = sub.add_parser("prepay", help="部分提前还款：不带 --bank-ref 只试算；带 --bank-ref 则入账并重算还款计划")
        p.add_argument("loan", help="贷款账号")
        p.add_argument("--amount", required=True, help="提前归还的本金（元）")
        p.add_argument("--mode", required=True, choices=sorted(MODES), help="term 缩短年限，payment 减少月供")
        p.add_argument("--bank-ref", dest="bank_ref", default="", help="银行流水号（入账时必填）")
        add_common(p, money=True)
        q = sub.add_parser("payoff", help="提前结清：不带 --bank-ref 只试算；带 --bank-ref 则入账结清")
        q.add_argument("loan", help="贷款账号")
        q.add_argument("--bank-ref", dest="bank_ref", default="", help="银行流水号（入账时必填）")
        add_common(q, money=True)
        c = sub.add_parser("certificate", help="出具贷款结清证明（已出具则取原证明），可选解除抵押")
        c.add_argument("loan", help="贷款账号")
        c.add_argument("--out", default="", help="把证明 PDF 写入该文件")
        c.add_argument("--release", action="store_true", help="同时解除抵押（向不动产登记机构发送解押通知）")
        add_common(c)
        w = sub.add_parser("collateral-watch", help="向不动产登记机构查询还款中贷款的抵押物状态，查封或转让即预警")
        add_common(w)
        r = sub.add_parser("repay", help="柜台还款入账：按罚息、逾期利息、逾期本金、当期利息、当期本金顺序冲还")
        r.add_argument("--loan", required=True, help="贷款账号")
        r.add_argument("--amount", required=True, help="还款金额（元），如 4289.78")
        r.add_argument("--reference", required=True, help="银行缴款流水号（同一流水号只入账一次）")
        add_common(r, money=True)
        c = sub.add_parser("cob", help="重跑当前业务日期的贷后日终步骤：到期应还、逾期转列、五级分类、风险准备测算、还款提醒")
        c.add_argument("--center", help="机构代码（默认：唯一的中心）")
        add_as(c)
        c.add_argument("--business-date", dest="business_date", help="业务日期（只能是中心当前业务日期）")
        c.add_argument("--quiet", action="store_true", help="不显示进度条")
        risk_cli.add_arguments(sub)

    def handle(self, *args, **opts):
        action = opts["action"]
        if action in risk_cli.ACTIONS:
            risk_cli.handle(opts, self.stdout)
            return None
        if action == "cob":
            self._cob(opts)
            return None
        if action == "repay":
            self._repay(opts)
            return None
        if action != "schedule":
            try:
                return self._servicing(action, opts)
            except DomainError as e:
                raise CommandError(f"[{e.code}] {e.message}") from None
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

    def _loan(self, center, number: str) -> Loan:
        ln = Loan.objects.filter(center=center, number=number).first()
        if ln is None:
            raise CommandError(f"贷款不存在：{number}")
        return ln

    def _funding(self, center, bank_ref: str) -> Funding:
        bank = fund_account_for_payments(center.pk)
        if bank is None:
            raise CommandError("本中心没有可用的住房公积金存款专户")
        return Funding(bank.gl_account.code, bank_ref=bank_ref)

    def _servicing(self, action: str, opts: dict[str, Any]) -> None:
        money = action in ("prepay", "payoff") and bool(opts.get("bank_ref"))
        center, actor, bd = common(opts, money=money)
        if action == "collateral-watch":
            r = collateral_watch_pull(center=center, actor=actor, on=bd)
            self.stdout.write(f"抵押物状态监测（{bd}）：查询 {r.asked} 笔，状态变动 {r.changed} 笔，"
                              f"新增预警 {r.warnings} 笔，登记机构暂不可用 {r.unavailable} 笔")
            return
        ln = self._loan(center, opts["loan"])
        if action == "prepay":
            amount = parse_yuan(opts["amount"], field="amount")
            quote = prepay_quote(loan=ln, amount=amount, mode=opts["mode"], on=bd)
            self.stdout.write(_quote_text(quote, f"部分提前还款（{MODES[opts['mode']]}）"))
            if money:
                with transaction.atomic(durable=True):
                    pay, v = prepay_apply(loan=ln, amount=amount, mode=opts["mode"], reference=f"PP{opts['bank_ref']}",
                                          funding=self._funding(center, opts["bank_ref"]), actor=actor,
                                          business_date=bd, expected_total=quote.total)
                self.stdout.write(f"已入账：凭证 {pay.entry.voucher_no if pay.entry else ''}；新还款计划第 {v.version} 版，"
                                  f"自第 {v.from_period} 期起 {v.months} 期，每期 {format_fen(v.payment)} 元")
            return
        if action == "payoff":
            quote = payoff_quote(loan=ln, on=bd)
            self.stdout.write(_quote_text(quote, "提前结清"))
            if money:
                with transaction.atomic(durable=True):
                    pay, _v = payoff_apply(loan=ln, reference=f"PO{opts['bank_ref']}",
                                           funding=self._funding(center, opts["bank_ref"]), actor=actor,
                                           business_date=bd, expected_total=quote.total)
                self.stdout.write(f"已结清：凭证 {pay.entry.voucher_no if pay.entry else ''}，结清日期 {bd}")
            return
        with transaction.atomic(durable=True):
            cert = certificate_issue(loan=ln, actor=actor, business_date=bd)
            rel = collateral_release(loan=ln, actor=actor, business_date=bd) if opts.get("release") else None
        self.stdout.write(f"贷款结清证明 {cert.number}（{cert.issued_on}，SM3 {cert.document.sm3[:16]}…）")
        if rel is not None:
            self.stdout.write(f"解除抵押通知书 {rel.letter_no} 已发送不动产登记机构")
        if opts.get("out"):
            with cert.document.file.open("rb") as src, open(opts["out"], "wb") as dst:
                dst.write(src.read())
            self.stdout.write(f"已写入 {opts['out']}")

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

    def _cob(self, opts: dict[str, Any]) -> None:
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
