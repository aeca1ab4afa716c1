"""Batch payout of approved withdrawals and 退汇 (issue 19 item 5): one BDC103 batch, an item failing at the
bank back on the member's account at the original value date, a paid withdrawal returned by the payee's bank
(single and in a batch) credited back and its application reopened. `hpf verify` runs after each test."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.applications import services as engine
from openhpf.applications.models import Application, State
from openhpf.approvals.services import command_approve
from openhpf.ledger.models import SubAccount, SubLedgerRow
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.tests.factories import deposit
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_resolve, instruction_send, notice_ingest
from openhpf.withdrawals.batch import payout_batch
from openhpf.withdrawals.cards import card_add, card_verify
from openhpf.withdrawals.handlers import RENT
from openhpf.withdrawals.models import Payout
from openhpf.withdrawals.tests.test_reasons import RENT_OK, _execute_and_send, _review

from .conftest import BALANCE, CARD, file, verified_card
from .test_api import _auth

pytestmark = pytest.mark.django_db
OTHER_CARD = "6217000000005678"


def _second(w):
    """A second member of the world with its own card and rent application, approved."""
    c = w["center"]
    acct = make_account(c, make_employer(c, 3), 7)
    deposit(c, acct.sub, BALANCE, value_date=date(2026, 7, 1))
    w2 = {**w, "acct": acct, "member": acct.member}
    card = card_add(member=acct.member, card_no=OTHER_CARD, bank_code="ICBC", bank_name="工商银行",
                    holder_name=acct.member.name, actor=w["teller"], business_date=c.business_date)
    card_verify(card=card, actor=w["r1"], business_date=c.business_date)
    from openhpf.accounts.models import PaidMonths

    PaidMonths.objects.create(account=acct, year=2026, months=0b11110000000, back=0)
    return w2, _review(w2, file(w2, RENT, RENT_OK), "r1")


def _send_and_settle(w, ins):
    ins = Instruction.objects.get(pk=ins.pk)
    if ins.state == "held":
        command_approve(command=ins.release_command, actor=w["r2"], business_date=w["center"].business_date)
        ins = Instruction.objects.get(pk=ins.pk)
    if ins.state == "created":
        ins = instruction_send(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    for _ in range(30):
        if ins.is_final:
            return ins
        ins = instruction_resolve(instruction=ins, actor=w["fin"], business_date=w["center"].business_date)
    raise AssertionError("batch not final")


def _return_notice(w, ins, card, amount, n="1"):
    """What the payee's bank sends back (SBDC100, in, naming our instruction)."""
    return notice_ingest(center=w["center"], actor=w["fin"], business_date=w["center"].business_date, payload={
        "notice_id": f"RET{ins.seq}{n}", "account": ins.bank_account.account_no, "direction": "in",
        "amount": amount, "date": w["center"].business_date.isoformat(), "bank_seq": f"BRET{n}",
        "counter_account": card, "counter_name": "退汇", "summary": "退汇", "ref": ins.seq})


def test_batch_pays_one_fails_the_other_back_at_its_value_date_then_a_return(world, bank, sim):
    w = world
    verified_card(w)
    first = _review(w, file(w, RENT, RENT_OK), "r1")
    w2, second = _second(w)
    sim.control("/sim/accounts", {"account": OTHER_CARD, "name": w2["member"].name, "bank_code": "ICBC",
                                  "balance": 0, "status": "closed"})
    ins = payout_batch(center=w["center"], actor=w["fin"], business_date=w["center"].business_date)
    assert ins.code == "BDC103" and ins.count == 2 and ins.amount == 1_200_000 and ins.biz_type == "02"
    assert Application.objects.get(pk=first.pk).state == State.EXECUTING
    assert SubAccount.objects.get(pk=w["acct"].pk).hold_amount == 0  # the hold became the batch's debit
    ins = _send_and_settle(w, ins)
    assert ins.state == "succeeded" and ins.failed_amount == 600_000
    assert Application.objects.get(pk=first.pk).state == State.COMPLETED
    assert Application.objects.get(pk=second.pk).state == State.EXECUTION_FAILED
    assert Payout.objects.get(application=second).state == Payout.State.FAILED
    rows = list(SubLedgerRow.objects.filter(sub_account_id=w2["acct"].pk, reference=ins.seq).order_by("pk")
                .values_list("biz_type", "amount", "value_date"))
    bd = w["center"].business_date
    assert rows == [("11", -600_000, bd), ("99", 600_000, bd)] or [r[1:] for r in rows] == [(-600_000, bd), (600_000, bd)]
    assert SubAccount.objects.get(pk=w2["acct"].pk).balance == BALANCE
    assert gl_balance(center=w["center"], code_prefix="21903") == 0
    # 退汇 of the paid item: back on the member at the original value date, the application reopened
    n = _return_notice(w, ins, CARD, 600_000)
    assert n.status == "instruction" and "退汇" in n.note
    assert Application.objects.get(pk=first.pk).state == State.EXECUTION_FAILED
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE
    back = SubLedgerRow.objects.filter(sub_account_id=w["acct"].pk, reference=ins.seq).order_by("-pk").first()
    assert (back.amount, back.value_date) == (600_000, ins.business_date)
    again = _return_notice(w, ins, CARD, 600_000)  # the same notice again: credited once
    assert again.deliveries == 2 and SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE


def test_a_single_payment_returned_is_credited_back_once_and_the_application_reopened(world, bank, sim):
    w = world
    verified_card(w)
    app, ins = _execute_and_send(w, _review(w, file(w, RENT, RENT_OK), "r1"))
    assert app.state == State.COMPLETED and SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE - 600_000
    n = _return_notice(w, ins, CARD, 600_000)
    assert n.status == "instruction"
    app = Application.objects.get(pk=app.pk)
    assert app.state == State.EXECUTION_FAILED and app.completed_on is None
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE
    assert _return_notice(w, ins, CARD, 600_000).deliveries == 2  # told twice: credited once
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE and engine is not None


def test_paying_again_after_a_return_is_a_new_payment_made_exactly_once(world, bank, sim):
    """Each execute attempt has its own settlement reference (`<number>-<n>`): after a 退汇 reopened the
    application, executing it again pays anew (not the earlier, succeeded instruction), once."""
    w = world
    verified_card(w)
    app, first = _execute_and_send(w, _review(w, file(w, RENT, RENT_OK), "r1"))
    assert first.source_ref == f"{app.number}-1"
    assert _return_notice(w, first, CARD, 600_000).status == "instruction"
    app = Application.objects.get(pk=app.pk)
    assert app.state == State.EXECUTION_FAILED
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE
    app, second = _execute_and_send(w, app)
    assert second.pk != first.pk and second.source_ref == f"{app.number}-2"
    assert second.state == Instruction.State.SUCCEEDED and app.state == State.COMPLETED
    sub = SubAccount.objects.get(pk=w["acct"].pk)
    assert sub.balance == BALANCE - 600_000 and sub.hold_amount == 0
    payout = Payout.objects.get(application=app)
    assert payout.state == Payout.State.PAID and payout.instruction_seq == second.seq
    paid = Instruction.objects.filter(source="withdrawal", state=Instruction.State.SUCCEEDED,
                                      source_ref__startswith=app.number)
    assert sorted(i.seq for i in paid) == sorted([first.seq, second.seq])
    # the bank's answer to the second attempt told again changes nothing (paid once)
    instruction_resolve(instruction=second, actor=w["fin"], business_date=w["center"].business_date)
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE - 600_000
    assert SubLedgerRow.objects.filter(sub_account_id=w["acct"].pk, reference=second.seq).count() == 1


def test_the_simulators_return_fault_reopens_a_paid_withdrawal_and_a_batch_item(world, bank, sim):
    """退汇 from the bank simulator (POST /sim/return): a later inbound notice naming a paid payment, pulled like
    any notice. The single payment and a batch item each come back once; the applications are reopened."""
    from banksim.client import SimHTTPError
    from openhpf.core.actors import SystemActor
    from openhpf.settlement.models import Notice
    from openhpf.settlement.services import notices_pull

    w = world
    c, bd = w["center"], w["center"].business_date
    verified_card(w)
    app, ins = _execute_and_send(w, _review(w, file(w, RENT, RENT_OK), "r1"))
    assert app.state == State.COMPLETED
    notices_pull(center=c, actor=SystemActor("test"), business_date=bd)  # the payment's own notice, booked already
    back = sim.control("/sim/return", {"seq": ins.seq})
    assert back["amount"] == 600_000
    with pytest.raises(SimHTTPError):  # a payment comes back at most once
        sim.control("/sim/return", {"seq": ins.seq})
    notices_pull(center=c, actor=SystemActor("test"), business_date=bd)
    n = Notice.objects.get(notice_id=back["notice_id"])
    assert n.status == "instruction" and "退汇" in n.note
    assert Application.objects.get(pk=app.pk).state == State.EXECUTION_FAILED
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE
    # a batch: its second item comes back
    w2, app2 = _second(w)
    batch = _send_and_settle(w, payout_batch(center=c, actor=w["fin"], business_date=bd))
    assert batch.state == "succeeded"
    paid = {p.account_id: p for p in Payout.objects.filter(instruction_seq=batch.seq)}
    from openhpf.applications.models import ApplicationEvent
    from openhpf.audit.models import AuditRecord

    went = ApplicationEvent.objects.filter(application=app2, to_state=State.EXECUTING).get()  # bulk, at submission
    assert went.from_state == State.APPROVED and went.reason == f"批量支付 {batch.seq}"
    assert AuditRecord.objects.filter(action="applications.application.execute", object_id=str(app2.pk)).exists()
    ev = ApplicationEvent.objects.filter(application=app2, from_state=State.EXECUTING).get()  # the engine's bulk move
    assert ev.to_state == State.COMPLETED and f"批量 {batch.seq}" in ev.reason and ev.actor_label
    assert AuditRecord.objects.filter(action="applications.application.complete", object_id=str(app2.pk)).exists()
    assert (Application.objects.get(pk=app2.pk).result or {})["bank_seq"]
    item = batch.items.get(sub_account_id=w2["acct"].pk)
    back2 = sim.control("/sim/return", {"seq": batch.seq, "item": item.item})
    notices_pull(center=c, actor=SystemActor("test"), business_date=bd)
    assert Notice.objects.get(notice_id=back2["notice_id"]).status == "instruction"
    assert Application.objects.get(pk=app2.pk).state == State.EXECUTION_FAILED
    assert Payout.objects.get(pk=paid[w2["acct"].pk].pk).state == Payout.State.HELD
    assert SubAccount.objects.get(pk=w2["acct"].pk).balance == BALANCE
    assert gl_balance(center=c, code_prefix="21903") == 0


# ---------------------------------------------------------------- the API and the command (批量支付)


def _api_post(c, url, body, auth):
    return c.post(url, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                  **auth)


def _hpf(*args):
    out = io.StringIO()
    call_command("withdrawals", *args, stdout=out)
    return json.loads(out.getvalue())


def test_batch_through_the_api_waits_for_a_second_person_and_pays_once(world, bank, sim):
    w = world
    verified_card(w)
    first = _review(w, file(w, RENT, RENT_OK), "r1")
    _w2, second = _second(w)
    c = Client()
    fin, teller, r2 = (_auth(w[k], w["center"]) for k in ("fin", "teller", "r2"))
    denied = _api_post(c, "/api/v1/withdrawals/batches", {}, teller)  # the counter cannot move money
    assert denied.status_code == 403 and denied.json()["code"] == "FORBIDDEN"
    r = _api_post(c, "/api/v1/withdrawals/batches", {}, fin)
    assert r.status_code == 201, r.content
    (made,) = r.json()
    # 6,000.00 + 6,000.00 元, two items, held for its checker; the cards masked, never in clear
    assert (made["count"], made["total"], made["total_yuan"], made["closing"], made["state"]) == (
        2, 1_200_000, "12,000.00", False, "held")
    assert made["release_command"] and CARD not in r.text and OTHER_CARD not in r.text
    assert {i["card"] for i in made["items"]} == {"**** **** **** 1234", "**** **** **** 5678"}
    seq = made["seq"]
    assert c.get(f"/api/v1/withdrawals/batches/{seq}", **teller).json()["state"] == "held"
    again = _api_post(c, "/api/v1/withdrawals/batches", {}, fin)  # nothing left to pay: a clear Chinese error
    assert again.status_code == 422 and again.json()["code"] == "WITHDRAWAL_BATCH_EMPTY" and "没有可批量支付" in \
        again.json()["message"]
    own = _api_post(c, f"/api/v1/withdrawals/batches/{seq}/release", {}, fin)  # the maker cannot release it
    assert own.status_code in (403, 409) and Instruction.objects.get(seq=seq).state == "held"
    ok = _api_post(c, f"/api/v1/withdrawals/batches/{seq}/release", {"reason": "已核对"}, r2)
    assert ok.status_code == 200, ok.content
    assert _api_post(c, f"/api/v1/withdrawals/batches/{seq}/release", {}, r2).json()["code"] == \
        "WITHDRAWAL_BATCH_STATE"
    assert _api_post(c, "/api/v1/withdrawals/batches/X1/release", {}, r2).json()["code"] == "WITHDRAWAL_BATCH_UNKNOWN"
    ins = _send_and_settle(w, Instruction.objects.get(seq=seq))
    assert ins.state == "succeeded" and ins.succeeded_amount == 1_200_000
    assert {Application.objects.get(pk=a.pk).state for a in (first, second)} == {State.COMPLETED}
    assert int(sim.state()["transactions"].get("BDC103", 0)) == 1
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE - 600_000


def test_batch_through_the_command(world, bank, sim):
    w = world
    verified_card(w)
    app = _review(w, file(w, RENT, RENT_OK), "r1")
    with pytest.raises(CommandError, match="--as"):
        _hpf("batch")
    (made,) = _hpf("batch", "--as", w["fin"].username)
    assert (made["count"], made["total"], made["state"]) == (1, 600_000, "held")
    with pytest.raises(CommandError, match="WITHDRAWAL_BATCH_EMPTY"):
        _hpf("batch", "--as", w["fin"].username)
    with pytest.raises(CommandError):
        _hpf("batch-release", "--as", w["fin"].username, "--seq", made["seq"])  # four eyes
    _hpf("batch-release", "--as", w["r2"].username, "--seq", made["seq"])
    assert _hpf("batch-show", "--seq", made["seq"])["state"] in ("created", "sent", "succeeded", "processing")
    _send_and_settle(w, Instruction.objects.get(seq=made["seq"]))
    assert Application.objects.get(pk=app.pk).state == State.COMPLETED
    assert _hpf("batch-show", "--seq", made["seq"])["items"][0]["state"] == "paid"
