"""个人住房公积金缴存使用证明 end to end through the member API: applied online, completed at once by the system,
downloaded; the PDF's SM3 verifies with the SM2 public key; another member cannot download it."""

from __future__ import annotations

import hashlib

from openhpf.applications.models import Application, State
from openhpf.audit.models import AuditRecord
from openhpf.documents.models import Document
from openhpf.items.certificate_models import Certificate
from openhpf.security.crypto import sm2_verify
from openhpf.security.keys import keyring
from openhpf.security.models import DocumentSignature

from .certificate_fixtures import bearer, empty_rate_limits_fixture, member_token, people_fixture  # noqa: F401


def test_member_applies_online_and_the_certificate_is_issued_at_once(client, people):
    a = people["a"]
    token = member_token(client, a.account_no, "13900000001")
    r = client.post("/api/v1/member/certificates", {"purpose": "remote_loan", "note": "向外地中心申请贷款"},
                    content_type="application/json", **bearer(token))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "completed" and body["state_label"] == "已办结"
    app = Application.objects.get(number=body["application"])
    moves = [e.to_state for e in app.events.order_by("id")]
    assert moves == [State.DRAFT, State.SUBMITTED, State.ACCEPTED, State.UNDER_REVIEW, State.APPROVED,
                     State.EXECUTING, State.COMPLETED]
    assert {e.actor_kind for e in app.events.all() if e.to_state not in (State.DRAFT, State.SUBMITTED)} == {"system"}
    assert app.accepted_on == app.completed_on == app.promised_due == a.center.business_date
    cert = Certificate.objects.get(number=body["certificate"]["number"])
    assert cert.facts["continuity_months"] == 15  # 2024-09 … 2025-11, counted from the months actually paid
    assert cert.facts["paid_up_to"] == "202511" and cert.facts["balance"] == 1_234_567
    assert cert.facts["name_masked"] == "张**" and "张三丰" not in str(cert.facts)
    assert len(cert.code_hash) == 64 and cert.code_salt

    listed = client.get("/api/v1/member/certificates", **bearer(token)).json()
    assert [c["number"] for c in listed] == [cert.number]
    pdf = client.get(f"/api/v1/member/certificates/{cert.number}/pdf", **bearer(token))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert content.startswith(b"%PDF")
    digest = hashlib.new("sm3", content).hexdigest()
    doc = Document.objects.get(pk=cert.document_id)
    assert digest == doc.sm3
    sig = DocumentSignature.objects.get(document=doc)
    assert sig.public_key == keyring().sm2_public
    assert sm2_verify(sig.public_key, bytes.fromhex(digest), sig.signature)
    assert not sm2_verify(sig.public_key, bytes.fromhex(hashlib.new("sm3", content + b" ").hexdigest()),
                          sig.signature)
    assert AuditRecord.objects.filter(action="items.certificate.download", object_id=str(cert.pk)).exists()
    assert AuditRecord.objects.filter(action="items.certificate.issue", object_id=str(cert.pk)).exists()


def test_another_member_cannot_download_mine(client, people):
    a, b = people["a"], people["b"]
    token_a = member_token(client, a.account_no, "13900000001")
    number = client.post("/api/v1/member/certificates", {"purpose": "other"}, content_type="application/json",
                         **bearer(token_a)).json()["certificate"]["number"]
    token_b = member_token(client, b.account_no, "13900000002")
    r = client.get(f"/api/v1/member/certificates/{number}/pdf", **bearer(token_b))
    assert r.status_code == 404 and r.json()["code"] == "CERTIFICATE_NOT_FOUND"
    assert client.get("/api/v1/member/certificates", **bearer(token_b)).json() == []
    assert client.get(f"/api/v1/member/certificates/{number}/pdf").status_code == 401


def test_bad_payload_is_refused_with_every_problem_and_nothing_written(client, people):
    a = people["a"]
    token = member_token(client, a.account_no, "13900000001")
    r = client.post("/api/v1/member/certificates", {"purpose": "holiday", "account_no": "000000000000"},
                    content_type="application/json", **bearer(token))
    assert r.status_code == 422, r.content
    problems = r.json()["details"]["problems"]
    assert any("证明用途" in p for p in problems) and any("未找到个人账户" in p for p in problems)
    assert not Application.objects.exists() and not Certificate.objects.exists()


def test_only_instant_items_are_processed_at_once(people, center):
    """An item with a promised limit or a review level is left where it is by application_process_instant."""
    from openhpf.applications.registry import Handler, handler_swapped
    from openhpf.applications.services import (
        application_create,
        application_process_instant,
        application_submit,
    )
    from openhpf.core.actors import MemberActor
    from openhpf.iam.models import MemberPrincipal

    me = MemberActor(MemberPrincipal.objects.get(member=people["a"].member))
    with handler_swapped(Handler(item_code="HPF-P-LOAN-CLEAR",
                                 validate=lambda p, a: ({**p, "replaced_materials": ["id_card"]}, []),
                                 rule_inputs=lambda a: {}, execute=lambda a, actor, d: {})):
        app = application_create(center=center, item_code="HPF-P-LOAN-CLEAR", channel="web", identity_level=2, actor=me,
                                 business_date=center.business_date)
        app = application_submit(application=app, actor=me, business_date=center.business_date)
        assert app.item_version.promised_limit != 0 or app.item_version.review_stages
        assert application_process_instant(application=app, business_date=center.business_date).state == "submitted"
