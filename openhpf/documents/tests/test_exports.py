"""The shared list export: every cell text, watermark and totals in place, formulas neutralised, floats refused."""

from __future__ import annotations

import importlib.util
import io

import pytest
from openpyxl import load_workbook

from openhpf.core.paging import paginate
from openhpf.documents.exports import HEAD_FILL, cell_text, xlsx_bytes, xlsx_response, yuan_text


def _book(resp):
    return load_workbook(io.BytesIO(b"".join(resp.streaming_content)))


def test_every_cell_is_text_with_watermark_and_totals() -> None:
    resp = xlsx_response(filename="单位.xlsx", title="单位列表", header=["单位账号", "金额（元）"],
                         rows=[["0012", yuan_text(123456)], ["=cmd|' /C calc'!A0", yuan_text(-5)]],
                         watermark="OpenHPF 导出 · 导出人 t", totals=["合计", yuan_text(123451)])
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''%E5%8D%95%E4%BD%8D.xlsx" in resp["Content-Disposition"]
    ws = _book(resp).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["单位列表", None]
    assert rows[1][0].startswith("OpenHPF 导出")
    assert rows[2] == ["单位账号", "金额（元）"]
    assert rows[3] == ["0012", "1234.56"]  # leading zero kept: text, not a number
    assert rows[4] == ["'=cmd|' /C calc'!A0", "-0.05"]  # a formula neutralised; a negative amount stays readable
    assert rows[5] == ["合计", "1234.51"]
    assert all(c.data_type == "s" for r in ws.iter_rows() for c in r if c.value is not None)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        cell_text(1.5)
    assert cell_text(None) == "" and cell_text(True) == "是"


def test_pages_keep_the_true_total() -> None:
    p = paginate(list(range(101)), page="3", page_size=50)
    assert (p.items, p.total, p.page, p.pages, p.first_row, p.last_row) == ([100], 101, 3, 3, 101, 101)
    assert paginate(list(range(101)), page="99", page_size=50).page == 3  # past the end: the last page
    assert paginate([], page="x").first_row == 0


def test_one_writer_one_heading_style() -> None:
    """A list's export and a printed document's workbook come from the same writer: the same heading style, every
    cell text; the second writer (documents.sheet) is gone."""
    assert importlib.util.find_spec("openhpf.documents.sheet") is None
    listed = _book(xlsx_response(filename="a.xlsx", title="列表", header=["甲", "乙"], rows=[["1", "2"]],
                                 watermark="水印")).active
    printed = load_workbook(io.BytesIO(xlsx_bytes(title=["表", "期间"], header=["甲", "乙"], rows=[["1", "2"]],
                                                  foot=["制表人："]))).active
    for ws, head in ((listed, 3), (printed, 3)):
        cells = next(iter(ws.iter_rows(min_row=head, max_row=head)))
        assert [c.value for c in cells] == ["甲", "乙"]
        assert all(c.font.b and c.fill.fgColor.rgb == HEAD_FILL.fgColor.rgb for c in cells)
        assert all(c.data_type == "s" for r in ws.iter_rows() for c in r if c.value is not None)
