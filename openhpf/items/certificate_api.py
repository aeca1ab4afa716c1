"""Public JSON API of 缴存使用证明 verification (no sign-in), mounted at /api/v1/verify/: the masked facts, the
full facts with the printed code (rate-limited, audited), and the check of an uploaded copy."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from openhpf.iam.ratelimit import client_ip

from .certificate_selectors import certificate_public, full_rows, masked_rows, purpose_text
from .certificate_verify import certificate_verify_code, certificate_verify_file

router = Router(tags=["缴存使用证明核验"], auth=None)


class Fact(Schema):
    label: str
    value: str


class CertificateFactsOut(Schema):
    number: str
    center: str
    issued_on: date
    purpose: str
    loan: str
    full: bool
    facts: list[Fact]


class CodeIn(Schema):
    code: str


class FileCheckOut(Schema):
    number: str
    ok: bool
    message: str
    sm3: str


def _out(cert, rows, full: bool) -> dict:
    return {"number": cert.number, "center": cert.center.name, "issued_on": cert.issued_on,
            "purpose": purpose_text(cert), "loan": cert.facts.get("loan", ""), "full": full,
            "facts": [{"label": a, "value": b} for a, b in rows]}


@router.get("/certificates/{number}", response=CertificateFactsOut, summary="缴存使用证明核验：脱敏信息")
def certificate_masked(request: HttpRequest, number: str):
    cert = certificate_public(number)
    return _out(cert, masked_rows(cert), False)


@router.post("/certificates/{number}/code", response=CertificateFactsOut,
             summary="缴存使用证明核验：输入证明上的验证码查看完整信息（限频、留痕）")
def certificate_full(request: HttpRequest, number: str, data: CodeIn):
    cert = certificate_verify_code(number=number, code=data.code, ip=client_ip(request))
    return _out(cert, full_rows(cert), True)


@router.post("/certificates/{number}/file", response=FileCheckOut,
             summary="缴存使用证明核验：上传证明文件，核对 SM3 摘要与 SM2 签名")
def certificate_file_check(request: HttpRequest, number: str, file: UploadedFile = File(...)):  # noqa: B008
    cert, check = certificate_verify_file(number=number, content=file.read(), ip=client_ip(request))
    return {"number": cert.number, "ok": check.ok, "message": check.message, "sm3": check.sm3}
