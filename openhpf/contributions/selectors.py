"""Reads of remittances, receipts and suspense, scoped to the user's centers (access rules)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openhpf.access.selectors import check_permission
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.personal import PersonalRead, personal_read

from .models import Receipt, Remittance, RemittanceImport, RemittanceLine


def remittance_list(*, center: Any, user: Actor, status: str | None = None, employer_no: str | None = None,
                    limit: int = 50) -> list[Remittance]:
    check_permission(user, "accounts.view", center=center)
    qs: QuerySet[Remittance] = Remittance.objects.filter(center=center).select_related("employer")
    if status:
        qs = qs.filter(status=status)
    if employer_no:
        qs = qs.filter(employer__account_no=employer_no)
    return list(qs.order_by("-pk")[: max(1, min(limit, 500))])


def remittance_get(*, center: Any, pk: int, user: Actor) -> Remittance:
    check_permission(user, "accounts.view", center=center)
    r = Remittance.objects.select_related("employer", "receipt", "source_import").filter(center=center, pk=pk).first()
    if r is None:
        raise DomainError(ErrorCode.REMITTANCE_UNKNOWN, f"汇缴单 {pk} 不存在", field="remittance")
    return r


@personal_read(AuditEvent.CONTRIBUTIONS_REMITTANCE_LINES, center=lambda kw: kw["remittance"].center_id)
def remittance_lines(*, remittance: Remittance, actor: Actor, read: PersonalRead,
                     limit: int = 200) -> list[RemittanceLine]:
    """The lines of one 汇缴单 (each member's account, base and amounts): a personal-data read, audited."""
    lines = list(RemittanceLine.objects.filter(remittance=remittance).select_related("account__member")
                 .order_by("seq")[: max(1, min(limit, 2000))])
    read.about(remittance)
    read.note(lines=len(lines))
    return lines


def receipt_list(*, center: Any, user: Actor, status: str | None = None, limit: int = 50) -> list[Receipt]:
    check_permission(user, "accounts.view", center=center)
    qs = Receipt.objects.filter(center=center).select_related("employer")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-pk")[: max(1, min(limit, 500))])


def import_get(*, center: Any, pk: int, user: Actor) -> RemittanceImport:
    check_permission(user, "accounts.view", center=center)
    imp = RemittanceImport.objects.filter(center=center, pk=pk).first()
    if imp is None:
        raise DomainError(ErrorCode.IMPORT_UNKNOWN, f"导入批次 {pk} 不存在", field="import")
    return imp
