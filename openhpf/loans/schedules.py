"""Schedule storage (还款计划入库) in bulk: loans' schedules computed by `calculations.schedule_rows` and written
straight into loans_loaninstallment, PostgreSQL by COPY (text rows written in chunks), SQLite by executemany in
chunks. Streamed loan by loan: memory holds one chunk of rows, whatever the size of the book (20 million rows
for 100,000 loans). Runs in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from openhpf.core import db

from .calculations import schedule_rows
from .models import Loan, LoanInstallment

TABLE = LoanInstallment._meta.db_table
COLUMNS = ("loan_id", "period", "due_date", "principal", "interest", "balance")
CHUNK_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """What a loan's schedule is computed from."""

    loan_id: int
    principal: int  # fen
    annual_rate: Decimal  # %
    months: int
    method: str
    first_due: date
    first_period_days: int | None = None

    @classmethod
    def of(cls, loan: Loan, *, first_period_days: int | None = None) -> ScheduleSpec:
        return cls(loan.pk, loan.principal, Decimal(loan.annual_rate), loan.months, loan.method, loan.first_due,
                   first_period_days)


def installment_rows(specs: Iterable[ScheduleSpec]) -> Iterator[tuple[int, int, date, int, int, int]]:
    """(loan_id, period, due_date, principal, interest, balance) for every loan, one after the other."""
    for s in specs:
        for row in schedule_rows(s.principal, s.annual_rate, s.months, s.method, s.first_due,
                                 first_period_days=s.first_period_days):
            yield (s.loan_id, *row)


def schedules_store(specs: Iterable[ScheduleSpec], *, chunk_rows: int = CHUNK_ROWS) -> int:
    """Compute and store the schedules of `specs` (loans without installments yet); returns the rows written."""
    if db.is_postgresql():
        return _copy(specs, chunk_rows)
    return _executemany(specs, chunk_rows)


def _copy(specs: Iterable[ScheduleSpec], chunk_rows: int) -> int:
    n = 0
    with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        buf: list[str] = []
        pending = 0
        for s in specs:
            rows = schedule_rows(s.principal, s.annual_rate, s.months, s.method, s.first_due,
                                 first_period_days=s.first_period_days)
            lid = s.loan_id
            buf.append("".join([f"{lid}\t{p}\t{d}\t{a}\t{i}\t{b}\n" for p, d, a, i, b in rows]))
            pending += len(rows)
            if pending >= chunk_rows:
                copy.write("".join(buf))
                n, buf, pending = n + pending, [], 0
        if buf:
            copy.write("".join(buf))
            n += pending
    return n


def _executemany(specs: Iterable[ScheduleSpec], chunk_rows: int) -> int:
    n = 0
    insert = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"  # noqa: S608 — names from the model
    with connection.cursor() as cur:
        raw = cur.cursor
        batch: list[tuple[int, int, str, int, int, int]] = []
        for s in specs:
            lid = s.loan_id
            batch.extend([(lid, p, d.isoformat(), a, i, b)
                          for p, d, a, i, b in schedule_rows(s.principal, s.annual_rate, s.months, s.method,
                                                             s.first_due, first_period_days=s.first_period_days)])
            if len(batch) >= chunk_rows:
                raw.executemany(insert, batch)
                n, batch = n + len(batch), []
        if batch:
            raw.executemany(insert, batch)
            n += len(batch)
    return n
