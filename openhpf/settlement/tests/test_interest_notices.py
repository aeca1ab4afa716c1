"""Bank interest on a current (活期) 专户 arriving as an account-change notice is income (issue 14 item 9):
40101 on a 101 专户, 40102 on a 102 增值收益 专户, recognised by the notice's type or its summary; never 暂收."""

from __future__ import annotations

from datetime import date

from openhpf.contributions.models import Receipt
from openhpf.core.actors import SystemActor
from openhpf.core.models import PolicyParameter
from openhpf.ledger.models import JournalLine
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement.models import Notice
from openhpf.settlement.services import bank_account_open, notice_ingest

BANK = SystemActor("bank", ref="ICBC")
FUND_NO, VALUE_ADDED_NO = "6222000000000001", "6222000000000102"


def _accounts(center):
    fund = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=FUND_NO,
                             account_name=center.name, actor=SystemActor("test"), business_date=center.business_date)
    va = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=VALUE_ADDED_NO,
                           account_name=center.name, kind="102", actor=SystemActor("test"),
                           business_date=center.business_date)
    return fund, va


def _credit(center, code: str) -> int:
    return -gl_balance(center=center, code_prefix=code)


def _ingest(center, nid, account, amount, summary, **kw):
    payload = {"code": "SBDC100", "notice_id": nid, "account": account, "date": "2026-11-30",
               "bank_seq": f"B{nid}", "direction": "in", "amount": amount, "balance": amount,
               "counter_account": "", "counter_name": "工商银行", "summary": summary, "ref": "", **kw}
    return notice_ingest(center=center, payload=payload, actor=BANK, business_date=center.business_date)


def test_quarterly_interest_on_both_kinds_of_account_is_income(center):
    fund, va = _accounts(center)
    n1 = _ingest(center, "N1", FUND_NO, 1_234_56, "活期结息")
    n2 = _ingest(center, "N2", VALUE_ADDED_NO, 56_78, "存款利息")
    n3 = _ingest(center, "N3", FUND_NO, 9_00, "季度入账", type="interest")  # by the notice's type
    assert {n.status for n in (n1, n2, n3)} == {Notice.Status.INTEREST}
    assert _credit(center, "40101") == 1_234_56 + 9_00
    assert _credit(center, "40102") == 56_78
    assert _credit(center, "21902") == 0 and not Receipt.objects.exists()
    assert gl_balance(center=center, code_prefix=fund.gl_account.code) == 1_234_56 + 9_00
    assert gl_balance(center=center, code_prefix=va.gl_account.code) == 56_78
    line = JournalLine.objects.get(account=fund.gl_account, bank_ref="BN1")  # the bank line, for 日终对账
    assert line.debit == 1_234_56 and line.entry.value_date == date(2026, 11, 30)
    again = _ingest(center, "N1", FUND_NO, 1_234_56, "活期结息")  # the same notice twice: booked once
    assert again.deliveries == 2 and _credit(center, "40101") == 1_234_56 + 9_00


def test_other_credits_stay_receipts_and_the_keywords_are_policy(center):
    _accounts(center)
    withdrawn = _ingest(center, "N4", FUND_NO, 100_00, "定期存款支取 本金10000 利息0")  # principal: not interest
    other = _ingest(center, "N5", FUND_NO, 200_00, "汇缴")
    typed = _ingest(center, "N6", FUND_NO, 300_00, "结息", type="transfer")  # the type wins over the summary
    assert {n.status for n in (withdrawn, other, typed)} == {Notice.Status.RECEIPT}
    assert _credit(center, "21902") == 600_00
    PolicyParameter.objects.create(center=center, key="settlement.interest_notice.keywords", value_type="json",
                                   value=["付息"], effective_from=center.business_date, approved_by="test",
                                   source="测试：本行摘要")
    assert _ingest(center, "N7", FUND_NO, 5_00, "付息").status == Notice.Status.INTEREST
    assert _ingest(center, "N8", FUND_NO, 6_00, "结息").status == Notice.Status.RECEIPT
