"""The roster file reader in small blocks and staging chunks: every error found on its own line wherever the
block boundaries fall, blank lines and short rows, values remembered from one block used in the next, a
repeated account across blocks, and the same rows read from .xlsx."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from openhpf.accounts.tests.factories import bad_check_digit, make_account, make_employer
from openhpf.contributions.models import Remittance
from openhpf.contributions.remittance import fileimport
from openhpf.contributions.remittance.fileimport import remittance_import, roster_rows
from openhpf.core.actors import SystemActor
from openhpf.core.ids import resident_id_check_digit

SYS = SystemActor("test")
MONTH = "2026-11"


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(fileimport, "BLOCK", 7)
    monkeypatch.setattr(fileimport, "CHUNK", 11)


@pytest.fixture
def rows(center):
    emps = [make_employer(center, n) for n in (1, 2)]
    for i in range(40):
        make_account(center, emps[i % 2], i + 1)
    return list(roster_rows(center=center, month=MONTH))


def _import(center, path, **kw):
    return remittance_import(center=center, path=path, month=MONTH, actor=SYS, business_date=center.business_date, **kw)


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _id(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def _broken(rows: list[list[str]]) -> tuple[list[list[str]], set[tuple[int, str]]]:
    """The roster with errors spread over several blocks; returns the file's rows and the (line, code) expected."""
    out = [r[:] for r in rows]
    out[3][2] = bad_check_digit(out[3][2])                    # line 4
    out[9][4] = "12,3x"                                        # line 10: money format
    out[16][1] = ""                                            # line 17: a required cell empty
    out[22] = out[22][:8]                                      # line 23: short row, 个人月缴额 missing
    out[30] = out[8][:]                                        # line 31 repeats line 9
    out[35][5] = out[35][6] = "12%"                            # line 36: percent form, still valid
    out[12][2] = _id("999999" + out[12][2][6:17])            # line 13: no such region
    out[13][2] = _id(out[13][2][:6] + "20991231" + out[13][2][14:17])  # line 14: born after the business date
    out[14][2] = _id(out[14][2][:6] + "19900230" + out[14][2][14:17])  # line 15: no such day
    out.insert(26, [""] * 9)                                   # a blank line: every later line moves by one
    want = {(4, "ID_CHECKSUM"), (10, "MONEY_FORMAT"), (13, "ID_REGION"), (14, "ID_BIRTH_DATE"),
            (15, "ID_BIRTH_DATE"), (17, "REQUIRED"), (23, "REQUIRED"), (9, "DUPLICATE"), (32, "DUPLICATE")}
    return out, want


def test_errors_found_across_blocks_and_chunks(center, rows, small_blocks, tmp_path):
    broken, want = _broken(rows)
    res = _import(center, _csv(tmp_path / "b.csv", broken))
    assert not res.accepted and res.rows == 40
    assert {(e["row"], e["code"]) for e in res.first_errors} == want
    assert res.rejected_rows == 9 and Remittance.objects.count() == 0
    res = _import(center, _csv(tmp_path / "b.csv", broken), exclude_rejected=True)
    assert res.accepted and res.accepted_rows == 31
    assert sum(Remittance.objects.filter(pk__in=res.remittance_ids).values_list("lines", flat=True)) == 31


def test_blocks_do_not_change_the_result(center, rows, tmp_path, monkeypatch):
    broken, want = _broken(rows)
    path = _csv(tmp_path / "b.csv", broken)
    seen = []
    for block, chunk in ((7, 11), (1, 1), (1000, 50_000)):
        monkeypatch.setattr(fileimport, "BLOCK", block)
        monkeypatch.setattr(fileimport, "CHUNK", chunk)
        res = _import(center, path)
        seen.append((res.rows, res.rejected_rows, sorted((e["row"], e["code"], e["message"]) for e in res.first_errors)))
    assert seen[0] == seen[1] == seen[2] and {(r, c) for r, c, _ in seen[0][2]} == want


def test_xlsx_in_blocks(center, rows, small_blocks, tmp_path):
    from openpyxl import Workbook

    broken, want = _broken(rows)
    wb = Workbook()
    ws = wb.active
    for r in broken:
        # Excel keeps numbers as numbers: amounts and ratios as floats, as clerks' sheets do
        ws.append([float(v) if i in (4, 5, 6, 7, 8) and v.replace(".", "", 1).isdigit() else (v or None)
                   for i, v in enumerate(r)])
    wb.save(tmp_path / "b.xlsx")
    res = _import(center, tmp_path / "b.xlsx")
    assert {(e["row"], e["code"]) for e in res.first_errors} == want


def test_an_oversized_file_is_refused_before_anything_is_created(center, rows, tmp_path):
    from openhpf.contributions.models import RemittanceImport
    from openhpf.core.errors import DomainError
    from openhpf.core.models import PolicyParameter

    path = _csv(tmp_path / "r.csv", rows)
    PolicyParameter.objects.create(center=center, key="ingest.max_bytes", value_type="int",
                                   value=path.stat().st_size - 1, effective_from=center.business_date,
                                   approved_by="test")
    with pytest.raises(DomainError) as info:
        _import(center, path)
    assert info.value.code == "FILE_TOO_LARGE" and "r.csv" in info.value.message
    assert not RemittanceImport.objects.exists() and Remittance.objects.count() == 0


def test_a_file_over_the_row_limit_is_refused(center, rows, small_blocks, tmp_path):
    from openhpf.core.errors import DomainError
    from openhpf.core.models import PolicyParameter

    PolicyParameter.objects.create(center=center, key="ingest.max_rows", value_type="int", value=39,
                                   effective_from=center.business_date, approved_by="test")
    with pytest.raises(DomainError) as info:
        _import(center, _csv(tmp_path / "r.csv", rows))
    assert info.value.code == "FILE_TOO_MANY_ROWS"
    assert Remittance.objects.count() == 0


def test_errors_of_one_rule_stop_at_the_policy_cap_and_the_workbook_says_so(center, rows, tmp_path):
    from python_calamine import CalamineWorkbook

    from openhpf.core.models import PolicyParameter

    PolicyParameter.objects.create(center=center, key="ingest.max_errors_per_rule", value_type="int", value=3,
                                   effective_from=center.business_date, approved_by="test")
    out = [r[:] for r in rows]
    for r in out[1:11]:
        r[7] = "1.00"  # ten amounts that are not base × ratio
    res = _import(center, _csv(tmp_path / "r.csv", out))
    assert not res.accepted and res.rejected_rows == 10
    assert [(e["row"], e["code"]) for e in res.first_errors] == [(2, "AMOUNT_MISMATCH"), (3, "AMOUNT_MISMATCH"),
                                                                 (4, "AMOUNT_MISMATCH")]
    got = CalamineWorkbook.from_path(res.error_file).get_sheet_by_index(0).to_python()
    assert len(got) == 5 and got[-1][2] == "ERRORS_LEFT_OUT" and "上限 3 处" in str(got[-1][3])
