"""The set-based validation engine shared by the file loaders (docs/ingest.md).

A rule is SQL over a staging table with a code, a Chinese message and the column it blames. Every rule runs
(no stop at the first failing one), so a file's errors are all listed at once; each rule stops early after
`cap` errors (the policy `ingest.max_errors_per_rule`), and its rows are streamed from the cursor into the
`ErrorSink` (which writes them to the error file), so memory stays bounded whatever the file holds.

Two forms, one engine:

- `Rule(sql=…)`: a query of its own, `SELECT line, detail… FROM … ORDER BY …`, run with `LIMIT cap` (checks
  across tables: duplicates, references);
- `Rule(where=…, detail=…)`: a condition over one table; `run_table_rules` checks all such rules in one pass
  over the table (one scan for a million rows instead of one per rule), a flag per rule.

A message is formatted with the detail values (`{0}`, `{1}`) and the row (`{row}`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .error_codes import ErrorCode
from .ingest import ErrorSink
from .money import format_message

FETCH = 5000


@dataclass(frozen=True)
class Rule:
    code: ErrorCode
    message: str
    column: str
    sql: str = ""  # SELECT line, detail… FROM … [ORDER BY …] (no LIMIT: the engine adds it)
    where: str = ""  # or: a condition over the table given to run_table_rules
    detail: tuple[str, ...] = ()  # with `where`: SELECT expressions for the message's {0}, {1}
    params: tuple[Any, ...] = ()  # bind parameters of `sql`
    file: str = ""

    def format(self, row: int, detail: Sequence[Any]) -> str:
        return format_message(self.message, *detail, "", "", row=row)


def run_rules(rules: Sequence[Rule], sink: ErrorSink, *, cap: int | None = None) -> dict[str, int]:
    """Run every query rule; each adds at most `cap` errors. Returns the errors found per rule code."""
    found: dict[str, int] = {}
    with connection.cursor() as cur:
        for r in rules:
            if not r.sql:
                raise ValueError(f"rule {r.code} has no query")
            limit = f" LIMIT {int(cap)}" if cap is not None else ""
            cur.execute(r.sql + limit, list(r.params))
            n = 0
            while batch := cur.fetchmany(FETCH):
                for line, *detail in batch:
                    row = int(line) if line is not None else None
                    sink.add(r.file, row, r.column, r.code, r.format(row or 0, detail))
                n += len(batch)
            if cap is not None and n >= cap:
                sink.capped(r.file, r.column, r.code, cap)
            found[r.code] = found.get(r.code, 0) + n
    return found


def failing(rules: Sequence[Rule]) -> str:
    """The condition true for a row that fails any of the rules."""
    return " OR ".join(f"({r.where})" for r in rules)


def run_table_rules(table: str, rules: Sequence[Rule], sink: ErrorSink, *, cap: int | None = None,
                    order: str = "seq", line: str = "line") -> int:
    """Every `where` rule in one pass over `table`: the rows failing any rule come back in `order` with a flag
    per rule and the values their messages need. A rule stops adding errors after `cap`; the pass stops when
    every rule has. Returns the failing rows seen."""
    if not rules:
        return 0
    flags = [f"CASE WHEN ({r.where}) THEN 1 ELSE 0 END" for r in rules]
    details = [d for r in rules for d in r.detail]
    counts = [0] * len(rules)
    open_rules = len(rules)
    n = 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT {line}, {', '.join(flags + details)} FROM {table} WHERE {failing(rules)} "  # noqa: S608 — the loader's own staging table and rule SQL from code; values bound
                    f"ORDER BY {order}")
        while open_rules and (batch := cur.fetchmany(FETCH)):
            for row_no, *got in batch:
                if not open_rules:
                    break
                n += 1
                values = iter(got[len(rules):])
                for i, (r, flag) in enumerate(zip(rules, got[:len(rules)], strict=True)):
                    d = [next(values) for _ in r.detail]
                    if flag and (cap is None or counts[i] < cap):
                        counts[i] += 1
                        if cap is not None and counts[i] == cap:
                            open_rules -= 1
                            sink.capped(r.file, r.column, r.code, cap)
                        sink.add(r.file, int(row_no), r.column, r.code, r.format(int(row_no), d))
    return n
