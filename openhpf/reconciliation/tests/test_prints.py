"""The 银行存款余额调节表 printed (PDF) and exported (.xlsx): the figures tie to the reconciliation, the items behind
them are listed, the sign-off lines are there, and only staff who may see reconciliations get it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.money import format_fen
from openhpf.documents.tests.pdftext import pdf_text
from openhpf.iam.services import staff_create

from ..models import Reconciliation
from .test_console_day import SYS, _fee_item, acct, finance  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def test_the_adjustment_table_prints_and_exports_with_its_figures(center, acct, finance, client):  # noqa: F811
    client.force_login(finance)
    item = _fee_item(center, acct, client)
    r = Reconciliation.objects.get()
    page = client.get(reverse("reconciliation:detail", args=[r.pk])).content.decode()
    url = reverse("reconciliation:detail_export", args=[r.pk])
    assert f"{url}?format=pdf" in page and 'data-testid="recon-xlsx"' in page and "data-print" in page
    assert 'name="reason" required' in page  # the Excel is an export: asked with its 用途

    res = client.get(url, {"format": "pdf"})
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    assert "attachment" in res["Content-Disposition"] and "%E8%B0%83%E8%8A%82%E8%A1%A8" in res["Content-Disposition"]
    text = pdf_text(res.content)
    for expected in (center.name, "银行存款余额调节表", acct.account_no, "银行对账单余额", format_fen(r.bank_closing),
                     "单位账面余额", format_fen(r.book_closing), "调节后余额", format_fen(r.adjusted_bank),
                     format_fen(r.adjusted_book), "银行已付单位未付（1 笔，合计 15.00 元）", str(item.pk),
                     "制表人", "复核人", "财务负责人", "第 1 页 / 共 1 页"):
        assert expected in text, expected
    assert r.adjusted_bank == r.adjusted_book and r.bank_out_open == 15_00

    # the .xlsx needs a 用途 (a GET or an empty one writes nothing and says why), then carries the watermark
    for refused in (client.get(url, {"format": "xlsx"}), client.post(url, {"format": "xlsx", "reason": " "})):
        assert refused.status_code == 302 and refused["Location"] == reverse("reconciliation:detail", args=[r.pk])
    assert "导出须填写用途" in client.get(reverse("reconciliation:detail", args=[r.pk])).content.decode()
    assert not AuditRecord.objects.filter(action="reconciliation.adjustment.export").exists()
    res = client.post(url, {"format": "xlsx", "reason": "月末对账归档"})
    assert res.status_code == 200 and res["Content-Type"].endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(res.content))
    ws = wb.active
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert all(isinstance(c, str) for row in cells for c in row if c is not None)  # every cell a text
    mark = cells[2][0]  # under the two title lines
    assert mark.startswith("OpenHPF 导出 · 导出人 ") and "用途 月末对账归档" in mark and "内部资料" in mark
    assert wb.properties.description == mark and res["X-HPF-Watermark"]
    audit = AuditRecord.objects.get(action="reconciliation.adjustment.export")
    after = audit.after or {}
    assert after["reason"] == "月末对账归档" and after["rows"] == 1 and audit.object_id == str(r.pk)
    by_label = {row[0]: row for row in cells if row and row[0]}
    assert by_label["银行对账单余额"][1] == format_fen(r.bank_closing, grouping=False)
    assert by_label["减：单位已付银行未付"][1] == "0.00" and by_label["减：单位已付银行未付"][3] == "15.00"
    assert by_label["调节后余额"][1] == format_fen(r.adjusted_bank, grouping=False) == by_label["调节后余额"][3]
    assert by_label[str(item.pk)][3] == "-15.00"

    assert client.get(url, {"format": "docx"}).status_code == 404
    assert client.get(reverse("reconciliation:detail_export", args=[999999])).status_code == 404
    teller, _ = staff_create(username="tel1", password="pw-Teller-2026", center=center, actor=SYS)
    client.force_login(grant_role(teller, "teller", center=center))
    assert client.get(url).status_code == 403
