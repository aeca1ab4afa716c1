"""The audit-event catalogue: closed, complete for display, enforced where rows are written, and documented."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import transaction

from openhpf.audit.models import AuditRecord
from openhpf.audit.services import audit_log
from openhpf.conftest import BUSINESS_DATE
from openhpf.core import auditlog
from openhpf.core import services as core_services
from openhpf.core.actors import SystemActor
from openhpf.core.audit_events import (
    DOMAINS,
    PERSONAL_READS,
    AuditEvent,
    AuditObject,
    catalogue_markdown,
    grouped,
)
from openhpf.core.models import Center
from openhpf.core.services import center_create

CJK = re.compile(r"[\u4e00-\u9fff]")
QUERY_TYPES = {AuditObject.SMS_OUTBOX, AuditObject.ARREARS_LIST}  # what a query read, not a model


def test_every_event_has_a_label_an_object_type_and_a_domain():
    for e in AuditEvent:
        assert CJK.search(e.label), e
        assert isinstance(e.object_type, AuditObject), e
        assert isinstance(e.personal, bool), e
        assert e.domain in DOMAINS and e.domain_label, e
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", e.value), e
        assert len(e.value) <= (AuditRecord._meta.get_field("action").max_length or 0)


def test_codes_are_unique_and_none_is_the_prefix_of_another():
    assert len(AuditEvent.__members__) == len(list(AuditEvent))  # no alias hides a duplicate code
    codes = [e.value for e in AuditEvent]
    for a in codes:
        assert not [b for b in codes if b.startswith(a + ".")], a  # picking an event selects that event only


def test_object_types_are_installed_models_or_named_queries():
    for o in AuditObject:
        if o is AuditObject.NONE:
            continue
        assert CJK.search(o.label), o
        assert len(o.value) <= (AuditRecord._meta.get_field("object_type").max_length or 0)
        if o not in QUERY_TYPES:
            assert apps.get_model(o.value)._meta.label_lower == o.value


def test_reads_of_personal_data_are_personal_events():
    assert PERSONAL_READS and all(e.personal for e in PERSONAL_READS)


def test_lookup_maps_stored_codes_and_leaves_the_rest_out():
    assert AuditEvent.lookup("settlement.instruction.create") is AuditEvent.SETTLEMENT_INSTRUCTION_CREATE
    assert AuditEvent.lookup("settlement.instruction") is None and AuditEvent.lookup("legacy.thing") is None
    assert AuditObject.lookup("accounts.memberaccount") is AuditObject.MEMBER_ACCOUNT
    assert AuditObject.lookup("test.obj") is None
    assert AuditEvent.JOB_START == "job.start"  # stored and compared as the plain code
    assert sum(len(evs) for _, _, evs in grouped()) == len(AuditEvent)


@pytest.mark.parametrize("write", [audit_log, auditlog.audit_log], ids=["audit.services", "core.auditlog"])
def test_logging_an_uncatalogued_event_fails_and_writes_nothing(db, write):
    before = AuditRecord.objects.count()
    for action in ("ledger.entry.post", "no.such.event", None):  # a catalogued code as a plain str is refused too
        with pytest.raises(TypeError, match="not an AuditEvent"), transaction.atomic():
            write(actor=SystemActor("test"), action=action, obj=("core.center", 1))
    assert AuditRecord.objects.count() == before


def test_a_service_that_logs_an_uncatalogued_event_fails(db, monkeypatch):
    """center_create with its event swapped for the bare code string: the service fails, and the center it
    created in the same transaction is gone with the audit row it never wrote."""
    monkeypatch.setattr(core_services, "AuditEvent", SimpleNamespace(CORE_CENTER_CREATE="core.center.create"))
    with pytest.raises(TypeError, match="not an AuditEvent"):
        center_create(code="339900", name="测试中心", business_date=BUSINESS_DATE, actor=SystemActor("test"))
    assert not Center.objects.filter(code="339900").exists()
    assert not AuditRecord.objects.filter(action="core.center.create", object_type="core.center").exists()
    monkeypatch.undo()
    center = center_create(code="339900", name="测试中心", business_date=BUSINESS_DATE, actor=SystemActor("test"))
    assert AuditRecord.objects.get(object_type="core.center", object_id=str(center.pk)).action == "core.center.create"


def test_the_catalogue_page_in_docs_is_current():
    page = Path(__file__).resolve().parents[3] / "docs" / "audit-events.md"
    assert page.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/audit-events.md is out of date: python -m openhpf.core.audit_events > docs/audit-events.md")
    for e in AuditEvent:
        assert f"`{e.value}` | {e.label}" in catalogue_markdown()
