"""What the checker reads (复核摘要): every registered command type renders its own summary: what will happen,
amounts in 元, accounts and parties by name, before → after; never the command code, a Python dict or fen."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from openhpf.accounts.tests.factories import make_employer
from openhpf.approvals import registry
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_submit
from openhpf.contributions.models import HardshipApplication, Receipt, Remittance
from openhpf.core.actors import SystemActor
from openhpf.ledger.services import Line, chart_seed, entry_post
from openhpf.settlement.services import bank_account_open

BD = date(2026, 11, 30)
SYS = SystemActor("test")


def _cmd(center, maker, name: str, params: dict, *, status: str = "pending", result=None) -> PendingCommand:
    return PendingCommand.objects.create(center=center, name=name, params=params, summary=f"{name} {params}"[:300],
                                         maker=maker, made_at=timezone.now(), business_date=BD, status=status,
                                         result=result)


def _page(client, approver, cmd, *, money: bool = True) -> str:
    client.force_login(approver)
    r = client.get(reverse("approvals:detail", args=[cmd.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert cmd.name not in html, "the command code is shown"
    assert not re.search(r"\{'|'\w+': ", html), "a Python dict is shown"
    if money:
        assert "元" in html
    return html


def test_every_registered_command_type_has_a_renderer():
    assert [n for n in registry.unrendered() if not n.startswith("test.")] == []  # tests register their own
    assert len(registry.names()) >= 10


def test_policy_change_shows_name_yuan_and_before_after(client, center, maker, approver):
    cmd = _cmd(center, maker, "core.policy_set", {"key": "contribution.base.cap", "value": 3600000, "value_type": "int",
                                                   "effective_from": "2027-07-01", "source": "杭房金〔2027〕1号"})
    html = _page(client, approver, cmd)
    assert "调整政策参数「缴存基数上限」" in html and "36,000.00 元" in html and "杭房金〔2027〕1号" in html
    assert "变更前后" in html and "3600000" not in html and "contribution.base.cap" not in html


def test_manual_voucher_shows_accounts_by_name_and_yuan(client, center, maker, approver):
    chart_seed(center=center)
    cmd = _cmd(center, maker, "ledger.entry_post", {
        "description": "银行手续费", "biz_type": "99", "lines": [
            {"account": "41102", "debit": 12345, "credit": 0, "memo": "11月手续费"},
            {"account": "10101", "debit": 0, "credit": 12345}]}, status="applied",
        result={"voucher_no": "202611-0007", "entry_id": 1, "total": 12345})
    html = _page(client, approver, cmd)
    assert "手工记账：银行手续费，借贷各 123.45 元" in html
    assert "41102 归集手续费支出" in html and "10101 委托银行专户（默认）" in html and "12345" not in html
    assert "借</td>" in html and "贷</td>" in html
    assert "办理结果" in html and "记账凭证 202611-0007" in html  # results link to what was created


def test_reversal_shows_the_original_voucher_swapped(client, center, maker, approver):
    chart_seed(center=center)
    e = entry_post(center=center, business_date=BD, lines=[Line("41102", debit=50000), Line("10101", credit=50000)],
                   source="test", description="误记手续费", actor=SYS)
    cmd = _cmd(center, maker, "ledger.entry_reverse", {"voucher_no": e.voucher_no, "reason": "重复记账", "total": 50000})
    html = _page(client, approver, cmd)
    assert f"冲正记账凭证 {e.voucher_no}（500.00 元）" in html and "误记手续费" in html and "重复记账" in html
    assert "41102 归集手续费支出" in html and "50000" not in html
    assert "<td>贷</td><td>41102 归集手续费支出</td>" in html  # the reversing lines: debit and credit swapped


def test_release_shows_payee_masked_and_bank(client, center, maker, approver):
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行杭州分行", account_no="1202000000001",
                      account_name="杭州住房公积金管理中心", actor=SYS, business_date=BD)
    cmd = _cmd(center, maker, "settlement.instruction_release", {
        "seq": "3301002026113000000001", "amount": 2_500_000, "code": "BDC101", "count": 1,
        "payee_account": "6217000012345678", "payee_name": "张三丰", "summary": "提取", "reasons": ["收款人未登记"]})
    html = _page(client, approver, cmd)
    assert "放行单笔付款：25,000.00 元 付至 张**" in html and "张三丰" not in html
    assert "6217********5678" in html and "收款人未登记" in html and "2500000" not in html


def test_payee_add_masks_people_but_not_the_center_itself(client, center, maker, approver):
    cmd = _cmd(center, maker, "settlement.payee_add", {"account_no": "6217000012345678", "account_name": "李四",
                                                        "kind": "member_card", "bank_name": "建设银行"})
    html = _page(client, approver, cmd, money=False)
    assert "登记收款人：李*（职工银行卡）" in html and "李四" not in html and "建设银行" in html
    own = _cmd(center, maker, "settlement.payee_add", {"account_no": "1202000000009", "account_name": "杭州住房公积金管理中心",
                                                        "kind": "own", "bank_name": "工商银行"})
    html = _page(client, approver, own, money=False)
    assert "登记收款人：杭州住房公积金管理中心（本中心账户）" in html


def test_channel_change_shows_bank_name_and_before_after(client, center, maker, approver):
    bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行杭州分行", account_no="1202000000001",
                      account_name="杭州住房公积金管理中心", actor=SYS, business_date=BD)
    cmd = _cmd(center, maker, "settlement.channel_set", {"bank_code": "ICBC", "url": "http://127.0.0.1:9/bdc",
                                                         "timeout_seconds": 15, "notify_token_hash": ""})
    html = _page(client, approver, cmd, money=False)
    assert "变更工商银行杭州分行（ICBC）的银行接口" in html and "（未配置）" in html and "15 秒" in html


def test_receipt_confirm_shows_payer_masked_and_employer(client, center, maker, approver):
    e = make_employer(center)
    rc = Receipt.objects.create(center=center, bank_ref="B20261130001", amount=880_000, value_date=BD,
                                payer_name="王小明", payer_account="6222000011112222", employer=e,
                                status=Receipt.Status.UNCONFIRMED, manual=True, business_date=BD, created_by="maker1")
    cmd = _cmd(center, maker, "contributions.receipt_confirm", {"receipt_id": rc.pk, "bank_ref": rc.bank_ref,
                                                                "amount": 880_000})
    html = _page(client, approver, cmd)
    assert "确认手工登记的到账 8,800.00 元" in html and e.name in html and "王**" in html and "王小明" not in html
    assert "880000" not in html


def test_refund_shows_employer_month_and_yuan(client, center, maker, approver):
    e = make_employer(center)
    r = Remittance.objects.create(center=center, employer=e, month="202610", status=Remittance.Status.POSTED, lines=3,
                                  total=360_000, business_date=BD, created_by="maker1")
    cmd = _cmd(center, maker, "contributions.refund", {"remittance_id": r.pk, "reason": "错缴", "to": "suspense",
                                                       "amount": 360_000})
    html = _page(client, approver, cmd)
    assert f"退缴 {e.name} 2026年10月 的汇缴 3,600.00 元，转入单位暂存款" in html and "suspense" not in html
    assert "已入账" in html and "已退缴" in html and reverse("remit:detail", args=[r.pk]) in html


def test_hardship_shows_employer_and_ratio_before_after(client, center, maker, approver):
    e = make_employer(center)
    app = HardshipApplication.objects.create(
        center=center, employer=e, kind="reduce", employer_ratio=Decimal("0.05"), member_ratio=Decimal("0.05"),
        valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31), reason="经营困难", applied_by="maker1", applied_on=BD)
    cmd = _cmd(center, maker, "contributions.hardship.approve", {"application": app.pk})
    html = _page(client, approver, cmd, money=False)
    assert f"批准 {e.name} 降低缴存比例" in html and "12%" in html and "5%" in html and "经营困难" in html


def test_value_added_distribution_shows_postings_by_name(client, center, maker, approver):
    chart_seed(center=center)
    cmd = _cmd(center, maker, "finance.value_added_distribute", {
        "center_id": center.pk, "year": 2025, "distributable": 5_000_000, "risk_reserve": 3_000_000,
        "management_fee": 1_000_000, "lowrent_fund": 1_000_000, "rules": {}}, status="applied",
        result={"year": 2025, "status": "distributed", "vouchers": ["202512-0031", "202512-0032"]})
    html = _page(client, approver, cmd)
    assert "2025 年度增值收益分配：可供分配 50,000.00 元" in html and "32101 提取贷款风险准备金" in html
    assert "301 贷款风险准备" in html and "30,000.00 元" in html and "记账凭证 202512-0032" in html
    assert "5000000" not in html


def test_pending_list_shows_rendered_headlines(client, center, maker, approver):
    cmd = command_submit(name="settlement.payee_add", params={"account_no": "6217000012345678", "account_name": "李四",
                                                               "kind": "member_card"}, actor=maker, center=center,
                         business_date=BD)
    client.force_login(approver)
    html = client.get(reverse("approvals:pending")).content.decode()
    assert "登记收款人：李*" in html and "李四" not in html and cmd.name not in html


def test_renderer_failure_falls_back_to_the_stored_summary(client, center, maker, approver):
    cmd = _cmd(center, maker, "contributions.hardship.approve", {"application": "x"})
    cmd.summary = "缓缴申请"
    cmd.save()
    client.force_login(approver)
    assert client.get(reverse("approvals:detail", args=[cmd.pk])).status_code == 200


def test_register_renderer_twice_is_refused():
    with pytest.raises(ValueError):
        registry.register_renderer("core.policy_set", lambda c, v: registry.Summary(headline=""))
