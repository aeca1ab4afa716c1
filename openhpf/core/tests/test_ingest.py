"""The ingest toolkit: encodings, xlsx, header synonyms, cell parsing, limits, the error file."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ingest import (
    ErrorSink,
    FieldError,
    HeaderMap,
    Limits,
    TableFile,
    _parse_fen,
    cell_text,
    ndjson_lines,
    parse_date,
    parse_fen,
    parse_month,
    parse_ratio_e4,
)

ROWS = [["姓名", "缴存基数(元)"], ["张三", "5000.50"], ["李四", "12,000"]]


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_csv_in_utf8_bom_and_gbk_reads_the_same(tmp_path, encoding, detected):
    path = tmp_path / "f.csv"
    path.write_bytes(_csv_bytes(ROWS, encoding))
    table = TableFile(path)
    assert table.encoding == detected
    assert table.header == ROWS[0]  # no BOM left in the first header cell
    assert [(line, cells) for line, cells in table.rows()] == [(2, ROWS[1]), (3, ROWS[2])]


def test_csv_from_bytes_and_a_bad_byte_after_the_detected_part_is_an_error_of_the_file():
    sink = ErrorSink()
    rows = [ROWS[0], *[["张三", str(i)] for i in range(100_000)]]  # more than the megabyte the encoding is detected on
    data = _csv_bytes(rows, "utf-8") + "李四,1\n".encode("gbk")
    table = TableFile(data, name="x.csv", sink=sink)
    assert table.encoding == "utf-8"
    read = [line for line, _ in table.rows()]
    assert read[:2] == [2, 3] and len(read) > 70_000  # the rows before the bad bytes are read
    assert [e.code for e in sink.errors] == ["FILE_ENCODING"] and (sink.errors[0].row or 0) > 70_000
    assert "UTF-8 或 GBK" in sink.errors[0].message


def test_xlsx_rows_stream_from_the_first_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "缴存基数", "开户日期"])
    ws.append(["张三", 5000.5, datetime(2026, 11, 30)])
    ws.append([None, None, None])
    ws.append(["李四", 12000, "2026年11月30日"])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "f.xlsx"
    path.write_bytes(buf.getvalue())
    for table in (TableFile(path), TableFile(buf.getvalue(), name="f.xlsx")):
        assert table.excel and table.header == ["姓名", "缴存基数", "开户日期"]
        got = [(line, [cell_text(c) for c in cells]) for line, cells in table.rows()]
        assert got == [(2, ["张三", "5000.5", "2026-11-30"]), (4, ["李四", "12000", "2026年11月30日"])]
        assert [parse_date(c, "开户日期") for _, (_, _, c) in got] == ["2026-11-30", "2026-11-30"]


def test_a_damaged_workbook_is_an_error_of_the_file():
    sink = ErrorSink()
    table = TableFile(b"not a zip", name="f.xlsx", sink=sink)
    assert table.empty and [e.code for e in sink.errors] == ["FILE_UNREADABLE"]


def test_other_file_types_are_refused():
    with pytest.raises(DomainError) as info:
        TableFile(b"x", name="f.doc")
    assert info.value.code == "FILE_TYPE"


def test_header_synonyms_spaces_and_full_width_forms():
    m = HeaderMap(["单位账号(原)", "缴存基数", "bank_seq"], {"基数": "缴存基数", "银行流水号": "bank_seq"})
    header = ["\ufeff单位账号（原）", " 基 数 ", "BANK_SEQ", "备注", "银行流水号"]
    assert m.index(header) == {"单位账号(原)": 0, "缴存基数": 1, "bank_seq": 2}
    assert m.canonical("缴存基数\u3000") == "缴存基数" and m.canonical("备注") is None


def test_money_in_yuan_to_fen():
    assert parse_fen("5000.5", "基数") == 500050
    assert parse_fen("12,000", "基数") == 1200000
    assert parse_fen("-0.01", "基数") == -1
    assert parse_fen("１２３．４", "基数") == 12340  # full-width digits and point
    assert parse_fen("¥8.10", "基数") == 810
    assert parse_fen("1.230", "基数") == 123  # a trailing zero is still two decimals
    with pytest.raises(FieldError) as info:
        parse_fen("1.234", "基数")
    assert info.value.code == "MONEY_FORMAT" and "两位小数" in info.value.message and "基数" in info.value.message
    for bad in ("abc", "1e5", "12.3.4", "", "--1"):
        with pytest.raises(FieldError):
            parse_fen(bad, "基数")
    with pytest.raises(FieldError) as info:
        parse_fen("x", "新缴存基数", code=ErrorCode.MONEY_INVALID)
    assert info.value.code == "MONEY_INVALID"


@given(st.text(alphabet="0123456789.,-+ ¥１．e", max_size=20))
def test_money_fast_path_answers_as_the_general_parser(v):
    """The plain-digits shortcut of parse_fen gives the general parser's answer for any cell."""
    def answer(fn):
        try:
            return fn(v, "金额")
        except FieldError as exc:
            return exc.code

    assert answer(parse_fen) == answer(lambda x, label: _parse_fen(x, label, code=ErrorCode.MONEY_FORMAT))


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2))
def test_money_two_decimals_round_trips_exactly(d):
    assert parse_fen(str(d), "金额") == int(d * 100)
    assert parse_fen(f"{d:,.2f}", "金额") == int(d * 100)


def test_ratios_to_units_of_a_ten_thousandth():
    assert parse_ratio_e4("0.12", "比例") == 1200
    assert parse_ratio_e4("12%", "比例") == 1200
    assert parse_ratio_e4("7.5％", "比例") == 750  # a full-width percent sign
    for bad in ("12.345%", "1.5", "abc", "0.12345"):
        with pytest.raises(FieldError) as info:
            parse_ratio_e4(bad, "比例")
        assert info.value.code == "RATIO_FORMAT"


def test_dates_and_months_in_the_usual_chinese_forms():
    for v in ("2026-11-30", "2026/11/30", "20261130", "2026年11月30日", "2026-11-30 00:00:00", "2026/1/5"):
        assert parse_date(v, "开户日期") in ("2026-11-30", "2026-01-05")
    for bad in ("2026-02-30", "30/11/2026", "2026年13月1日", "abc", "202611"):
        with pytest.raises(FieldError) as info:
            parse_date(bad, "开户日期")
        assert info.value.code == "DATE_FORMAT" and "开户日期" in info.value.message
    for v in ("202611", "2026-11", "2026/11", "2026年11月"):
        assert parse_month(v, "缴至年月") == "202611"
    for bad in ("202613", "2026-1x", "2026年13月"):
        with pytest.raises(FieldError) as info:
            parse_month(bad, "缴至年月")
        assert info.value.code == "MONTH_FORMAT"


def test_cell_text():
    assert [cell_text(v) for v in (None, 5000.0, 0.12, 7, " a ", date(2026, 1, 2), True)] == \
        ["", "5000", "0.12", "7", "a", "2026-01-02", "1"]


class _Unreadable(io.BytesIO):
    def read(self, *a):  # a file refused for its size is never read
        raise AssertionError("read before the size check")


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read():
    src = _Unreadable(b"x" * 100)
    with pytest.raises(DomainError) as info:
        TableFile(src, name="big.csv", limits=Limits(max_bytes=99))
    assert info.value.code == "FILE_TOO_LARGE" and "big.csv" in info.value.message and "上限" in info.value.message
    TableFile(io.BytesIO(b"a,b\n1,2\n"), name="ok.csv", limits=Limits(max_bytes=8))


def test_a_file_over_the_row_limit_is_refused_at_the_row_past_it():
    data = _csv_bytes([["a"], *[[str(i)] for i in range(5)]], "utf-8")
    assert len(list(TableFile(data, name="f.csv", limits=Limits(max_rows=5)).rows())) == 5
    for read in (lambda t: list(t.rows()), lambda t: list(t.blocks(2)), lambda t: list(t.blocks(10))):
        with pytest.raises(DomainError) as info:
            read(TableFile(data, name="f.csv", limits=Limits(max_rows=4)))
        assert info.value.code == "FILE_TOO_MANY_ROWS" and "4" in info.value.message


def test_ndjson_lines_and_their_limits(tmp_path):
    path = tmp_path / "s.ndjson"
    path.write_text('{"a": 1}\n\n{"a": 2}\nnot json\n', encoding="utf-8")
    lines = ndjson_lines(path, code=ErrorCode.STATEMENT_FILE_JSON)
    assert [next(lines), next(lines)] == [(1, {"a": 1}), (3, {"a": 2})]
    with pytest.raises(DomainError) as info:
        next(lines)
    assert (info.value.code, info.value.row) == ("STATEMENT_FILE_JSON", 4)
    with pytest.raises(DomainError) as info:
        list(ndjson_lines(path, limits=Limits(max_rows=1)))
    assert info.value.code == "FILE_TOO_MANY_ROWS"


@pytest.mark.django_db
def test_limits_come_from_policy_with_a_center_row_over_the_national_one(center):
    from openhpf.core.models import PolicyParameter

    on = date(2026, 11, 30)
    assert Limits.from_policy(on=on, center=center) == Limits(max_rows=5_000_000, max_bytes=2 << 30,
                                                              max_errors_per_rule=10_000, max_errors=1000)
    PolicyParameter.objects.create(center=center, key="ingest.max_rows", value_type="int", value=1000,
                                   effective_from=on, approved_by="test")
    assert Limits.from_policy(on=on, center=center).max_rows == 1000
    assert Limits.from_policy(on=date(2026, 11, 29), center=center).max_rows == 5_000_000


def test_error_workbook_cells_are_strings_never_formulas(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "e.xlsx"
    sink = ErrorSink(path=path, with_file=False)
    sink.add("", 7, "姓名", ErrorCode.NAME_MISMATCH, "=HYPERLINK(\"http://x\")")
    sink.close()
    ws = load_workbook(path).worksheets[0]
    rows = [[(c.value, c.data_type) for c in r] for r in ws.iter_rows()]
    assert [v for v, _ in rows[0]] == ["行号", "列", "错误代码", "错误信息"]
    # text, and escaped besides (core.cells): a spreadsheet shows it, never runs it
    assert rows[1] == [("7", "s"), ("姓名", "s"), ("NAME_MISMATCH", "s"), ("'=HYPERLINK(\"http://x\")", "s")]


def test_error_sink_caps_each_code_and_says_how_many_it_left_out(tmp_path):
    import csv

    path = tmp_path / "e.csv"
    sink = ErrorSink(path=path, cap_per_code=2)
    for i in range(5):
        sink.add("个人.csv", i + 2, "证件号码", ErrorCode.ID_CHECKSUM, "校验位错误")
    sink.add("个人.csv", 9, "姓名", ErrorCode.REQUIRED, "姓名不能为空")
    sink.close()
    assert sink.count == 6 and len(sink.errors) == 3 and not sink.file_level
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["文件", "行号", "列", "错误代码", "错误信息"]
    assert [r[3] for r in rows[1:]] == ["ID_CHECKSUM", "ID_CHECKSUM", "REQUIRED", "ERRORS_LEFT_OUT"]
    assert "另有 3 处" in rows[-1][4]


def test_a_sink_exported_and_absorbed_is_the_sink_that_saw_the_errors(tmp_path):
    """What a worker's sink saw, absorbed into the sink of record, gives the same count, kept errors, error file
    and notes as adding those errors there directly."""
    def feed(sink):
        for row in range(2, 9):
            sink.add("个人账户.csv", row, "缴存基数", ErrorCode.MONEY_FORMAT, f"第{row}行金额错误")
        sink.add("个人账户.csv", 10, "开户日期", ErrorCode.DATE_FORMAT, "日期错误")
        sink.capped("个人账户.csv", "缴存基数", ErrorCode.BASE_ABOVE_CAP, 3)

    direct = ErrorSink(path=tmp_path / "direct.csv", cap_per_code=3)
    feed(direct)
    worker = ErrorSink(keep=10**9, cap_per_code=3)
    feed(worker)
    absorbed = ErrorSink(path=tmp_path / "absorbed.csv", cap_per_code=3)
    absorbed.absorb(worker.export())
    assert (absorbed.count, absorbed.file_level, absorbed.truncated) == (direct.count, direct.file_level, True) == (
        8, False, True)
    assert [e.as_dict() for e in absorbed.errors] == [e.as_dict() for e in direct.errors]
    direct.close()
    absorbed.close()
    assert (tmp_path / "absorbed.csv").read_bytes() == (tmp_path / "direct.csv").read_bytes()
