"""Who may make a money movement: a person with the permission, never a system actor, and from the command line
only as the staff member named by --as."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from openhpf.audit.models import AuditRecord
from openhpf.conftest import finance_clerk, grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import PermissionDenied
from openhpf.ledger.services import Line, entry_post
from openhpf.settlement.deposits import deposit_open
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import (
    bank_account_open,
    batch_payment_submit,
    collection_submit,
    payment_submit,
)

ACCOUNT = "6222000000000009"
SYSTEM = SystemActor("test")


@pytest.fixture
def bank(center):
    """A 专户 holding 10,000.00 on the books (no bank channel: nothing here is sent)."""
    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=ACCOUNT,
                             account_name=center.name, actor=SYSTEM, business_date=center.business_date)
    entry_post(center=center, business_date=center.business_date, lines=[
        Line(acct.gl_account.code, debit=1_000_000), Line("21902", credit=1_000_000)], source="test",
        description="期初", actor=SYSTEM)
    return acct


def _pay(center, bank, actor):
    return payment_submit(center=center, bank_account=bank, amount=100_00, payee_account="6217000000000777",
                          payee_name="张三", biz_type="20", book_account="21902", summary="退回暂收款", actor=actor,
                          business_date=center.business_date)


def test_a_system_actor_never_makes_a_payment(center, bank, staff):
    for system in (SYSTEM, SystemActor("dayend", on_behalf_of=finance_clerk())):
        with pytest.raises(PermissionDenied) as e:
            _pay(center, bank, system)
        assert e.value.code == "FORBIDDEN" and "系统主体" in e.value.message and "不能经办资金变动" in e.value.message
        with pytest.raises(PermissionDenied):
            collection_submit(center=center, bank_account=bank, amount=100_00, payer_account="9550000000000777",
                              payer_name="某公司", biz_type="01", actor=system, business_date=center.business_date)
        with pytest.raises(PermissionDenied):
            batch_payment_submit(center=center, bank_account=bank, biz_type="20", book_account="21902",
                                 summary="批量退回", actor=system, business_date=center.business_date,
                                 items=[{"counter_account": "6217000000000001", "counter_name": "张三",
                                         "amount": 100_00}])
        with pytest.raises(PermissionDenied):
            deposit_open(center=center, bank_account=bank, kind="time", amount=100_00, rate="1.25", term_months=3,
                         actor=system, business_date=center.business_date)
    with pytest.raises(PermissionDenied):  # a person without settlement.operate neither
        _pay(center, bank, staff)
    assert not Instruction.objects.exists()
    ins = _pay(center, bank, finance_clerk())
    assert ins.created_by == "user:fin1" and ins.reserved == 100_00


def _cli_pay(*extra):
    call_command("settlement", "pay", "--account", ACCOUNT, "--amount", "100.00", "--payee-account",
                 "6217000000000777", "--payee-name", "张三", "--book", "21902", "--no-send", *extra,
                 stdout=io.StringIO())


def test_the_cli_moves_money_only_as_the_staff_member_named_by_as(center, bank):
    with pytest.raises(CommandError, match="--as"):
        _cli_pay()
    with pytest.raises(CommandError, match="用户不存在"):
        _cli_pay("--as", "nobody")
    teller = grant_role(get_user_model().objects.create_user("teller9", is_staff=True), "teller")
    with pytest.raises(PermissionDenied):  # that person's permission is checked
        _cli_pay("--as", teller.username)
    assert not Instruction.objects.exists()
    finance_clerk()
    _cli_pay("--as", "fin1")
    ins = Instruction.objects.get()
    assert ins.created_by == "user:fin1" and ins.source == "cli"
    rec = AuditRecord.objects.get(action="settlement.instruction.create")
    assert (rec.actor, rec.actor_kind, rec.actor_id) == ("user:fin1", "staff", str(_pk("fin1")))


def _pk(username: str) -> int:
    return get_user_model().objects.get(username=username).pk


def test_other_writing_commands_run_as_the_cli_system_actor_on_behalf_of_as(center, bank):
    finance_clerk()
    call_command("settlement", "account-open", "--bank-code", "CCB", "--bank-name", "建设银行", "--account-no",
                 "6227000000000001", "--as", "fin1", stdout=io.StringIO())
    rec = AuditRecord.objects.get(action="settlement.bank_account.open", after__account_no="6227000000000001")
    assert (rec.actor, rec.actor_kind, rec.actor_id) == ("system:cli:user:fin1", "system", "cli")
    assert rec.actor_user_id == _pk("fin1")


def test_a_channel_change_from_the_cli_is_a_request_of_the_person_named_by_as(center, bank):
    """The channel is a maker-checker command (issue 13 item 2): made by the person, never by the cli actor."""
    with pytest.raises(CommandError, match="--as"):
        call_command("settlement", "channel", "--bank-code", "ICBC", "--url", "http://127.0.0.1:9/bdc",
                     stdout=io.StringIO())
    finance_clerk()
    call_command("settlement", "channel", "--bank-code", "ICBC", "--url", "http://127.0.0.1:9/bdc", "--as", "fin1",
                 stdout=io.StringIO())
    rec = AuditRecord.objects.get(action="approvals.command.submit")
    assert rec.actor == "user:fin1" and (rec.after or {})["name"] == "settlement.channel_set"
    assert not AuditRecord.objects.filter(action="settlement.channel.set").exists()
