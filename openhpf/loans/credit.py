"""The 征信 data set (个人借贷账户信息 reported to the PBoC credit reference center): one row per HPF loan in the
fields of the personal credit record, as CSV, streamed (`hpf loan credit-export`, `GET /api/v1/loans/credit-export`).

Which loans: those disbursed by the end of the report month that are 还款中, settled in or after that month, or
written off. The report month is the business date's month or an earlier one; 余额, 五级分类, 当前逾期期数 and
当前逾期总额 are the loans' state on the business date (the export is run at the month end, as the reporting is).

还款状态 (24-month string, oldest month first, ending with the report month), as the credit record spells it:
`/` not yet opened, `*` opened but no installment due yet, `N` no overdue at the month end, `1`–`7` the number of
installments overdue at the month end (7: seven or more), `C` settled (结清), `G` ended otherwise (核销, 呆账).
An installment is overdue at a month end when its due date is before that day and it was not paid (or closed by a
restructuring or a write-off) by that day.

Set-based by chunks of loans in primary-key order (`CHUNK`): per chunk one query of the loans with their borrowers,
one of the dues that were ever overdue, one of the month's installments, one of the payments; memory stays flat for
a million loans. A personal-data read (full ID numbers, as the reporting requires): `loans.operate`, audited."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q, Sum

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.codes import IdType, LoanClass, RepaymentMethod
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.personal import PersonalRead, personal_read

from .calculations import add_months
from .models import Loan, LoanDue, LoanInstallment, LoanPayment, LoanWriteOff

CHUNK = 5000
MONTHS = 24
PERMISSION = "loans.operate"
COLUMNS = ("账户标识", "借款合同编号", "姓名", "证件类型", "证件号码", "业务种类", "开户日期", "到期日期", "币种",
           "借款金额", "还款方式", "还款频率", "还款期数", "剩余还款期数", "担保方式", "账户状态", "余额", "五级分类",
           "本月应还款日", "本月应还款金额", "本月实还款金额", "最近一次实际还款日期", "当前逾期期数", "当前逾期总额",
           "还款状态")
ACCOUNT_STATE = {"normal": "正常", "overdue": "逾期", "settled": "结清", "written_off": "呆账"}


def _month_end(m: date) -> date:
    return add_months(m, 1) - timedelta(days=1)


@dataclass
class CreditExport:
    month: date  # the report month's first day
    as_at: date  # its end, or the business date within it
    total: int
    rows: Iterator[list[str]]


def report_month(text: str, business_date: date) -> date:
    """'YYYY-MM' (default: the business date's month), not after the business date's month."""
    if not text:
        return date(business_date.year, business_date.month, 1)
    try:
        y, m = text.strip().split("-")
        month = date(int(y), int(m), 1)
    except ValueError:
        raise DomainError(ErrorCode.LOAN_REPORT_INVALID, detail=f"报送月份格式应为 YYYY-MM：{text}",
                          field="month") from None
    if month > business_date:
        raise DomainError(ErrorCode.LOAN_REPORT_INVALID, detail=f"报送月份 {text} 不能晚于业务日期所在月份",
                          field="month")
    return month


def _scope(center: Any, month: date, as_at: date) -> Q:
    return (Q(center=center, disbursed_on__isnull=False, disbursed_on__lte=as_at)
            & (Q(status=Loan.Status.ACTIVE) | Q(status=Loan.Status.WRITTEN_OFF)
               | Q(status=Loan.Status.SETTLED, settled_on__gte=month)))


@personal_read(AuditEvent.LOANS_CREDIT_EXPORT, perm=PERMISSION)
def credit_export(*, actor: Actor, read: PersonalRead, center: Any, month: str = "") -> CreditExport:
    """The export of the report month `month` (YYYY-MM); its rows are read lazily, chunk by chunk."""
    m = report_month(month, center.business_date)
    as_at = min(_month_end(m), center.business_date)
    scope = _scope(center, m, as_at)
    total = Loan.objects.filter(scope).count()
    read.note(month=f"{m:%Y-%m}", loans=total)
    return CreditExport(month=m, as_at=as_at, total=total, rows=_rows(scope, m, as_at))


def month_ends(month: date, as_at: date) -> list[date]:
    """The 24 month ends of the status string, oldest first; the last is `as_at`."""
    return [_month_end(add_months(month, -k)) for k in range(MONTHS - 1, 0, -1)] + [as_at]


def status_string(*, disbursed_on: date, first_due: date, settled_on: date | None, ended_on: date | None,
                  overdue: list[tuple[date, date | None]], ends: list[date]) -> str:
    """还款状态 over `ends` (see the module docstring); `overdue`: (due date, paid or closed on) of the loan's
    installments that were ever overdue; `ended_on`: the write-off date."""
    out = []
    for e in ends:
        if disbursed_on > e:
            out.append("/")
        elif settled_on is not None and settled_on <= e:
            out.append("C")
        elif ended_on is not None and ended_on <= e:
            out.append("G")
        else:
            n = sum(1 for due, closed in overdue if due < e and (closed is None or closed > e))
            out.append(str(min(n, 7)) if n else ("*" if first_due > e else "N"))
    return "".join(out)


def _yuan(fen: int) -> str:
    return format_fen(fen, grouping=False)


def _chunk_rows(loans: list[dict[str, Any]], month: date, as_at: date) -> Iterator[list[str]]:
    ids = [x["pk"] for x in loans]
    ends = month_ends(month, as_at)
    overdue: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    current: dict[int, list[int]] = {}
    for lid, due, closed, state, unpaid in (
            LoanDue.objects.filter(loan_id__in=ids, overdue_on__isnull=False, due_date__lte=as_at)
            .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=ends[0]))
            .values_list("loan_id", "due_date", "paid_on", "state",
                         F("principal") - F("paid_principal") + F("interest") - F("paid_interest"))):
        overdue[lid].append((due, closed))
        if state == LoanDue.State.OPEN:
            cur = current.setdefault(lid, [0, 0])
            cur[0] += 1
            cur[1] += int(unpaid)
    m_end = _month_end(month)
    due_in_month = {lid: (d, p + i) for lid, d, p, i in LoanInstallment.objects.filter(
        loan_id__in=ids, due_date__gte=month, due_date__lte=m_end).values_list("loan_id", "due_date", "principal",
                                                                                "interest")}
    remaining = dict(LoanInstallment.objects.filter(loan_id__in=ids, due_date__gt=as_at).values("loan_id")
                     .annotate(n=Count("id")).values_list("loan_id", "n"))
    paid = {r["loan_id"]: int(r["t"] or 0) for r in LoanPayment.objects.filter(
        loan_id__in=ids, business_date__gte=month, business_date__lte=as_at).values("loan_id").annotate(t=Sum("amount"))}
    last_paid = dict(LoanPayment.objects.filter(loan_id__in=ids, business_date__lte=as_at).values("loan_id")
                     .annotate(d=Max("business_date")).values_list("loan_id", "d"))
    ended = dict(LoanWriteOff.objects.filter(loan_id__in=ids, state=LoanWriteOff.State.DONE)
                 .values_list("loan_id", "done_on"))
    for x in loans:
        lid = x["pk"]
        settled = x["settled_on"] if x["status"] == Loan.Status.SETTLED else None
        n_over, amt_over = current.get(lid, [0, 0])
        state = ("settled" if settled else "written_off" if x["status"] == Loan.Status.WRITTEN_OFF
                 else "overdue" if n_over else "normal")
        due = due_in_month.get(lid)
        yield [x["number"], x["contract_no"], x["borrower__name"], IdType(x["borrower__id_type"]).label,
               str(x["borrower__id_number"] or ""), "个人住房公积金贷款", x["disbursed_on"].isoformat(),
               x["maturity"].isoformat() if x["maturity"] else "", "CNY", _yuan(x["principal"]),
               RepaymentMethod(x["method"]).label, "月", str(x["months"]), str(int(remaining.get(lid, 0))), "抵押",
               ACCOUNT_STATE[state], _yuan(x["outstanding"]), LoanClass(x["risk_class"]).label,
               due[0].isoformat() if due else "", _yuan(due[1]) if due else "0.00", _yuan(paid.get(lid, 0)),
               last_paid[lid].isoformat() if lid in last_paid else "", str(n_over), _yuan(amt_over),
               status_string(disbursed_on=x["disbursed_on"], first_due=x["first_due"], settled_on=settled,
                             ended_on=ended.get(lid), overdue=overdue.get(lid, []), ends=ends)]


def _rows(scope: Q, month: date, as_at: date) -> Iterator[list[str]]:
    last = 0
    fields = ("pk", "number", "contract_no", "borrower__name", "borrower__id_type", "borrower__id_number",
              "disbursed_on", "maturity", "principal", "method", "months", "status", "outstanding", "risk_class",
              "first_due", "settled_on")
    while True:
        loans = list(Loan.objects.filter(scope, pk__gt=last).order_by("pk").values(*fields)[:CHUNK])
        if not loans:
            return
        yield from _chunk_rows(loans, month, as_at)
        last = loans[-1]["pk"]


def csv_lines(export: CreditExport) -> Iterator[str]:
    """The export as CSV text, line by line (UTF-8 with the header row first)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    w.writerow(COLUMNS)
    yield flush()
    for row in export.rows:
        w.writerow(row)
        yield flush()
