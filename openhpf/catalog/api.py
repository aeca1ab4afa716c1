"""Public read API of the service catalogue (no token): GET /api/v1/catalog/items[/{code}[/versions]], and a
center's 实施清单 merged with the national items: GET /api/v1/catalog/centers/{center}/items[/{code}]."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from . import selectors
from .models import CenterItemVersion, ServiceItemVersion

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


class CenterItemOut(ItemOut):
    """An item as one center implements it: the national version's fields, with the promised limit, materials and
    channels as the center's 实施清单 sets them, and the center's own facts."""

    center: str
    offered: bool
    implementation_version: int | None
    implementation_effective_from: date | None
    place: str
    hours: str
    phone: str
    note: str
    extra_materials: list[dict[str, Any]]


class ImplementationOut(Schema):
    version: int
    effective_from: date
    offered: bool
    promised_limit: int | None
    promised_limit_unit: str
    extra_materials: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    place: str
    hours: str
    phone: str
    note: str
    reason: str


def _center_out(r: selectors.CenterItem) -> dict[str, Any]:
    impl = r.implementation
    return {**_out(r.version), "center": r.center.code, "offered": r.offered,
            "promised_limit": r.promised_limit, "promised_limit_unit": r.promised_limit_unit,
            "materials": r.materials, "channels": r.channels,
            "implementation_version": impl.version if impl else None,
            "implementation_effective_from": impl.effective_from if impl else None,
            "place": r.place, "hours": r.hours, "phone": r.phone, "note": r.note,
            "extra_materials": impl.extra_materials if impl else []}


def _impl_out(i: CenterItemVersion) -> dict[str, Any]:
    return {k: getattr(i, k) for k in ImplementationOut.model_fields}


def _center_or_404(code: str) -> Any:
    center = selectors.center_by_code(code)
    if center is None:
        raise DomainError(ErrorCode.CATALOG_CENTER_NOT_FOUND, center=code, field="center")
    return center


@router.get("/centers/{center}/items", auth=None, response=list[CenterItemOut],
            summary="一个管理中心的实施清单：本中心施行的全部事项（无需认证）")
def center_items(request: HttpRequest, center: str, kind: str = "", on: date | None = None,
                 offered_only: bool = False):
    c = _center_or_404(center)
    return [_center_out(r) for r in selectors.items_for_center(c, on or c.business_date, kind=kind or None,
                                                               offered_only=offered_only)]


@router.get("/centers/{center}/items/{code}", auth=None, response=CenterItemOut,
            summary="一个管理中心施行的一个事项的办事指南（无需认证）")
def center_item(request: HttpRequest, center: str, code: str, on: date | None = None):
    c = _center_or_404(center)
    r = selectors.item_for_center(code, c, on or c.business_date)
    if r is None:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=code, field="code")
    return _center_out(r)


@router.get("/centers/{center}/items/{code}/versions", auth=None, response=list[ImplementationOut],
            summary="一个管理中心对一个事项的实施清单全部版本（无需认证）")
def center_item_versions(request: HttpRequest, center: str, code: str):
    c = _center_or_404(center)
    if selectors.item_latest(code) is None:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=code, field="code")
    return [_impl_out(i) for i in selectors.implementation_history(c, code)]
