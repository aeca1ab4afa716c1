"""Reads of remittances, receipts and suspense, scoped to the user's centers (access rules)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openhpf.access.selectors import check_permission
from openhpf.core.actors import Actor
from openhpf.core.errors import DomainError

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
        raise DomainError("REMITTANCE_UNKNOWN", f"汇缴单 {pk} 不存在", field="remittance")
    return r


def remittance_lines(*, remittance: Remittance, user: Actor, limit: int = 200) -> list[RemittanceLine]:
    check_permission(user, "accounts.view", center=remittance.center_id)
    return list(RemittanceLine.objects.filter(remittance=remittance).select_related("account__member")
                .order_by("seq")[: max(1, min(limit, 2000))])


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
        raise DomainError("IMPORT_UNKNOWN", f"导入批次 {pk} 不存在", field="import")
    return imp
