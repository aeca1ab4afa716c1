"""Financial statements: figures by hand, the balance sheet balances and ties to the ledger, exports."""

from __future__ import annotations

import io
from datetime import date
from fractions import Fraction

import pytest

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.finance.periods import parse_period
from openhpf.finance.reports import export
from openhpf.finance.selectors import Statement, statement
from openhpf.ledger.tests.factories import deposit

BD = date(2026, 11, 30)


@pytest.fixture
def books(ledger):
    """A small year of business (amounts in fen), with one 2025 income left unclosed."""
    b = ledger
    b.contribute(date(2025, 12, 20), 100000)
    b.income(date(2025, 12, 31), 1000)
    b.contribute(date(2026, 1, 10), 500000)
    b.contribute(date(2026, 2, 10), 300000, BizType.BACK_PAYMENT)
    b.withdraw(date(2026, 3, 5), 120000)
    b.expense(date(2026, 3, 31), 4000)
    b.income(date(2026, 4, 20), 2500)
    b.disburse(date(2026, 5, 10), 200000)
    b.repay(date(2026, 6, 10), 20000, 700)
    b.overdue(date(2026, 7, 10), 5000)
    return b


def rows(st: Statement, section: int = 0) -> dict[str, list]:
    return {r.label: r.values for r in st.sections[section].rows}


def by_code(st: Statement, section: int) -> dict[str, list]:
    return {r.code: r.values for r in st.sections[section].rows if r.code}


def test_period_parsing():
    assert parse_period("2026-11", default=BD).start == date(2026, 11, 1)
    assert parse_period("2026-11", default=BD).end == date(2026, 11, 30)
    q = parse_period("2026-Q1", default=BD)
    assert (q.kind, q.start, q.end, q.months) == ("quarter", date(2026, 1, 1), date(2026, 3, 31),
                                                  [(2026, 1), (2026, 2), (2026, 3)])
    y = parse_period("2024", default=BD)
    assert (y.start, y.end, len(y.months)) == (date(2024, 1, 1), date(2024, 12, 31), 12)
    d = parse_period("2026-02-14", default=BD)
    assert (d.kind, d.start, d.end, d.label) == ("date", date(2026, 1, 1), date(2026, 2, 14), "2026年1月1日至2月14日")
    assert parse_period("", default=BD).code == "2026-11"
    assert parse_period("2028-02", default=BD).end == date(2028, 2, 29)
    for bad in ("2026-13", "2026-Q5", "26", "2026-02-30", "abc", "1800"):
        with pytest.raises(DomainError) as e:
            parse_period(bad, default=BD)
        assert e.value.code == "PERIOD_FORMAT"


def test_balance_sheet_balances_and_ties_to_the_ledger(center, books, fin_user):
    st = statement("balance_sheet", center=center, period=parse_period("2026-11", default=BD), user=fin_user)
    assets, right = by_code(st, 0), by_code(st, 1)
    # by hand: 101 = 100000 + 1000 + 500000 + 300000 − 120000 + 2500 − 200000 + 20700
    assert assets["101"] == [101000, 604200]
    assert assets["121"] == [0, 175000] and assets["122"] == [0, 5000]
    assert right["201"] == [100000, 780000] and right["211"] == [0, 4000]
    # 增值收益 includes the 损益 not yet transferred: 1000 (2025) + 2500 + 700 − 4000
    assert right["311"] == [1000, 200]
    totals = rows(st, 0)["资产总计"], rows(st, 1)["负债和净资产总计"]
    assert totals[0] == totals[1] == [101000, 784200]
    assert st.balanced and all(c.ok for c in st.checks)
    # every account line equals the builder's own sum of what it posted
    for code in ("101", "121", "122"):
        assert assets[code][1] == books.balance(code, BD)
        assert assets[code][0] == books.balance(code, date(2025, 12, 31))
    for code in ("201", "211"):
        assert right[code][1] == -books.balance(code, BD)
    assert sum(assets[c][1] for c in assets) == sum(books.balance(c, BD) for c in ("101", "121", "122"))


def test_balance_sheet_as_of_a_date(center, books, fin_user):
    st = statement("balance_sheet", center=center, period=parse_period("2026-03-05", default=BD), user=fin_user)
    assets, right = by_code(st, 0), by_code(st, 1)
    assert assets["101"][1] == books.balance("101", date(2026, 3, 5)) == 781000
    assert right["201"][1] == 780000 and right["311"][1] == 1000 and st.balanced


def test_income_statement(center, books, fin_user):
    st = statement("income", center=center, period=parse_period("2026-Q2", default=BD), user=fin_user)
    r = rows(st)
    assert r["一、业务收入"] == [3200, 3200]  # 2500 bank interest (Apr) + 700 loan interest (Jun)
    assert r["住房公积金利息收入"] == [2500, 2500] and r["委托贷款利息收入"] == [700, 700]
    assert r["二、业务支出"] == [0, 4000] and r["住房公积金利息支出"] == [0, 4000]
    assert r["三、增值收益"] == [3200, -800]
    assert st.balanced
    year = statement("income", center=center, period=parse_period("2025", default=BD), user=fin_user)
    assert rows(year)["三、增值收益"] == [1000, 1000]


def test_business_status(center, books, fin_user):
    st = statement("business", center=center, period=parse_period("2026", default=BD), user=fin_user)
    fund = rows(st, 0)
    assert fund["期初缴存余额"] == [100000, 100000]
    assert fund["汇缴（01）"] == [500000, 500000]
    assert fund["补缴（02）"] == [300000, 300000]
    assert fund["部分提取（11）净增加"] == [-120000, -120000]
    assert fund["期末缴存余额"] == [780000, 780000]
    assert fund["缴存额（汇缴、补缴、转入）"] == [800000, 800000]
    assert fund["提取额（部分提取、销户提取、转出）"] == [120000, 120000]
    assert fund["提取率（提取额 / 缴存额）"] == [Fraction(3, 20)] * 2
    withdrawals = {r.code: r.values for r in st.sections[2].rows}
    assert withdrawals[BizType.PARTIAL_WITHDRAWAL] == [120000, 1, 120000, 1]
    loans = rows(st, 3)
    assert loans["期初个贷余额"] == [0, 0]
    assert loans["发放额"] == [200000, 200000]
    assert loans["回收额"] == [20000, 20000]  # the transfer to 逾期 nets to zero inside its entry
    assert loans["期末个贷余额"] == [180000, 180000] and loans["其中：逾期贷款"] == [5000, 5000]
    assert loans["个贷率（期末个贷余额 / 期末缴存余额）"][0] == Fraction(180000, 780000)
    assert loans["个贷逾期率（逾期贷款 / 个贷余额）"][0] == Fraction(5000, 180000)
    assert st.balanced
    q3 = statement("business", center=center, period=parse_period("2026-Q3", default=BD), user=fin_user)
    assert rows(q3, 3)["期初个贷余额"] == [180000, 0] and rows(q3, 3)["发放额"] == [0, 200000]


def test_business_status_counts(center, fin_user):
    e1, e2 = make_employer(center, 1), make_employer(center, 2)
    a1, a2, a3 = make_account(center, e1, 1), make_account(center, e1, 2), make_account(center, e2, 3)
    deposit(center, a1.sub, 10000)
    deposit(center, a3.sub, 20000)
    st = statement("business", center=center, period=parse_period("2026-11", default=BD), user=fin_user)
    counts = rows(st, 1)
    assert counts["期末单位账户数"] == [2, 2] and counts["期末个人账户数"] == [3, 3]
    assert counts["实缴单位数"] == [2, 2] and counts["实缴职工数"] == [2, 2]
    assert counts["新开个人账户数"] == [3, 3]
    assert a2.pk  # opened, never paid
    earlier = statement("business", center=center, period=parse_period("2026-10", default=BD), user=fin_user)
    assert rows(earlier, 1)["期末个人账户数"] == [0, 0]


def test_trial_balance_through_the_ledger_selector(center, books, fin_user):
    st = statement("trial_balance", center=center, period=parse_period("2026-Q2", default=BD), user=fin_user)
    r = {row.code: row.values for row in st.sections[0].rows if row.code}
    assert r["40101"] == ["贷", 1000, 0, 2500, 3500]  # 方向, opening, debit, credit, closing (credit side positive)
    assert r["121"] == ["借", 0, 200000, 20000, 180000]
    assert st.balanced


def test_statements_need_finance_view(center, books, teller_user):
    with pytest.raises(PermissionDenied) as denied:
        statement("balance_sheet", center=center, period=parse_period("2026-11", default=BD), user=teller_user)
    assert denied.value.code == "FORBIDDEN"
    with pytest.raises(DomainError) as e:
        statement("nonsense", center=center, period=parse_period("2026-11", default=BD), user=SystemActor("test"))
    assert e.value.code == "STATEMENT_KIND"


@pytest.mark.parametrize("kind", ["balance_sheet", "income", "distribution", "business", "trial_balance"])
def test_exports(center, books, fin_user, kind):
    from openpyxl import load_workbook

    st = statement(kind, center=center, period=parse_period("2026", default=BD), user=fin_user)
    data, ctype, name = export(st, "xlsx", printed_on=BD)
    assert ctype.endswith("spreadsheetml.sheet") and name == f"{st.title}-2026.xlsx"
    ws = load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert f"{center.name} {st.title}" in cells
    pdf, ctype, _ = export(st, "pdf", printed_on=BD)
    assert ctype == "application/pdf" and pdf.startswith(b"%PDF") and len(pdf) > 2000
    with pytest.raises(DomainError):
        export(st, "docx", printed_on=BD)


def test_xlsx_carries_the_figures(center, books, fin_user):
    from decimal import Decimal

    from openpyxl import load_workbook

    st = statement("balance_sheet", center=center, period=parse_period("2026-11", default=BD), user=fin_user)
    ws = load_workbook(io.BytesIO(export(st, "xlsx", printed_on=BD)[0])).active
    found = {row[0].strip("　"): row[1:3] for row in ws.iter_rows(values_only=True) if row and isinstance(row[0], str)}
    assert [Decimal(str(v)) for v in found["资产总计"]] == [Decimal("1010.00"), Decimal("7842.00")]
    assert [Decimal(str(v)) for v in found["住房公积金"]] == [Decimal("1000.00"), Decimal("7800.00")]
