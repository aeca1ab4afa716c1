"""Stored statuses and kinds are words: the migrations recode existing rows both ways, the state predicates the
templates use, and no template compares a value to a one-letter literal."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from openhpf.contributions.models import Remittance
from openhpf.core.recode import recode_sql
from openhpf.finance.models import ValueAddedYear
from openhpf.ledger.models import JournalEntry
from openhpf.reconciliation.models import Reconciliation
from openhpf.settlement.models import BankAccount, Instruction, Notice

ROOT = Path(__file__).resolve().parents[3]


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _migrate(app: str, target: str) -> None:
    call_command("migrate", app, target, verbosity=0, interactive=False)


@pytest.mark.django_db(transaction=True)
def test_migrations_recode_rows_both_ways(center):
    _migrate("core", "0006")
    _migrate("ledger", "0003")
    try:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM core_calendarday")
            cur.execute("INSERT INTO core_calendarday (date, kind, name) VALUES (%s, 'H', '元旦'), (%s, 'W', '调休')",
                        [date(2031, 1, 1), date(2031, 1, 4)])
            cur.execute("DELETE FROM ledger_accountingperiod")
            cur.execute("INSERT INTO ledger_accountingperiod (center_id, year, month, status, closed_by, voucher_seq) "
                        "VALUES (%s, 2031, 1, 'C', 'x', 0), (%s, 2031, 2, 'O', '', 0)", [center.pk, center.pk])
        _migrate("core", "0007")
        _migrate("ledger", "0004")
        assert _rows("SELECT kind FROM core_calendarday ORDER BY date") == [("holiday",), ("workday",)]
        assert _rows("SELECT status FROM ledger_accountingperiod ORDER BY month") == [("closed",), ("open",)]
        _migrate("ledger", "0003")
        _migrate("core", "0006")
        assert _rows("SELECT kind FROM core_calendarday ORDER BY date") == [("H",), ("W",)]
        assert _rows("SELECT status FROM ledger_accountingperiod ORDER BY month") == [("C",), ("O",)]
    finally:  # back to the latest of every app (later migrations of core and ledger included)
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cur:
            cur.execute("DELETE FROM ledger_accountingperiod")
            cur.execute("DELETE FROM core_calendarday")


@pytest.mark.django_db(transaction=True)
def test_closed_period_guard_compares_the_word(center):
    """The database guard (made anew by ledger 0004) refuses an entry in a period whose status is `closed`."""
    with connection.cursor() as cur:
        cur.execute("INSERT INTO ledger_accountingperiod (center_id, year, month, status, closed_by, voucher_seq) "
                    "VALUES (%s, 2031, 3, 'closed', 'x', 0)", [center.pk])
    pid = _rows("SELECT id FROM ledger_accountingperiod WHERE year = 2031 AND month = 3")[0][0]
    with pytest.raises(DatabaseError, match="PERIOD_CLOSED"), transaction.atomic():
        JournalEntry.objects.create(center=center, period_id=pid, voucher_no="X-1", business_date=date(2031, 3, 1),
                                    value_date=date(2031, 3, 1), total=1, description="", created_by="t",
                                    source="test")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM ledger_accountingperiod WHERE id = %s", [pid])


def test_recode_sql_touches_only_old_values():
    sql = recode_sql("t", "status", {"A": "active", "C": "closed"})
    assert sql == ('UPDATE "t" SET "status" = CASE "status" WHEN \'A\' THEN \'active\' WHEN \'C\' THEN \'closed\' '
                   'ELSE "status" END WHERE "status" IN (\'A\', \'C\')')
    with pytest.raises(ValueError):
        recode_sql("t", "status", {"A": "it's"})


@pytest.mark.parametrize(("state", "resend", "query", "final"), [
    (Instruction.State.CREATED, True, False, False),
    (Instruction.State.SENT, False, True, False),
    (Instruction.State.PROCESSING, False, True, False),
    (Instruction.State.UNKNOWN, False, True, False),
    (Instruction.State.SUCCEEDED, False, False, True),
    (Instruction.State.FAILED, False, False, True),
])
def test_instruction_state_predicates(state, resend, query, final):
    ins = Instruction(state=state)
    assert (ins.can_resend, ins.can_query, ins.is_final) == (resend, query, final)
    # every state is either open (sent or sendable) or final, never both
    assert (state in Instruction.OPEN_STATES) != (state in Instruction.FINAL_STATES)


def test_other_predicates():
    assert [Notice(status=s).awaits_finance for s in Notice.Status] == [s == Notice.Status.QUEUE for s in Notice.Status]
    assert [Remittance(status=s).is_editable for s in Remittance.Status] == [
        s == Remittance.Status.DRAFT for s in Remittance.Status]
    assert [ValueAddedYear(status=s).is_distributed for s in ValueAddedYear.Status] == [
        s == ValueAddedYear.Status.DISTRIBUTED for s in ValueAddedYear.Status]
    assert [Reconciliation(status=s).is_balanced for s in Reconciliation.Status] == [
        s == Reconciliation.Status.BALANCED for s in Reconciliation.Status]
    assert [BankAccount(status=s).is_closed for s in BankAccount.Status] == [
        s == BankAccount.Status.CLOSED for s in BankAccount.Status]


# `x.status == "C"`, `i.state != 'K'`, `kind == "H"` … in a template tag
ONE_LETTER = re.compile(r"""\b(status|state|kind|side|rule|close_kind)\s*(==|!=)\s*["'][A-Z]["']""")
LETTER_IN = re.compile(r"""\b(status|state|kind|side|rule|close_kind)\s+(not\s+)?in\s+["'][A-Z]+["']""")


def test_no_template_compares_a_status_to_a_letter():
    templates = list((ROOT / "openhpf").rglob("*.html"))
    assert len(templates) > 20
    bad = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in templates
           for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if ONE_LETTER.search(line) or LETTER_IN.search(line)]
    assert not bad, "templates compare a stored value to a letter (ask the model instead):\n" + "\n".join(bad)


def test_the_scan_finds_a_letter_comparison():
    assert ONE_LETTER.search('{% if i.state == "C" or i.state == "S" %}')
    assert ONE_LETTER.search("{% if r.status == 'B' %}")
    assert LETTER_IN.search('{% if i.state in "CSUP" %}')
    assert not ONE_LETTER.search("{% if i.can_resend %}")
