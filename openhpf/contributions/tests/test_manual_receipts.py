"""手工登记到账 (issue 13 item 1): a 10^18-fen receipt typed in by hand was accepted and raised the 专户's available
balance with `hpf verify` green. Now a receipt has bounds, and one typed in by hand may be registered and matched
but books nothing (no member account, no 暂存/暂收, no 专户 balance) until the bank's line with its reference
arrives or a checker approves it."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from openhpf.approvals.models import PendingCommand
from openhpf.approvals.services import command_approve, command_reject
from openhpf.conftest import finance_clerk, grant_role
from openhpf.contributions.models import Receipt, Remittance, SuspenseMove
from openhpf.contributions.remittance.services import (
    receipt_record,
    receipt_register_manual,
    remittance_post,
)
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.verify import run_checks
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.ledger.models import JournalEntry
from openhpf.ledger.selectors import gl_balance

from .receipt_helpers import confirmed_remittance, manual_receipt

SYS = SystemActor("test")


@pytest.fixture
def remittance(center):
    return confirmed_remittance(center)


def _manual(center, amount, ref, **kw):
    return manual_receipt(center, amount, ref, **kw)


def test_a_receipt_of_ten_to_the_eighteen_fen_is_refused_in_chinese(client, center):
    user, _ = staff_create(username="cashier", password="pw-Cashier-2026", center=center, actor=SYS)
    grant_role(user, "finance", center=center)
    token, _ = api_token_issue(user=user, name="t", actor=SYS)
    r = client.post("/api/v1/contributions/receipts", json.dumps({"amount": 10**18, "value_date": "2026-11-30",
                                                                  "bank_ref": "HUGE-1", "payer_name": "某公司"}),
                    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="h-1")
    assert r.status_code == 422 and r.json()["code"] == "RECEIPT_AMOUNT_MAX" and "上限" in r.json()["message"]
    assert not Receipt.objects.exists() and gl_balance(center=center, code_prefix="101") == 0
    with pytest.raises(DomainError) as e:  # the bank's own path has the same bound
        receipt_record(center=center, amount=10**18, value_date=center.business_date, bank_ref="HUGE-2", actor=SYS,
                       business_date=center.business_date)
    assert e.value.code == "RECEIPT_AMOUNT_MAX"


def test_a_hand_typed_receipt_books_nothing_until_a_checker_confirms_it(center, remittance, checker):
    bd = center.business_date
    rc = _manual(center, 500_000_000, "HAND-1", payer_name="不认识的公司")  # ¥5,000,000 of an unknown payer
    assert rc.status == Receipt.Status.UNCONFIRMED and rc.manual
    assert gl_balance(center=center, code_prefix="101") == 0 and not SuspenseMove.objects.exists()
    assert not JournalEntry.objects.exists()
    assert all(c.ok for c in run_checks())
    cmd = PendingCommand.objects.get(name="contributions.receipt_confirm")
    with pytest.raises(DomainError) as e:  # its maker cannot confirm it
        command_approve(command=cmd, actor=finance_clerk(), business_date=bd)
    assert e.value.code == "SELF_APPROVAL"
    command_approve(command=cmd, actor=checker, business_date=bd)
    rc.refresh_from_db()
    assert rc.status == Receipt.Status.UNKNOWN_SUSPENSE and rc.confirmed_by == "user:checker1"
    assert gl_balance(center=center, code_prefix="101") == 500_000_000


def test_matched_by_hand_the_remittance_cannot_post_until_confirmed(center, remittance, checker):
    bd = center.business_date
    rc = _manual(center, remittance.total, "HAND-2", employer=remittance.employer)
    remittance.refresh_from_db()
    assert rc.status == Receipt.Status.UNCONFIRMED and remittance.receipt_id == rc.pk  # matched, not posted
    with pytest.raises(DomainError) as e:
        remittance_post(actor=SYS, business_date=bd, remittance=remittance)
    assert e.value.code == "RECEIPT_NOT_MATCHED"
    assert gl_balance(center=center, code_prefix="201") == 0
    # the bank's line with its reference confirms it (the settlement gateway's receipt handler)
    with transaction.atomic():
        again = receipt_record(center=center, amount=remittance.total, value_date=bd, bank_ref="HAND-2", actor=SYS,
                               business_date=bd)
    assert again.pk == rc.pk and again.status == Receipt.Status.POSTED and again.confirmed_by == "bank:HAND-2"
    assert Remittance.objects.get(pk=remittance.pk).status == Remittance.Status.POSTED
    # the checker's command, still pending, finds nothing left to confirm
    cmd = command_approve(command=PendingCommand.objects.get(name="contributions.receipt_confirm"), actor=checker,
                          business_date=bd)
    assert cmd.status == "failed" and "RECEIPT_NOT_UNCONFIRMED" in cmd.apply_error


def test_a_rejected_hand_typed_receipt_leaves_its_remittance_to_real_money(center, remittance, checker):
    bd = center.business_date
    rc = _manual(center, remittance.total, "HAND-3", employer=remittance.employer)
    command_reject(command=PendingCommand.objects.get(name="contributions.receipt_confirm"), actor=checker,
                   reason="银行无此笔到账", business_date=bd)
    rc.refresh_from_db()
    remittance.refresh_from_db()
    assert rc.status == Receipt.Status.REJECTED and remittance.receipt_id is None
    assert not JournalEntry.objects.exists()
    with transaction.atomic():  # the real money arrives under another reference and pays the remittance
        real = receipt_record(center=center, amount=remittance.total, value_date=bd, bank_ref="BANK-9", actor=SYS,
                              business_date=bd, employer=remittance.employer)
    assert real.status == Receipt.Status.POSTED


def test_a_receipt_by_hand_is_made_by_a_person(center):
    with pytest.raises(PermissionDenied) as e, transaction.atomic():
        receipt_register_manual(center=center, amount=100, value_date=center.business_date, bank_ref="SYS-1",
                                actor=SYS, business_date=center.business_date)
    assert "系统主体" in e.value.message
