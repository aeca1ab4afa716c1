"""个人账户 counter screens (member_counter.py): 个人开户, 封存, 启封 choosing the employer, 内部转移 and
个人账户合并 — the happy path with its 回单, bad input told in Chinese with nothing written, and a double
submission landing on the first 回单."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from openhpf.accounts.models import Member, MemberAccount
from openhpf.accounts.services import member_account_seal
from openhpf.accounts.tests.factories import TEST_ACTOR, make_account, make_employer, resident_id
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.documents.models import Receipt
from openhpf.iam.services import staff_create
from openhpf.ledger.models import SubAccount
from openhpf.ledger.tests.factories import deposit


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="counter2", password="pw-Counter-2026", center=center, display_name="柜员乙",
                           actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def client_in(client, teller):
    client.force_login(teller)
    return client


@pytest.fixture
def employer(center):
    return make_employer(center, 1, name="杭州某某科技有限公司")


@pytest.fixture
def employer2(center):
    return make_employer(center, 2, name="杭州另一家有限公司")


@pytest.fixture
def account(center, employer):
    return make_account(center, employer, 1, name="赵一")


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m
    return m.group(1)


def _state():
    """What a refused form must leave as it was."""
    return (list(MemberAccount.objects.order_by("pk").values()), Member.objects.count(), Receipt.objects.count(),
            AuditRecord.objects.exclude(action__in=["accounts.member_account.view"]).count())


def _run(client, url, data, *, ack=False):
    """GET the form, 核对 and 确认: the final response."""
    token = _token(client.get(url).content.decode())
    r = client.post(url, {**data, "_token": token, "_step": "review"})
    assert r.status_code == 200, r.content.decode()
    extra = {"_ack": "1"} if ack else {}
    return client.post(url, {**data, "_token": token, "_step": "confirm", **extra}), token


def _refused(client, url, data, message):
    before = _state()
    token = _token(client.get(url).content.decode())
    for step in ("review", "confirm"):
        r = client.post(url, {**data, "_token": token, "_step": step, "_ack": "1"})
        assert r.status_code == 400
        assert message in r.content.decode(), r.content.decode()
    assert _state() == before


def _receipt_lines(r) -> dict[str, str]:
    receipt = Receipt.objects.get(number=r["Location"].rstrip("/").rsplit("/", 1)[-1])
    return dict(receipt.lines)


# ---------------------------------------------------------------- 封存


def test_seal(client_in, account):
    url = reverse("accounts:member_seal", args=[account.account_no])
    assert "赵*" in client_in.get(url).content.decode()  # the account above the form, masked
    r, _ = _run(client_in, url, {"reason": "离职"})
    assert r.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.seal_reason) == ("02", "离职")
    lines = _receipt_lines(r)
    assert lines["个人账号"] == account.account_no and lines["封存原因"] == "离职" and lines["姓名"] == "赵*"
    assert "封存 · 离职" in client_in.get(reverse("accounts:member_detail", args=[account.account_no])).content.decode()


def test_seal_bad_input_and_double_submission(client_in, account):
    url = reverse("accounts:member_seal", args=[account.account_no])
    _refused(client_in, url, {"reason": ""}, "请填写封存原因")
    _refused(client_in, url, {"reason": "离" * 101}, "封存原因不能超过 100 个字")
    r, token = _run(client_in, url, {"reason": "离职"})
    again = client_in.post(url, {"reason": "离职", "_token": token, "_step": "confirm"})
    assert again["Location"] == r["Location"] + "?repeat=1" and Receipt.objects.count() == 1
    _refused(client_in, url, {"reason": "再次封存"}, "不能办理「封存」")  # the state machine, with nothing written


# ---------------------------------------------------------------- 启封 / 内部转移


def test_unseal_choosing_the_employer(client_in, account, employer2):
    member_account_seal(account=account, reason="离职", actor=TEST_ACTOR, business_date=account.center.business_date)
    url = reverse("accounts:member_unseal", args=[account.account_no])
    assert f'value="{employer2.account_no}"' in client_in.get(url, {"employer": employer2.account_no}).content.decode()
    r, _ = _run(client_in, url, {"employer_no": employer2.account_no, "base": "9,000.50", "employer_ratio": "10",
                                 "member_ratio": ""})
    assert r.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.employer_id, account.base) == ("01", employer2.pk, 900050)
    assert (str(account.employer_ratio), str(account.member_ratio)) == ("0.1000", "0.1200")
    lines = _receipt_lines(r)
    assert lines["转入单位"] == f"杭州另一家有限公司（{employer2.account_no}）" and lines["缴存基数（元）"] == "9,000.50"
    assert lines["缴存比例"] == "单位 10% · 个人 12%"
    html = client_in.get(reverse("accounts:member_detail", args=[account.account_no])).content.decode()
    assert "启封 · 杭州另一家有限公司" in html


@pytest.mark.parametrize(("data", "message"), [
    ({"employer_no": "123"}, "单位账号应为 14 位数字"),
    ({"employer_no": "33010099999999"}, "单位账号 33010099999999 不存在"),
    ({"employer_no": "EMP", "base": "abc"}, "请输入金额（元），最多两位小数"),
    ({"employer_no": "EMP", "employer_ratio": "12.345"}, "比例最多精确到 0.01%"),
    ({"employer_no": "EMP", "base": "99999999"}, "高于上限"),
])
def test_unseal_bad_input(client_in, account, employer2, data, message):
    member_account_seal(account=account, reason="离职", actor=TEST_ACTOR, business_date=account.center.business_date)
    data = {k: (employer2.account_no if v == "EMP" else v) for k, v in data.items()}
    _refused(client_in, reverse("accounts:member_unseal", args=[account.account_no]), data, message)


def test_transfer_internal(client_in, account, employer, employer2):
    url = reverse("accounts:member_transfer", args=[account.account_no])
    _refused(client_in, url, {"employer_no": employer.account_no}, "转入单位与当前单位相同")
    r, _ = _run(client_in, url, {"employer_no": employer2.account_no})
    assert r.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.employer_id) == ("01", employer2.pk)
    assert _receipt_lines(r)["原单位"] == f"杭州某某科技有限公司（{employer.account_no}）"


# ---------------------------------------------------------------- 合并


def test_merge(client_in, center, account, employer2):
    other = make_account(center, employer2, 1, name="赵一", id_type="03", id_number="E7654321", birth_date=date(1990, 1, 1),
                         sex="1")
    member_account_seal(account=account, reason="离职", actor=TEST_ACTOR, business_date=center.business_date)
    deposit(center, SubAccount.objects.get(pk=account.pk), 123456)
    url = reverse("accounts:member_merge", args=[account.account_no])
    _refused(client_in, url, {"into": account.account_no, "reason": "重复开户"}, "并入账户与被合并账户不能相同")
    _refused(client_in, url, {"into": "12", "reason": "重复开户"}, "个人账号应为 16 位数字")
    token = _token(client_in.get(url).content.decode())
    data = {"into": other.account_no, "reason": "重复开户", "_token": token}
    review = client_in.post(url, {**data, "_step": "review"}).content.decode()
    assert "1,234.56" in review and "资金业务" in review, re.findall(r"role=\"alert\"[^>]*>(?:<p>)?(.*?)<", review)
    no_ack = client_in.post(url, {**data, "_step": "confirm"})
    assert no_ack.status_code == 400 and "请勾选" in no_ack.content.decode()
    assert MemberAccount.objects.get(pk=account.pk).status == "02"
    r = client_in.post(url, {**data, "_step": "confirm", "_ack": "1"})
    assert r.status_code == 302
    assert MemberAccount.objects.get(pk=account.pk).status == "03"
    assert SubAccount.objects.get(pk=other.pk).balance == 123456
    receipt = Receipt.objects.get(kind="accounts.member.merge")
    assert receipt.amount == 123456 and dict(receipt.lines)["转移金额（元）"] == "1,234.56"
    again = client_in.post(url, {**data, "_step": "confirm", "_ack": "1"})
    assert again["Location"].endswith("?repeat=1") and Receipt.objects.count() == 1


# ---------------------------------------------------------------- 个人开户


OPEN = {"name": "钱二", "id_type": "01", "id_number": resident_id(7), "birth_date": "", "sex": "", "phone": "13912345678",
        "marital_status": "20", "base": "8,500.00", "employer_ratio": "", "member_ratio": ""}


def test_open_single(client_in, employer):
    url = reverse("accounts:member_open")
    form = client_in.get(url, {"employer": employer.account_no}).content.decode()
    assert f'value="{employer.account_no}"' in form and "缴存基数（元）" in form and "单位缴存比例（%）" in form
    r, token = _run(client_in, url, {**OPEN, "employer_no": employer.account_no})
    assert r.status_code == 302
    acct = MemberAccount.objects.get(member__name="钱二")
    assert (acct.employer_id, acct.base, str(acct.employer_ratio)) == (employer.pk, 850000, "0.1200")
    lines = _receipt_lines(r)
    assert lines["个人账号"] == acct.account_no and lines["姓名"] == "钱*" and lines["月缴存额（元）"] == "2,040.00"
    assert resident_id(7) not in str(lines)  # the ID number is masked on the 回单
    again = client_in.post(url, {**OPEN, "employer_no": employer.account_no, "_token": token, "_step": "confirm"})
    assert again["Location"] == r["Location"] + "?repeat=1" and MemberAccount.objects.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"id_number": resident_id(7)[:-1] + ("0" if resident_id(7)[-1] != "0" else "1")}, "身份证号码校验位错误"),
    ({"id_number": "1234"}, "身份证号码应为18位"),
    ({"phone": "2391234567"}, "手机号码应为以 1 开头的 11 位数字"),
    ({"base": "8500.123"}, "请输入金额（元），最多两位小数"),
    ({"base": "100"}, "低于下限"),
    ({"employer_ratio": "30"}, "高于上限"),
    ({"name": ""}, "请填写姓名"),
    ({"id_type": "03", "id_number": "E1"}, "非身份证开户须填写出生日期"),
    ({"employer_no": "33010099999999"}, "不存在"),
])
def test_open_single_bad_input(client_in, employer, change, message):
    _refused(client_in, reverse("accounts:member_open"), {**OPEN, "employer_no": employer.account_no, **change},
             message)


def test_detail_pages_link_the_transactions(client_in, account, employer):
    html = client_in.get(reverse("accounts:member_detail", args=[account.account_no])).content.decode()
    for name in ("member_seal", "member_transfer", "member_merge"):
        assert reverse(f"accounts:{name}", args=[account.account_no]) in html
    html = client_in.get(reverse("accounts:employer_detail", args=[employer.account_no])).content.decode()
    assert f"{reverse('accounts:member_open')}?employer={employer.account_no}" in html
    assert f"{reverse('accounts:member_open_batch')}?employer={employer.account_no}" in html
