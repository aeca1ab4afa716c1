"""Reads of 缴存使用证明: a member's own (another's number is not found: no probing), a staff member's center's,
and the public verification page's (masked, or full with the code printed on the certificate)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openhpf.core.actors import Actor, MemberActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .certificate import fact_rows
from .certificate_models import Certificate, Purpose


def _not_found(number: str) -> DomainError:
    return DomainError(ErrorCode.CERTIFICATE_NOT_FOUND, number=(number or "")[:30], field="number")


def certificates_of_member(*, actor: MemberActor) -> QuerySet[Certificate]:
    return Certificate.objects.filter(member_id=actor.member_id).select_related("application").order_by("-id")


def certificate_of_member(*, actor: MemberActor, number: str) -> Certificate:
    """One of the member's own certificates; any other number is CERTIFICATE_NOT_FOUND (404)."""
    found = certificates_of_member(actor=actor).select_related("document").filter(number=number).first()
    if found is None:
        raise _not_found(number)
    return found


def certificate_of_center(*, center: Any, number: str) -> Certificate:
    found = Certificate.objects.select_related("document").filter(center=center, number=number).first()
    if found is None:
        raise _not_found(number)
    return found


def certificate_public(number: str) -> Certificate:
    found = (Certificate.objects.select_related("document", "center", "member").filter(number=(number or "")[:24])
             .first())
    if found is None:
        raise _not_found(number)
    return found


def certificate_file(cert: Certificate) -> bytes:
    with cert.document.file.open("rb") as fh:
        return bytes(fh.read())


def purpose_text(cert: Certificate) -> str:
    label = Purpose(cert.purpose).label if cert.purpose in Purpose.values else cert.purpose
    return label + (f"（{cert.note}）" if cert.note else "")


def masked_rows(cert: Certificate) -> list[tuple[str, str]]:
    """What anyone with the number sees: 张*, the masked ID number, status and figures."""
    f = cert.facts
    return fact_rows(f, name=f["name_masked"], id_number=f["id_masked"])


def full_rows(cert: Certificate) -> list[tuple[str, str]]:
    """With the code printed on the certificate: the name and ID number in full (the member's record)."""
    return fact_rows(cert.facts, name=cert.member.name, id_number=cert.member.id_number)


def certificate_read_pdf(*, actor: Actor, cert: Certificate) -> bytes:
    """The certificate's PDF for its member or a clerk of its center: the read is audited (it carries the
    member's name)."""
    body = certificate_file(cert)
    audit_log(actor=actor, action=AuditEvent.ITEMS_CERTIFICATE_DOWNLOAD, obj=cert, center=cert.center_id,
              after={"number": cert.number, "sm3": cert.document.sm3})
    return body
