"""Settlement invariants for `hpf verify`: money in flight is accounted for exactly once."""

from __future__ import annotations

from openhpf.core import db as sql
from openhpf.core.money import format_fen
from openhpf.core.verify import CheckResult, register
from openhpf.ledger.chart import IN_TRANSIT

from .models import Instruction

_OPEN = "(" + ", ".join(f"'{s.value}'" for s in Instruction.OPEN_STATES) + ")"
_FINAL = "(" + ", ".join(f"'{s.value}'" for s in Instruction.FINAL_STATES) + ")"


@register("settlement.in_transit")
def check_in_transit() -> CheckResult:
    """In-transit clearing (21903) holds exactly the batch payments the banks have not finished, per center;
    a finished instruction reserves nothing and an open single payment reserves its whole amount."""
    gl = dict(sql.fetch(
        "SELECT e.center_id, SUM(l.credit) - SUM(l.debit) FROM ledger_v_journal_line l "  # noqa: S608 — constant states from code; values bound
        "JOIN ledger_v_journal_entry e ON e.id = l.entry_id JOIN ledger_v_gl_account g ON g.id = l.account_id "
        f"WHERE g.code = '{IN_TRANSIT}' GROUP BY e.center_id"))
    open_batches = dict(sql.fetch(
        "SELECT center_id, SUM(amount) FROM settlement_instruction "  # noqa: S608 — constant states from code; values bound
        f"WHERE code = 'BDC103' AND state IN {_OPEN} GROUP BY center_id"))
    breaches = [f"中心 {c}：在途资金清算 {format_fen(int(gl.get(c) or 0))} 元，未完成批量付款 {format_fen(int(open_batches.get(c) or 0))} 元"
                for c in set(gl) | set(open_batches) if int(gl.get(c) or 0) != int(open_batches.get(c) or 0)]
    bad = sql.fetch(
        "SELECT seq, state, amount, reserved FROM settlement_instruction WHERE direction = 'out' AND ("  # noqa: S608 — constant states from code; values bound
        f"(state IN {_FINAL} AND reserved <> 0) OR (state IN {_OPEN} AND reserved <> amount)) LIMIT 20")
    breaches += [f"指令 {s}（{st}）金额 {format_fen(int(a))} 元，预留 {format_fen(int(r))} 元" for s, st, a, r in bad]
    n = sql.fetch(f"SELECT COUNT(*) FROM settlement_instruction WHERE state IN {_OPEN}")[0][0]  # noqa: S608 — constant states from code; values bound
    return CheckResult("settlement.in_transit", not breaches, f"未完成结算指令 {n} 笔，在途资金与预留一致", breaches)
