"""A center with one 专户 at a simulated bank (`hpf bank-sim` as a separate process), the payees the tests pay
(registered, as a center would before paying them) and the checker who releases what is held."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from banksim.client import SimProcess
from openhpf.approvals.services import command_approve
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.settlement.four_eyes import payee_register
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import bank_account_open, bank_channel_link_local, notices_pull

CENTER_ACCOUNT = "6222000000000001"
# the outside accounts the tests pay: registered payees (a payment to them below the threshold needs no checker)
TEST_PAYEES = (("6217000000000777", "张三"), ("6217000000000001", "张三"), ("6217000000000002", "李四"),
               ("6217000000000003", "王五"))


def register_test_payees(center) -> None:
    for no, name in TEST_PAYEES:
        payee_register(center=center, account_no=no, account_name=name, kind="counterparty", actor=SystemActor("test"),
                       source="test", approved_by="test")


def reviewer(username: str = "rev1"):
    """A 复核员 (approvals.approve at every center), made once."""
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    return grant_role(user, "reviewer") if created else user


def release(ins: Instruction) -> Instruction:
    """A checker approves the release of a held instruction (at or above the maker-checker threshold): it becomes
    created, to be sent (the send after commit does not run inside a test's transaction)."""
    assert ins.state == Instruction.State.HELD and ins.release_command
    cmd = command_approve(command=ins.release_command, actor=reviewer(), business_date=ins.center.business_date)
    assert cmd.status == "applied", cmd.apply_error
    ins.refresh_from_db()
    assert ins.state == Instruction.State.CREATED
    return ins


@pytest.fixture
def sim(tmp_path):
    with SimProcess(tmp_path / "bank.sqlite3") as s:
        yield s


@pytest.fixture
def bank(center, sim):
    """The center's 专户 at bank ICBC, reached through the simulator; the bank holds 1,000,000.00 there and the
    books show the same (an opening receipt of unknown payer, 暂收)."""
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                             account_name=center.name, actor=SystemActor("test"), business_date=center.business_date)
    bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=SystemActor("test"),
                            timeout_seconds=2)
    register_test_payees(center)
    sim.control("/sim/accounts", {"account": CENTER_ACCOUNT, "name": center.name, "bank_code": "ICBC", "balance": 0})
    sim.credit(account=CENTER_ACCOUNT, amount=100_000_000, counter_account="9550000000000099",
               counter_name="期初资金", summary="期初", date=center.business_date.isoformat())
    notices_pull(center=center, actor=SystemActor("test"), business_date=center.business_date)
    acct.refresh_from_db()
    return acct
