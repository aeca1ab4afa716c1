"""明细账 of an account for a date range: the page and the streamed .xlsx tie to the ledger (opening, each line with
its running balance in the account's direction, the period's debits and credits, the closing balance); a parent
account takes the lines under it; bad input is refused in Chinese; the trial balance export keeps 方向."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from openhpf.audit.models import AuditRecord
from openhpf.finance import ledger_detail as ld
from openhpf.finance.periods import parse_period
from openhpf.finance.reports import export
from openhpf.finance.selectors import statement

BD = date(2026, 11, 30)


def _sheet(content: bytes) -> list[list[str]]:
    ws = load_workbook(io.BytesIO(content)).active
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert all(isinstance(c, str) for row in rows for c in row if c is not None), "every cell is a text"
    return rows


@pytest.fixture
def books(ledger):
    ledger.contribute(date(2026, 10, 5), 100_000)
    ledger.contribute(date(2026, 11, 3), 200_000)
    ledger.withdraw(date(2026, 11, 10), 50_000)
    ledger.income(date(2026, 11, 15), 1_234)
    return ledger


def test_the_ledger_page_and_its_xlsx(client, center, books, fin_user, teller_user):
    client.force_login(fin_user)
    params = {"account": "101", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    page = client.get(reverse("finance:ledger"), params)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="ledger-opening">1,000.00' in html
    assert 'data-testid="ledger-debit">2,012.34' in html and 'data-testid="ledger-credit">500.00' in html
    assert 'data-testid="ledger-closing">2,512.34' in html and "方向 借" in html and "共 3 笔" in html
    assert reverse("finance:ledger_export") in html and reverse("finance:ledger") in client.get(
        reverse("finance:vouchers")).content.decode()

    assert 'data-testid="ledger-xlsx"' in html and 'name="reason" required' in html  # an export: with its 用途
    refused = client.post(reverse("finance:ledger_export"), params)  # no 用途: nothing written, told why
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("finance:ledger") + "?account=101")
    assert "导出须填写用途" in client.get(refused["Location"]).content.decode()
    assert client.get(reverse("finance:ledger_export"), params).status_code == 405
    assert not AuditRecord.objects.filter(action="finance.ledger.export").exists()
    x = client.post(reverse("finance:ledger_export"), {**params, "reason": "年度审计"})
    assert x.status_code == 200 and x["Content-Type"].endswith("spreadsheetml.sheet")
    rows = _sheet(b"".join(x.streaming_content))
    assert rows[0][0] == f"{center.name} 明细账" and "101" in rows[1][0] and rows[2][0] == "期初余额：1000.00（借）"
    mark = rows[3][0]  # the watermark line under the three title lines
    assert mark.startswith("OpenHPF 导出 · 导出人 ") and "用途 年度审计" in mark and x["X-HPF-Watermark"]
    after = AuditRecord.objects.get(action="finance.ledger.export").after or {}
    assert after["rows"] == 3 and after["filters"]["account"] == "101"
    head = rows.index(["日期", "凭证号", "摘要", "科目", "借方", "贷方", "方向", "余额"])
    body = rows[head + 1: head + 4]
    assert [(r[0], r[3], r[4], r[5], r[6], r[7]) for r in body] == [
        ("2026-11-03", "10101", "2000.00", None, "借", "3000.00"),
        ("2026-11-10", "10101", None, "500.00", "借", "2500.00"),
        ("2026-11-15", "10101", "12.34", None, "借", "2512.34")]
    assert rows[head + 4][2:8] == ["本期合计", None, "2012.34", "500.00", "借", "2512.34"]

    credit_side = ld.ledger_detail(center=center, code="201", date_from=date(2026, 11, 1), date_to=BD, user=fin_user)
    assert (credit_side.side, credit_side.opening, credit_side.closing) == ("贷", 100_000, 250_000)
    assert [ln.balance for ln in credit_side.lines()] == [300_000, 250_000]

    for bad, message in (({"account": "999"}, "会计科目 999 不存在"),
                         ({"account": "101", "date_from": "2026-12-01", "date_to": "2026-11-01"}, "起始日期不能晚于截止日期"),
                         ({"account": "101", "date_from": "2026-13-01"}, "日期格式不正确")):
        r = client.get(reverse("finance:ledger"), bad)
        assert r.status_code == 422 and message in r.content.decode(), bad
        assert client.post(reverse("finance:ledger_export"), {**bad, "reason": "核对"}).status_code == 302
    client.force_login(teller_user)
    assert client.get(reverse("finance:ledger"), params).status_code == 403
    assert client.post(reverse("finance:ledger_export"), {**params, "reason": "核对"}).status_code == 403


@pytest.mark.slow
def test_exports_open_in_openpyxl_with_the_right_totals(client, center, ledger, fin_user, monkeypatch):
    """A busy month (300 entries, read in chunks of 64) exported: the 明细账 rows and totals tie to the ledger,
    and the trial balance .xlsx keeps its 方向 column with the same figures as the statement."""
    monkeypatch.setattr(ld, "CHUNK", 64)
    amounts = [((i * 7919) % 100_000 + 100) // (10 if i % 3 == 2 else 1) for i in range(300)]
    for i, amount in enumerate(amounts):  # two contributions, then a withdrawal of a tenth, day by day
        on = date(2026, 11, 1) + timedelta(days=i * 28 // 300)
        (ledger.withdraw if i % 3 == 2 else ledger.contribute)(on, amount)
    client.force_login(fin_user)
    x = client.post(reverse("finance:ledger_export"), {"account": "201", "date_from": "2026-11-01",
                                                        "date_to": "2026-11-30", "reason": "核对"})
    rows = _sheet(b"".join(x.streaming_content))
    head = rows.index(["日期", "凭证号", "摘要", "科目", "借方", "贷方", "方向", "余额"])
    body = rows[head + 1: head + 1 + len(amounts)]
    credits = sum(a for i, a in enumerate(amounts) if i % 3 != 2)
    debits = sum(a for i, a in enumerate(amounts) if i % 3 == 2)
    assert len(body) == 300 and all(r[6] == "贷" for r in body)
    assert sum(int(r[5].replace(".", "")) for r in body if r[5]) == credits
    assert sum(int(r[4].replace(".", "")) for r in body if r[4]) == debits
    total = rows[head + 1 + len(amounts)]
    assert total[2] == "本期合计" and total[4:8] == [f"{debits / 100:.2f}", f"{credits / 100:.2f}", "贷",
                                                     f"{(credits - debits) / 100:.2f}"]
    assert body[-1][7] == total[7]  # the running balance ends at the closing balance

    st = statement("trial_balance", center=center, period=parse_period("2026-11", default=BD), user=fin_user)
    tb = _sheet(export(st, "xlsx", printed_on=BD)[0])
    header = next(r for r in tb if r and r[0] == "项目")
    assert header[:6] == ["项目", "方向", "期初余额", "本期借方", "本期贷方", "期末余额"]
    by_label = {r[0].strip("　"): r for r in tb if r and r[0]}
    assert by_label["201 住房公积金"][1:6] == ["贷", "0.00", f"{debits / 100:.2f}", f"{credits / 100:.2f}",
                                           f"{(credits - debits) / 100:.2f}"]
    assert by_label["101 住房公积金存款"][1] == "借"
    total_row = by_label["合计（一级科目）"]
    assert total_row[3] == total_row[4]  # debits = credits


def test_the_statement_pdf_has_its_figures_and_sign_off_lines(client, center, books, fin_user):
    from openhpf.core.money import format_fen
    from openhpf.documents.tests.pdftext import pdf_text

    client.force_login(fin_user)
    r = client.get(reverse("finance:statement_export"), {"kind": "balance_sheet", "period": "2026-11", "format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    st = statement("balance_sheet", center=center, period=parse_period("2026-11", default=BD), user=fin_user)
    total = next(row for row in st.sections[0].rows if row.label == "资产总计")
    for expected in (center.name, "资产负债表", "资产总计", format_fen(total.values[-1]), "单位负责人：",
                     "财务负责人：", "制表人：王财务", "第 1 页 / 共 1 页"):
        assert expected in text, expected
    tb = pdf_text(client.get(reverse("finance:statement_export"),
                             {"kind": "trial_balance", "period": "2026-11", "format": "pdf"}).content)
    assert "方向" in tb and "201 住房公积金" in tb
