"""1 January repricing (利率调整): existing loans take the rate of their band in force on 1 January (DOMAIN
"Loans": existing loans reprice on the next 1 January; the band follows the contract term).

The day-end step `loan_reprice` (order 61, registered from LoansConfig.ready()) does nothing unless the business
date is 1 January. Then, band by band (first/second home × contract term ≤ 5 years / > 5 years: the loan's
`product_code`, else its contract's home order and ORIGINAL term), it selects set-based the 还款中 loans whose
rate differs from the band's rate in force that day, in chunks by loan id with the job cursor, and for each one
(its own transaction) recomputes the schedule from the next period not yet fallen due over the remaining months
at the new rate (`reschedule(reason=REPRICE)`, a new version), records a 利率调整通知 (`LoanReminder` kind REPRICE)
and queues the SMS to the borrower (notifications outbox). A rerun skips the loans already at the new rate:
resumable and idempotent. Loans without a product code or contract are left as they are (no band known).

The installment that falls due after 1 January is computed as a full month at the new rate (the schedule's
convention), whatever part of its month lies before 1 January."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, Sum

from openhpf.accounts.selectors import member_notify_phone
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.channels import message_template
from openhpf.core.money import format_fen
from openhpf.jobs.dayend import Day, register_step
from openhpf.jobs.runner import StepContext
from openhpf.notifications.services import notify

from .models import Loan, LoanDue, LoanInstallment, LoanReminder, LoanScheduleVersion
from .products import rate_in_force
from .reschedule import reschedule

CHUNK = 500
BANDS = [("first", "le5"), ("first", "gt5"), ("second", "le5"), ("second", "gt5")]
NOTICE = message_template(
    "loans.reprice",
    "【住房公积金】您的住房公积金贷款 {loan} 自 {on} 起执行年利率 {rate}%（原 {old}%），"
    "自 {first_due} 起每期还款 {payment} 元。")


def _band_filter(home: str, term: str) -> Q:
    months = Q(contract__months__lte=60) if term == "le5" else Q(contract__months__gt=60)
    return Q(product_code=f"{home}.{term}") | (Q(product_code="") & Q(contract__home_order=home) & months)


def reprice_candidates(center: Any, on: date, *, after: int = 0, limit: int = CHUNK) -> list[tuple[int, Decimal]]:
    """(loan id, new rate) of the next `limit` 还款中 loans after id `after` whose rate differs from their band's."""
    out: list[tuple[int, Decimal]] = []
    for home, term in BANDS:
        rate = rate_in_force(home, 60 if term == "le5" else 61, on=on, center=center)
        ids = (Loan.objects.filter(center=center, status=Loan.Status.ACTIVE, pk__gt=after)
               .filter(_band_filter(home, term)).exclude(annual_rate=rate)
               .order_by("pk").values_list("pk", flat=True)[:limit])
        out += [(pk, rate) for pk in ids]
    return sorted(out)[:limit]


def loan_reprice(*, loan_id: int, rate: Decimal, on: date, actor: Actor) -> LoanScheduleVersion | None:
    """Reprice one loan (see the module doc); None when there is nothing to do (already at `rate`, settled, no
    period left)."""
    with transaction.atomic():
        ln = Loan.objects.select_for_update().get(pk=loan_id)  # the day-end owns the loan while it runs
        if ln.status != Loan.Status.ACTIVE or ln.annual_rate == rate:
            return None
        fallen = LoanDue.objects.filter(loan=ln).aggregate(m=Max("period"))["m"] or 0
        rest = LoanInstallment.objects.filter(loan=ln, period__gt=fallen, due_date__gte=on)
        agg = rest.aggregate(p=Sum("principal"))
        first = rest.order_by("period").first()
        if first is None or not agg["p"]:
            return None
        old = ln.annual_rate
        v = reschedule(loan=ln, from_period=first.period, balance=int(agg["p"]), annual_rate=rate,
                       first_due=first.due_date, months=rest.count(), reason=LoanScheduleVersion.Reason.REPRICE,
                       effective_on=on, actor=actor)
        LoanReminder.objects.get_or_create(center_id=ln.center_id, loan=ln, kind=LoanReminder.Kind.REPRICE,
                                           due_date=first.due_date, sent_on=on)
        phone = member_notify_phone(ln.borrower_id)
        if phone:
            notify(channel="sms", recipient=phone, kind=NOTICE, center=ln.center_id,
                   payload={"loan": ln.number, "on": on.isoformat(), "rate": f"{rate.normalize():f}",
                            "old": f"{Decimal(old).normalize():f}", "first_due": first.due_date.isoformat(),
                            "payment": format_fen(v.payment)})
        audit_log(actor=actor, action=AuditEvent.LOANS_REPRICE, obj=ln, center=ln.center_id, business_date=on,
                  before={"annual_rate": str(old)},
                  after={"loan": ln.number, "annual_rate": str(rate), "version": v.version,
                         "from_period": first.period, "payment": v.payment, "months": v.months})
    return v


def reprice_run(*, center: Any, on: date, actor: Actor, ctx: StepContext | None = None) -> dict[str, Any]:
    """Every loan to reprice on `on` (1 January only), in chunks, resumable from `ctx.cursor`."""
    if (on.month, on.day) != (1, 1):
        if ctx is not None:
            ctx.advance(0, total=0)
        return {"repriced": None}
    after = int((ctx.cursor or {}).get("after", 0)) if ctx is not None and isinstance(ctx.cursor, dict) else 0
    done = 0
    while True:
        chunk = reprice_candidates(center, on, after=after)
        if not chunk:
            break
        for pk, rate in chunk:
            if loan_reprice(loan_id=pk, rate=rate, on=on, actor=actor) is not None:
                done += 1
        after = chunk[-1][0]
        if ctx is not None:
            ctx.advance(len(chunk), cursor={"after": after})
    return {"repriced": done}


def _step(day: Day, ctx: StepContext) -> dict[str, Any]:
    return reprice_run(center=day.center, on=day.on, actor=day.actor, ctx=ctx)


def register() -> None:
    register_step("loan_reprice", order=61, label="1月1日贷款利率调整", run=_step, app="loans")
