"""The database's idioms in one place, and the typed SQL one app hands another.

Every dialect test of the code base goes through `vendor()` / `is_postgresql()`. What differs only in spelling
between PostgreSQL and SQLite is a helper here: staging tables (BIGINT and UNLOGGED on PostgreSQL), the month
key, settings for one transaction (`work_mem`, `jit`), ANALYZE, a date parameter, bulk insert (COPY or
executemany). What is a different algorithm per database stays in its app, behind `is_postgresql()`.

Cross-app SQL (docs/architecture.md, "SQL between apps"): an app's SQL names only its own tables and the views
other apps publish (`<app>_v_<name>`, created in the owner's migrations). A set-based service that reads the
caller's rows takes a `Relation`, never a `str`: the SQL text of a Relation is made by code (identifiers and
column names), every value in it is a bound parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import DatabaseError, connection, models, transaction

__all__ = [
    "Relation",
    "analyze",
    "bigint",
    "bulk_insert",
    "bulk_load_unchecked",
    "check_foreign_keys",
    "create_staging_table",
    "create_staging_table_as",
    "date_param",
    "drop_table",
    "execute",
    "fetch",
    "is_postgresql",
    "jit_off",
    "like_escape",
    "local_work_mem",
    "month_index",
    "month_key",
    "publish_view",
    "staging_table_ddl",
    "text_before",
    "vendor",
    "worker_connection",
    "zero_pad",
]


# ---------------------------------------------------------------- the dialect


def vendor() -> str:
    """'postgresql' or 'sqlite': the one place the code base asks which database it runs on."""
    return connection.vendor


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def bigint() -> str:
    """The column type of a 64-bit integer (SQLite's INTEGER is 64 bits, and only INTEGER aliases the rowid)."""
    return "BIGINT" if is_postgresql() else "INTEGER"


def date_param() -> str:
    """A bound date parameter usable as a date value in a SELECT list (SQLite keeps dates as ISO text:
    CAST(… AS DATE) there would keep only the year's digits)."""
    return "CAST(%s AS DATE)" if is_postgresql() else "%s"


# ---------------------------------------------------------------- staging tables

_BIGINT = re.compile(r"\bBIGINT\b")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not an SQL identifier: {name!r}")
    return name


def staging_table_ddl(name: str, columns: Sequence[str] | str, *, temporary: bool = False,
                      drop_on_commit: bool = False) -> str:
    """The CREATE statement of a work table of our own making. `columns` are column definitions written with
    BIGINT (INTEGER on SQLite, where only INTEGER aliases the rowid). A permanent one is UNLOGGED on PostgreSQL
    (no WAL: a crash loses it, and a rerun stages again); a temporary one with `drop_on_commit` goes with the
    transaction on PostgreSQL (SQLite keeps it for the connection: drop it yourself)."""
    cols = columns if isinstance(columns, str) else ", ".join(columns)
    if not is_postgresql():
        cols = _BIGINT.sub("INTEGER", cols)
    if temporary:
        tail = " ON COMMIT DROP" if drop_on_commit and is_postgresql() else ""
        return f"CREATE TEMP TABLE {_ident(name)} ({cols}){tail}"
    unlogged = "UNLOGGED " if is_postgresql() else ""
    return f"CREATE {unlogged}TABLE {_ident(name)} ({cols})"


def create_staging_table(name: str, columns: Sequence[str] | str, *, temporary: bool = False,
                         drop_on_commit: bool = False) -> None:
    """Create a work table (staging_table_ddl)."""
    execute(staging_table_ddl(name, columns, temporary=temporary, drop_on_commit=drop_on_commit))


def create_staging_table_as(name: str, select: str, params: Sequence[Any] = ()) -> None:
    """CREATE TABLE … AS SELECT (UNLOGGED on PostgreSQL)."""
    unlogged = "UNLOGGED " if is_postgresql() else ""
    execute(f"CREATE {unlogged}TABLE {_ident(name)} AS {select}", params)


def drop_table(name: str, *, if_exists: bool = True) -> None:
    execute(f"DROP TABLE {'IF EXISTS ' if if_exists else ''}{_ident(name)}")


# ---------------------------------------------------------------- settings for one transaction, statistics


def local_work_mem(size: str = "256MB") -> None:
    """PostgreSQL: sorts and hash aggregates of this transaction may use `size` of memory (SET LOCAL: undone at
    its end). Nothing on SQLite."""
    if not re.fullmatch(r"\d+(kB|MB|GB)", size):
        raise ValueError(f"work_mem: {size!r}")
    if is_postgresql():
        execute(f"SET LOCAL work_mem = '{size}'")


def jit_off() -> None:
    """PostgreSQL: no JIT compilation in this transaction (one-off bulk statements: compiling costs more than it
    saves). Nothing on SQLite."""
    if is_postgresql():
        execute("SET LOCAL jit = off")


@contextmanager
def bulk_load_unchecked() -> Iterator[bool]:
    """PostgreSQL: rows inserted inside this block queue no triggers, above all no foreign-key checks. Django's
    keys are DEFERRABLE INITIALLY DEFERRED: a million-row INSERT … SELECT queues one check per row and key, run
    one by one at commit (45 s of a million-account cut-over's commit). Yields True when that is in force; the
    caller must then prove the keys of what it inserted set-based with `check_foreign_keys` before it commits.

    It sets `session_replication_role = replica` for the block only (SET LOCAL, inside the caller's
    transaction): that takes superuser or, from PostgreSQL 15, `GRANT SET ON PARAMETER session_replication_role`
    to the application's role. Without that right, or on SQLite, nothing changes (yields False) and the keys are
    checked as usual. Only for tables whose triggers are their foreign keys: a guard trigger (the ledger's
    balanced-lines check, the audit trail's append-only rule) would be off too, so postings never run inside."""
    if not is_postgresql() or not connection.in_atomic_block:
        yield False
        return
    try:
        with transaction.atomic():
            execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # no right to set it: checked row by row as usual
        yield False
        return
    try:
        yield True
    finally:
        execute("SET LOCAL session_replication_role = origin")


def check_foreign_keys(model: type[models.Model], where: str, params: Sequence[Any] = ()) -> list[str]:
    """The foreign keys of `model`'s rows matching `where` (SQL over the model's own columns), checked
    set-based: one anti-join per key with a database constraint. Returns "table.column" for each key with a row
    pointing at nothing (empty: all hold). Built from the model's metadata, as the database builds its own
    checks: the referenced tables are never named by hand."""
    broken = []
    table = model._meta.db_table
    for f in model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey) or not getattr(f, "db_constraint", True):
            continue
        target = f.related_model._meta  # type: ignore[union-attr]
        col, ref = str(f.column), str(f.target_field.column)
        rows = fetch(
            f"SELECT 1 FROM {_ident(table)} t WHERE ({where}) AND t.{_ident(col)} IS NOT NULL "  # noqa: S608 — identifiers from model metadata; values bound
            f"AND NOT EXISTS (SELECT 1 FROM {_ident(target.db_table)} x WHERE x.{_ident(ref)} = t.{_ident(col)}) "
            "LIMIT 1", params)
        if rows:
            broken.append(f"{table}.{col}")
    return broken


def analyze(*tables: str, sqlite: bool = False) -> None:
    """Fresh planner statistics for tables just filled. PostgreSQL always; SQLite only with `sqlite=True`
    (its planner reads sqlite_stat1 only where asked for)."""
    if is_postgresql() or sqlite:
        for t in tables:
            execute(f"ANALYZE {_ident(t)}")


# ---------------------------------------------------------------- expressions


def zero_pad(number_sql: str, width: int) -> str:
    """SQL: a non-negative integer expression as text, zero-padded on the left to `width` digits."""
    width = int(width)
    if is_postgresql():
        return f"lpad(CAST({number_sql} AS TEXT), {width}, '0')"
    return f"substr('{'0' * width}' || {number_sql}, -{width})"


def like_escape() -> str:
    """What follows `LIKE %s` for a backslash to escape `_` and `%` in the pattern (PostgreSQL's default)."""
    return "" if is_postgresql() else " ESCAPE '\\'"


def text_before(text_sql: str, sep: str) -> str:
    """SQL: the part of a text expression before the first `sep` (one character, from code)."""
    if len(sep) != 1 or sep in "'%\\":
        raise ValueError(f"separator: {sep!r}")
    if is_postgresql():
        return f"split_part({text_sql}, '{sep}', 1)"
    return f"substr({text_sql}, 1, instr({text_sql}, '{sep}') - 1)"


# ---------------------------------------------------------------- months

def month_key(date_sql: str) -> str:
    """SQL: the canonical month key of a date expression, the text 'YYYYMM' (the form of every stored month:
    缴存年月, paid-up-to). `date_sql` is an expression written by code, never user text."""
    if is_postgresql():
        return f"to_char({date_sql}, 'YYYYMM')"
    return f"strftime('%%Y%%m', {date_sql})"


def month_index(date_sql: str, offset: int = 0) -> str:
    """SQL: year × 12 + month − 1 (+ offset) of a date expression, an integer for month arithmetic."""
    if is_postgresql():
        return f"(EXTRACT(YEAR FROM {date_sql})::int * 12 + EXTRACT(MONTH FROM {date_sql})::int - 1 + {int(offset)})"
    return (f"(CAST(strftime('%%Y', {date_sql}) AS INTEGER) * 12 + "
            f"CAST(strftime('%%m', {date_sql}) AS INTEGER) - 1 + {int(offset)})")


# ---------------------------------------------------------------- statements


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows into a table of our own making; returns the count. COPY on PostgreSQL, executemany in chunks
    on SQLite: one statement stream, no ORM."""
    n = 0
    cols = ", ".join(_ident(c) for c in columns)
    table = _ident(table)
    with connection.cursor() as cur:
        if is_postgresql():
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            marks = ", ".join("?" for _ in columns)
            insert = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 — identifiers checked by _ident; values bound
            raw = cur.cursor
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 20000:
                    raw.executemany(insert, batch)
                    n += len(batch)
                    batch = []
            if batch:
                raw.executemany(insert, batch)
                n += len(batch)
    return n


def worker_connection() -> Any:
    """PostgreSQL: a new connection of its own (psycopg, not in autocommit) with the settings of Django's, for a
    worker process forked from this one. The worker never uses the Django connection it inherited (its socket is
    the parent's); it commits and closes this one itself."""
    if not is_postgresql():
        raise ValueError("worker connections are for PostgreSQL")
    return psycopg.connect(**connection.get_connection_params())


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


# ---------------------------------------------------------------- SQL handed across apps


@dataclass(frozen=True, slots=True)
class Relation:
    """A SELECT handed to another app's set-based service: the rows it reads (`FROM (sql) x`, `IN (sql)`).

    Made by the app whose tables `sql` names (its selectors or services), from code only: identifiers,
    column names and constants of the code; every value is in `params`. Its text names only the maker's own
    tables and views other apps publish (openhpf/tests/test_sql_boundaries.py checks every app's SQL).
    A service taking a Relation takes no `str`, so free text cannot reach it."""

    sql: str
    params: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.sql, str) or not self.sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise ValueError("a Relation is a SELECT")
        if not isinstance(self.params, tuple):
            object.__setattr__(self, "params", tuple(self.params))

    @property
    def plist(self) -> list[Any]:
        return list(self.params)



# ---------------------------------------------------------------- published views


@dataclass(frozen=True)
class View:
    """A view an app publishes for the others to read set-based: a plain projection of one of its tables (no
    join, no filter), which both planners inline, so a statement reading it runs the plan it would over the
    table."""

    app_label: str
    name: str
    table: str
    columns: tuple[str, ...]

    def create_sql(self) -> str:
        cols = ", ".join(_ident(c) for c in self.columns)
        return f"CREATE VIEW {_ident(self.name)} AS SELECT {cols} FROM {_ident(self.table)}"  # noqa: S608 — identifiers checked by _ident; values bound


VIEWS: dict[str, View] = {}


def publish_view(app_label: str, name: str, table: str, columns: Sequence[str]) -> None:
    """Register a published view (from the owner's AppConfig.ready()); named `<app_label>_v_<what>`."""
    if not name.startswith(f"{app_label}_v_"):
        raise ValueError(f"a view of {app_label} is named {app_label}_v_…: {name}")
    view = View(app_label, _ident(name), _ident(table), tuple(_ident(c) for c in columns))
    if VIEWS.setdefault(name, view) != view:
        raise ValueError(f"view {name} published twice")


def drop_views(using: str = "default", **_: Any) -> None:
    """Before migrating: the views go (SQLite rebuilds a table to alter it, and refuses while a view names the
    table; PostgreSQL refuses to change the type of a column a view shows)."""
    from django.db import connections

    with connections[using].cursor() as cur:
        for view in VIEWS.values():
            cur.execute(f"DROP VIEW IF EXISTS {view.name}")


def create_views(using: str = "default", **_: Any) -> None:
    """After migrating (and after a test flush): every published view, made anew over the current tables."""
    from django.db import connections

    conn = connections[using]
    tables = set(conn.introspection.table_names(include_views=False))
    with conn.cursor() as cur:
        for view in VIEWS.values():
            cur.execute(f"DROP VIEW IF EXISTS {view.name}")
            if view.table in tables:
                cur.execute(view.create_sql())
