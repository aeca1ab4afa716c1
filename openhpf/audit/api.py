"""JSON API of the audit trail (security auditor only): search and chain check. Mounted at /api/v1/audit/."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from .selectors import audit_chain_verify, audit_records

router = Router(tags=["审计"])
MAX_LIMIT = 200


class AuditRecordOut(Schema):
    id: int
    seq: int | None
    created_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    business_date: date | None
    before: Any = None
    after: Any = None


class AuditPageOut(Schema):
    items: list[AuditRecordOut]
    total: int
    offset: int
    limit: int


class VerifyOut(Schema):
    checked: int
    ok: bool
    breaches: list[str]


@router.get("/records", response=AuditPageOut, summary="审计日志查询（安全审计员）")
def records(request: HttpRequest, actor: str = "", action: str = "", object_type: str = "", object_id: str = "",
            date_from: date | None = None, date_to: date | None = None, offset: int = 0, limit: int = 50):
    qs = audit_records(actor=request.user, by=actor, action=action, object_type=object_type, object_id=object_id,
                       date_from=date_from, date_to=date_to)
    offset, limit = max(0, offset), max(1, min(limit, MAX_LIMIT))
    return {"items": list(qs[offset: offset + limit]), "total": qs.count(), "offset": offset, "limit": limit}


@router.post("/verify", response=VerifyOut, summary="审计链校验（安全审计员）")
def verify(request: HttpRequest):
    checked, breaches = audit_chain_verify(user=request.user)
    return {"checked": checked, "ok": not breaches, "breaches": breaches}
