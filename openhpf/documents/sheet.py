"""Spreadsheet exports written as text: every cell a string (amounts already in 元 with two decimals, ratios in %,
codes with their names), typed "s" so that no program reads a formula or reformats a figure; a text starting like
a formula is escaped by core.cells, except a plain negative amount ("-15.00"), which is no formula.

(The console's list exports use documents.exports.xlsx_response; this module writes the printed documents'
workbooks, whose sheets have several title and foot lines and more than one total row.)

`write_sheet` streams: an openpyxl write-only workbook takes the rows from an iterator (a query read in chunks)
and writes them to a file, so a ledger of a whole year never sits in memory as cells. `sheet_bytes` is the same
for a small export. A sheet has title lines (the center, what it is, the period), a heading row, the rows, total
rows and foot lines (who printed it, when)."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

from openhpf.core.cells import safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a plain (negative) amount is not a formula: no apostrophe before it


def write_sheet(fh: IO[bytes], *, sheet: str, title: Sequence[str], header: Sequence[str],
                rows: Iterable[Sequence[Any]], totals: Sequence[Sequence[Any]] = (), foot: Sequence[str] = (),
                widths: Sequence[int] = ()) -> int:
    """Write one sheet to `fh`; returns the number of rows (not counting title, heading, totals, foot)."""
    from openpyxl import Workbook  # openpyxl is heavy to import: loaded only when an export is asked for

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    for i, w in enumerate(widths):
        ws.column_dimensions[_column(i)].width = w
    for line in title:
        ws.append(xlsx_row(ws, [line]))
    ws.append(xlsx_row(ws, [str(h) for h in header]))
    n = 0
    for row in rows:
        ws.append(xlsx_row(ws, [_text(v) for v in row]))
        n += 1
    for row in totals:
        ws.append(xlsx_row(ws, [_text(v) for v in row]))
    for line in foot:
        ws.append(xlsx_row(ws, [line]))
    wb.save(fh)
    return n


def sheet_bytes(**kw: Any) -> bytes:
    buf = io.BytesIO()
    write_sheet(buf, **kw)
    return buf.getvalue()


def sheet_file(**kw: Any) -> IO[bytes]:
    """The sheet in a temporary file (spilled to disk past 8 MB), rewound: a streaming response reads it."""
    fh = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 — the response closes it
    write_sheet(fh, **kw)  # type: ignore[arg-type]
    fh.seek(0)
    return fh  # type: ignore[return-value]


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def text_value(text: str) -> str:
    """The text to store: escaped against formulas unless it is a plain (negative) number."""
    return text if _NUMBER.fullmatch(text) else str(safe_cell(text))


def xlsx_row(ws: Any, values: Iterable[str]) -> list[Any]:
    """A write-only row of text cells (data type "s"), escaped against formulas."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for text in values:
        cell = WriteOnlyCell(ws, value=text_value(text))
        cell.data_type = "s"
        out.append(cell)
    return out


def append_text(ws: Any, values: Iterable[Any]) -> None:
    """Append a row of texts to an ordinary (styled) sheet: None stays empty, everything else a text cell."""
    values = list(values)
    ws.append([None if v is None else text_value(str(v)) for v in values])
    row = ws.max_row
    for i, v in enumerate(values, 1):
        if v is not None:
            ws.cell(row, i).data_type = "s"


def _column(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("A") + r) + out
    return out
