"""The employer transactions at the counter (accounts.employer_counter): 单位开户, 单位信息变更, 封存/启封, 销户 —
form → 核对 → 办理 with a 业务回单; bad input and the services' refusals show in Chinese and write nothing; a
double submission lands on the first 回单."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import credit_code, make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Receipt
from openhpf.iam.services import staff_create

REGISTER = "accounts:employer_register"


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="emptell", password="pw-Teller-2026", center=center, display_name="柜员乙",
                           actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def c(client, teller):
    client.force_login(teller)
    return client


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m
    return m.group(1)


def _form(c, url: str) -> str:
    r = c.get(url)
    assert r.status_code == 200
    return _token(r.content.decode())


def _register_data(center, **kw) -> dict[str, str]:
    data = {"name": "杭州西溪数据有限公司", "credit_code": credit_code(7), "economic_type": "160", "industry": "I",
            "branch": str(center.branches.order_by("code").first().pk), "payday": "10", "employer_ratio": "12",
            "member_ratio": "12", "address": "杭州市西湖区文三路 1 号", "contact_name": "陈经办",
            "contact_phone": "0571-87654321"}
    data.update(kw)
    return data


def _post(c, url: str, data: dict[str, str], token: str, step: str):
    return c.post(url, {**data, "_token": token, "_step": step})


# ---------------------------------------------------------------- 单位开户


def test_register_from_the_employer_list(c, center):
    page = c.get(reverse("accounts:employer_list")).content.decode()
    assert f'href="{reverse(REGISTER)}"' in page and "单位开户" in page
    url = reverse(REGISTER)
    html = c.get(url).content.decode()
    assert "160 " in html and "I 信息传输、软件和信息技术服务业" in html  # codes with their names
    assert "经办人电话" in html and "单位缴存比例（%）" in html
    token = _token(html)
    data = _register_data(center)
    r = _post(c, url, data, token, "review")
    html = r.content.decode()
    assert r.status_code == 200 and "12%" in html and "每月 10 日" in html and "I 信息传输" in html
    assert "陈经办" in html and "0571-87654321" in html  # the clerk checks what was typed
    assert not Employer.objects.exists() and not AuditRecord.objects.filter(action__contains="employer").exists()
    r = _post(c, url, data, token, "confirm")
    assert r.status_code == 302
    e = Employer.objects.get()
    assert (e.name, e.employer_ratio, e.payday, e.contact_phone, e.status) == (
        "杭州西溪数据有限公司", Decimal("0.12"), 10, "0571-87654321", "01")
    receipt = Receipt.objects.get()
    assert r["Location"] == reverse("documents:receipt", args=[receipt.number])
    assert receipt.kind == "accounts.employer.register" and ["单位账号", e.account_no] in receipt.lines
    assert "0571-87654321" not in str(receipt.lines) and "陈经办" not in str(receipt.lines)  # masked on the 回单
    assert receipt.back_url == reverse("accounts:employer_detail", args=[e.account_no])
    # the same form again (double click, back and resubmit): the first 回单, nothing done twice
    again = _post(c, url, data, token, "confirm")
    assert again.status_code == 302 and again["Location"].startswith(r["Location"])
    assert Employer.objects.count() == 1 and Receipt.objects.count() == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("credit_code", credit_code(7)[:-1] + ("0" if credit_code(7)[-1] != "0" else "1"), "统一社会信用代码校验位错误"),
    ("credit_code", "12345", "统一社会信用代码格式不正确"),
    ("contact_phone", "12345678", "联系电话应为以 1 开头的 11 位手机号码，或带区号的固定电话"),
    ("contact_phone", "2381234567", "联系电话应为以 1 开头的 11 位手机号码"),
    ("employer_ratio", "12.345", "比例最多精确到 0.01%"),
    ("employer_ratio", "3", "单位缴存比例 3% 低于下限 5%"),  # the service's rule, refused at 核对
    ("payday", "32", "发薪日应为 1 至 31"),
    ("economic_type", "", "请选择经济类型"),
])
def test_register_bad_input_writes_nothing(c, center, field, value, message):
    url = reverse(REGISTER)
    token = _form(c, url)
    data = _register_data(center, **{field: value})
    if field == "employer_ratio":
        data["member_ratio"] = value
    for step in ("review", "confirm"):
        r = _post(c, url, data, token, step)
        assert r.status_code == 400 and message in r.content.decode(), (step, r.content.decode()[-3000:])
    assert not Employer.objects.exists() and not Receipt.objects.exists()


def test_register_mobile_phone_and_duplicate_credit_code(c, center):
    make_employer(center, 7)  # the same credit code already registered
    url = reverse(REGISTER)
    token = _form(c, url)
    r = _post(c, url, _register_data(center, contact_phone="13912345678"), token, "review")
    assert r.status_code == 400 and "已登记" in r.content.decode() and "EMPLOYER_EXISTS" in r.content.decode()
    assert Employer.objects.count() == 1 and not Receipt.objects.exists()
    data = _register_data(center, credit_code=credit_code(8), contact_phone="139 1234 5678")
    assert _post(c, url, data, token, "confirm").status_code == 302
    assert Employer.objects.get(credit_code=credit_code(8)).contact_phone == "13912345678"


# ---------------------------------------------------------------- 单位信息变更


def test_change_shows_before_and_after(c, center):
    e = make_employer(center, 1)
    url = reverse("accounts:employer_change", args=[e.account_no])
    html = c.get(url).content.decode()
    assert 'value="12"' in html and e.name in html  # ratios in %, the current values filled in
    token = _token(html)
    data = {"name": e.name, "payday": "20", "employer_ratio": "10", "member_ratio": "10", "address": ""}
    html = _post(c, url, data, token, "review").content.decode()
    assert "12% → 10%" in html and "每月 15 日 → 每月 20 日" in html and "单位名称" not in html.split("核对")[-1]
    e.refresh_from_db()
    assert e.employer_ratio == Decimal("0.12")
    assert _post(c, url, data, token, "confirm").status_code == 302
    e.refresh_from_db()
    assert (e.employer_ratio, e.member_ratio, e.payday) == (Decimal("0.10"), Decimal("0.10"), 20)
    assert ["单位缴存比例", "12% → 10%"] in Receipt.objects.get().lines


def test_change_nothing_or_bad_phone_writes_nothing(c, center):
    e = make_employer(center, 1)
    url = reverse("accounts:employer_change", args=[e.account_no])
    token = _form(c, url)
    same = {"name": e.name, "payday": "15", "employer_ratio": "12", "member_ratio": "12", "address": ""}
    r = _post(c, url, same, token, "review")
    assert r.status_code == 400 and "没有需要变更的内容" in r.content.decode()
    r = _post(c, url, {**same, "contact_phone": "0571-123"}, token, "confirm")
    assert r.status_code == 400 and "带区号的固定电话" in r.content.decode()
    assert not Receipt.objects.exists()
    assert not AuditRecord.objects.filter(action="accounts.employer.change").exists()


# ---------------------------------------------------------------- 封存 / 启封 / 销户


def test_suspend_then_resume_from_the_employer_page(c, center):
    e = make_employer(center, 1)
    detail = reverse("accounts:employer_detail", args=[e.account_no])
    page = c.get(detail).content.decode()
    suspend, resume = (reverse(n, args=[e.account_no]) for n in ("accounts:employer_suspend", "accounts:employer_resume"))
    assert f'href="{suspend}"' in page and f'href="{resume}"' not in page and "暂存分配" in page
    token = _form(c, suspend)
    assert "正常 → 封存" in _post(c, suspend, {"reason": "单位停业"}, token, "review").content.decode()
    assert _post(c, suspend, {"reason": "单位停业"}, token, "confirm").status_code == 302
    e.refresh_from_db()
    assert e.status == "05"
    page = c.get(detail).content.decode()
    assert f'href="{resume}"' in page and f'href="{suspend}"' not in page
    token = _form(c, resume)
    assert _post(c, resume, {"reason": "恢复经营"}, token, "confirm").status_code == 302
    e.refresh_from_db()
    assert e.status == "01"
    assert [r.kind for r in Receipt.objects.order_by("pk")] == ["accounts.employer.suspend", "accounts.employer.resume"]


def test_close_refusals_in_chinese_then_close(c, center):
    e = make_employer(center, 1)
    make_account(center, e, 1)
    url = reverse("accounts:employer_close", args=[e.account_no])
    token = _form(c, url)
    r = _post(c, url, {"reason": "单位注销"}, token, "review")
    assert r.status_code == 400 and "单位尚有 1 个未销户的个人账户" in r.content.decode()
    r = _post(c, url, {"reason": "x"}, token, "review")
    assert r.status_code == 400 and "请填写原因（至少 2 个字）" in r.content.decode()
    e.refresh_from_db()
    assert e.status == "01" and not Receipt.objects.exists()
    empty = make_employer(center, 2)
    url = reverse("accounts:employer_close", args=[empty.account_no])
    token = _form(c, url)
    assert "正常 → 销户" in _post(c, url, {"reason": "单位注销"}, token, "review").content.decode()
    assert _post(c, url, {"reason": "单位注销"}, token, "confirm").status_code == 302
    empty.refresh_from_db()
    assert empty.status == "04" and empty.closed_date == center.business_date


def test_resume_of_a_normal_employer_is_refused(c, center):
    e = make_employer(center, 1)
    url = reverse("accounts:employer_resume", args=[e.account_no])
    token = _form(c, url)
    r = _post(c, url, {"reason": "恢复经营"}, token, "review")
    assert r.status_code == 400 and "单位当前状态为「正常」，不能办理「启封」" in r.content.decode()
    assert not Receipt.objects.exists()
