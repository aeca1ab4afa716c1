"""Statements: filtered history, the annual statement PDF (numbers, Chinese text, embedded font), employer history."""

import shutil
import subprocess
from datetime import date

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.contributions.interest.services import interest_settle
from openhpf.contributions.interest.statements import (
    annual_statement,
    annual_statement_generate,
    employer_remittance_history,
    transaction_history,
)
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.services import center_advance_business_date
from openhpf.documents.services import document_verify
from openhpf.ledger.tests.factories import deposit, withdraw


@pytest.fixture
def history(center):
    emp = make_employer(center, 1)
    a = make_account(center, emp, 1)
    deposit(center, a.sub, 100_000)                                   # 2026-11-30: 213 days
    center_advance_business_date(center=center, to=date(2027, 1, 15), actor=SystemActor("test"))
    center.refresh_from_db()
    deposit(center, a.sub, 50_000, value_date=date(2027, 1, 10))     # 172 days
    withdraw(center, a.sub, 20_000)                                   # 167 days
    return emp, a


def test_history_filters(center, history, staff):
    _, a = history
    page = transaction_history(account=a, actor=staff)
    assert [m.biz_type for m in page.items] == ["03", "01", "01", "11"]
    page = transaction_history(account=a, actor=staff, biz_types=["01"], date_from=date(2027, 1, 1))
    assert [(m.amount, m.balance_after) for m in page.items] == [(50_000, 150_000)]
    with pytest.raises(DomainError):
        transaction_history(account=a, actor=staff, biz_types=["77"])


def test_annual_statement_numbers_and_pdf(center, history, staff, tmp_path):
    _emp, a = history
    jishu = 100_000 * 213 + 50_000 * 172 - 20_000 * 167
    open_year = annual_statement(account=a, year=2026, user=staff)
    assert (open_year.opening, open_year.closing, open_year.jishu) == (0, 130_000, jishu)
    center_advance_business_date(center=center, to=date(2027, 6, 30), actor=SystemActor("test"))
    center.refresh_from_db()
    interest_settle(center=center, settle_date=date(2027, 6, 30), actor=SystemActor("test"))
    st = annual_statement(account=a, year=2026, user=staff)
    interest = 1107  # 26,560,000 × 1.5% / 360 = 1106.67 → 1107
    assert (st.opening, st.interest, st.closing, st.jishu) == (0, interest, 130_000 + interest, jishu)
    assert (st.credits, st.debits) == (150_000, 20_000)
    doc = annual_statement_generate(account=a, year=2026, actor=staff, business_date=center.business_date)
    assert doc.doc_type == "report" and len(doc.sm3) == 64 and document_verify(document=doc)
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed: PDF text not checked")
    path = tmp_path / "s.pdf"
    with doc.file.open("rb") as fh:
        path.write_bytes(fh.read())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    for expected in ("年度对账单", a.account_no, "期初余额", "1,311.07", "11.07", "265,600.00", "汇缴", "部分提取",
                     "年终结息"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts or "wqy" in fonts.lower()
    row = next(ln for ln in fonts.splitlines() if "WenQuanYi" in ln or "wqy" in ln.lower())
    assert row.split()[-5] == "yes"   # emb column


def test_font_missing_is_clear(center, history, staff, settings):
    settings.HPF_CJK_FONT = "/nonexistent/font.ttc"
    with pytest.raises(DomainError) as exc:
        annual_statement_generate(account=history[1], year=2026, actor=staff, business_date=center.business_date)
    assert exc.value.code == "CJK_FONT_MISSING" and "fonts-wqy-zenhei" in exc.value.message


def test_employer_remittance_history(center, history, staff):
    emp, _a = history
    rows = employer_remittance_history(employer=emp, user=staff)
    assert [(r.month, r.biz_type, r.members, r.rows, r.amount) for r in rows] == [
        ("202701", "01", 1, 1, 50_000), ("202611", "01", 1, 1, 100_000)]
