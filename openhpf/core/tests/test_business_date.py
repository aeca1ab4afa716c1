"""Writes carry the center's business date; an earlier one only through the audited back-value path (issue 14
item 11)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from openhpf.audit.models import AuditRecord
from openhpf.conftest import BUSINESS_DATE, finance_clerk, grant_role
from openhpf.contributions.models import Receipt
from openhpf.core.actors import SystemActor
from openhpf.core.business_date import back_value, business_date_check
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.ledger.models import JournalEntry, PostingBatch
from openhpf.ledger.services import Line, batch_create, entry_post

SYSTEM = SystemActor("test")
EARLIER = BUSINESS_DATE - timedelta(days=3)  # 2026-11-27, a Friday in the open November period
LATER = BUSINESS_DATE + timedelta(days=1)


def _post(center, on: date, actor=SYSTEM) -> JournalEntry:
    return entry_post(center=center, business_date=on, lines=[Line("10101", debit=100_00), Line("21902", credit=100_00)],
                      source="test", description="往日到账", actor=actor)


@pytest.mark.parametrize("on", [EARLIER, LATER, date(2026, 1, 5)])
def test_a_voucher_dated_other_than_the_business_date_is_refused(center, on):
    with pytest.raises(DomainError) as e:
        _post(center, on)
    assert e.value.code == "BUSINESS_DATE_NOT_CURRENT" and e.value.field == "business_date"
    assert str(BUSINESS_DATE) in e.value.message and "补记" in e.value.message
    with pytest.raises(DomainError) as e:
        batch_create(center=center, key="k-back", biz_type="01", business_date=on, counter_account="21902",
                     description="批量", actor=SYSTEM)
    assert e.value.code == "BUSINESS_DATE_NOT_CURRENT"
    assert not JournalEntry.objects.exists() and not PostingBatch.objects.exists()
    assert _post(center, BUSINESS_DATE).business_date == BUSINESS_DATE


def test_the_check_reads_the_stored_business_date_not_a_stale_object(center):
    stale = type(center).objects.get(pk=center.pk)
    type(center).objects.filter(pk=center.pk).update(business_date=BUSINESS_DATE + timedelta(days=1))
    with pytest.raises(DomainError):
        business_date_check(stale, stale.business_date)


def test_the_back_value_path_is_permitted_reasoned_and_audited(center):
    fin = finance_clerk()
    with back_value(center=center, business_date=EARLIER, actor=fin, reason="11月27日到账漏记") as on:
        entry = _post(center, on)
    assert (entry.business_date, entry.value_date, entry.voucher_no[:9]) == (EARLIER, EARLIER, "记-202611-")
    rec = AuditRecord.objects.get(action="core.back_value")
    assert rec.actor == "user:fin1" and rec.after == {"business_date": "2026-11-27", "reason": "11月27日到账漏记"}
    assert rec.business_date == BUSINESS_DATE
    with pytest.raises(DomainError):  # the grant ended with the block
        _post(center, EARLIER)


def test_the_back_value_path_refuses(center):
    teller = grant_role(get_user_model().objects.create_user("teller7", is_staff=True), "teller")
    with pytest.raises(PermissionDenied), back_value(center=center, business_date=EARLIER, actor=teller, reason="漏记"):
        pass
    with pytest.raises(PermissionDenied), back_value(center=center, business_date=EARLIER, actor=SYSTEM, reason="漏记"):
        pass  # trusted code on nobody's behalf: no person to hold the permission
    fin = finance_clerk()
    with pytest.raises(DomainError) as e, back_value(center=center, business_date=EARLIER, actor=fin, reason="  "):
        pass
    assert e.value.code == "REASON_REQUIRED"
    for on in (BUSINESS_DATE, LATER):
        with pytest.raises(DomainError) as e, back_value(center=center, business_date=on, actor=fin, reason="漏记"):
            pass
        assert e.value.code == "BACK_VALUE_DATE"
    with back_value(center=center, business_date=EARLIER, actor=fin, reason="漏记"), pytest.raises(DomainError):
        _post(center, EARLIER - timedelta(days=1))  # only the date granted
    assert not AuditRecord.objects.filter(action="core.back_value").exclude(after__business_date="2026-11-27").exists()
    assert not JournalEntry.objects.exists()


def _receipt(*extra: str) -> dict:
    out = io.StringIO()
    call_command("remit", "receipt", "--amount", "100.00", "--value-date", "2026-11-26", "--bank-ref", "CLI-BV-1",
                 "--payer-name", "某公司", "--as", "fin1", *extra, stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_refuses_another_business_date_and_offers_the_back_value_path(center):
    finance_clerk()
    for on in (EARLIER, LATER):
        with pytest.raises(CommandError) as e:
            _receipt("--business-date", on.isoformat())
        assert "BUSINESS_DATE_NOT_CURRENT" in str(e.value) and "--back-value" in str(e.value)
    with pytest.raises(CommandError, match="不办理补记"):  # a command without the path
        call_command("arrears", "--month", "2026-10", "--business-date", EARLIER.isoformat(), "--back-value", "漏记",
                     "--as", "fin1", stdout=io.StringIO())
    with pytest.raises(CommandError) as e:
        _receipt("--business-date", LATER.isoformat(), "--back-value", "提前")
    assert "BACK_VALUE_DATE" in str(e.value)
    assert not JournalEntry.objects.exists() and not AuditRecord.objects.filter(action="core.back_value").exists()
    rc = _receipt("--business-date", EARLIER.isoformat(), "--back-value", "11月27日到账漏记")
    assert rc["receipt_id"]
    rec = AuditRecord.objects.get(action="core.back_value")
    assert rec.after is not None and rec.after["business_date"] == "2026-11-27" and rec.actor.endswith("fin1")
    assert Receipt.objects.get(pk=rc["receipt_id"]).business_date == EARLIER
    assert set(JournalEntry.objects.values_list("business_date", flat=True)) <= {EARLIER}
    with pytest.raises(DomainError):  # the grant ended with the command
        _post(center, EARLIER)
