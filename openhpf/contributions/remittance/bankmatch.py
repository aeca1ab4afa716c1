"""Bank statement lines confirm hand-typed receipts (手工登记到账).

A receipt typed in by hand stays `unconfirmed` until bank evidence or a checker confirms it. The bank's evidence
is its notice with the same reference (services.receipt_record) or a line of the statement the gateway fetched
from the bank (BDC113): money in, not one of the center's own instructions, of the receipt's amount, from the
receipt's payer account, dated within `receipt.bank_match.window_days` of the receipt's value date. A statement
loaded by a person (a file, the API) is not bank evidence and confirms nothing.

A line the bank already announced (a receipt carries its bank_seq) confirms nothing more, and one line confirms
one receipt: the confirmed receipt takes the bank's reference, so the same money arriving again as a notice or a
later statement finds it (the typed reference is kept in the audit row)."""

from __future__ import annotations

from datetime import date
from typing import Any

from openhpf.audit.services import audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.policy import policy_value
from openhpf.reconciliation.models import BankStatement, StatementLine
from openhpf.reconciliation.selectors import statement_money_in

from ..models import Receipt
from .services import _receipt_confirm

WINDOW_KEY = "receipt.bank_match.window_days"


def _pending(center_id: int) -> list[Receipt]:
    return list(Receipt.objects.select_for_update().filter(
        center_id=center_id, manual=True, status=Receipt.Status.UNCONFIRMED).exclude(payer_account="").order_by("pk"))


def _fits(rc: Receipt, line: StatementLine, on: date, window: int) -> bool:
    if rc.amount != line.amount:
        return False
    if line.bank_seq == rc.bank_ref:  # the very reference the clerk typed
        return True
    return rc.payer_account.strip() == line.counter_account.strip() and abs((on - rc.value_date).days) <= window


def receipts_confirm_from_statement(*, statement: BankStatement, actor: Actor, business_date: date) -> list[int]:
    """The statement listener: confirm the unconfirmed hand-typed receipts its incoming lines match (the ids)."""
    if statement.source != BankStatement.Source.GATEWAY:
        return []
    receipts = _pending(statement.center_id)
    if not receipts:
        return []
    lines = statement_money_in(statement=statement, amounts={rc.amount for rc in receipts})
    # a line the bank already announced (its receipt carries the bank_seq) is that receipt's money, not another's
    known = set(Receipt.objects.filter(center_id=statement.center_id, bank_ref__in=[ln.bank_seq for ln in lines])
                .values_list("bank_ref", flat=True))
    free = [ln for ln in lines if ln.bank_seq not in known or any(ln.bank_seq == rc.bank_ref for rc in receipts)]
    window = int(policy_value(WINDOW_KEY, on=business_date, center=statement.center_id))
    gl_code = statement.bank_account.gl_account.code
    done: list[int] = []
    for rc in receipts:
        line = next((ln for ln in free if _fits(rc, ln, statement.stmt_date, window)), None)
        if line is None:
            continue
        free.remove(line)
        _confirm_by_line(rc, line, gl_code=gl_code, actor=actor, business_date=business_date)
        done.append(rc.pk)
    return done


def _confirm_by_line(rc: Receipt, line: StatementLine, *, gl_code: str, actor: Actor, business_date: date) -> None:
    typed = rc.bank_ref
    if typed != line.bank_seq:
        rc.bank_ref = line.bank_seq
        Receipt.objects.filter(pk=rc.pk).update(bank_ref=line.bank_seq)
    audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RECEIPT_BANK_MATCH, obj=rc, center=rc.center_id,
              business_date=business_date,
              before={"bank_ref": typed}, after=_line_facts(line, typed=typed, amount=rc.amount))
    _receipt_confirm(rc, actor=actor, business_date=business_date, by=f"statement:{line.bank_seq}",
                     bank_account=gl_code)


def _line_facts(line: StatementLine, *, typed: str, amount: int) -> dict[str, Any]:
    return {"bank_ref": line.bank_seq, "typed_ref": typed, "amount": amount, "statement": line.statement_id,
            "line_no": line.line_no}
