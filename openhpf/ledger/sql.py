"""Vendor-aware bulk helpers: COPY on PostgreSQL, executemany on SQLite, both chunked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def vendor() -> str:
    return connection.vendor


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows into a table of our own making; returns the count. One statement stream, no ORM."""
    n = 0
    cols = ", ".join(columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            marks = ", ".join("?" for _ in columns)
            raw = cur.cursor
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 20000:
                    raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
                    n += len(batch)
                    batch = []
            if batch:
                raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
                n += len(batch)
    return n


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount
