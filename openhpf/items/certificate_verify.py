"""The public verification of a 缴存使用证明 (no sign-in): the full facts for whoever types the code printed on
the certificate (rate-limited per certificate and per client address, each success and failure audited), and
the check of an uploaded copy against the stored SM3 and the detached SM2 signature (audited)."""

from __future__ import annotations

from openhpf.core.actors import AnonymousCaller
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.iam import ratelimit

from .certificate import FileCheck, certificate_check_file, code_matches
from .certificate_models import Certificate
from .certificate_selectors import certificate_public

MAX_UPLOAD_MB = 10


def _caller(ip: str) -> AnonymousCaller:
    return AnonymousCaller(f"verifier:{ip}")


def certificate_verify_code(*, number: str, code: str, ip: str) -> Certificate:
    """The certificate whose printed code this is. Tries are limited per client address and per certificate
    (iam.ratelimit, the sign-in limits): past them RATE_LIMITED (429), whatever the code."""
    if not (ratelimit.hit("login_ip", ip) and ratelimit.hit("login", "certificate", (number or "")[:24])):
        raise DomainError(ErrorCode.RATE_LIMITED, field="code")
    cert = certificate_public(number)
    if not code_matches(cert, code):
        audit_log(actor=_caller(ip), action=AuditEvent.ITEMS_CERTIFICATE_CODE_FAIL, obj=cert, center=cert.center_id,
                  after={"number": cert.number, "ip": ip})
        raise DomainError(ErrorCode.CERTIFICATE_CODE_WRONG, field="code")
    audit_log(actor=_caller(ip), action=AuditEvent.ITEMS_CERTIFICATE_VERIFY_FULL, obj=cert, center=cert.center_id,
              after={"number": cert.number, "ip": ip, "member": cert.member_id})
    return cert


def certificate_verify_file(*, number: str, content: bytes | None, ip: str) -> tuple[Certificate, FileCheck]:
    cert = certificate_public(number)
    if not content or len(content) > MAX_UPLOAD_MB * 1024 * 1024:
        raise DomainError(ErrorCode.CERTIFICATE_FILE_REQUIRED, mb=MAX_UPLOAD_MB, field="file")
    check = certificate_check_file(cert, content)
    audit_log(actor=_caller(ip), action=AuditEvent.ITEMS_CERTIFICATE_VERIFY_FILE, obj=cert, center=cert.center_id,
              after={"number": cert.number, "ip": ip, "ok": check.ok, "sm3": check.sm3})
    return cert, check
