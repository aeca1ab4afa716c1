"""What people type on the command line: amounts in 元 to the fen, never rounded (issue 14 item 18)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from openhpf.conftest import finance_clerk
from openhpf.core.actors import SystemActor
from openhpf.ledger.services import Line, entry_post
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import bank_account_open

ACCOUNT = "6222000000000019"
SYSTEM = SystemActor("test")


@pytest.fixture
def bank(center):
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=ACCOUNT,
                             account_name=center.name, actor=SYSTEM, business_date=center.business_date)
    entry_post(center=center, business_date=center.business_date, lines=[
        Line(acct.gl_account.code, debit=1_000_000), Line("21902", credit=1_000_000)], source="test",
        description="期初", actor=SYSTEM)
    finance_clerk()
    return acct


def _pay(amount: str) -> None:
    call_command("settlement", "pay", "--account", ACCOUNT, "--amount", amount, "--payee-account",
                 "6217000000000777", "--payee-name", "张三", "--book", "21902", "--no-send", "--as", "fin1",
                 stdout=io.StringIO())


@pytest.mark.parametrize("typed", ["1234.565", "0.001", "1,000.0001"])
def test_an_amount_below_the_fen_is_refused_not_rounded(center, bank, typed):
    with pytest.raises(CommandError) as e:
        _pay(typed)
    assert "MONEY_SUB_FEN" in str(e.value) and "两位小数" in str(e.value)
    assert not Instruction.objects.exists()


def test_an_amount_to_the_fen_is_taken_exactly(center, bank):
    _pay("1,234.56")
    assert Instruction.objects.get().amount == 123456


def test_a_receipt_amount_below_the_fen_is_refused(center):
    finance_clerk()
    with pytest.raises(CommandError) as e:
        call_command("remit", "receipt", "--amount", "1234.565", "--value-date", center.business_date.isoformat(),
                     "--bank-ref", "CLI-SUBFEN", "--as", "fin1", stdout=io.StringIO())
    assert "MONEY_SUB_FEN" in str(e.value)
