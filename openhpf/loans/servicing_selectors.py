"""Reads of loan servicing for the console and the API: a loan's servicing sections (schedule versions, what is
due and overdue, payments with their allocation, class history, collateral, collection), the collection work
queue (催收工作台) and the portfolio and risk dashboard (贷款风险看板).

The work queue shows borrowers' names (masked by clearance, read audited `loans.case.list`); the API's due and
payment reads are audited as `loans.servicing.view`. The dashboard holds no personal data: aggregates only,
each one GROUP BY over the loans tables (set-based: a handful of queries whatever the size of the book)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.authz import check_permission
from openhpf.core.codes import LoanClass
from openhpf.core.personal import PersonalRead, personal_read

from .models import (
    Collateral,
    CollateralEvent,
    CollectionCase,
    Loan,
    LoanClassChange,
    LoanDue,
    LoanPayment,
    LoanScheduleVersion,
    LoanWriteOff,
)
from .payments import allocate, amount_due, open_dues, penalty_estimate, penalty_ratio
from .selectors import loan_get

VIEW = "loans.view"
CLASS_LABELS = dict(LoanClass.choices)
DUE_PARTS = (("penalty", "罚息"), ("overdue_interest", "逾期利息"), ("overdue_principal", "逾期本金"),
             ("interest", "当期利息"), ("principal", "当期本金"))


def permille(part: int, whole: int) -> Decimal | None:
    """part / whole in ‰, two decimals HALF_UP; None without a whole."""
    if whole <= 0:
        return None
    return (Decimal(part) * 1000 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- one loan


def due_rows(loan: Loan, on: date) -> list[dict[str, Any]]:
    """The loan's open dues on `on`, oldest first: amounts unpaid, overdue days, the penalty estimate."""
    ratio = penalty_ratio(center=loan.center_id, on=on)
    out = []
    for d in LoanDue.objects.filter(loan=loan, state=LoanDue.State.OPEN).order_by("due_date", "period"):
        overdue_days = max(0, (on - d.due_date).days) if d.overdue_on is not None else 0
        out.append({"period": d.period, "due_date": d.due_date, "principal": d.unpaid_principal,
                    "interest": d.unpaid_interest, "penalty": penalty_estimate(d, loan.annual_rate, on, ratio),
                    "overdue": d.overdue_on is not None, "overdue_days": overdue_days,
                    "state_label": "逾期" if d.overdue_on is not None else "当期应还"})
    return out


def due_summary(loan: Loan, on: date) -> dict[str, Any]:
    """应还明细 on `on`: the parts (payments.amount_due) with their labels, the open dues, overdue days."""
    parts = amount_due(loan, on)
    rows = due_rows(loan, on)
    return {"loan": loan.number, "on": on, **parts,
            "parts": [{"code": k, "label": label, "amount": parts[k]} for k, label in DUE_PARTS],
            "overdue_days": max((r["overdue_days"] for r in rows), default=0), "dues": rows}


def payment_row(p: LoanPayment) -> dict[str, Any]:
    return {"reference": p.reference, "source": p.source, "source_label": p.get_source_display(),
            "business_date": p.business_date, "amount": p.amount, "penalty": p.penalty,
            "overdue_interest": p.overdue_interest, "overdue_principal": p.overdue_principal,
            "interest": p.interest, "principal": p.principal, "prepaid_principal": p.prepaid_principal,
            "bank_ref": p.bank_ref, "voucher": p.entry.voucher_no if p.entry is not None else "",
            "created_by": p.created_by}


def payment_rows(loan: Loan, limit: int = 200) -> list[dict[str, Any]]:
    return [payment_row(p) for p in LoanPayment.objects.filter(loan=loan).select_related("entry")
            .order_by("-business_date", "-id")[:limit]]


def servicing_sections(loan: Loan, on: date) -> dict[str, Any]:
    """Everything the servicing page shows beside the loan's terms (the caller audited the read of the loan)."""
    versions = [{"version": v.version, "reason_label": v.get_reason_display(), "effective_on": v.effective_on,
                 "from_period": v.from_period, "balance": v.balance, "annual_rate": v.annual_rate,
                 "months": v.months, "payment": v.payment, "current": v.version == loan.schedule_version,
                 "superseded": [{"period": r[0], "due_date": r[1], "principal": r[2], "interest": r[3],
                                 "payment": r[2] + r[3], "balance": r[4]} for r in v.superseded]}
                for v in LoanScheduleVersion.objects.filter(loan=loan).order_by("-version")]
    classes = [{"on": c.on, "from_label": CLASS_LABELS.get(c.from_class, c.from_class),
                "to_label": CLASS_LABELS.get(c.to_class, c.to_class), "overdue_days": c.overdue_days,
                "manual": c.manual, "reason": c.reason, "until": c.until, "created_by": c.created_by}
               for c in LoanClassChange.objects.filter(loan=loan).order_by("-on", "-id")]
    col = Collateral.objects.filter(application_id=loan.application_id).first() if loan.application_id else None
    events = [{"status_label": e.get_status_display(), "on": e.on, "source_ref": e.source_ref, "detail": e.detail,
               "handling_label": e.get_handling_display(), "handled_note": e.handled_note}
              for e in CollateralEvent.objects.filter(loan=loan).order_by("-on", "-id")]
    cases = [{"opened_on": c.opened_on, "state_label": c.get_state_display(), "assignee": c.assignee,
              "closed_on": c.closed_on, "close_reason": c.close_reason,
              "actions": [{"kind_label": a.get_kind_display(), "on": a.on, "note": a.note,
                           "created_by": a.created_by} for a in c.actions.order_by("-on", "-id")]}
             for c in CollectionCase.objects.filter(loan=loan).order_by("-opened_on", "-id")]
    return {
        "on": on, "due": due_summary(loan, on), "payments": payment_rows(loan), "versions": versions,
        "schedule_version": loan.schedule_version,
        "classes": classes, "risk_class": loan.risk_class,
        "risk_class_label": CLASS_LABELS.get(loan.risk_class, loan.risk_class),
        "class_override": loan.class_override, "class_override_until": loan.class_override_until,
        "overdue_principal": loan.overdue_principal, "overdue_interest": loan.overdue_interest,
        "overdue_since": loan.overdue_since, "in_cob": loan.cob_date,
        "collateral": ({"certificate_no": col.certificate_no, "appraised_value": col.appraised_value,
                        "ltv": col.ltv * 100, "registration_label": col.get_registration_display(),
                        "registration_no": col.registration_no or col.preliminary_no,
                        "registered_on": col.registered_on or col.preliminary_on, "guarantor": col.guarantor}
                       if col else None),
        "collateral_events": events, "cases": cases, "active": loan.status == Loan.Status.ACTIVE,
    }


def repayment_preview(loan: Loan, amount: int, on: date) -> dict[str, Any]:
    """How `amount` fen paid on `on` would be allocated (payments.allocate, nothing written), what stays due
    after it and the part that is more than is due (a counter repayment refuses it)."""
    due = amount_due(loan, on)
    a = allocate(open_dues(loan), amount, annual_rate=loan.annual_rate, on=on,
                 ratio=penalty_ratio(center=loan.center_id, on=on))
    parts = [{"code": k, "label": label, "amount": getattr(a, k)} for k, label in DUE_PARTS]
    return {"amount": amount, "parts": parts, "allocated": a.total, "excess": amount - a.total,
            "due_total": due["total"], "left": due["total"] - a.total}


@personal_read(AuditEvent.LOANS_SERVICING_VIEW, perm=VIEW)
def loan_due(*, actor: Actor, read: PersonalRead, center: Any, number: str, on: date) -> dict[str, Any]:
    """应还明细 of one loan on `on` (API), read-audited."""
    loan = loan_get(center=center, number=number)
    read.about(loan)
    read.note(number=loan.number, what="due")
    return {**due_summary(loan, on), "status": loan.status, "risk_class": loan.risk_class,
            "in_cob": loan.cob_date is not None}


@personal_read(AuditEvent.LOANS_SERVICING_VIEW, perm=VIEW)
def loan_payments(*, actor: Actor, read: PersonalRead, center: Any, number: str) -> dict[str, Any]:
    """还款记录 of one loan (API), newest first, read-audited."""
    loan = loan_get(center=center, number=number)
    read.about(loan)
    read.note(number=loan.number, what="payments")
    rows = payment_rows(loan, limit=1000)
    return {"loan": loan.number, "outstanding": loan.outstanding, "items": rows}


# ---------------------------------------------------------------- the collection work queue (催收工作台)


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""  # open | restructuring (default: both, i.e. every case not closed)
    risk_class: str = ""
    assignee: str = ""
    min_days: int = 0


def case_filter(*, state: str = "", risk_class: str = "", assignee: str = "", min_days: Any = "") -> CaseFilter:
    try:
        days = max(0, int(min_days or 0))
    except (TypeError, ValueError):
        days = 0
    return CaseFilter(state=state if state in CollectionCase.State.values else "",
                      risk_class=risk_class if risk_class in LoanClass.values else "",
                      assignee=(assignee or "").strip()[:150], min_days=days)


def case_assignees(*, center: Any) -> list[str]:
    return list(CollectionCase.objects.filter(center=center).exclude(assignee="")
                .exclude(state=CollectionCase.State.CLOSED).values_list("assignee", flat=True)
                .distinct().order_by("assignee"))


# ---------------------------------------------------------------- the portfolio and risk dashboard


def _month_ends(on: date, months: int) -> list[date]:
    """The last `months` month ends up to `on` (the current month ends on `on`), oldest first."""
    out = [on]
    first = on.replace(day=1)
    for _ in range(months - 1):
        first_prev = first - timedelta(days=1)
        out.append(first_prev)
        first = first_prev.replace(day=1)
    return out[::-1]


def _sum_after(qs: Any, date_field: str, ends: list[date], expr: Any) -> list[int]:
    """For each month end e: Σ expr over rows dated after e (one query of conditional sums)."""
    agg = qs.aggregate(**{f"m{i}": Sum(expr, filter=Q(**{f"{date_field}__gt": e}), default=0)
                          for i, e in enumerate(ends)})
    return [int(agg[f"m{i}"] or 0) for i in range(len(ends))]


@dataclass(frozen=True)
class DashMonth:
    month: str  # YYYY-MM
    balance: int  # 贷款余额 (fen) at the month end
    overdue: int  # 逾期本金 (fen) at the month end
    rate: Decimal | None  # overdue / balance, ‰


def portfolio_dashboard(*, actor: Actor, center: Any, on: date, months: int = 12) -> dict[str, Any]:
    """The portfolio and risk figures of the center on `on` (aggregates only; permission `loans.view`).

    - 贷款余额 by month end: the loans' outstanding today, rolled back by the principal disbursed, repaid and
      written off after each month end (so the last month is exactly Σ outstanding = 121 + 122);
    - 逾期率 (‰) by month end: overdue principal / 贷款余额; the overdue principal at a past month end is the
      principal of the installments overdue on that day and paid (if at all) after it, from the 应还记录;
    - 五级分类: count and balance by class; vintage: the overdue rate (‰) by disbursement quarter."""
    check_permission(actor, VIEW, center=center)
    loans = Loan.objects.filter(center=center)
    active = loans.filter(status=Loan.Status.ACTIVE)
    now = active.aggregate(n=Count("id"), bal=Sum("outstanding", default=0),
                           od=Sum("overdue_principal", default=0), odi=Sum("overdue_interest", default=0),
                           odn=Count("id", filter=Q(overdue_principal__gt=0)))
    balance_now, overdue_now = int(now["bal"]), int(now["od"])
    ends = _month_ends(on, months)
    disbursed_after = _sum_after(loans.filter(disbursed_on__isnull=False), "disbursed_on", ends, F("principal"))
    repaid_after = _sum_after(LoanPayment.objects.filter(center=center), "business_date", ends,
                              F("overdue_principal") + F("principal") + F("prepaid_principal"))
    written_after = _sum_after(LoanWriteOff.objects.filter(center=center, state=LoanWriteOff.State.DONE),
                               "done_on", ends, F("principal"))
    dues = LoanDue.objects.filter(center=center, overdue_on__isnull=False).exclude(state=LoanDue.State.WRITTEN_OFF)
    od_agg = dues.aggregate(**{f"m{i}": Sum(F("principal") - F("paid_principal"), default=0,
                                            filter=Q(overdue_on__lte=e) & (Q(paid_on__isnull=True) | Q(paid_on__gt=e)))
                               for i, e in enumerate(ends)})
    od_paid_agg = dues.filter(paid_on__isnull=False).aggregate(
        **{f"m{i}": Sum("paid_principal", default=0, filter=Q(overdue_on__lte=e, paid_on__gt=e))
           for i, e in enumerate(ends)})
    series = []
    for i, e in enumerate(ends):
        bal = balance_now - disbursed_after[i] + repaid_after[i] + written_after[i]
        od = overdue_now if i == len(ends) - 1 else int(od_agg[f"m{i}"] or 0) + int(od_paid_agg[f"m{i}"] or 0)
        series.append(DashMonth(f"{e:%Y-%m}", max(0, bal), od, permille(od, bal)))
    mix_rows = {r["risk_class"]: r for r in active.values("risk_class").annotate(n=Count("id"),
                                                                                bal=Sum("outstanding"))}
    mix = [{"code": code, "label": label, "count": int(mix_rows.get(code, {}).get("n") or 0),
            "balance": int(mix_rows.get(code, {}).get("bal") or 0),
            "share": percent(int(mix_rows.get(code, {}).get("bal") or 0), balance_now)}
           for code, label in LoanClass.choices]
    bad = (LoanClass.SUBSTANDARD, LoanClass.DOUBTFUL, LoanClass.LOSS)
    npl = sum(int(mix_rows.get(code, {}).get("bal") or 0) for code in bad)
    vintage = [{"quarter": f"{r['y']}Q{r['q']}", "count": r["n"], "principal": int(r["p"] or 0),
                "outstanding": int(r["bal"] or 0), "overdue": int(r["od"] or 0), "overdue_count": r["odn"],
                "rate": permille(int(r["od"] or 0), int(r["bal"] or 0))}
               for r in loans.filter(disbursed_on__isnull=False, status__in=[Loan.Status.ACTIVE, Loan.Status.SETTLED])
               .annotate(y=ExtractYear("disbursed_on"), q=ExtractQuarter("disbursed_on"))
               .values("y", "q").annotate(n=Count("id"), p=Sum("principal"), bal=Sum("outstanding"),
                                          od=Sum("overdue_principal"), odn=Count("id", filter=Q(overdue_principal__gt=0)))
               .order_by("y", "q")]
    month_start = on.replace(day=1)
    collected = LoanPayment.objects.filter(center=center, business_date__gte=month_start,
                                           business_date__lte=on).aggregate(t=Sum("amount", default=0))["t"]
    last_payment = LoanPayment.objects.filter(center=center).aggregate(d=Max("business_date"))["d"]
    return {"on": on, "count": int(now["n"]), "balance": balance_now, "overdue": overdue_now,
            "overdue_interest": int(now["odi"]), "overdue_count": int(now["odn"]),
            "rate": permille(overdue_now, balance_now), "npl": npl, "npl_rate": percent(npl, balance_now),
            "collected_month": int(collected or 0), "last_payment": last_payment,
            "months": series, "mix": mix, "vintage": vintage}


def dashboard_chart(d: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's chart data for the page's script (amounts in fen, rates as numbers in ‰)."""
    return {"months": [m.month for m in d["months"]], "balance": [m.balance for m in d["months"]],
            "rate": [str(m.rate) if m.rate is not None else None for m in d["months"]],
            "mix": [{"name": m["label"], "count": m["count"], "balance": m["balance"]} for m in d["mix"]],
            "vintage": {"quarters": [v["quarter"] for v in d["vintage"]],
                        "rate": [str(v["rate"]) if v["rate"] is not None else "0" for v in d["vintage"]]}}

