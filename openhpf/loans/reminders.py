"""Repayment reminders (还款提醒): the text of the messages and their sending through the notifications outbox.

The COB's reminder step (cob.py, order 68) writes one `LoanReminder` row per loan, kind, due date and day
(set-based); the row is the member's portal notice, and this module queues the SMS of each new row to the
borrower's phone (none when the member has no phone). The outbox sends after the chunk commits and retries."""

from __future__ import annotations

from datetime import date

from openhpf.accounts.models import Member
from openhpf.core.channels import message_template
from openhpf.core.money import format_fen
from openhpf.notifications.services import notify

from .models import Loan, LoanDue, LoanInstallment, LoanReminder

BEFORE_DUE = message_template(
    "loans.remind.before_due",
    "【住房公积金】您的住房公积金贷款 {number} 将于 {due_date} 扣还第 {period} 期 {amount} 元，请提前存足还款账户余额。")
OVERDUE = message_template(
    "loans.remind.overdue",
    "【住房公积金】您的住房公积金贷款 {number} 第 {period} 期（应还日 {due_date}）已逾期 {days} 天，尚欠 {amount} 元，"
    "请尽快还款，逾期将按日计收罚息并影响个人信用记录。")


def reminders_send(*, center_id: int, on: date, after_id: int) -> int:
    """Queue the SMS of the center's reminders of `on` written after `after_id` (in the caller's transaction);
    returns how many were queued."""
    rows = list(LoanReminder.objects.filter(center_id=center_id, sent_on=on, pk__gt=after_id).order_by("pk")
                .values_list("loan_id", "kind", "due_date"))
    if not rows:
        return 0
    info = {pk: (number, member) for pk, number, member in
            Loan.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "number", "borrower_id")}
    loans = {pk: v[0] for pk, v in info.items()}
    borrowers = {pk: v[1] for pk, v in info.items()}
    keys = {(lid, due) for lid, _, due in rows}
    inst = {(i.loan_id, i.due_date): i for i in LoanInstallment.objects.filter(
        loan_id__in={k[0] for k in keys}, due_date__in={k[1] for k in keys})}
    dues = {(d.loan_id, d.due_date): d for d in LoanDue.objects.filter(
        loan_id__in={k[0] for k in keys}, due_date__in={k[1] for k in keys})}
    # the phones messages go to (trusted code, never shown), one query for the chunk
    phones: dict[int, str] = dict(Member.objects.filter(pk__in=set(borrowers.values())).values_list("pk", "phone"))
    n = 0
    for loan_id, kind, due in rows:
        member = borrowers[loan_id]
        if not phones.get(member):
            continue
        if kind == LoanReminder.Kind.OVERDUE:
            d = dues.get((loan_id, due))
            if d is None:
                continue
            notify(channel="sms", recipient=phones[member], kind=OVERDUE, center=center_id,
                   payload={"number": loans[loan_id], "period": d.period, "due_date": due.isoformat(),
                            "days": (on - due).days, "amount": format_fen(d.unpaid_principal + d.unpaid_interest)})
        else:
            i = inst.get((loan_id, due))
            if i is None:
                continue
            notify(channel="sms", recipient=phones[member], kind=BEFORE_DUE, center=center_id,
                   payload={"number": loans[loan_id], "period": i.period, "due_date": due.isoformat(),
                            "amount": format_fen(i.principal + i.interest)})
        n += 1
    return n
