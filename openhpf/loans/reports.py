"""The loan statements (贷款报表) registered with finance's statements (`finance.selectors.register_statement`), so
the statements page lists them and exports them to xlsx / PDF with the same code as every statement:

- 贷款发放和余额变动情况表 (`loans.flows`): 期初贷款余额, 本期发放 (笔数, 金额), 本期回收 (正常还款、逾期还款、提前
  还款 and 结清, from the payments' allocation), 本期核销, 期末贷款余额, for the period and by month; checked against
  the ledger (期末 = 121 + 122 at the period end, 期初 at the day before the start).
- 贷款情况表 (`loans.status`): 累计发放, 贷款余额, 本期发放 and 回收, 逾期贷款 and 个贷逾期率 (‰), the overdue
  buckets and the 五级分类 of the 还款中 loans. The overdue figures and the classes are those of the business
  date (the loans' state now); the amounts of the period are the period's.

Every figure is an aggregate over the loans' own rows (loans, payments, write-offs): a few GROUP BY queries,
whatever the size of the book."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from openhpf.access.selectors import check_permission
from openhpf.core.actors import Actor
from openhpf.core.codes import LoanClass
from openhpf.core.models import Center
from openhpf.core.money import format_fen
from openhpf.finance.liquidity import balances_on
from openhpf.finance.periods import Period
from openhpf.finance.selectors import Check, Row, Section, Statement, register_statement

from .models import Loan, LoanPayment, LoanWriteOff
from .risk import overdue_buckets, overdue_rate

FLOWS_KIND, FLOWS_TITLE = "loans_flows", "贷款发放和余额变动情况表"
STATUS_KIND, STATUS_TITLE = "loans_status", "贷款情况表"
BOOKED = (Loan.Status.ACTIVE, Loan.Status.SETTLED, Loan.Status.WRITTEN_OFF)
REPAID = F("principal") + F("overdue_principal") + F("prepaid_principal")


def _month(d: Any) -> date:
    d = d.date() if hasattr(d, "date") else d
    return date(d.year, d.month, 1)


def _disbursed(center: Center, q: Q) -> dict[date, tuple[int, int]]:
    rows = (Loan.objects.filter(q, center=center, status__in=BOOKED, disbursed_on__isnull=False)
            .annotate(m=TruncMonth("disbursed_on")).values("m").annotate(n=Count("id"), t=Sum("principal")))
    return {_month(r["m"]): (int(r["n"]), int(r["t"] or 0)) for r in rows}


def _repaid(center: Center, q: Q) -> dict[date, dict[str, int]]:
    """Principal repaid per month, by kind: 正常 (current), 逾期 (overdue), 提前 (prepaid, payoff)."""
    rows = (LoanPayment.objects.filter(q, center=center).exclude(source=LoanPayment.Source.RECOVERY)
            .annotate(m=TruncMonth("business_date")).values("m")
            .annotate(cur=Sum("principal"), od=Sum("overdue_principal"), pre=Sum("prepaid_principal")))
    return {_month(r["m"]): {"current": int(r["cur"] or 0), "overdue": int(r["od"] or 0),
                             "prepaid": int(r["pre"] or 0)} for r in rows}


def _written_off(center: Center, q: Q) -> dict[date, tuple[int, int]]:
    rows = (LoanWriteOff.objects.filter(q, center=center, state=LoanWriteOff.State.DONE)
            .annotate(m=TruncMonth("done_on")).values("m").annotate(n=Count("id"), t=Sum("principal")))
    return {_month(r["m"]): (int(r["n"]), int(r["t"] or 0)) for r in rows}


def balance_before(center: Center, day: date) -> int:
    """The principal outstanding of the center's loans at the end of the day before `day`, from the loans' rows:
    disbursed − repaid − written off before it."""
    out = Loan.objects.filter(center=center, status__in=BOOKED, disbursed_on__lt=day).aggregate(t=Sum("principal"))
    rep = (LoanPayment.objects.filter(center=center, business_date__lt=day)
           .exclude(source=LoanPayment.Source.RECOVERY).aggregate(t=Sum(REPAID)))
    wo = LoanWriteOff.objects.filter(center=center, state=LoanWriteOff.State.DONE, done_on__lt=day).aggregate(
        t=Sum("principal"))
    return int(out["t"] or 0) - int(rep["t"] or 0) - int(wo["t"] or 0)


def _months(start: date, end: date) -> list[date]:
    out, m = [], date(start.year, start.month, 1)
    while m <= end:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def flows(center: Center, period: Period, user: Actor) -> Statement:
    """贷款发放和余额变动情况表 (see the module docstring)."""
    check_permission(user, "finance.view", center=center)
    in_period = Q(disbursed_on__gte=period.start, disbursed_on__lte=period.end)
    disb = _disbursed(center, in_period)
    rep = _repaid(center, Q(business_date__gte=period.start, business_date__lte=period.end))
    wo = _written_off(center, Q(done_on__gte=period.start, done_on__lte=period.end))
    opening = balance_before(center, period.start)
    n_d, a_d = sum(v[0] for v in disb.values()), sum(v[1] for v in disb.values())
    kinds: dict[str, int] = defaultdict(int)
    for v in rep.values():
        for k, x in v.items():
            kinds[k] += x
    repaid = sum(kinds.values())
    n_w, a_w = sum(v[0] for v in wo.values()), sum(v[1] for v in wo.values())
    closing = opening + a_d - repaid - a_w
    cols, fmt = ["笔数", "金额（元）"], ("count", "money")
    main = [Row("期初贷款余额", [None, opening], fmt=fmt, total=True),
            Row("本期发放贷款", [n_d, a_d], fmt=fmt),
            Row("本期回收贷款", [None, repaid], fmt=fmt),
            Row("其中：正常还款", [None, kinds["current"]], fmt=fmt, level=1),
            Row("逾期还款", [None, kinds["overdue"]], fmt=fmt, level=1),
            Row("提前还款（含提前结清）", [None, kinds["prepaid"]], fmt=fmt, level=1),
            Row("本期核销贷款", [n_w, a_w], fmt=fmt),
            Row("期末贷款余额", [None, closing], fmt=fmt, total=True)]
    monthly, bal = [], opening
    for m in _months(period.start, period.end):
        n, a = disb.get(m, (0, 0))
        r = sum(rep.get(m, {}).values())
        w = wo.get(m, (0, 0))[1]
        end = bal + a - r - w
        monthly.append(Row(f"{m.year}年{m.month}月", [bal, n, a, r, w, end],
                           fmt=("money", "count", "money", "money", "money", "money")))
        bal = end
    b_open = balances_on(center, period.start - timedelta(days=1))
    b_close = balances_on(center, period.end)
    gl_open, gl_close = b_open["121"] + b_open["122"], b_close["121"] + b_close["122"]
    checks = [Check("期初贷款余额与总账（委托贷款 121 + 逾期贷款 122）一致", gl_open == opening,
                    f"贷款明细 {format_fen(opening)} 元，总账 {format_fen(gl_open)} 元"),
              Check("期末贷款余额与总账（委托贷款 121 + 逾期贷款 122）一致", gl_close == closing,
                    f"贷款明细 {format_fen(closing)} 元，总账 {format_fen(gl_close)} 元")]
    return Statement(kind=FLOWS_KIND, title=FLOWS_TITLE, center_name=center.name, period=period, checks=checks,
                     sections=[Section("贷款发放和余额变动", cols, main),
                               Section("按月份", ["期初余额（元）", "发放笔数", "发放金额（元）", "回收金额（元）",
                                                "核销金额（元）", "期末余额（元）"], monthly)],
                     notes=["按放款日期统计发放、按还款入账日期统计回收（按罚息、利息之后冲还的本金计），核销按核销日期；"
                            "核销后收回计入贷款风险准备，不计入回收。"])


def status(center: Center, period: Period, user: Actor) -> Statement:
    """贷款情况表 (see the module docstring)."""
    check_permission(user, "finance.view", center=center)
    fmt = ("count", "money")
    cum = Loan.objects.filter(center=center, status__in=BOOKED, disbursed_on__lte=period.end).aggregate(
        n=Count("id"), t=Sum("principal"))
    disb = _disbursed(center, Q(disbursed_on__gte=period.start, disbursed_on__lte=period.end))
    rep = _repaid(center, Q(business_date__gte=period.start, business_date__lte=period.end))
    active = Loan.objects.filter(center=center, status=Loan.Status.ACTIVE).aggregate(n=Count("id"),
                                                                                       t=Sum("outstanding"))
    on = center.business_date
    rate = overdue_rate(center)
    buckets = overdue_buckets(center, on)
    overdue_n = sum(b.count for b in buckets)
    rows = [Row("累计发放贷款", [int(cum["n"] or 0), int(cum["t"] or 0)], fmt=fmt),
            Row("本期发放贷款", [sum(v[0] for v in disb.values()), sum(v[1] for v in disb.values())], fmt=fmt),
            Row("本期回收贷款", [None, sum(sum(v.values()) for v in rep.values())], fmt=fmt),
            Row("贷款余额（还款中）", [int(active["n"] or 0), int(active["t"] or 0)], fmt=fmt, total=True),
            Row("逾期贷款（逾期本金）", [overdue_n, rate.overdue_principal], fmt=fmt),
            Row("个贷逾期率", [None, rate.text], fmt=("count", "text"))]
    bucket_rows = [Row(b.label, [b.count, b.overdue_principal, b.outstanding], fmt=("count", "money", "money"))
                   for b in buckets]
    bucket_rows.append(Row("合计", [overdue_n, sum(b.overdue_principal for b in buckets),
                                  sum(b.outstanding for b in buckets)], fmt=("count", "money", "money"), total=True))
    mix = dict(Loan.objects.filter(center=center, status=Loan.Status.ACTIVE).values("risk_class")
               .annotate(n=Count("id"), t=Sum("outstanding")).values_list("risk_class", "n"))
    amounts = dict(Loan.objects.filter(center=center, status=Loan.Status.ACTIVE).values("risk_class")
                   .annotate(t=Sum("outstanding")).values_list("risk_class", "t"))
    class_rows = [Row(c.label, [int(mix.get(c.value, 0)), int(amounts.get(c.value) or 0)], code=c.value, fmt=fmt)
                  for c in LoanClass]
    class_rows.append(Row("合计", [int(active["n"] or 0), int(active["t"] or 0)], fmt=fmt, total=True))
    wo = LoanWriteOff.objects.filter(center=center, state=LoanWriteOff.State.DONE).aggregate(
        n=Count("id"), t=Sum("principal"), r=Sum("recovered"))
    rows.append(Row("累计核销贷款", [int(wo["n"] or 0), int(wo["t"] or 0)], fmt=fmt))
    rows.append(Row("其中：核销后已收回", [None, int(wo["r"] or 0)], fmt=fmt, level=1))
    cols = ["笔数", "金额（元）"]
    return Statement(kind=STATUS_KIND, title=STATUS_TITLE, center_name=center.name, period=period,
                     sections=[Section("贷款情况", cols, rows),
                               Section(f"逾期贷款（按逾期时间，截至 {on:%Y-%m-%d}）",
                                       ["笔数", "逾期本金（元）", "贷款余额（元）"], bucket_rows),
                               Section(f"五级分类（截至 {on:%Y-%m-%d}）", cols, class_rows)],
                     notes=[f"逾期与五级分类为业务日期 {on:%Y-%m-%d} 的贷款状态；发放、回收为本期发生额。",
                            "个贷逾期率 = 逾期本金 ÷ 还款中贷款余额（‰）；逾期时间自最早未还的应还日期起按月计算。"])


def register_reports() -> None:
    register_statement(FLOWS_KIND, FLOWS_TITLE, flows)
    register_statement(STATUS_KIND, STATUS_TITLE, status)
