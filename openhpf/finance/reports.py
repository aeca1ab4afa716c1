"""Export of a financial statement to .xlsx (openpyxl; amounts as numbers in yuan with two decimals) and to
PDF (fpdf2, A4, the CJK font of contributions.statements embedded as a subset)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from openhpf.core.cells import xlsx_append
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import fen_to_yuan
from openhpf.documents.receipts import cjk_font_path

from .selectors import Statement, cell_text, ratio_text

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


def export(st: Statement, fmt: str, *, printed_on: date) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the statement in `fmt` (xlsx or pdf)."""
    if fmt not in FORMATS:
        raise DomainError(ErrorCode.EXPORT_FORMAT, f"导出格式应为 xlsx 或 pdf：{fmt}", field="format")
    data = statement_xlsx(st, printed_on=printed_on) if fmt == "xlsx" else statement_pdf(st, printed_on=printed_on)
    return data, FORMATS[fmt], f"{st.title}-{st.period.code}.{fmt}"


def attachment_header(filename: str) -> str:
    """Content-Disposition for a Chinese file name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    from urllib.parse import quote

    return f"attachment; filename=\"statement.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


def _xlsx_value(v: Any, fmt: str) -> Any:
    if v is None:
        return None
    if fmt == "ratio":
        text = ratio_text(v, 6) if isinstance(v, Fraction) else None
        return Decimal(text) if text is not None else v
    if fmt in ("count", "text"):
        return v
    return fen_to_yuan(v)


def statement_xlsx(st: Statement, *, printed_on: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = st.title[:31]
    width = max(len(s.columns) for s in st.sections) + 1
    bold = Font(bold=True)
    xlsx_append(ws, [f"{st.center_name} {st.title}"])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx_append(ws, [f"期间：{st.period.label}（{st.period.start:%Y-%m-%d} 至 {st.period.end:%Y-%m-%d}）", None, None,
               "单位：元"])
    head_fill = PatternFill("solid", fgColor="E6E6E6")
    for sec in st.sections:
        xlsx_append(ws, [])
        xlsx_append(ws, [sec.title])
        ws.cell(ws.max_row, 1).font = bold
        xlsx_append(ws, ["项目", *sec.columns])
        for c in range(1, len(sec.columns) + 2):
            cell = ws.cell(ws.max_row, c)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center")
        for r in sec.rows:
            xlsx_append(ws, [("　" * r.level) + r.label, *[_xlsx_value(v, r.fmt_of(i)) for i, v in enumerate(r.values)]])
            row = ws.max_row
            for i in range(len(r.values)):
                cell = ws.cell(row, i + 2)
                f = r.fmt_of(i)
                cell.number_format = "0.00%" if f == "ratio" else "#,##0" if f == "count" else "#,##0.00"
            if r.total:
                for c in range(1, len(r.values) + 2):
                    ws.cell(row, c).font = bold
    xlsx_append(ws, [])
    for chk in st.checks:
        xlsx_append(ws, [f"{'✓' if chk.ok else '✗'} {chk.label}", chk.detail])
    for n in st.notes:
        xlsx_append(ws, [n])
    xlsx_append(ws, [f"打印日期：{printed_on:%Y-%m-%d}；由 OpenHPF 根据总账生成。"])
    ws.column_dimensions["A"].width = 46
    for i in range(2, width + 1):
        ws.column_dimensions[chr(ord("A") + i - 1)].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fit_cell(pdf: Any, width: float, text: str, align: str, fill: bool, size: float = 8) -> None:
    """One table cell; a text wider than the cell is set smaller (down to 5 pt) rather than overflowing."""
    pdf.set_font("cjk", size=size)
    while size > 5 and pdf.get_string_width(text) > width - 2:
        size -= 0.5
        pdf.set_font("cjk", size=size)
    pdf.cell(width, 6, text, border=1, align=align, fill=fill)
    pdf.set_font("cjk", size=8)


def statement_pdf(st: Statement, *, printed_on: date) -> bytes:
    from fpdf import FPDF

    font = cjk_font_path()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"{st.title} {st.period.code}")
    pdf.set_author(st.center_name)
    pdf.set_creator("OpenHPF")
    kw: dict[str, Any] = {"collection_font_number": 0} if font.lower().endswith(".ttc") else {}
    pdf.add_font("cjk", "", font, **kw)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.cell(0, 9, st.center_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 9, st.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, f"期间：{st.period.label}（{st.period.start:%Y-%m-%d} 至 {st.period.end:%Y-%m-%d}）    单位：元",
             align="C", new_x="LMARGIN", new_y="NEXT")
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for sec in st.sections:
        n = len(sec.columns)
        first = max(60.0, usable - 32.0 * n) if n <= 3 else usable - 30.0 * n
        rest = (usable - first) / n
        pdf.ln(3)
        pdf.set_font("cjk", size=10)
        pdf.cell(0, 7, sec.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8)
        pdf.set_fill_color(230, 230, 230)
        pdf.cell(first, 6, "项目", border=1, align="C", fill=True)
        for c in sec.columns:
            pdf.cell(rest, 6, c, border=1, align="C", fill=True)
        pdf.ln(6)
        for r in sec.rows:
            pdf.set_fill_color(245, 245, 245)
            _fit_cell(pdf, first, ("  " * r.level) + r.label, "L", r.total)
            for i, v in enumerate(r.values):
                _fit_cell(pdf, rest, cell_text(v, r.fmt_of(i)), "R", r.total)
            pdf.ln(6)
    pdf.ln(3)
    pdf.set_font("cjk", size=8)
    for chk in st.checks:
        pdf.multi_cell(0, 5, f"{'[平衡]' if chk.ok else '[不符]'} {chk.label}：{chk.detail}", new_x="LMARGIN",
                       new_y="NEXT")
    for note in st.notes:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"打印日期：{printed_on:%Y-%m-%d}；本表由 OpenHPF 根据总账生成。", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
