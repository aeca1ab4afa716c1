"""Export of a financial statement to .xlsx (openpyxl; every cell a text: amounts in 元 with two decimals, ratios in
%) and to PDF (the platform's PDF helper, documents.pdf: A4, the CJK font embedded, page numbers and the sign-off
lines 单位负责人 / 财务负责人 / 制表人)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.documents.exports import XLSX, append_text, style_head
from openhpf.documents.pdf import Col, content_disposition, printed_pdf

from .selectors import Statement, cell_text

FORMATS = {"xlsx": XLSX, "pdf": "application/pdf"}
SIGNOFF = ("单位负责人", "财务负责人", "制表人")


def export(st: Statement, fmt: str, *, printed_on: date, preparer: str = "") -> tuple[bytes, str, str]:
    """(content, content type, file name) of the statement in `fmt` (xlsx or pdf); `preparer` signs as 制表人."""
    if fmt not in FORMATS:
        raise DomainError(ErrorCode.EXPORT_FORMAT, f"导出格式应为 xlsx 或 pdf：{fmt}", field="format")
    data = (statement_xlsx(st, printed_on=printed_on, preparer=preparer) if fmt == "xlsx"
            else statement_pdf(st, printed_on=printed_on, preparer=preparer))
    return data, FORMATS[fmt], f"{st.title}-{st.period.code}.{fmt}"


def attachment_header(filename: str) -> str:
    """Content-Disposition for a Chinese file name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    return content_disposition(filename)


def _xlsx_value(v: Any, fmt: str) -> str:
    """A cell as text: money in 元 (two decimals, no grouping), ratios in %, counts as digits."""
    if v is None:
        return ""
    if fmt == "money":
        return format_fen(v, grouping=False)
    if fmt == "count":
        return str(v)
    return cell_text(v, fmt)


def statement_xlsx(st: Statement, *, printed_on: date, preparer: str = "") -> bytes:
    from openpyxl import Workbook  # openpyxl is heavy to import: loaded only when an export is asked for
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = st.title[:31]
    width = max(len(s.columns) for s in st.sections) + 1
    bold = Font(bold=True)
    append_text(ws, [f"{st.center_name} {st.title}"])
    ws["A1"].font = Font(bold=True, size=14)
    append_text(ws, [f"期间：{st.period.label}（{st.period.start:%Y-%m-%d} 至 {st.period.end:%Y-%m-%d}）", None, None,
               "单位：元"])
    for sec in st.sections:
        append_text(ws, [])
        append_text(ws, [sec.title])
        ws.cell(ws.max_row, 1).font = bold
        append_text(ws, ["项目", *sec.columns])
        style_head(ws, ws.max_row, len(sec.columns) + 1)
        for r in sec.rows:
            append_text(ws, [("　" * r.level) + r.label, *[_xlsx_value(v, r.fmt_of(i)) for i, v in enumerate(r.values)]])
            row = ws.max_row
            for i in range(len(r.values)):
                if r.fmt_of(i) != "text":
                    ws.cell(row, i + 2).alignment = Alignment(horizontal="right")
            if r.total:
                for c in range(1, len(r.values) + 2):
                    ws.cell(row, c).font = bold
    append_text(ws, [])
    for chk in st.checks:
        append_text(ws, [f"{'✓' if chk.ok else '✗'} {chk.label}", chk.detail])
    for n in st.notes:
        append_text(ws, [n])
    append_text(ws, [f"{label}：{preparer if label == '制表人' else ''}" for label in SIGNOFF])
    append_text(ws, [f"打印日期：{printed_on:%Y-%m-%d}；由 OpenHPF 根据总账生成。"])
    ws.column_dimensions["A"].width = 46
    for i in range(2, width + 1):
        ws.column_dimensions[chr(ord("A") + i - 1)].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def statement_pdf(st: Statement, *, printed_on: date, preparer: str = "") -> bytes:
    pdf = printed_pdf(center_name=st.center_name, title=st.title, printed_on=printed_on,
                      subtitle=f"期间：{st.period.label}（{st.period.start:%Y-%m-%d} 至 {st.period.end:%Y-%m-%d}）    单位：元")
    pdf.heading()
    for sec in st.sections:
        n = len(sec.columns)
        narrow = [i for i in range(n) if all(r.fmt_of(i) == "text" for r in sec.rows if len(r.values) > i)]
        cols = [Col("项目", max(2.0, 5.0 - n) if n <= 3 else 2.2)]
        cols += [Col(c, 0.45 if i in narrow else 1.0, "C" if i in narrow else "R") for i, c in enumerate(sec.columns)]
        pdf.ln(2)
        pdf.text_line(sec.title, size=10, h=7)
        body = [(("  " * r.level) + r.label, *[cell_text(v, r.fmt_of(i)) for i, v in enumerate(r.values)])
                for r in sec.rows]
        pdf.data_table(cols, body, shade={i for i, r in enumerate(sec.rows) if r.total})
    pdf.ln(2)
    for chk in st.checks:
        pdf.paragraph(f"{'[平衡]' if chk.ok else '[不符]'} {chk.label}：{chk.detail}", size=8)
    for note in st.notes:
        pdf.paragraph(note, size=8)
    pdf.paragraph("本表由 OpenHPF 根据总账生成。", size=8)
    pdf.signoff(SIGNOFF, names={"制表人": preparer})
    return pdf.to_bytes()
