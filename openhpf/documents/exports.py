"""The one spreadsheet writer of the console: every .xlsx (a list's export, a printed document's workbook, a
financial statement) is written here, so that every cell is text (data type "s", escaped against formulas by
core.cells, a plain negative amount like "-15.00" kept readable), the heading row has one style (HEAD_FONT,
HEAD_FILL) and a watermark line (who, when, why: access.export_watermark) sits under the title where the sheet
holds personal or internal data.

`write_xlsx` streams: an openpyxl write-only workbook takes the rows from an iterator (a query read in chunks) and
writes them to a file, so a million rows or a ledger of a whole year never sit in memory as cells. A sheet has
title lines, the watermark line, the heading row, the rows, total rows and foot lines (sign-off, printed on).
`xlsx_response` streams it as a download (from a spooled temporary file), `xlsx_bytes` / `xlsx_file` give it to
a caller that builds its own response. `append_text` writes a text row to an ordinary (styled) sheet, for the
statements whose layout needs more than a list (sections, indented rows).

Money goes in as 元 text with two decimals (`yuan_text`), never a float; dates as YYYY-MM-DD; codes with their names.
The watermark is also written to the workbook's properties and to the `X-HPF-Watermark` response header. The caller
audits the export (a personal-data export through its selector's personal_read, a non-personal one with its own
catalogue event) in the same request."""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.cells import safe_cell
from openhpf.core.money import format_fen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_FONT = Font(bold=True, size=14)
HEAD_FONT = Font(bold=True)  # the heading row and the totals of every sheet
HEAD_FILL = PatternFill("solid", fgColor="E6E6E6")
SPOOL_BYTES = 8 * 1024 * 1024  # kept in memory up to this size, then on disk
_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a plain (negative) amount is not a formula: no apostrophe before it


def yuan_text(fen: int | None) -> str:
    """123456 → '1234.56' (元, two decimals, no grouping so that a spreadsheet can still sum it); None → ''."""
    return "" if fen is None else format_fen(int(fen), grouping=False)


def cell_text(value: Any) -> str:
    """Any value as the text of a cell: None → '', dates ISO, numbers as written (a float is refused: no money
    should ever be one)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        raise TypeError("exports never take floats: format money with yuan_text")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value)


def text_value(text: str) -> str:
    """The text to store: escaped against formulas unless it is a plain (negative) number."""
    return text if _NUMBER.fullmatch(text) else str(safe_cell(text))


def xlsx_row(ws: Any, values: Iterable[Any], *, font: Font | None = None,
             fill: PatternFill | None = None) -> list[WriteOnlyCell]:
    """A write-only row of text cells (data type "s": never a formula, never a number a program may reformat, such
    as an ID number or an account with leading zeros)."""
    out = []
    for v in values:
        cell = WriteOnlyCell(ws, value=text_value(cell_text(v)))
        cell.data_type = "s"
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        out.append(cell)
    return out


def append_text(ws: Any, values: Iterable[Any]) -> None:
    """Append a row of texts to an ordinary (styled) sheet: None stays empty, everything else a text cell."""
    values = list(values)
    ws.append([None if v is None else text_value(cell_text(v)) for v in values])
    row = ws.max_row
    for i, v in enumerate(values, 1):
        if v is not None:
            ws.cell(row, i).data_type = "s"


def style_head(ws: Any, row: int, columns: int) -> None:
    """The heading style on a row of an ordinary (styled) sheet, the same as write_xlsx's heading row."""
    for c in range(1, columns + 1):
        cell = ws.cell(row, c)
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(horizontal="center")


Rows = Sequence[Sequence[Any]]


def write_xlsx(fh: IO[bytes], *, title: str | Sequence[str], header: Sequence[str], rows: Iterable[Sequence[Any]],
               watermark: str = "", totals: Rows | Callable[[], Rows] = (), foot: Sequence[str] = (),
               sheet: str = "数据", widths: Sequence[int] | None = None) -> int:
    """Write one sheet to `fh`: title lines (the first in bold), the watermark line (when given), the heading row,
    the rows, total rows (bold; a function is called after the rows were written, for sums counted while they
    stream) and foot lines. Returns the number of rows (not counting the others)."""
    titles = [title] if isinstance(title, str) else list(title)
    wb = Workbook(write_only=True)
    wb.properties.title = titles[0] if titles else sheet
    wb.properties.creator = "OpenHPF"
    if watermark:
        wb.properties.description = watermark
    ws = wb.create_sheet(sheet[:31])
    for i, w in enumerate(widths or [max(10, min(40, len(h) * 2 + 4)) for h in header]):
        ws.column_dimensions[_column_letter(i + 1)].width = w
    for n, line in enumerate(titles):
        ws.append(xlsx_row(ws, [line], font=TITLE_FONT if n == 0 else None))
    if watermark:
        ws.append(xlsx_row(ws, [watermark]))
    ws.append(xlsx_row(ws, header, font=HEAD_FONT, fill=HEAD_FILL))
    count = 0
    for r in rows:
        ws.append(xlsx_row(ws, r))
        count += 1
    for r in (totals() if callable(totals) else totals):
        ws.append(xlsx_row(ws, r, font=HEAD_FONT))
    for line in foot:
        ws.append(xlsx_row(ws, [line]))
    wb.save(fh)
    return count


def xlsx_bytes(**kw: Any) -> bytes:
    """write_xlsx into memory (a small workbook: a printed document)."""
    buf = io.BytesIO()
    write_xlsx(buf, **kw)
    return buf.getvalue()


def xlsx_file(**kw: Any) -> IO[bytes]:
    """write_xlsx into a temporary file (spilled to disk past SPOOL_BYTES), rewound: a streaming response reads it."""
    fh = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    write_xlsx(fh, **kw)  # type: ignore[arg-type]
    fh.seek(0)
    return fh  # type: ignore[return-value]


def xlsx_response(*, filename: str, title: str | Sequence[str], header: Sequence[str],
                  rows: Iterable[Sequence[Any]], watermark: str = "",
                  totals: Sequence[Any] | Callable[[], Sequence[Any]] | None = None, foot: Sequence[str] = (),
                  sheet: str = "数据", widths: Sequence[int] | None = None) -> FileResponse:
    """An .xlsx download of a list: title, watermark (when personal or internal), heading, rows, one totals row.
    `totals` may be a function called after the rows were written (sums counted while the rows stream)."""
    total_rows: Rows | Callable[[], Rows]
    if totals is None:
        total_rows = ()
    elif callable(totals):
        fn = totals
        total_rows = lambda: [fn()]  # noqa: E731
    else:
        total_rows = [totals]
    fh = xlsx_file(title=title, header=header, rows=rows, watermark=watermark, totals=total_rows, foot=foot,
                   sheet=sheet, widths=widths)
    resp = FileResponse(fh, as_attachment=True, filename=filename, content_type=XLSX)
    if watermark:
        resp["X-HPF-Watermark"] = watermark.encode("utf-8").decode("latin-1")
    return resp


def export_audit(*, actor: Any, event: AuditEvent, center: Any, reason: str, rows: int,
                 filters: dict[str, Any] | None = None, obj: Any = None) -> None:
    """The audit row of an export that holds no personal data (a personal one is audited by its selector's
    personal_read): what was exported (the catalogue event), with which filters, how many rows and why."""
    audit_log(actor=actor, action=event, obj=obj if obj is not None else (event.object_type.value, "export"),
              center=center,
              after={"rows": int(rows), "reason": (reason or "").strip()[:100],
                     "filters": {k: str(v) for k, v in (filters or {}).items() if v not in (None, "")}})


def _column_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
