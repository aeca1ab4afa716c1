"""Bank statement lines confirm hand-typed receipts (手工登记到账).

A receipt typed in by hand stays `unconfirmed` until bank evidence or a checker confirms it. The bank's evidence
is its notice (services.receipt_record: the typed reference, or the same amount from the same payer account within
`receipt.bank_match.window_days`) or a line of the statement the gateway fetched from the bank (BDC113): money
in, not one of the center's own instructions, matched the same way. A statement loaded by a person (a file) is
not bank evidence and confirms nothing.

A line the bank already announced (a receipt carries its bank_seq) confirms nothing more, and one line confirms
one receipt: the confirmed receipt takes the bank's reference (services.receipt_confirm_by_bank), so the same
money arriving again as a notice or a later statement finds it."""

from __future__ import annotations

from datetime import date

from openhpf.core.actors import Actor
from openhpf.core.policy import policy_value
from openhpf.reconciliation.models import BankStatement, StatementLine
from openhpf.reconciliation.selectors import statement_money_in

from ..models import Receipt
from .services import MATCH_WINDOW_KEY, receipt_confirm_by_bank


def _pending(center_id: int) -> list[Receipt]:
    return list(Receipt.objects.select_for_update().filter(
        center_id=center_id, manual=True, status=Receipt.Status.UNCONFIRMED).order_by("pk"))


def _same_ref(rc: Receipt, line: StatementLine) -> bool:
    """The line carries the very reference the clerk typed."""
    return rc.amount == line.amount and line.bank_seq == rc.bank_ref


def _same_money(rc: Receipt, line: StatementLine, on: date, window: int) -> bool:
    """The same amount from the same payer account, dated within the window."""
    payer = rc.payer_account.strip()
    return (rc.amount == line.amount and bool(payer) and payer == line.counter_account.strip()[:40]
            and abs((on - rc.value_date).days) <= window)


def receipts_confirm_from_statement(*, statement: BankStatement, actor: Actor, business_date: date) -> list[int]:
    """The statement listener: confirm the unconfirmed hand-typed receipts its incoming lines match (the ids)."""
    if statement.source != BankStatement.Source.GATEWAY:
        return []
    receipts = _pending(statement.center_id)
    if not receipts:
        return []
    lines = statement_money_in(statement=statement, amounts={rc.amount for rc in receipts})
    typed = {rc.bank_ref for rc in receipts}
    # a line the bank already announced (its receipt carries the bank_seq) is that receipt's money, not another's
    known = set(Receipt.objects.filter(center_id=statement.center_id, bank_ref__in=[ln.bank_seq for ln in lines])
                .values_list("bank_ref", flat=True)) - typed
    free = [ln for ln in lines if ln.bank_seq not in known]
    window = int(policy_value(MATCH_WINDOW_KEY, on=business_date, center=statement.center_id))
    gl_code = statement.bank_account.gl_account.code
    pairs: list[tuple[Receipt, StatementLine]] = []
    paired: set[int] = set()
    # a line with a receipt's typed reference is that receipt's first; the rest pair by amount, payer and date
    for fits in (_same_ref, lambda rc, ln: _same_money(rc, ln, statement.stmt_date, window)):
        for rc in receipts:
            line = None if rc.pk in paired else next((ln for ln in free if fits(rc, ln)), None)
            if line is not None:
                free.remove(line)
                paired.add(rc.pk)
                pairs.append((rc, line))
    for rc, line in pairs:
        receipt_confirm_by_bank(rc, bank_ref=line.bank_seq, by=f"statement:{line.bank_seq}", actor=actor,
                                business_date=business_date, bank_account=gl_code,
                                facts={"statement": line.statement_id, "line_no": line.line_no})
    return [rc.pk for rc, _ in pairs]
