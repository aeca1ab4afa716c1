"""An instruction's source reference: unique per (center, source) when set, the API's Idempotency-Key as the
reference of its payments, and a new attempt (`<key>#2`) only after a definitive failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from openhpf.conftest import finance_clerk, grant_role
from openhpf.core.errors import DomainError
from openhpf.core.models import IdempotencyKey
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import next_source_ref, payment_submit, source_attempts

from .conftest import CENTER_ACCOUNT, register_test_payees

S = Instruction.State
URL = "/api/v1/settlement/payments"
PAY = {"account_no": CENTER_ACCOUNT, "amount": 1_000_00, "payee_account": "6217000000000777", "payee_name": "张三",
       "book_account": "21902", "biz_type": "20", "summary": "退回暂收款"}


def _pay(center, bank, *, source="erp", source_ref="", amount=1_000_00):
    with transaction.atomic():
        return payment_submit(center=center, bank_account=bank, amount=amount, payee_account="6217000000000777",
                              payee_name="张三", biz_type="20", book_account="21902", summary="退回暂收款",
                              actor=finance_clerk(), business_date=center.business_date, source=source,
                              source_ref=source_ref)


@pytest.fixture
def offline_bank(center):
    """A 专户 with money on the books and no bank behind it (instructions are created, never sent)."""
    from openhpf.contributions.remittance.services import receipt_record
    from openhpf.settlement.services import bank_account_open

    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                             account_name=center.name, actor=finance_clerk(), business_date=center.business_date)
    receipt_record(center=center, amount=100_000_000, value_date=center.business_date, bank_ref="OPENING-1",
                   actor=finance_clerk(), business_date=center.business_date, payer_account="9550000000000099",
                   payer_name="期初资金", bank_account=acct.gl_account.code)
    register_test_payees(center)
    return acct


def operator(center, username):
    user, _ = staff_create(username=username, password="pw-Operator-2026", center=center, actor=finance_clerk())
    grant_role(user, "finance", center=center)
    plaintext, _ = api_token_issue(user=user, name="测试", actor=finance_clerk())
    return user, {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def post(client, auth, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, content_type="application/json", **auth, **extra)


# ---------------------------------------------------------------- the constraint


def test_source_ref_is_unique_per_center_and_source(center, offline_bank):
    first = _pay(center, offline_bank, source_ref="WD-1")
    copy = {f.attname: getattr(first, f.attname) for f in Instruction._meta.concrete_fields
            if f.attname not in ("id", "seq")}
    with pytest.raises(IntegrityError), transaction.atomic():
        Instruction.objects.create(**copy, seq="X" * 22)
    # the same reference under another source, and any number of empty references, are allowed
    assert _pay(center, offline_bank, source="other", source_ref="WD-1").pk != first.pk
    assert _pay(center, offline_bank).pk != _pay(center, offline_bank).pk
    Instruction.objects.create(**{**copy, "source_ref": ""}, seq="Y" * 22)
    Instruction.objects.create(**{**copy, "source_ref": ""}, seq="Z" * 22)


def test_resubmitting_a_reference_returns_the_instruction_and_refuses_other_content(center, offline_bank):
    first = _pay(center, offline_bank, source_ref="WD-2")
    assert _pay(center, offline_bank, source_ref="WD-2").pk == first.pk
    assert Instruction.objects.filter(source="erp").count() == 1
    with pytest.raises(DomainError) as e:
        _pay(center, offline_bank, source_ref="WD-2", amount=2_000_00)
    assert e.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_after_a_definitive_failure_the_reference_takes_an_attempt_suffix(center, offline_bank):
    first = _pay(center, offline_bank, source_ref="WD-3")
    Instruction.objects.filter(pk=first.pk).update(state=S.FAILED, reserved=0)
    second = _pay(center, offline_bank, source_ref="WD-3")
    assert second.pk != first.pk and second.source_ref == "WD-3#2"
    Instruction.objects.filter(pk=second.pk).update(state=S.FAILED, reserved=0)
    third = _pay(center, offline_bank, source_ref="WD-3")
    assert third.source_ref == "WD-3#3"
    assert _pay(center, offline_bank, source_ref="WD-3").pk == third.pk  # live: a retry finds it
    assert [i.pk for i in source_attempts(center=center, source="erp", source_ref="WD-3")] == [
        first.pk, second.pk, third.pk]
    assert next_source_ref(center=center, source="erp", source_ref="WD-3") == "WD-3#4"
    # a reference that merely starts like another is not one of its attempts
    assert _pay(center, offline_bank, source_ref="WD-33").source_ref == "WD-33"
    with pytest.raises(DomainError) as e:
        _pay(center, offline_bank, source_ref="WD#3")
    assert e.value.code == "SOURCE_REF"


# ---------------------------------------------------------------- the API's Idempotency-Key as source_ref


def test_api_key_is_the_payments_source_ref_per_caller(client, center, offline_bank):
    alice, a = operator(center, "alice")
    bob, b = operator(center, "bob")
    body = {**PAY, "send": False}
    r1 = post(client, a, body, key="pay-0001")
    r2 = post(client, a, body, key="pay-0001")
    assert r1.status_code == r2.status_code == 200 and r1.json() == r2.json()
    ins = Instruction.objects.get(seq=r1.json()["seq"])
    assert (ins.source, ins.source_ref) == (f"api:staff:{alice.pk}", "pay-0001")
    # another caller's same key is its own payment, never alice's result
    r3 = post(client, b, body, key="pay-0001")
    assert r3.status_code == 200 and r3.json()["seq"] != r1.json()["seq"]
    assert Instruction.objects.get(seq=r3.json()["seq"]).source == f"api:staff:{bob.pk}"
    # the same key with another body
    r4 = post(client, a, {**body, "amount": 2_000_00}, key="pay-0001")
    assert r4.status_code == 422 and r4.json()["code"] == "IDEMPOTENCY_KEY_REUSED" and "幂等键" in r4.json()["message"]
    assert Instruction.objects.count() == 2
    # without a key every call is a payment of its own
    post(client, a, body)
    assert Instruction.objects.filter(source="api").count() == 1


def test_api_retry_after_a_crash_finds_the_payment_made(client, center, offline_bank):
    _alice, a = operator(center, "alice")
    r1 = post(client, a, {**PAY, "send": False}, key="pay-0002")
    # the first request died after committing its payment: its claim is left in flight, and goes stale
    IdempotencyKey.objects.filter(key="pay-0002").update(state=IdempotencyKey.State.IN_FLIGHT, result={},
                                                         claimed_at=timezone.now() - timedelta(hours=1))
    r2 = post(client, a, {**PAY, "send": False}, key="pay-0002")
    assert r2.status_code == 200 and r2.json()["seq"] == r1.json()["seq"]
    assert Instruction.objects.count() == 1
    assert IdempotencyKey.objects.get(key="pay-0002").state == IdempotencyKey.State.DONE


def test_api_retry_after_the_bank_refused_is_a_new_attempt(client, center, bank, sim):
    alice, a = operator(center, "alice")
    sim.faults(fault="reject", code="BDC101", count=1)
    r1 = post(client, a, PAY, key="pay-0003")
    assert r1.status_code == 200 and r1.json()["state"] == S.FAILED
    assert not IdempotencyKey.objects.filter(key="pay-0003").exists()  # a definitive failure is not stored
    r2 = post(client, a, PAY, key="pay-0003")
    assert r2.status_code == 200 and r2.json()["state"] == S.SUCCEEDED and r2.json()["seq"] != r1.json()["seq"]
    assert list(Instruction.objects.filter(source=f"api:staff:{alice.pk}").order_by("pk").values_list(
        "source_ref", "state")) == [("pay-0003", S.FAILED), ("pay-0003#2", S.SUCCEEDED)]
    r3 = post(client, a, PAY, key="pay-0003")  # the success is stored: a replay, no third payment
    assert r3.json() == r2.json() and Instruction.objects.count() == 2
