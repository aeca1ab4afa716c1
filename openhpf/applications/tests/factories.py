"""Seeded applications for the walk tests (money display, personal reads, the trail): an application as the
engine leaves it after 受理 at the counter, with one scanned material, made directly so that no item's handler is
needed (the engine's own tests run the state machine)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from openhpf.applications.models import Application, ApplicationEvent, ApplicationMaterial, State
from openhpf.catalog.selectors import item_current
from openhpf.core.codes import RetentionClass
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store

ITEM = "HPF-P-WD-07"  # 租房提取: a seeded catalogue item with two review levels


def make_application(center: Any, account: Any, actor: Any, *, amount: int = 300_000, number: str = "",
                     **fields: Any) -> Application:
    """`fields` override the model's (state, legal_due, promised_due, assignee …): a queue's rows as a test needs."""
    version = item_current(ITEM, center.business_date)
    assert version is not None
    bd = center.business_date
    values: dict[str, Any] = {
        "center": center, "number": number or f"SQ{bd:%Y%m%d}{Application.objects.count() + 1:08d}",
        "item_code": ITEM, "item_version": version, "channel": "counter", "identity_level": 1,
        "applicant_kind": "staff", "applicant_id": str(actor.pk), "applicant_label": actor.get_username(),
        "member_id": account.member_id, "branch_id": account.branch_id,
        "payload": {"amount": amount, "lease_start": "2026-01-01"}, "amount": amount, "state": State.UNDER_REVIEW,
        "stages_required": [0], "accepted_on": bd, "legal_due": bd + timedelta(days=3),
        "promised_due": bd + timedelta(days=3)}
    app = Application.objects.create(**{**values, **fields})
    ApplicationEvent.objects.create(application=app, from_state=State.ACCEPTED, to_state=State.UNDER_REVIEW,
                                    actor_kind="staff", actor_id=str(actor.pk), actor_label=actor.get_username(),
                                    business_date=bd)
    doc = document_store(center=center, content=b"%PDF-1.4 scanned id", original_name="身份证.pdf",
                         doc_type=DocType.ID_PROOF, retention=RetentionClass.LONG_30Y, actor=actor, business_date=bd,
                         obj=app)
    ApplicationMaterial.objects.create(application=app, material_code="id_card", document=doc,
                                       added_by=actor.get_username())
    return app
