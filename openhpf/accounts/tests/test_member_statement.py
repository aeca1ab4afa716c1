"""个人明细 printed: the print page and the PDF of a date range tie to the ledger rows (opening, each row, totals,
closing), the name and ID number are masked, the PDF carries the watermark, every print writes the audit row
个人明细打印, bad dates are refused in Chinese, and a role without accounts.view gets nothing."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.documents.tests.pdftext import pdf_text
from openhpf.iam.services import staff_create
from openhpf.ledger.models import SubLedgerRow

from .test_history_view import _remit, account, clerk, client_in  # noqa: F401 — fixtures


def test_a_member_statement_for_a_date_range(center, account, client_in):  # noqa: F811
    _remit(center, account, "202611", 200000, date(2026, 11, 28), "汇缴入账 #11")
    history = client_in.get(reverse("accounts:member_history", args=[account.account_no]),
                            {"date_from": "2026-11-01"}).content.decode()
    url = reverse("accounts:member_statement", args=[account.account_no])
    assert f"{url}?print=1&amp;date_from=2026-11-01" in history

    before = AuditRecord.objects.filter(action=AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_PRINT).count()
    r = client_in.get(url, {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    html = r.content.decode()
    rows = SubLedgerRow.objects.filter(sub_account_id=account.pk, business_date__gte=date(2026, 11, 1))
    assert r.status_code == 200 and rows.count() == 3  # two remittances and the seal event
    assert 'data-testid="statement-opening">2,000.00 元' in html  # October's remittance, before the range
    assert 'data-testid="statement-closing">6,000.00 元' in html and "4,000.00 元" in html  # credits
    assert "李建国" not in html and "李" in html and "汇缴入账 #11" in html and "2026-11" in html
    assert f"{url}?date_from=2026-11-01&amp;date_to=2026-11-30&amp;format=pdf" in html

    pdf = client_in.get(url, {"date_from": "2026-11-01", "date_to": "2026-11-30", "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in ("住房公积金个人明细", account.account_no, "2026-11-01 至 2026-11-30", "期初余额", "2,000.00",
                     "6,000.00", "增加 4,000.00，减少 0.00", "汇缴入账 #9", "汇缴入账 #11", "杭州云栖科技有限公司",
                     "histclerk", "打印", "第 1 页 / 共 1 页"):
        assert expected in text, expected
    assert "李建国" not in text and account.member.id_number not in text
    audits = AuditRecord.objects.filter(action=AuditEvent.ACCOUNTS_MEMBER_ACCOUNT_PRINT).order_by("pk")
    assert audits.count() == before + 2
    last = audits.last()
    assert last.object_id == str(account.pk) and "2026-11-01" in str(last.after) and "pdf" in str(last.after)

    bad = client_in.get(url, {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert bad.status_code == 422 and "截止日期不能早于起始日期" in bad.content.decode()
    assert client_in.get(url, {"date_from": "2026-13-01"}).status_code == 422
    assert audits.count() == before + 2  # refused: nothing read, nothing audited


def test_the_statement_needs_accounts_view(center, account, client):  # noqa: F811
    user, _ = staff_create(username="sec1", password="pw-Secadm-2026", center=center, actor=SystemActor("test"))
    client.force_login(grant_role(user, "secadmin", center=center))
    assert client.get(reverse("accounts:member_statement", args=[account.account_no])).status_code == 403
