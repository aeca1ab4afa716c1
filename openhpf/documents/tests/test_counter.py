"""The counter pattern (documents.counter): form → 核对 → 办理 in one transaction with its 业务回单; bad input and
refusals write nothing; a double submission lands on the first 回单; files survive the 核对 step; the 回单 prints
and downloads as a PDF."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import BUSINESS_DATE, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.formfields import MobileField, PercentField, PhoneField, YearMonthField, YuanField
from openhpf.documents.models import Receipt
from openhpf.documents.receipts import amount_in_words
from openhpf.iam.services import staff_create

from .counter_urls import SampleMoney

pytestmark = pytest.mark.urls("openhpf.documents.tests.counter_urls")
URL = "/test-counter/seal/{}/"


@pytest.fixture
def center(db):
    """A center made by the service (with its branch), not the bare one of documents/tests/conftest.py."""
    from openhpf.core.services import center_create

    return center_create(code="330100", name="杭州住房公积金管理中心", business_date=BUSINESS_DATE,
                         actor=SystemActor("test"), city="杭州")


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="counter1", password="pw-Counter-2026", center=center, display_name="柜员甲",
                           actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def account(center):
    return make_account(center, make_employer(center, 1), 1, name="赵一")


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


def test_form_review_confirm_issues_receipt(client, teller, account):
    client.force_login(teller)
    r = client.get(URL.format(account.account_no))
    assert r.status_code == 200 and "个人账户封存" in r.content.decode()
    token = _token(r.content.decode())
    r = client.post(URL.format(account.account_no), {"reason": "离职", "_token": token, "_step": "review"})
    html = r.content.decode()
    assert r.status_code == 200 and "请与客户核对" in html and "离职" in html
    account.refresh_from_db()
    assert account.status == "01", "the 核对 step writes nothing"
    r = client.post(URL.format(account.account_no), {"reason": "离职", "_token": token, "_step": "confirm"})
    assert r.status_code == 302
    receipt = Receipt.objects.get()
    assert r["Location"] == f"/documents/receipts/{receipt.number}/"
    assert re.fullmatch(r"HD\d{8}\d{8}", receipt.number)
    assert receipt.operator_name == "柜员甲" and receipt.business_date == account.center.business_date
    assert receipt.object_type == "accounts.memberaccount" and receipt.object_id == str(account.pk)
    account.refresh_from_db()
    assert account.status == "02"
    page = client.get(r["Location"]).content.decode()
    assert "个人账户封存" in page and "柜员甲" in page and "离职" in page and "打印回单" in page


def test_double_submission_runs_once(client, teller, account):
    client.force_login(teller)
    token = _token(client.get(URL.format(account.account_no)).content.decode())
    data = {"reason": "离职", "_token": token, "_step": "confirm"}
    first = client.post(URL.format(account.account_no), data)
    second = client.post(URL.format(account.account_no), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] + "?repeat=1"
    assert Receipt.objects.count() == 1
    assert "本次为重复提交" in client.get(second["Location"]).content.decode()


def test_bad_input_shows_chinese_and_writes_nothing(client, teller, account):
    client.force_login(teller)
    token = _token(client.get(URL.format(account.account_no)).content.decode())
    r = client.post(URL.format(account.account_no), {"reason": "", "_token": token, "_step": "confirm"})
    assert r.status_code == 400 and "这个字段是必填项" in r.content.decode()
    r = client.post(URL.format(account.account_no), {"reason": "离", "_token": token, "_step": "confirm"})
    assert r.status_code == 400 and "请填写原因（至少 2 个字）" in r.content.decode()
    r = client.post(URL.format(account.account_no), {"reason": "离职", "_token": "x", "_step": "confirm"})
    assert r.status_code == 400 and "COUNTER_TOKEN" in r.content.decode()
    account.refresh_from_db()
    assert account.status == "01" and not Receipt.objects.exists()


def test_service_refusal_is_shown_with_its_code_and_rolls_back(client, teller, account):
    client.force_login(teller)
    for _ in range(2):  # the second seal is refused by the service's state machine
        token = _token(client.get(URL.format(account.account_no)).content.decode())
        r = client.post(URL.format(account.account_no), {"reason": "离职", "_token": token, "_step": "confirm"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "不能办理" in html and "（ILLEGAL_TRANSITION）" in html
    assert Receipt.objects.count() == 1


def test_permission_is_checked(client, center, account):
    user, _ = staff_create(username="viewer1", password="pw-View-2026", center=center, actor=SystemActor("test"))
    grant_role(user, "reviewer", center=center)
    client.force_login(user)
    assert client.get(URL.format(account.account_no)).status_code == 403
    r = client.post(URL.format(account.account_no), {"reason": "离职", "_token": "a" * 32, "_step": "confirm"})
    assert r.status_code == 403
    assert MemberAccount.objects.get(pk=account.pk).status == "01"


def test_money_moving_needs_the_tick(client, teller):
    client.force_login(teller)
    SampleMoney.runs.clear()
    token = _token(client.get("/test-counter/money/").content.decode())
    r = client.post("/test-counter/money/", {"amount": "1,234.5", "_token": token, "_step": "review"})
    assert "资金业务" in r.content.decode()
    r = client.post("/test-counter/money/", {"amount": "1234.50", "_token": token, "_step": "confirm"})
    assert r.status_code == 400 and "已与客户核对金额和账户" in r.content.decode() and SampleMoney.runs == []
    r = client.post("/test-counter/money/", {"amount": "1234.50", "_token": token, "_step": "confirm", "_ack": "1"})
    assert r.status_code == 302 and SampleMoney.runs == [123450]
    receipt = Receipt.objects.get()
    assert receipt.amount == 123450
    page = client.get(r["Location"]).content.decode()
    assert "1,234.50" in page and "壹仟贰佰叁拾肆元伍角" in page
    r = client.post("/test-counter/money/", {"amount": "12.345", "_token": token, "_step": "review"})
    assert r.status_code == 302, "a used token shows the first 回单 whatever else is posted"


def test_file_is_kept_between_review_and_confirm(client, teller, account):
    client.force_login(teller)
    url = URL.format(account.account_no)
    token = _token(client.get(url).content.decode())
    doc = SimpleUploadedFile("裁定书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = client.post(url, {"reason": "离职", "_token": token, "_step": "review", "document": doc})
    assert "裁定书.pdf" in r.content.decode()
    r = client.post(url, {"reason": "离职", "_token": token, "_step": "confirm"})
    assert r.status_code == 302
    assert ["证明材料", "裁定书.pdf（13 字节）"] in Receipt.objects.get().lines


def test_receipt_pdf_and_other_center(client, teller, account, center):
    client.force_login(teller)
    url = URL.format(account.account_no)
    token = _token(client.get(url).content.decode())
    loc = client.post(url, {"reason": "离职", "_token": token, "_step": "confirm"})["Location"]
    pdf = client.get(loc + "pdf/")
    if pdf.status_code == 503:
        pytest.skip("no CJK font installed")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert client.get("/documents/receipts/HD2099010100000001/").status_code == 404


@pytest.mark.parametrize(("fen", "words"), [
    (0, "零元整"), (100, "壹元整"), (123456, "壹仟贰佰叁拾肆元伍角陆分"), (5, "伍分"), (1005, "壹拾元零伍分"),
    (100000000, "壹佰万元整"), (1000100, "壹万零壹元整"), (10000000000, "壹亿元整"), (-250, "负贰元伍角"),
    (1000000100, "壹仟万零壹元整"), (101000000, "壹佰零壹万元整"),
])
def test_amount_in_words(fen, words):
    assert amount_in_words(fen) == words


def test_form_fields():
    class F(forms.Form):
        amount = YuanField(label="金额")
        ratio = PercentField(label="比例")
        mobile = MobileField(label="手机", required=False)
        phone = PhoneField(label="电话", required=False)
        month = YearMonthField(label="年月", required=False)

    ok = F({"amount": "1,234.56", "ratio": "12.5", "mobile": "13812345678", "phone": "0571-87654321",
            "month": "2026-11"})
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data == {"amount": 123456, "ratio": Decimal("0.125"), "mobile": "13812345678",
                               "phone": "0571-87654321", "month": "202611"}
    bad = F({"amount": "12.345", "ratio": "12.345", "mobile": "2381234567", "phone": "12345", "month": "2026-13"})
    assert not bad.is_valid()
    assert bad.errors["amount"] == ["请输入金额（元），最多两位小数，如 1234.56"]
    assert bad.errors["ratio"] == ["比例最多精确到 0.01%，不能四舍五入"]
    assert bad.errors["mobile"] == ["手机号码应为以 1 开头的 11 位数字"]
    assert "固定电话" in bad.errors["phone"][0]
    assert bad.errors["month"] == ["年月格式不正确，应如 2026-11"]
    assert F({"amount": "-1", "ratio": "101"}).errors == {"amount": ["金额不能小于 0.00 元"], "ratio": ["比例不能大于 100%"]}
    assert F({"amount": "5", "ratio": "12", "phone": "13812345678"}).is_valid()


def _routed_counters() -> list[type]:
    from django.urls import URLPattern, URLResolver, get_resolver

    out: list[type] = []

    def walk(patterns: list) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and hasattr(p.callback, "counter_transaction"):
                out.append(p.callback.counter_transaction)

    walk(get_resolver().url_patterns)
    return out


def test_every_routed_counter_transaction_implements_its_steps():
    """preview and execute are abstract: a counter transaction without them cannot be made, so a routed one that
    lacked them would fail on its first request. Every routed one is concrete."""
    import inspect

    from openhpf.documents.counter import CounterTransaction

    routed = _routed_counters()
    assert len(routed) > 20
    assert [c.__name__ for c in routed if inspect.isabstract(c)] == []

    class Half(CounterTransaction):
        def preview(self, request, data, **kwargs):
            return []

    with pytest.raises(TypeError, match="abstract"):
        Half()  # type: ignore[abstract]
