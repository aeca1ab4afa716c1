"""A center with one 专户 at a simulated bank (`hpf bank-sim` as a separate process)."""

from __future__ import annotations

import pytest

from banksim.client import SimProcess
from openhpf.core.actors import SystemActor

CENTER_ACCOUNT = "6222000000000001"


@pytest.fixture
def sim(tmp_path):
    with SimProcess(tmp_path / "bank.sqlite3") as s:
        yield s


@pytest.fixture
def bank(center, sim):
    """The center's 专户 at bank ICBC, reached through the simulator; the bank holds 1,000,000.00 there and the
    books show the same (an opening receipt of unknown payer, 暂收)."""
    from openhpf.settlement.services import bank_account_open, bank_channel_set, notices_pull

    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                             account_name=center.name, actor=SystemActor("test"), business_date=center.business_date)
    bank_channel_set(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SystemActor("test"), timeout_seconds=2)
    sim.control("/sim/accounts", {"account": CENTER_ACCOUNT, "name": center.name, "bank_code": "ICBC", "balance": 0})
    sim.credit(account=CENTER_ACCOUNT, amount=100_000_000, counter_account="9550000000000099",
               counter_name="期初资金", summary="期初", date=center.business_date.isoformat())
    notices_pull(center=center, actor=SystemActor("test"), business_date=center.business_date)
    acct.refresh_from_db()
    return acct
