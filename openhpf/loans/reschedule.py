"""A loan's schedule replaced from a period on (还款计划重算): the one way every servicing change that alters the
remaining installments stores its result — partial prepayment in both modes, the 1 January repricing,
restructuring.

`reschedule` archives the installments it replaces in a new `LoanScheduleVersion` (`superseded`), writes the new
remaining installments (periods continue from `from_period`), and moves the loan to the new version, rate and
total term. Runs in the caller's transaction, on a loan the caller locked (`locking.loan_for_write`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openhpf.core.actors import Actor, actor_label

from .calculations import keep_payment_rows, schedule_rows
from .models import Loan, LoanInstallment, LoanScheduleVersion

Reason = LoanScheduleVersion.Reason


def reschedule(*, loan: Loan, from_period: int, balance: int, annual_rate: Decimal, first_due: date,
               reason: str, effective_on: date, actor: Actor, months: int | None = None,
               keep_payment: int | None = None) -> LoanScheduleVersion:
    """Replace the installments from `from_period` on with a schedule of `balance` at `annual_rate` whose first
    due date is `first_due`: over `months` periods in the loan's method (减少月供, repricing, restructuring), or
    keeping the payment `keep_payment` (缩短年限, 等额本息 only)."""
    if keep_payment is not None:
        rows = keep_payment_rows(balance, annual_rate, keep_payment, first_due)
    else:
        if not months or months < 1:
            raise ValueError("剩余期数应为至少 1 个月")
        rows = schedule_rows(balance, annual_rate, months, loan.method, first_due) if balance > 0 else []
    old = list(LoanInstallment.objects.filter(loan=loan, period__gte=from_period).order_by("period")
               .values_list("period", "due_date", "principal", "interest", "balance"))
    LoanInstallment.objects.filter(loan=loan, period__gte=from_period).delete()
    offset = from_period - 1
    LoanInstallment.objects.bulk_create([
        LoanInstallment(loan=loan, period=p + offset, due_date=d, principal=pr, interest=i, balance=b)
        for p, d, pr, i, b in rows], batch_size=1000)
    version = loan.schedule_version + 1
    v = LoanScheduleVersion.objects.create(
        loan=loan, version=version, reason=reason, effective_on=effective_on, from_period=from_period,
        balance=balance, annual_rate=annual_rate, months=len(rows),
        payment=(rows[0][2] + rows[0][3]) if rows else 0,
        superseded=[[p, d.isoformat(), pr, i, b] for p, d, pr, i, b in old], created_by=actor_label(actor))
    loan.schedule_version, loan.annual_rate, loan.months = version, annual_rate, offset + len(rows)
    if rows:
        loan.maturity = rows[-1][1]
    loan.save(update_fields=["schedule_version", "annual_rate", "months", "maturity", "updated_at"])
    return v
