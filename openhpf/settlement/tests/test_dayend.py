"""Day-end (日终) end to end against the bank simulator: notices → receipts, an unknown payment resolved,
statements, reconciliation that refuses to close over an unexplained bank fee, accrual, liquidity, and the
business date moved on once finance has booked the fee."""

from __future__ import annotations

from datetime import date

import pytest

from openhpf.contributions.models import Receipt
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.finance.models import LiquiditySnapshot
from openhpf.jobs.dayend import dayend_run
from openhpf.jobs.models import Job
from openhpf.ledger.services import Line, entry_post
from openhpf.reconciliation.models import Reconciliation
from openhpf.settlement.models import Instruction, Notice
from openhpf.settlement.services import instruction_send

from .conftest import CENTER_ACCOUNT
from .test_gateway import ACTOR, _bank_balance, _book, _pay

S = Instruction.State


def test_dayend_reconciles_and_moves_the_business_date(center, bank, sim):
    on = center.business_date
    sim.credit(account=CENTER_ACCOUNT, amount=8_000_00, counter_account="9550000000000011", counter_name="某单位",
               summary="汇缴", date=on.isoformat())
    sim.faults(fault="drop_answer", code="BDC101", count=1)
    ins = instruction_send(instruction=_pay(center, bank), actor=ACTOR, business_date=on)
    assert ins.state == S.UNKNOWN
    fee = sim.debit(account=CENTER_ACCOUNT, amount=15_00, counter_account="", counter_name="工商银行",
                    summary="汇划手续费", date=on.isoformat())

    # day 1: the fee the bank took is a 未达账项 of the day (银行已付单位未付); the day closes
    job = dayend_run(center=center, actor=ACTOR)
    assert job.status == Job.Status.SUCCEEDED
    ins.refresh_from_db()
    assert ins.state == S.SUCCEEDED and ins.resolved_by == "BDC110"  # resolved by the day-end, not sent again
    assert sim.state()["transactions"]["BDC101"] == 1
    assert Receipt.objects.filter(amount=8_000_00).count() == 1
    assert Notice.objects.get(amount=15_00).status == Notice.Status.QUEUE  # the fee waits for finance
    r1 = Reconciliation.objects.get(bank_account=bank, recon_date=on)
    assert r1.status == Reconciliation.Status.BALANCED and r1.bank_out_open == 15_00 and r1.difference == 0
    assert LiquiditySnapshot.objects.filter(center=center, on=on).exists()
    center = Center.objects.get(pk=center.pk)
    assert center.business_date == date(2026, 12, 1)

    # day 2: still not booked, the carried item is unexplained: the day cannot close
    with pytest.raises(DomainError) as e:
        dayend_run(center=center, actor=ACTOR)
    assert e.value.code == "DAYEND_UNRECONCILED"
    assert Center.objects.get(pk=center.pk).business_date == date(2026, 12, 1)

    # finance books the fee with the bank's reference; the day-end resumes where it stopped and closes
    entry_post(center=center, business_date=date(2026, 12, 1), source="manual-test", actor=ACTOR,
               description="汇划手续费", lines=[Line("41199", debit=15_00),
                                           Line(bank.gl_account.code, credit=15_00, bank_ref=fee["bank_seq"])])
    job2 = dayend_run(center=center, actor=ACTOR)
    assert job2.status == Job.Status.SUCCEEDED
    assert Center.objects.get(pk=center.pk).business_date == date(2026, 12, 2)
    r2 = Reconciliation.objects.get(bank_account=bank, recon_date=date(2026, 12, 1))
    assert r2.status == Reconciliation.Status.BALANCED and r2.items_open == 0
    assert _book(bank) == _bank_balance(sim) == 100_000_000 + 8_000_00 - 1_000_00 - 15_00
