"""The bank simulator's quarterly 活期结息 reaches the books the way a real bank's does: the center pulls the
account-change notices on 12-21, the 12-20 interest line arrives typed as interest and is booked as income
(Dr 专户 / Cr 40101), carrying the bank line's reference for 对账; never a receipt."""

from __future__ import annotations

from datetime import date

from banksim.bank import interest
from banksim.client import SimProcess
from openhpf.core.actors import SystemActor
from openhpf.core.models import Center
from openhpf.ledger.models import JournalLine
from openhpf.ledger.selectors import gl_balance
from openhpf.settlement.models import Notice
from openhpf.settlement.services import bank_account_open, bank_channel_link_local, notices_pull

ACCOUNT = "6222000000000066"
SYS = SystemActor("test")


def test_quarterly_interest_from_the_simulator_is_income(center, tmp_path):
    fund = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=ACCOUNT,
                             account_name=center.name, actor=SYS, business_date=center.business_date)
    with SimProcess(tmp_path / "bank.sqlite3", demand_rate="1.50") as sim:
        bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SYS)
        sim.open_account(ACCOUNT, name=center.name, bank_code="ICBC", balance=0)
        sim.credit(ACCOUNT, 50_000_000, date="2026-12-01", counter_name="不明付款人", summary="转账")
        Center.objects.filter(pk=center.pk).update(business_date=date(2026, 12, 21))
        center.refresh_from_db()
        notices_pull(center=center, actor=SYS, business_date=center.business_date)
    expected = interest(20 * 50_000_000, [("1.50", 1)])  # 12-01 … 12-20 at 500,000.00 元
    n = Notice.objects.get(center=center, summary="活期结息")
    assert n.status == Notice.Status.INTEREST and n.amount == expected and n.date == date(2026, 12, 20)
    assert -gl_balance(center=center, code_prefix="40101") == expected
    line = JournalLine.objects.get(account=fund.gl_account, bank_ref=n.bank_seq)
    assert line.debit == expected and line.entry.value_date == date(2026, 12, 20)
