"""Issue 13 item 9 (exports): an employer named `=cmd|' /C calc'!A0` reached the member export as a live formula.
Every CSV and .xlsx export now escapes a text cell that starts with = + - @ (or a tab or CR), and .xlsx cells are
written as text (data type "s"), never as formulas."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.contributions.remittance.fileimport import remittance_import, roster_write
from openhpf.core.actors import SystemActor
from openhpf.core.cells import safe_cell, safe_row, unescape_cell
from openhpf.core.ingest import cell_text
from openhpf.iam.services import staff_create

SYS = SystemActor("test")
EVIL = "=cmd|' /C calc'!A0"
MONTH = "2026-11"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_starting_a_formula_is_escaped_and_reads_back_unchanged(start):
    text = start + "1+1"
    assert safe_cell(text) == "'" + text and unescape_cell(safe_cell(text)) == text
    assert safe_cell("张三") == "张三" and safe_cell(-5) == -5 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_row(["a", "@x", None]) == ["a", "'@x", None]
    assert unescape_cell("'abc") == "'abc"  # an apostrophe before ordinary text is the user's own


@pytest.fixture
def evil(center):
    employer = make_employer(center, 7, name=EVIL)
    account = make_account(center, employer, 1, name="@张三")
    return employer, account


def test_the_member_export_escapes_an_employer_named_like_a_formula(center, evil):
    user, _ = staff_create(username="insp1", password="pw-Inspect-2026", center=center, actor=SYS)
    grant_role(user, "inspector", center=center)
    c = Client()
    c.force_login(user)
    got = c.post("/access/members/export/", {"q": evil[1].account_no, "reason": "核对单位信息"})
    assert got.status_code == 200, got.content[:300]
    ws = load_workbook(io.BytesIO(b"".join(got.streaming_content))).active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "'" + EVIL in cells and EVIL not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_the_roster_export_writes_text_cells_and_imports_back(center, evil, tmp_path):
    employer, _account = evil
    path = tmp_path / "r.xlsx"
    assert roster_write(center=center, month=MONTH, path=path, employer=employer) == 1
    ws = load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    assert "'@张三" in [c.value for c in cells]
    assert cell_text("'@张三") == "@张三"
    res = remittance_import(center=center, path=path, month=MONTH, actor=SYS, business_date=center.business_date,
                            employer=employer)
    assert res.accepted, res.first_errors  # the escaped name matches the member again
    csv_path = tmp_path / "r.csv"
    roster_write(center=center, month=MONTH, path=csv_path, employer=employer)
    assert "'@张三" in csv_path.read_text(encoding="utf-8-sig")


def test_an_import_error_file_never_holds_a_formula(center, evil, tmp_path):
    employer, account = evil
    src = tmp_path / "bad.csv"
    src.write_text("单位账号,姓名,证件号码,个人账号,缴存基数,单位缴存比例,个人缴存比例,单位月缴存额,个人月缴存额\n"
                   f"{employer.account_no},=HYPERLINK(\"http://x\"),{account.member.id_number},{account.account_no},"
                   "10000.00,0.12,0.12,1200.00,1200.00\n", encoding="utf-8")
    err = tmp_path / "errors.xlsx"
    res = remittance_import(center=center, path=src, month=MONTH, actor=SYS, business_date=center.business_date,
                            employer=employer, error_file=err)
    assert not res.accepted
    ws = load_workbook(err).active
    values = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert values and all(c.data_type == "s" for c in values)
    assert not any(str(c.value).startswith("=") for c in values)
