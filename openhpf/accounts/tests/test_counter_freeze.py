"""Counter screens of a member account (accounts/counter_freeze.py): 冻结/解冻 with the legal document archived and
linked to the account, 基数/比例调整 with before → after on the 确认 page. Each: the happy path with its 回单, bad
input (a Chinese message, nothing written) and a double submission."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Document
from openhpf.documents.models import Receipt as BusinessReceipt
from openhpf.iam.services import staff_create
from openhpf.ledger.models import SubAccount
from openhpf.ledger.tests.factories import deposit

PDF = b"%PDF-1.4 court order scan\n"


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="teller1", password="pw-Teller-2026", center=center, display_name="柜员甲",
                           actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def account(center):
    acct = make_account(center, make_employer(center, 1), 1, name="赵一")
    deposit(center, acct.sub, 1_000_000)  # ¥10,000.00
    return acct


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


def _doc(name: str = "裁定书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _start(client, teller, url: str) -> str:
    client.force_login(teller)
    r = client.get(url)
    assert r.status_code == 200
    return _token(r.content.decode())


def _sub(account) -> SubAccount:
    return SubAccount.objects.get(pk=account.pk)


def _freeze_url(account) -> str:
    return f"/accounts/members/{account.account_no}/freeze/"


def test_partial_freeze_archives_the_legal_document_and_issues_a_receipt(client, teller, account):
    url = _freeze_url(account)
    t = _start(client, teller, url)
    form = {"kind": "2", "amount": "3,000.50", "reason": "法院协助执行", "reference": "（2026）浙0106执123号",
            "_token": t}
    r = client.post(url, {**form, "document": _doc(), "_step": "review"})
    html = r.content.decode()
    assert r.status_code == 200 and "请与客户核对" in html
    assert "部分冻结" in html and "3,000.50 元" in html and "10,000.00 元 → 6,999.50 元" in html
    assert "裁定书.pdf" in html  # the kept file is named on the 确认 page
    assert _sub(account).frozen_amount == 0 and not Document.objects.exists(), "the 确认 step writes nothing"
    r = client.post(url, {**form, "_step": "confirm"})  # the file was kept between the steps
    assert r.status_code == 302
    acct = MemberAccount.objects.get(pk=account.pk)
    assert acct.freeze_kind == "2" and _sub(account).frozen_amount == 300_050
    doc = Document.objects.get()
    assert (doc.doc_type, doc.object_type, doc.object_id) == ("legal_document", "accounts.memberaccount",
                                                              str(account.pk))
    assert doc.original_name == "裁定书.pdf" and doc.size == len(PDF)
    receipt = BusinessReceipt.objects.get()
    assert receipt.title == "个人账户冻结" and receipt.amount == 300_050
    lines = dict(receipt.lines)
    assert lines["冻结类型"] == "部分冻结" and lines["冻结金额"] == "3,000.50 元"
    assert lines["文书编号"] == "（2026）浙0106执123号" and "裁定书.pdf" in lines["法律文书"]
    # a second submission of the same form lands on the same 回单 and freezes nothing again
    again = client.post(url, {**form, "_step": "confirm"})
    assert again.status_code == 302 and receipt.number in again["Location"]
    assert BusinessReceipt.objects.count() == 1 and Document.objects.count() == 1


def test_full_and_remote_loan_freezes(client, teller, center, account):
    url = _freeze_url(account)
    t = _start(client, teller, url)
    form = {"kind": "1", "amount": "", "reason": "法院冻结", "reference": "（2026）浙0106执9号", "_token": t}
    client.post(url, {**form, "document": _doc("通知书.jpg"), "_step": "review"})
    assert client.post(url, {**form, "_step": "confirm"}).status_code == 302
    assert MemberAccount.objects.get(pk=account.pk).freeze_kind == "1"
    assert _sub(account).frozen_amount == 1_000_000
    other = make_account(center, account.employer, 2, name="钱二")
    deposit(center, other.sub, 500_000)
    url = _freeze_url(other)
    t = _start(client, teller, url)
    form = {"kind": "3", "amount": "2000", "reason": "异地贷款担保", "reference": "沪公积金函2026-8", "_token": t}
    client.post(url, {**form, "document": _doc("担保函.pdf"), "_step": "review"})
    assert client.post(url, {**form, "_step": "confirm"}).status_code == 302
    assert MemberAccount.objects.get(pk=other.pk).freeze_kind == "3" and _sub(other).frozen_amount == 200_000


@pytest.mark.parametrize(("form", "files", "message"), [
    ({"kind": "2", "amount": "100"}, {}, "请上传冻结、解冻所依据的法律文书"),
    ({"kind": "2", "amount": ""}, {"document": True}, "须填写大于零的冻结金额"),
    ({"kind": "1", "amount": "100"}, {"document": True}, "全部冻结不填写冻结金额"),
    ({"kind": "2", "amount": "12.345"}, {"document": True}, "最多两位小数"),
    ({"kind": "2", "amount": "20000"}, {"document": True}, "超过可用余额 10,000.00 元"),
    ({"kind": "2", "amount": "100"}, {"document": "病毒.exe"}, "法律文书应为 PDF"),
])
def test_bad_freeze_input_is_refused_in_chinese_and_writes_nothing(client, teller, account, form, files, message):
    url = _freeze_url(account)
    t = _start(client, teller, url)
    audits = AuditRecord.objects.count()
    for step in ("review", "confirm"):
        upload = {}
        if files.get("document"):
            upload = {"document": _doc(files["document"] if isinstance(files["document"], str) else "裁定书.pdf")}
        r = client.post(url, {**form, "reason": "法院冻结", "reference": "（2026）执1号", "_token": t, "_step": step,
                              **upload})
        assert r.status_code == 400 and message in r.content.decode()
    assert MemberAccount.objects.get(pk=account.pk).freeze_kind == "0" and _sub(account).frozen_amount == 0
    assert not Document.objects.exists() and not BusinessReceipt.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="accounts.member_account.freeze").exists()
    assert not AuditRecord.objects.filter(action="document.store").exists()
    assert AuditRecord.objects.count() >= audits  # (reads of the account are audited; no write is)


def test_unfreeze_releases_and_archives_its_document(client, teller, account):
    url = _freeze_url(account)
    t = _start(client, teller, url)
    form = {"kind": "2", "amount": "100", "reason": "法院冻结", "reference": "（2026）执1号", "_token": t}
    client.post(url, {**form, "document": _doc(), "_step": "review"})
    client.post(url, {**form, "_step": "confirm"})
    page = client.get(f"/accounts/members/{account.account_no}/").content.decode()
    assert f"/accounts/members/{account.account_no}/unfreeze/" in page  # the member page offers 解冻 now
    url = f"/accounts/members/{account.account_no}/unfreeze/"
    t = _start(client, teller, url)
    form = {"reason": "解除冻结", "reference": "（2026）执1号之一", "_token": t}
    r = client.post(url, {**form, "_step": "review"})  # no document: refused, nothing released
    assert r.status_code == 400 and "请上传冻结、解冻所依据的法律文书" in r.content.decode()
    assert _sub(account).frozen_amount == 10_000
    r = client.post(url, {**form, "document": _doc("解除协助执行通知书.pdf"), "_step": "review"})
    assert "100.00 元" in r.content.decode() and "9,900.00 元 → 10,000.00 元" in r.content.decode()
    assert client.post(url, {**form, "_step": "confirm"}).status_code == 302
    assert MemberAccount.objects.get(pk=account.pk).freeze_kind == "0" and _sub(account).frozen_amount == 0
    assert Document.objects.filter(object_id=str(account.pk)).count() == 2
    receipt = BusinessReceipt.objects.get(kind="accounts.member.unfreeze")
    assert dict(receipt.lines)["解冻金额"] == "100.00 元"


def test_change_base_shows_before_and_after_in_yuan(client, teller, account):
    url = f"/accounts/members/{account.account_no}/base/"
    t = _start(client, teller, url)
    r = client.post(url, {"base": "12,000", "_token": t, "_step": "review"})
    html = r.content.decode()
    assert "10,000.00 元 → 12,000.00 元" in html and "1,200.00 元 → 1,440.00 元" in html  # 12 % a side
    assert "2,400.00 元 → 2,880.00 元" in html
    assert MemberAccount.objects.get(pk=account.pk).base == 1_000_000
    assert client.post(url, {"base": "12,000", "_token": t, "_step": "confirm"}).status_code == 302
    acct = MemberAccount.objects.get(pk=account.pk)
    assert (acct.base, acct.employer_amount, acct.member_amount) == (1_200_000, 144_000, 144_000)
    receipt = BusinessReceipt.objects.get()
    assert dict(receipt.lines)["缴存基数"] == "10,000.00 元 → 12,000.00 元"
    assert client.post(url, {"base": "12,000", "_token": t, "_step": "confirm"}).status_code == 302
    assert BusinessReceipt.objects.count() == 1


@pytest.mark.parametrize(("value", "message"), [
    ("99999", "高于上限"), ("10000", "缴存基数未变化"), ("abc", "请输入金额（元）"), ("", "请填写新缴存基数"),
])
def test_bad_base_is_refused_and_writes_nothing(client, teller, account, value, message):
    url = f"/accounts/members/{account.account_no}/base/"
    t = _start(client, teller, url)
    r = client.post(url, {"base": value, "_token": t, "_step": "review"})
    assert r.status_code == 400 and message in r.content.decode()
    assert MemberAccount.objects.get(pk=account.pk).base == 1_000_000 and not BusinessReceipt.objects.exists()


def test_change_ratio_in_percent(client, teller, account):
    url = f"/accounts/members/{account.account_no}/ratio/"
    t = _start(client, teller, url)
    r = client.post(url, {"employer_ratio": "10", "member_ratio": "10", "_token": t, "_step": "review"})
    html = r.content.decode()
    assert "单位 12% · 个人 12% → 单位 10% · 个人 10%" in html and "1,200.00 元 → 1,000.00 元" in html
    assert client.post(url, {"employer_ratio": "10", "member_ratio": "10", "_token": t,
                             "_step": "confirm"}).status_code == 302
    acct = MemberAccount.objects.get(pk=account.pk)
    assert (str(acct.employer_ratio), acct.employer_amount) == ("0.1000", 100_000)
    assert BusinessReceipt.objects.get().kind == "accounts.member.change_ratio"


@pytest.mark.parametrize(("er", "message"), [
    ("12.345", "比例最多精确到 0.01%"), ("13", "高于上限"), ("3", "低于下限"), ("十", "请输入百分数"),
])
def test_bad_ratio_is_refused_and_writes_nothing(client, teller, account, er, message):
    url = f"/accounts/members/{account.account_no}/ratio/"
    t = _start(client, teller, url)
    r = client.post(url, {"employer_ratio": er, "member_ratio": "12", "_token": t, "_step": "review"})
    assert r.status_code == 400 and message in r.content.decode()
    assert str(MemberAccount.objects.get(pk=account.pk).employer_ratio) == "0.1200"
    assert not BusinessReceipt.objects.exists()


def test_member_page_offers_the_transactions(client, teller, account):
    client.force_login(teller)
    page = client.get(f"/accounts/members/{account.account_no}/").content.decode()
    for part in ("freeze", "base", "ratio"):
        assert f"/accounts/members/{account.account_no}/{part}/" in page
