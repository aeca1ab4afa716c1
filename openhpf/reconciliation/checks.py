"""Day-end invariant 4 for `hpf verify` (docs/architecture.md "Invariants"): at each 专户's last reconciled day, the
GL balance of its sub-account equals the bank's statement balance adjusted by the items open that day."""

from __future__ import annotations

from openhpf.core import db as sql
from openhpf.core.money import format_fen
from openhpf.core.verify import CheckResult, register

from .models import ReconItem

_BOOK = f"'{ReconItem.Side.BOOK.value}'"


@register("reconciliation.bank_balance")
def check_bank_balance() -> CheckResult:
    """Recomputed from the sources (statement, ledger lines, items), not from the stored 调节表 figures; one
    query for every account. Cheap when nothing has been reconciled (one indexed probe)."""
    name = "reconciliation.bank_balance"
    if not sql.fetch("SELECT 1 FROM reconciliation_reconciliation LIMIT 1"):
        return CheckResult(name, True, "尚无日终对账，不适用")
    rows = sql.fetch(
        "SELECT a.account_no, r.recon_date, s.closing_balance, "  # noqa: S608 — the side value from the model's choices
        "(SELECT COALESCE(SUM(l.debit - l.credit), 0) FROM ledger_v_journal_line l "
        " JOIN ledger_v_journal_entry e ON e.id = l.entry_id "
        " WHERE l.account_id = a.gl_account_id AND e.business_date <= r.recon_date), "
        f"(SELECT COALESCE(SUM(CASE WHEN i.side = {_BOOK} AND i.direction = 'in' THEN i.amount "
        f"  WHEN i.side = {_BOOK} THEN -i.amount WHEN i.direction = 'in' THEN -i.amount ELSE i.amount END), 0) "
        " FROM reconciliation_reconitem i WHERE i.bank_account_id = r.bank_account_id "
        " AND i.opened_on <= r.recon_date AND (i.closed_on IS NULL OR i.closed_on > r.recon_date)) "
        "FROM reconciliation_reconciliation r "
        "JOIN (SELECT bank_account_id, MAX(recon_date) AS d FROM reconciliation_reconciliation "
        "      GROUP BY bank_account_id) m ON m.bank_account_id = r.bank_account_id AND m.d = r.recon_date "
        "JOIN reconciliation_bankstatement s ON s.id = r.statement_id "
        "JOIN settlement_v_bank_account a ON a.id = r.bank_account_id ORDER BY a.account_no")
    breaches = []
    for account_no, on, closing, book, adjust in rows:
        # closing + 单位已收银行未收 − 单位已付银行未付 − 银行已收单位未收 + 银行已付单位未付 = book balance
        if int(closing) + int(adjust) != int(book):
            breaches.append(f"专户 {account_no} {on}：账面余额 {format_fen(int(book))} 元 ≠ 对账单余额 {format_fen(int(closing))} 元"
                            f" 调节未达账项 {format_fen(int(adjust))} 元 = {format_fen(int(closing) + int(adjust))} 元")
    return CheckResult(name, not breaches, f"专户账面余额 = 对账单余额 ± 未达账项（{len(rows)} 个专户的最近对账日）",
                       breaches)
