"""Counter screens of contributions (remittance/counter_adjust.py): the July 年度基数调整 of an employer (upload,
preview with errors by row and column, confirm), 退缴 through maker-checker and 手工登记到账. Each: the happy path
with its 回单, bad input (a Chinese message, nothing written) and a double submission."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import Workbook

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve
from openhpf.conftest import grant_role
from openhpf.contributions.models import BaseAdjustment, Receipt, Remittance
from openhpf.contributions.remittance.services import receipt_record
from openhpf.contributions.tests.receipt_helpers import confirmed_remittance
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Receipt as BusinessReceipt
from openhpf.iam.services import staff_create
from openhpf.ledger.models import JournalEntry

SYS = SystemActor("test")
REFS = itertools.count(1)


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="teller1", password="pw-Teller-2026", center=center, display_name="柜员甲",
                           actor=SYS)
    return grant_role(user, "teller", center=center)


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


@pytest.fixture
def clerk(center):
    """A 财务 of the center: the receipts page is theirs."""
    user, _ = staff_create(username="fin9", password="pw-Finance-2026", center=center, display_name="财务乙", actor=SYS)
    return grant_role(user, "finance", center=center)


def _errors(r) -> list[str]:
    """The messages a page shows (for the assertion's report)."""
    return re.findall(r'role="alert"[^>]*>(.*?)</', r.content.decode(), re.S)


def _start(client, user, url: str) -> str:
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == 200, r.content.decode()[:500]
    return _token(r.content.decode())


# ---------------------------------------------------------------- 年度基数调整


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["个人账号", "证件号码", "姓名", "新缴存基数"])
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("2026年度基数.xlsx", buf.getvalue())


def _row(acct, base):
    return (acct.account_no, acct.member.id_number, acct.member.name, base)


@pytest.fixture
def staff_of_one(center):
    emp = make_employer(center, 1)
    return emp, [make_account(center, emp, n) for n in (1, 2)]


def test_base_adjust_preview_then_confirm(client, teller, staff_of_one):
    emp, (a, b) = staff_of_one
    url = f"/contributions/employers/{emp.account_no}/base-adjust/"
    t = _start(client, teller, url)
    form = {"year": "2026", "mode": "", "_token": t}
    r = client.post(url, {**form, "file": _xlsx([_row(a, 12000), _row(b, 50000)]), "_step": "review"})
    html = r.content.decode()
    assert r.status_code == 200 and "请与客户核对" in html
    assert "10,000.00 → 12,000.00" in html and "10,000.00 → 34,470.00" in html and "按上下限调整" in html
    assert "2,400.00 → 2,880.00" in html  # 月缴存额, 12 % a side
    assert "2026-07-01" in html
    assert not BaseAdjustment.objects.exists() and MemberAccount.objects.get(pk=a.pk).base == 1_000_000
    r = client.post(url, {**form, "_step": "confirm"})
    assert r.status_code == 302
    assert dict(MemberAccount.objects.values_list("pk", "base")) == {a.pk: 1_200_000, b.pk: 3_447_000}
    receipt = BusinessReceipt.objects.get()
    lines = dict(receipt.lines)
    assert receipt.kind == "contributions.base_adjust" and lines["已调整人数"] == "2" and lines["按上下限调整人数"] == "1"
    assert lines["单位"] == f"{emp.name}（{emp.account_no}）"
    assert client.post(url, {**form, "_step": "confirm"}).status_code == 302
    assert BaseAdjustment.objects.count() == 1 and BusinessReceipt.objects.count() == 1


def test_base_adjust_errors_by_row_and_column_write_nothing(client, teller, center, staff_of_one):
    emp, (a, b) = staff_of_one
    stranger = make_account(center, make_employer(center, 2), 9)
    url = f"/contributions/employers/{emp.account_no}/base-adjust/"
    t = _start(client, teller, url)
    bad = [_row(a, 12000), (b.account_no, b.member.id_number, "别人", 9000), _row(stranger, 9000), _row(b, "abc"),
           _row(a, 13000)]
    r = client.post(url, {"year": "2026", "mode": "reject", "_token": t, "file": _xlsx(bad), "_step": "review"})
    html = r.content.decode()
    assert r.status_code == 400 and "基数清单有 4 处错误，未做任何调整" in html
    table = html[html.index('data-testid="upload-errors"'):]
    assert re.search(r"<td>3</td><td>个人账号</td><td>第 3 行：个人账号 \S+ 的姓名与登记的不符", table)
    assert re.search(r"<td>4</td><td>个人账号</td><td>第 4 行：个人账号 \S+ 不属于单位", table)
    assert re.search(r"<td>5</td><td>新缴存基数</td><td>第 5 行", table)
    assert "与第 2 行重复" in table
    assert not BaseAdjustment.objects.exists() and not BusinessReceipt.objects.exists()
    assert set(MemberAccount.objects.values_list("base", flat=True)) == {1_000_000}


@pytest.mark.parametrize(("form", "file", "message"), [
    ({"year": "2026"}, None, "请选择基数清单文件"),
    ({"year": "二〇二六"}, "ok", "缴存年度应为四位数字"),
    ({"year": "2026"}, "base.pdf", "只接受 .xlsx、.xls 或 .csv 文件"),
])
def test_base_adjust_bad_form(client, teller, staff_of_one, form, file, message):
    emp, (a, _b) = staff_of_one
    url = f"/contributions/employers/{emp.account_no}/base-adjust/"
    t = _start(client, teller, url)
    data = {**form, "mode": "", "_token": t, "_step": "review"}
    if file == "ok":
        data["file"] = _xlsx([_row(a, 12000)])
    elif file:
        data["file"] = SimpleUploadedFile(file, b"x")
    r = client.post(url, data)
    assert r.status_code == 400 and message in r.content.decode(), _errors(r)
    assert not BaseAdjustment.objects.exists() and MemberAccount.objects.get(pk=a.pk).base == 1_000_000


def test_employer_page_offers_base_adjust_and_manual_receipt(client, teller, staff_of_one):
    emp, _ = staff_of_one
    client.force_login(teller)
    page = client.get(f"/accounts/employers/{emp.account_no}/").content.decode()
    assert f"/contributions/employers/{emp.account_no}/base-adjust/" in page
    assert f"/contributions/employers/{emp.account_no}/receipt-manual/" in page


# ---------------------------------------------------------------- 退缴


def _posted(center) -> Remittance:
    r = confirmed_remittance(center)
    with transaction.atomic():
        receipt_record(center=center, amount=r.total, value_date=center.business_date, bank_ref=f"CR{next(REFS)}",
                       actor=SYS, business_date=center.business_date, employer=r.employer)
    r.refresh_from_db()
    assert r.status == Remittance.Status.POSTED
    return r


def test_refund_is_submitted_for_review(client, teller, checker, center):
    r = _posted(center)
    url = f"/contributions/remittances/{r.pk}/refund/"
    detail = (client.force_login(teller), client.get(f"/contributions/remittances/{r.pk}/"))[1].content.decode()
    assert url in detail  # reachable from the remittance page
    t = _start(client, teller, url)
    form = {"to": "suspense", "reason": "多缴一人", "_token": t}
    page = client.post(url, {**form, "_step": "review"}).content.decode()
    assert 'data-testid="money-warning"' in page and "提交复核" in page
    assert "转入单位暂存款" in page and "7,200.00 元" in page  # three accounts × ¥2,400.00
    no_tick = client.post(url, {**form, "_step": "confirm"})
    assert no_tick.status_code == 400 and not PendingCommand.objects.filter(name="contributions.refund").exists()
    resp = client.post(url, {**form, "_step": "confirm", "_ack": "1"})
    assert resp.status_code == 302
    cmd = PendingCommand.objects.get(name="contributions.refund")
    assert cmd.status == "pending" and cmd.params["remittance_id"] == r.pk
    receipt = BusinessReceipt.objects.get()
    assert receipt.title == "退缴申请（已提交复核）" and receipt.amount == r.total
    assert dict(receipt.lines)["复核状态"] == "已提交复核，待复核员批准后记账"
    assert Remittance.objects.get(pk=r.pk).status == Remittance.Status.POSTED, "nothing booked before the checker"
    assert client.post(url, {**form, "_step": "confirm", "_ack": "1"}).status_code == 302  # double submission
    assert PendingCommand.objects.filter(name="contributions.refund").count() == 1
    # a second 退缴 of the same remittance while one waits: refused in Chinese
    t2 = _start(client, teller, url)
    again = client.post(url, {**form, "_token": t2, "_step": "review"})
    assert again.status_code == 400 and "已有待复核的退缴申请" in again.content.decode()
    with transaction.atomic():
        command_approve(command=cmd, actor=checker, business_date=center.business_date)
    assert Remittance.objects.get(pk=r.pk).status == Remittance.Status.REFUNDED


def test_refund_of_an_unposted_remittance_is_refused(client, teller, center):
    r = confirmed_remittance(center)
    url = f"/contributions/remittances/{r.pk}/refund/"
    t = _start(client, teller, url)
    resp = client.post(url, {"to": "suspense", "reason": "多缴", "_token": t, "_step": "review"})
    assert resp.status_code == 400 and "只有已入账的汇缴单才能退缴" in resp.content.decode()
    resp = client.post(url, {"to": "bank", "reason": "", "_token": t, "_step": "review"})
    assert resp.status_code == 400 and "请填写退缴原因" in resp.content.decode()
    assert not PendingCommand.objects.exists() and not BusinessReceipt.objects.exists()


# ---------------------------------------------------------------- 手工登记到账


def test_manual_receipt_is_registered_for_confirmation(client, clerk, center):
    r = confirmed_remittance(center)
    client.force_login(clerk)
    page = client.get("/contributions/receipts/")
    assert "/contributions/receipts/manual/" in page.content.decode()  # reachable from the receipts page
    url = "/contributions/receipts/manual/"
    t = _start(client, clerk, url + f"?employer={r.employer.account_no}")
    form = {"employer_no": r.employer.account_no, "amount": "7,200.00", "value_date": "2026-11-30",
            "bank_ref": "HAND-9", "payer_account": "6222000011112222", "payer_name": r.employer.name,
            "remittance": str(r.pk), "_token": t}
    page = client.post(url, {**form, "_step": "review"}).content.decode()
    assert 'data-testid="money-warning"' in page and "7,200.00 元" in page and "登记本身不记账" in page
    assert not Receipt.objects.exists()
    resp = client.post(url, {**form, "_step": "confirm", "_ack": "1"})
    assert resp.status_code == 302
    rc = Receipt.objects.get()
    assert (rc.status, rc.manual, rc.amount, rc.bank_ref) == (Receipt.Status.UNCONFIRMED, True, 720_000, "HAND-9")
    assert PendingCommand.objects.filter(name="contributions.receipt_confirm", status="pending").count() == 1
    assert not JournalEntry.objects.exists(), "the maker's registration books nothing"
    receipt = BusinessReceipt.objects.get()
    assert receipt.title == "手工登记到账（已提交复核）" and dict(receipt.lines)["到账状态"] == "手工登记待确认"
    assert client.post(url, {**form, "_step": "confirm", "_ack": "1"}).status_code == 302
    assert Receipt.objects.count() == 1 and BusinessReceipt.objects.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"amount": "0"}, "金额不能小于 0.01 元"),
    ({"amount": "1.005"}, "最多两位小数"),
    ({"value_date": "2026-12-01"}, "晚于业务日期"),
    ({"employer_no": "330100999999"}, "不存在"),
    ({"bank_ref": ""}, "请填写银行流水号"),
])
def test_bad_manual_receipt_is_refused_and_writes_nothing(client, teller, center, change, message):
    emp = make_employer(center, 1)
    url = "/contributions/receipts/manual/"
    t = _start(client, teller, url)
    form = {"employer_no": emp.account_no, "amount": "100", "value_date": "2026-11-30", "bank_ref": "HAND-1",
            "payer_account": "", "payer_name": "", "remittance": "", "_token": t, **change}
    for step in ("review", "confirm"):
        resp = client.post(url, {**form, "_step": step, "_ack": "1"})
        assert resp.status_code == 400 and message in resp.content.decode()
    assert not Receipt.objects.exists() and not PendingCommand.objects.exists()
    assert not BusinessReceipt.objects.exists()
