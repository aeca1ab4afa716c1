"""The finance forms (填写 → 核对 → 办理): 手工记账 and 冲正 through maker-checker, 年末结转 and 分配 behind a
confirmation and a checker, 定期/通知存款 and 增值收益 transfers. Bad input: a Chinese message, nothing written."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.registry import summary_of
from openhpf.approvals.services import command_approve
from openhpf.documents.models import Receipt
from openhpf.finance.models import ValueAddedYear
from openhpf.ledger.models import JournalEntry

BD = date(2026, 11, 30)


def _token(html: str) -> str:
    m = re.search(r'name="_token" value="([0-9a-f]{32})"', html)
    assert m, "the form carries a one-time token"
    return m.group(1)


def _fee(**over: str) -> dict[str, str]:
    data = {"description": "银行手续费", "biz_type": "99", "value_date": "2026-11-28", "account_1": "41102",
            "debit_1": "123.45", "memo_1": "11月", "account_2": "10101", "credit_2": "123.45"}
    return {**data, **over}


@pytest.fixture
def funded(center, ledger):
    ledger.contribute(date(2026, 10, 8), 2_000_000)
    return ledger


def test_manual_voucher_maker_checker(client, center, funded, fin_user, checker_user):
    url = reverse("finance:voucher_new")
    client.force_login(fin_user)
    page = client.get(url).content.decode()
    assert '<optgroup label="损益类">' in page and "41102 归集手续费支出" in page
    assert '<option value="201"' not in page and "finance/voucher.js" in page  # 201 only with member rows
    # 业务类型 from its code table, by name; 起息日 the business date unless changed; the amounts feed the JS check
    assert '<option value="99" selected>99 其他</option>' in page and "11 部分提取" in page
    assert 'name="value_date" value="2026-11-30"' in page and "data-debit" in page and "data-credit" in page
    token = _token(page)
    review = client.post(url, {**_fee(), "_token": token, "_step": "review"}).content.decode()
    assert "借 41102 归集手续费支出" in review and "123.45 元" in review and "贷 10101 委托银行专户（默认）" in review
    assert re.search(r"业务类型</\w+>\s*<\w+[^>]*>其他<", review) and re.search(r"起息日</\w+>\s*<\w+[^>]*>2026-11-28<", review)
    n = JournalEntry.objects.count()
    done = client.post(url, {**_fee(), "_token": token, "_step": "confirm", "_ack": "1"})
    assert done.status_code == 302
    cmd = PendingCommand.objects.get(name="ledger.entry_post")
    assert cmd.status == "pending" and cmd.params["lines"][0] == {"account": "41102", "debit": 12345, "credit": 0,
                                                                  "memo": "11月"}
    assert (cmd.params["biz_type"], cmd.params["value_date"]) == ("99", "2026-11-28")
    assert JournalEntry.objects.count() == n  # nothing posted before the checker
    # the checker reads them in the rendered summary
    facts = {f.label: f.value for f in summary_of(cmd, checker_user).facts}
    assert facts["业务类型"] == "其他" and facts["起息日"] == "2026-11-28"
    assert "起息日" in client.get(reverse("approvals:detail", args=[cmd.pk])).content.decode()
    receipt = Receipt.objects.get()
    assert receipt.title == "手工记账凭证（已提交复核）"
    again = client.post(url, {**_fee(), "_token": token, "_step": "confirm", "_ack": "1"})  # double submission
    assert again.status_code == 302 and PendingCommand.objects.filter(name="ledger.entry_post").count() == 1
    approved = command_approve(command=cmd, actor=checker_user, business_date=BD)
    assert approved.status == "applied" and approved.result is not None
    no = approved.result["voucher_no"]
    entry = JournalEntry.objects.get(voucher_no=no)
    assert (entry.value_date, entry.biz_type) == (date(2026, 11, 28), "99")
    viewer = client.get(reverse("finance:voucher", args=[no])).content.decode()
    assert 'data-testid="voucher-value-date">2026-11-28<' in viewer and 'data-testid="voucher-biz-type">其他<' in viewer
    # 冲正 from the voucher page, through maker-checker too
    assert reverse("finance:voucher_reverse", args=[no]) in client.get(reverse("finance:voucher", args=[no])).content.decode()
    rurl = reverse("finance:voucher_reverse", args=[no])
    token = _token(client.get(rurl).content.decode())
    review = client.post(rurl, {"reason": "重复记账", "_token": token, "_step": "review"}).content.decode()
    assert "贷 41102 归集手续费支出" in review and "借 10101 委托银行专户（默认）" in review
    assert client.post(rurl, {"reason": "重复记账", "_token": token, "_step": "confirm", "_ack": "1"}).status_code == 302
    rev = PendingCommand.objects.get(name="ledger.entry_reverse")
    assert rev.params["voucher_no"] == no and rev.status == "pending"
    assert command_approve(command=rev, actor=checker_user, business_date=BD).status == "applied"
    assert JournalEntry.objects.filter(reversal_of__voucher_no=no).exists()


@pytest.mark.parametrize(("data", "message"), [
    (_fee(credit_2="100.00"), "借贷不平：借方合计 123.45 元，贷方合计 100.00 元，差额 23.45 元"),
    (_fee(debit_1="12.345"), "请输入金额（元），最多两位小数"),
    (_fee(credit_1="1.00"), "第 1 行：借方、贷方须且只须填写一方"),
    (_fee(account_2="", credit_2="", account_1="41102"), "记账凭证至少需要一借一贷两行分录"),
    (_fee(account_2="201"), "第 2 行：会计科目不可用于手工记账"),
    (_fee(description=""), "请填写摘要"),
    (_fee(account_2="", credit_2="123.45"), "第 2 行：请选择会计科目"),
    (_fee(biz_type="77"), "业务类型应为业务类型代码表中的一项"),
    (_fee(value_date="2026-12-01"), "起息日 2026-12-01 晚于业务日期 2026-11-30（VALUE_DATE_FUTURE）"),
    (_fee(value_date="11/28"), "起息日格式不正确"),
])
def test_manual_voucher_bad_input_writes_nothing(client, center, funded, fin_user, data, message):
    url = reverse("finance:voucher_new")
    client.force_login(fin_user)
    token = _token(client.get(url).content.decode())
    for step in ("review", "confirm"):
        r = client.post(url, {**data, "_token": token, "_step": step, "_ack": "1"})
        assert r.status_code == 400 and message in r.content.decode()
    assert not PendingCommand.objects.exists() and not Receipt.objects.exists()


def test_manual_voucher_needs_the_permission(client, center, teller_user, checker_user):
    for user in (teller_user, checker_user):
        client.force_login(user)
        assert client.get(reverse("finance:voucher_new")).status_code == 403


def test_year_end_close_and_distribution_behind_confirmation_and_checker(client, center, funded, fin_user,
                                                                        checker_user):
    funded.income(date(2025, 6, 21), 90_000)
    client.force_login(fin_user)
    page = client.get(reverse("finance:value_added"), {"year": "2025"}).content.decode()
    assert f'{reverse("finance:value_added_close")}?year=2025' in page
    url = reverse("finance:value_added_close")
    form = client.get(url, {"year": "2025"}).content.decode()
    assert 'value="2025"' in form
    token = _token(form)
    assert client.post(url, {"year": "2025"}).status_code == 400  # no token: the one-click post is gone
    review = client.post(url, {"year": "2025", "_token": token, "_step": "review"}).content.decode()
    assert "900.00 元" in review and "40101 住房公积金利息收入 900.00 元" in review and "money-warning" in review
    assert not ValueAddedYear.objects.filter(year=2025).exists()
    unticked = client.post(url, {"year": "2025", "_token": token, "_step": "confirm"})
    assert unticked.status_code == 400 and not PendingCommand.objects.exists()
    assert client.post(url, {"year": "2025", "_token": token, "_step": "confirm", "_ack": "1"}).status_code == 302
    cmd = PendingCommand.objects.get(name="finance.value_added_close")
    assert cmd.params["income_accounts"] == [{"code": "40101", "name": "住房公积金利息收入", "amount": 90_000}]
    assert not ValueAddedYear.objects.filter(year=2025).exists()
    assert "已提交复核" in client.get(reverse("finance:value_added"), {"year": "2025"}).content.decode()
    token = _token(client.get(url, {"year": "2025"}).content.decode())
    dup = client.post(url, {"year": "2025", "_token": token, "_step": "confirm", "_ack": "1"})
    assert dup.status_code == 400 and "CLOSE_PENDING" in dup.content.decode()
    assert command_approve(command=cmd, actor=checker_user, business_date=BD).status == "applied"
    assert ValueAddedYear.objects.get(year=2025).revenue == 90_000
    # the distribution: the same confirmation, then a checker
    durl = reverse("finance:value_added_submit")
    token = _token(client.get(durl, {"year": "2025"}).content.decode())
    review = client.post(durl, {"year": "2025", "_token": token, "_step": "review"}).content.decode()
    assert "提取贷款风险准备金（借 32101 贷 301）" in review and "540.00 元" in review
    assert client.post(durl, {"year": "2025", "_token": token, "_step": "confirm", "_ack": "1"}).status_code == 302
    dist = PendingCommand.objects.get(name="finance.value_added_distribute")
    assert command_approve(command=dist, actor=checker_user, business_date=BD).status == "applied"


def test_year_end_close_bad_year_writes_nothing(client, center, funded, fin_user):
    url = reverse("finance:value_added_close")
    client.force_login(fin_user)
    token = _token(client.get(url).content.decode())
    for year, message in (("abc", "年度应为四位数字"), ("2026", "尚未到 2026 年末"), ("2024", "没有待结转")):
        r = client.post(url, {"year": year, "_token": token, "_step": "review"})
        assert r.status_code == 400 and message in r.content.decode(), year
    assert not PendingCommand.objects.exists() and not ValueAddedYear.objects.exists()


@pytest.fixture
def banks(center, funded):
    """A 住房公积金存款专户 (10101, holding the 20,000.00 contributed) and a 增值收益存款专户."""
    from openhpf.core.actors import SystemActor
    from openhpf.settlement.services import bank_account_open

    fund = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000001",
                             account_name=center.name, actor=SystemActor("test"), business_date=BD)
    va = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000002",
                           account_name=center.name, actor=SystemActor("test"), business_date=BD, kind="102")
    return fund, va


def test_deposit_open_and_transfer_forms(client, center, banks, fin_user):
    from openhpf.settlement.models import Deposit, Instruction

    fund, va = banks
    client.force_login(fin_user)
    url = reverse("finance:deposit_open")
    token = _token(client.get(url).content.decode())
    data = {"bank_account": str(fund.pk), "kind": "time", "amount": "5,000.00", "rate": "1.25", "term_months": "3"}
    review = client.post(url, {**data, "_token": token, "_step": "review"}).content.decode()
    assert "5,000.00 元" in review and "3 个月" in review and "1.25%" in review
    assert client.post(url, {**data, "_token": token, "_step": "confirm", "_ack": "1"}).status_code == 302
    dep = Deposit.objects.get()
    assert (dep.principal, dep.rate, dep.term_months, dep.kind) == (500_000, "1.25", 3, "time")
    assert dep.open_instruction.code == "BDC114"
    assert "工商银行" in client.get(reverse("finance:deposits")).content.decode()
    # bad input: a Chinese message, nothing written
    token = _token(client.get(url).content.decode())
    for bad, message in (({"amount": "0"}, "金额不能为零"), ({"rate": "25"}, "比例不能大于 20%"),
                         ({"term_months": ""}, "请选择定期存款期限"), ({"amount": "abc"}, "请输入金额（元）"),
                         ({"amount": "30,000.00"}, "可用余额")):
        r = client.post(url, {**data, **bad, "_token": token, "_step": "confirm", "_ack": "1"})
        assert r.status_code == 400 and message in r.content.decode(), bad
    assert Deposit.objects.count() == 1
    # 支取 (as if the bank had confirmed the deposit): a BDC115 instruction for the whole deposit
    Deposit.objects.filter(pk=dep.pk).update(status="open", deposit_no="D0001")
    assert reverse("finance:deposit_withdraw", args=[dep.pk]) in client.get(reverse("finance:deposits")).content.decode()
    wurl = reverse("finance:deposit_withdraw", args=[dep.pk])
    token = _token(client.get(wurl).content.decode())
    review = client.post(wurl, {"amount": "", "_token": token, "_step": "review"}).content.decode()
    assert "支取本金" in review and "5,000.00 元" in review
    assert client.post(wurl, {"amount": "", "_token": token, "_step": "confirm", "_ack": "1"}).status_code == 302
    assert Instruction.objects.get(source="deposit.withdraw").code == "BDC115"
    # 划转增值收益
    turl = reverse("finance:value_added_transfer")
    token = _token(client.get(turl).content.decode())
    tdata = {"from_account": str(fund.pk), "to_account": str(va.pk), "amount": "100.00"}
    review = client.post(turl, {**tdata, "_token": token, "_step": "review"}).content.decode()
    assert f"借 {va.gl_account.code} 贷 {fund.gl_account.code}" in review
    wrong = client.post(turl, {**tdata, "to_account": str(fund.pk), "_token": token, "_step": "review"})
    assert wrong.status_code == 400 and "请选择本中心的增值收益存款专户" in wrong.content.decode()
    assert client.post(turl, {**tdata, "_token": token, "_step": "confirm", "_ack": "1"}).status_code == 302
    ins = Instruction.objects.get(source="value_added.transfer")
    assert ins.amount == 10_000 and ins.counter_account == va.account_no
