"""A hand-typed receipt (手工登记到账) stays `unconfirmed` until bank evidence or a checker confirms it. The bank's
notice confirmed it only when it carried the very reference the clerk typed; the bank's statement (BDC113, fetched
from the bank by the gateway) confirmed nothing, so real money waited for a checker and the 专户 showed less than the
bank. Now an incoming statement line of the same amount from the same payer account, dated within the policy window
(`receipt.bank_match.window_days`) of the receipt, confirms it: audited, under the bank's reference, once. A
statement typed or uploaded by a person is not bank evidence and confirms nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from openhpf.audit.models import AuditRecord
from openhpf.contributions.models import Receipt, Remittance
from openhpf.contributions.remittance.services import (
    receipt_record,
)
from openhpf.core.actors import SystemActor
from openhpf.ledger.selectors import gl_balance
from openhpf.reconciliation.services import statement_load
from openhpf.settlement.services import bank_account_open

from .receipt_helpers import confirmed_remittance, manual_receipt

SYS = SystemActor("test")
PAYER = "6222020200001234"


@pytest.fixture
def acct(center):
    return bank_account_open(center=center, bank_code="102", bank_name="工商银行杭州分行", account_no="1202020100000001",
                             account_name="", actor=SYS, business_date=center.business_date)


@pytest.fixture
def remittance(center):
    return confirmed_remittance(center)


def _manual(center, amount, ref, **kw):
    return manual_receipt(center, amount, ref, **kw)


def _statement(acct, day, lines, *, source="gateway", business_date=None):
    """lines: (bank_seq, amount, counter_account); all money in, none of it the center's own instructions."""
    bal, out = 0, []
    for seq, amount, counter in lines:
        bal += amount
        out.append({"bank_seq": seq, "direction": "in", "amount": amount, "balance": bal, "counter_account": counter,
                    "counter_name": "某某科技有限公司", "summary": "汇缴", "ref": ""})
    with transaction.atomic():
        return statement_load(bank_account=acct, stmt_date=day, opening_balance=0, closing_balance=bal, lines=out,
                              actor=SYS, business_date=business_date or day, source=source)


def test_an_incoming_statement_line_confirms_the_hand_typed_receipt_it_matches(center, acct, remittance):
    bd = center.business_date
    rc = _manual(center, remittance.total, "HAND-SLIP-1", employer=remittance.employer, payer_account=PAYER)
    assert rc.status == Receipt.Status.UNCONFIRMED and gl_balance(center=center, code_prefix="201") == 0
    _statement(acct, bd, [("B-OTHER", 12_345, "6222000000000001"), ("B-0077", remittance.total, PAYER)])
    rc.refresh_from_db()
    assert rc.status == Receipt.Status.POSTED and rc.confirmed_by == "statement:B-0077"
    assert rc.bank_ref == "B-0077" and rc.bank_account == acct.gl_account.code  # the bank's reference and 专户
    assert Remittance.objects.get(pk=remittance.pk).status == Remittance.Status.POSTED
    assert gl_balance(center=center, code_prefix=acct.gl_account.code) == remittance.total
    row = AuditRecord.objects.filter(action="contributions.receipt.confirm", object_id=str(rc.pk)).get()
    assert (row.after or {})["by"] == "statement:B-0077"
    match = AuditRecord.objects.filter(action="contributions.receipt.bank_match", object_id=str(rc.pk)).get()
    assert (match.after or {})["typed_ref"] == "HAND-SLIP-1" and (match.after or {})["bank_ref"] == "B-0077"
    # the same money later announced by the bank's notice is the same receipt, not a second one
    with transaction.atomic():
        again = receipt_record(center=center, amount=remittance.total, value_date=bd, bank_ref="B-0077", actor=SYS,
                               business_date=bd, payer_account=PAYER)
    assert again.pk == rc.pk and Receipt.objects.count() == 1


def test_a_line_of_another_amount_payer_or_outside_the_window_confirms_nothing(center, acct):
    bd = center.business_date
    rc = _manual(center, 500_000, "HAND-2", payer_account=PAYER, value_date=bd - timedelta(days=10))
    other = _manual(center, 700_000, "HAND-3", payer_account=PAYER)
    _statement(acct, bd, [("B-1", 500_000, PAYER),  # ten days after the typed date: outside the window
                          ("B-2", 700_001, PAYER),  # a fen more
                          ("B-3", 700_000, "6222000000000009")])  # another payer
    for r in (rc, other):
        r.refresh_from_db()
        assert r.status == Receipt.Status.UNCONFIRMED and r.confirmed_by == ""
    assert gl_balance(center=center, code_prefix="101") == 0


def test_a_line_the_bank_already_announced_or_a_statement_from_a_person_confirms_nothing(center, acct):
    bd = center.business_date
    with transaction.atomic():  # the bank's notice of this money made its own receipt already
        receipt_record(center=center, amount=300_000, value_date=bd, bank_ref="B-9", actor=SYS, business_date=bd,
                       payer_account=PAYER, bank_account=acct.gl_account.code)
    rc = _manual(center, 300_000, "HAND-4", payer_account=PAYER)
    fake = _manual(center, 400_000, "HAND-5", payer_account=PAYER)
    _statement(acct, bd, [("B-9", 300_000, PAYER)])
    _statement(acct, bd - timedelta(days=1), [("B-10", 400_000, PAYER)], source="file", business_date=bd)
    for r in (rc, fake):
        r.refresh_from_db()
        assert r.status == Receipt.Status.UNCONFIRMED
    assert gl_balance(center=center, code_prefix="101") == 300_000  # only the notice's money


def test_one_line_confirms_one_receipt(center, acct):
    bd = center.business_date
    first = _manual(center, 250_000, "HAND-6", payer_account=PAYER)
    second = _manual(center, 250_000, "HAND-7", payer_account=PAYER)
    _statement(acct, bd, [("B-20", 250_000, PAYER)])
    statuses = sorted(Receipt.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == sorted([Receipt.Status.UNKNOWN_SUSPENSE, Receipt.Status.UNCONFIRMED])
    assert gl_balance(center=center, code_prefix="101") == 250_000


def test_the_banks_notice_under_another_reference_confirms_the_hand_typed_receipt_instead_of_booking_twice(
        center, acct, remittance):
    bd = center.business_date
    rc = _manual(center, remittance.total, "HAND-8", employer=remittance.employer, payer_account=PAYER)
    with transaction.atomic():  # the bank's notice of the same money, under the bank's own reference
        got = receipt_record(center=center, amount=remittance.total, value_date=bd, bank_ref="N-0001", actor=SYS,
                             business_date=bd, payer_account=PAYER, bank_account=acct.gl_account.code)
    assert got.pk == rc.pk and Receipt.objects.count() == 1
    assert got.status == Receipt.Status.POSTED and got.bank_ref == "N-0001" and got.confirmed_by == "bank:N-0001"
    assert gl_balance(center=center, code_prefix="101") == remittance.total  # once
    match = AuditRecord.objects.filter(action="contributions.receipt.bank_match", object_id=str(rc.pk)).get()
    assert (match.after or {})["typed_ref"] == "HAND-8"
    # the statement line of that money afterwards confirms nothing more
    _statement(acct, bd, [("N-0001", remittance.total, PAYER)])
    assert gl_balance(center=center, code_prefix="101") == remittance.total


def test_a_line_goes_to_the_receipt_that_typed_its_reference_first(center, acct):
    bd = center.business_date
    other = _manual(center, 150_000, "HAND-9", payer_account=PAYER)  # older, same amount and payer
    own = _manual(center, 150_000, "B-30", payer_account="6222000000000042")
    _statement(acct, bd, [("B-30", 150_000, PAYER)])
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == Receipt.Status.UNKNOWN_SUSPENSE and own.confirmed_by == "statement:B-30"
    assert other.status == Receipt.Status.UNCONFIRMED
