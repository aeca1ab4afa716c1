"""The PDF helper and the text workbook: a long table runs over pages with its heading repeated and 第 n 页 / 共 m 页
on each, a watermark does not hide the figures, a missing font is a clear error; every cell of a workbook is a
text, a formula-like text is escaped and a negative amount is not."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from openhpf.core.errors import DomainError
from openhpf.documents.exports import text_value, xlsx_bytes
from openhpf.documents.pdf import Col, printed_pdf, yuan

from .pdftext import pdf_pages, pdf_text


def test_a_long_table_runs_over_pages_with_its_heading_and_page_numbers():
    pdf = printed_pdf(center_name="测试住房公积金管理中心", title="测试明细", subtitle="2026 年", printed_on=date(2026, 11, 30),
                      watermark="王财务 2026-11-30 打印")
    pdf.heading()
    n = pdf.data_table((Col("序号"), Col("金额（元）", 2, "R")), [(str(i), yuan(i * 100_001)) for i in range(120)],
                       totals=[("合计", yuan(sum(i * 100_001 for i in range(120))))])
    pdf.signoff()
    data = pdf.to_bytes()
    pages = pdf_pages(data)
    text = pdf_text(data)
    assert n == 120 and pages >= 3
    assert text.count("金额（元）") == pages  # the heading on every page
    for p in range(1, pages + 1):
        assert f"第 {p} 页 / 共 {pages} 页" in text
    assert "119,001.19" in text and "7,140,071.40" in text and "单位负责人：" in text and "制表人：" in text


def test_a_missing_font_is_a_clear_error(settings):
    settings.HPF_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(DomainError) as e:
        printed_pdf(center_name="x", title="y", printed_on=date(2026, 11, 30))
    assert e.value.code == "CJK_FONT_MISSING"


def test_workbook_cells_are_texts():
    assert [text_value(t) for t in ("-15.00", "1234.56", "-7")] == ["-15.00", "1234.56", "-7"]
    assert [text_value(t) for t in ("=1+1", "-1+1", "@x", "-1,234.56")] == ["'=1+1", "'-1+1", "'@x", "'-1,234.56"]
    data = xlsx_bytes(sheet="测试", title=["标题"], header=("名称", "金额"), rows=[("=cmd|' /C calc'!A0", "-15.00"),
                                                                             ("甲", 3)], totals=[("合计", "-12.00")])
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [("标题", None), ("名称", "金额"), ("'=cmd|' /C calc'!A0", "-15.00"), ("甲", "3"), ("合计", "-12.00")]
