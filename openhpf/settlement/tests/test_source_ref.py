"""An instruction's source reference: unique per (center, source) when set, and a new attempt (`<ref>#2`) only
after a definitive failure."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from openhpf.core.errors import DomainError
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import next_source_ref, payment_submit, source_attempts

from .conftest import CENTER_ACCOUNT

S = Instruction.State


def _pay(center, bank, *, source="erp", source_ref="", amount=1_000_00):
    with transaction.atomic():
        return payment_submit(center=center, bank_account=bank, amount=amount, payee_account="6217000000000777",
                              payee_name="张三", biz_type="20", book_account="21902", summary="退回暂收款",
                              actor="system:test", business_date=center.business_date, source=source,
                              source_ref=source_ref)


@pytest.fixture
def offline_bank(center):
    """A 专户 with money on the books and no bank behind it (instructions are created, never sent)."""
    from openhpf.contributions.services import receipt_record
    from openhpf.settlement.services import bank_account_open

    acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no=CENTER_ACCOUNT,
                             account_name=center.name, actor="system:test", business_date=center.business_date)
    receipt_record(center=center, amount=100_000_000, value_date=center.business_date, bank_ref="OPENING-1",
                   actor="system:test", business_date=center.business_date, payer_account="9550000000000099",
                   payer_name="期初资金", bank_account=acct.gl_account.code)
    return acct


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
