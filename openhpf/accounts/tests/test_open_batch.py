"""个人批量开户 from .xlsx (member_open_batch.py): the template says what each column takes; an upload shows every
error by row and column before anything is created; confirming opens every row or none with one 回单."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from openhpf.accounts.member_open_batch import HEADERS
from openhpf.accounts.models import Member, MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Receipt
from openhpf.iam.services import staff_create
from openhpf.ledger.models import SubAccount, SubLedgerRow

URL = "/accounts/members/open/batch/"


@pytest.fixture
def client_in(client, center):
    user, _ = staff_create(username="batchclerk", password="pw-Batch-2026", center=center, display_name="柜员丙",
                           actor=SystemActor("test"))
    client.force_login(grant_role(user, "teller", center=center))
    return client


@pytest.fixture
def employer(center):
    return make_employer(center, 1, name="杭州批量科技有限公司")


def _row(n: int, **kw):
    row = {"姓名": f"孙{n}", "证件类型": "01", "证件号码": resident_id(n), "出生日期": None, "性别": None,
           "手机号码": f"139{n:08d}", "婚姻状况": "未婚", "缴存基数（元）": "8500.5", "单位缴存比例（%）": None,
           "个人缴存比例（%）": None}
    row.update(kw)
    return [row[h] for h in HEADERS]


def _xlsx(rows, headers=HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("开户.xlsx", out.getvalue())


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m
    return m.group(1)


def _state():
    return (MemberAccount.objects.count(), Member.objects.count(), SubAccount.objects.count(),
            SubLedgerRow.objects.count(), Receipt.objects.count(),
            AuditRecord.objects.filter(action__startswith="accounts.member").exclude(
                action="accounts.member_account.view").count())


def _upload(client, employer, rows, **kw):
    token = _token(client.get(URL).content.decode())
    r = client.post(URL, {"employer_no": employer.account_no, "_token": token, "_step": "review",
                          "file": _xlsx(rows, **kw)})
    return r, token, r.content.decode()


def test_template_says_what_each_column_takes(client_in):
    r = client_in.get(reverse("accounts:member_open_template"))
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["开户清册"]
    assert [c.value for c in ws[1]] == HEADERS
    assert "元" in ws["H1"].comment.text and "12 表示 12%" in ws["I1"].comment.text
    assert ws["C2"].number_format == "@"  # ID numbers typed as text, never as numbers
    guide = {row[0]: row[1] for row in wb["填写说明"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert "18 位" in guide["证件号码"] and "两位小数" in guide["缴存基数（元）"]


def test_preview_then_confirm_opens_all_with_one_receipt(client_in, employer):
    before = _state()
    r, token, html = _upload(client_in, employer, [_row(1), _row(2, **{"单位缴存比例（%）": 10, "个人缴存比例（%）": "10%"}),
                                                   _row(3, **{"证件类型": "护照", "证件号码": "P1234567",
                                                              "出生日期": "1988-05-06", "性别": "女"})])
    assert r.status_code == 200, re.findall(r"<td>(.*?)</td>", html)
    assert 'data-testid="batch-ok">3 人' in html and "25,501.50" in html and "尚未开户" in html
    assert _state() == before  # the preview creates nothing
    no_ack = client_in.post(URL, {"employer_no": employer.account_no, "_token": token, "_step": "confirm"})
    assert no_ack.status_code == 400 and "请勾选" in no_ack.content.decode() and _state() == before
    r = client_in.post(URL, {"employer_no": employer.account_no, "_token": token, "_step": "confirm", "_ack": "1"})
    assert r.status_code == 302
    accts = list(MemberAccount.objects.filter(employer=employer).order_by("account_no"))
    assert len(accts) == 3 and accts[0].base == 850050
    assert str(accts[1].employer_ratio) == "0.1000" and accts[2].member.sex == "2"
    receipt = Receipt.objects.get(kind="accounts.member.open_batch")
    lines = dict(receipt.lines)
    assert lines["开户人数"] == "3 人" and lines["个人账号"] == f"{accts[0].account_no} 至 {accts[2].account_no}"
    assert r["Location"] == f"/documents/receipts/{receipt.number}/"
    again = client_in.post(URL, {"employer_no": employer.account_no, "_token": token, "_step": "confirm", "_ack": "1"})
    assert again["Location"] == r["Location"] + "?repeat=1" and MemberAccount.objects.count() == 3


def test_every_error_by_row_and_column_and_nothing_written(client_in, center, employer):
    make_account(center, employer, 9, name="孙9")  # this person has an account already
    before = _state()
    r, token, html = _upload(client_in, employer, [
        _row(1),
        _row(2, **{"证件号码": resident_id(2)[:-1] + ("0" if resident_id(2)[-1] != "0" else "1"),
                   "手机号码": "2391234567"}),
        _row(3, **{"缴存基数（元）": "8500.123", "单位缴存比例（%）": "12.345"}),
        _row(4, **{"证件类型": "身份", "姓名": ""}),
        _row(1),  # the same person twice in the file
        _row(9),
        _row(6, **{"缴存基数（元）": "100"}),
    ])
    assert r.status_code == 400
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
    got = {(row, col): msg for row, col, msg in cells}
    assert "校验位错误" in got[("第 3 行", "证件号码")]
    assert "手机号码应为以 1 开头的 11 位数字" in got[("第 3 行", "手机号码")]
    assert "最多两位小数" in got[("第 4 行", "缴存基数（元）")]
    assert "单位缴存比例应为百分数" in got[("第 4 行", "单位缴存比例（%）")]
    assert got[("第 5 行", "姓名")] == "请填写姓名" and "证件类型「身份」不正确" in got[("第 5 行", "证件类型")]
    assert "一人一户" in got[("第 6 行", "证件号码")] and "一人一户" in got[("第 7 行", "证件号码")]
    assert "低于下限" in got[("第 8 行", "缴存基数（元）")] and "元" in got[("第 8 行", "缴存基数（元）")]
    assert ("第 2 行", "—") not in got and "batch-confirm" not in html  # no confirmation while errors stand
    assert _state() == before
    r = client_in.post(URL, {"employer_no": employer.account_no, "_token": token, "_step": "confirm", "_ack": "1"})
    assert r.status_code == 400 and _state() == before  # a forced confirmation opens none


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("x.xlsx", b"not a workbook"), "文件不是有效的 Excel（.xlsx）文件"),
    (_xlsx([["孙一"]], headers=["姓名", "证件号码"]), "第 1 行表头应为：姓名、证件类型"),
    (_xlsx([]), "文件中没有数据行"),
])
def test_bad_files(client_in, employer, upload, message):
    before = _state()
    token = _token(client_in.get(URL).content.decode())
    r = client_in.post(URL, {"employer_no": employer.account_no, "_token": token, "file": upload})
    assert r.status_code == 400 and message in r.content.decode() and _state() == before


def test_bad_form(client_in, employer):
    token = _token(client_in.get(URL).content.decode())
    r = client_in.post(URL, {"employer_no": "33010099999999", "_token": token, "file": _xlsx([_row(1)])})
    assert r.status_code == 400 and "单位账号 33010099999999 不存在" in r.content.decode()
    r = client_in.post(URL, {"employer_no": employer.account_no, "_token": token})
    assert r.status_code == 400 and "请选择开户清册文件" in r.content.decode()
    assert not MemberAccount.objects.exists()
