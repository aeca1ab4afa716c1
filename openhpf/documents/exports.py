"""The one spreadsheet export of the console's lists: `xlsx_response` streams an .xlsx (openpyxl write-only, to a
spooled temporary file, so a million rows never sit in memory) in which EVERY cell is text (data type "s", escaped
against formulas by core.cells), with the title, the watermark line (who, when, why: access.export_watermark) and
the column heads on top and, when given, a totals row at the end.

Money goes in as 元 text with two decimals (`yuan_text`), never a float; dates as YYYY-MM-DD; codes with their names.
The watermark is also written to the workbook's properties and to the `X-HPF-Watermark` response header. The caller
audits the export (a personal-data export through its selector's personal_read, a non-personal one with its own
catalogue event) in the same request."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.cells import safe_cell
from openhpf.core.money import format_fen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def _row(ws: Any, values: Iterable[Any], *, bold: bool = False) -> list[WriteOnlyCell]:
    out = []
    for v in values:
        text = cell_text(v)
        cell = WriteOnlyCell(ws, value=text if _NUMBER.fullmatch(text) else safe_cell(text))
        cell.data_type = "s"  # text, never a formula and never a number Excel may reformat (ID numbers, accounts)
        if bold:
            cell.font = Font(bold=True)
        out.append(cell)
    return out


def xlsx_response(*, filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                  watermark: str = "", totals: Sequence[Any] | Callable[[], Sequence[Any]] | None = None,
                  sheet: str = "数据",
                  widths: Sequence[int] | None = None) -> FileResponse:
    """An .xlsx download: title row, watermark row (when personal or internal), head row, rows, totals row.
    `totals` may be a function called after the rows were written (sums counted while the rows stream)."""
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = "OpenHPF"
    if watermark:
        wb.properties.description = watermark
    ws = wb.create_sheet(sheet[:31])
    for i, w in enumerate(widths or [max(10, min(40, len(h) * 2 + 4)) for h in header]):
        ws.column_dimensions[_column_letter(i + 1)].width = w
    ws.append(_row(ws, [title], bold=True))
    if watermark:
        ws.append(_row(ws, [watermark]))
    ws.append(_row(ws, header, bold=True))
    for r in rows:
        ws.append(_row(ws, r))
    if totals is not None:
        ws.append(_row(ws, totals() if callable(totals) else totals, bold=True))
    buf = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    wb.save(buf)
    buf.seek(0)
    resp = FileResponse(buf, as_attachment=True, filename=filename, content_type=XLSX)
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
