"""Cells of exported spreadsheets (CSV and .xlsx) that a spreadsheet program can never run as a formula.

A text that starts with = + - @ (or a tab or carriage return, which some programs skip before reading a formula) is
written with a leading apostrophe: `=cmd|' /C calc'!A0` is shown as the text it is instead of starting a program
(CSV injection, OWASP). Every export writes its cells through `safe_cell`/`safe_row`; .xlsx cells are also written
with data type "s" (text), never "f" (formula), by `xlsx_row` (write-only sheets) or `xlsx_append` (ordinary
sheets). Numbers (int, Decimal, float) are left as numbers: a negative amount is a number, not a formula.

Reading a file back (core.ingest.cell_text) removes that one apostrophe again (`unescape_cell`), so a file the
platform wrote (the expected roster) imports unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def safe_cell(value: Any) -> Any:
    """The value to write: a text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return ESCAPE + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def unescape_cell(text: str) -> str:
    """A text read from a file: the apostrophe `safe_cell` added is removed (only before a formula start)."""
    if text.startswith(ESCAPE) and text[1:2] and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def xlsx_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """A row for an openpyxl write-only sheet: texts escaped and typed "s", numbers as they are."""
    from openpyxl.cell import WriteOnlyCell

    row = []
    for v in values:
        cell = WriteOnlyCell(ws, value=safe_cell(v))
        if isinstance(v, str):
            cell.data_type = "s"  # text, never a formula
        row.append(cell)
    return row


def xlsx_append(ws: Any, values: Iterable[Any]) -> None:
    """Append a row to an ordinary openpyxl sheet: texts escaped and typed "s", never formulas."""
    values = list(values)
    ws.append(safe_row(values))
    row = ws.max_row
    for i, v in enumerate(values, 1):
        if isinstance(v, str):
            ws.cell(row, i).data_type = "s"
