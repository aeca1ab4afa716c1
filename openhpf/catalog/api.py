"""Public read API of the service catalogue (no token): GET /api/v1/catalog/items[/{code}[/versions]]."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from . import selectors
from .models import ServiceItemVersion

router = Router(tags=["服务事项目录"])


class ItemOut(Schema):
    code: str
    version: int
    effective_from: date
    name: str
    kind: str
    kind_label: str
    category: str
    legal_basis: str
    conditions: str
    materials: list[dict[str, Any]]
    process: list[str]
    legal_limit: int | None
    legal_limit_unit: str
    legal_limit_basis: str
    promised_limit: int | None
    promised_limit_unit: str
    result: str
    channels: list[dict[str, Any]]
    cross_province: bool
    fully_online: bool
    pays_money: bool
    review_stages: list[dict[str, Any]]


def _out(v: ServiceItemVersion) -> dict[str, Any]:
    return {"code": v.item.code, "version": v.version, "effective_from": v.effective_from, "name": v.name,
            "kind": v.kind, "kind_label": v.get_kind_display(), "category": v.category, "legal_basis": v.legal_basis,
            "conditions": v.conditions, "materials": v.materials, "process": v.process, "legal_limit": v.legal_limit,
            "legal_limit_unit": v.legal_limit_unit, "legal_limit_basis": v.legal_limit_basis,
            "promised_limit": v.promised_limit, "promised_limit_unit": v.promised_limit_unit, "result": v.result,
            "channels": v.channels, "cross_province": v.cross_province, "fully_online": v.fully_online,
            "pays_money": v.pays_money, "review_stages": v.review_stages}


@router.get("/items", auth=None, response=list[ItemOut], summary="服务事项目录（当日施行的版本，无需认证）")
def items(request: HttpRequest, kind: str = "", on: date | None = None):
    return [_out(v) for v in selectors.items_current(on or timezone.localdate(), kind=kind or None)]


@router.get("/items/{code}", auth=None, response=ItemOut, summary="一个服务事项的办事指南（无需认证）")
def item(request: HttpRequest, code: str, on: date | None = None):
    v = selectors.item_current(code, on or timezone.localdate())
    if v is None:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=code, field="code")
    return _out(v)


@router.get("/items/{code}/versions", auth=None, response=list[ItemOut], summary="一个服务事项的全部版本（无需认证）")
def versions(request: HttpRequest, code: str):
    found = selectors.item_history(code)
    if not found:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=code, field="code")
    return [_out(v) for v in found]
