"""JSON API of the audit trail (security auditor only): search. Mounted at /api/v1/audit/. (The chain check is a job
with progress: the console's 校验审计链, /audit-tools/chain/.)"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from openhpf.core.audit_events import AuditEvent, AuditObject

from .selectors import audit_records

router = Router(tags=["审计"])
MAX_LIMIT = 200


class AuditRecordOut(Schema):
    id: int
    seq: int | None
    created_at: datetime
    actor: str
    action: str
    action_label: str | None = None  # the event's label in the catalogue (None: a code outside it, 未编目)
    object_type: str
    object_type_label: str | None = None
    object_id: str
    business_date: date | None
    before: Any = None
    after: Any = None

    @staticmethod
    def resolve_action_label(obj: Any) -> str | None:
        event = AuditEvent.lookup(obj.action)
        return event.label if event is not None else None

    @staticmethod
    def resolve_object_type_label(obj: Any) -> str | None:
        kind = AuditObject.lookup(obj.object_type)
        return kind.label if kind else None


class AuditPageOut(Schema):
    items: list[AuditRecordOut]
    total: int
    offset: int
    limit: int


@router.get("/records", response=AuditPageOut, summary="审计日志查询（安全审计员）",
            description="action：事件代码（见审计事件目录），或其按点截取的前段（如 accounts，匹配其下全部事件）")
def records(request: HttpRequest, actor: str = "", action: str = "", object_type: str = "", object_id: str = "",
            date_from: date | None = None, date_to: date | None = None, offset: int = 0, limit: int = 50):
    qs = audit_records(actor=request.user, by=actor, action=action, object_type=object_type, object_id=object_id,
                       date_from=date_from, date_to=date_to)
    offset, limit = max(0, offset), max(1, min(limit, MAX_LIMIT))
    return {"items": list(qs[offset: offset + limit]), "total": qs.count(), "offset": offset, "limit": limit}
