"""Reads of the service catalogue. The catalogue is public: no personal data, no scope, no read audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Subquery

from openhpf.core.calendar import LIMIT_UNITS

from .models import Channel, IdentityLevel, ItemKind, MaterialFormat, Replacement, ServiceItemVersion


def item_latest(code: str) -> ServiceItemVersion | None:
    """The newest version of item `code` (whatever its effective date): the base of the next edit."""
    return ServiceItemVersion.objects.filter(item__code=code).select_related("item").order_by("-version").first()


def item_version(code: str, version: int) -> ServiceItemVersion | None:
    return ServiceItemVersion.objects.filter(item__code=code, version=version).select_related("item").first()


def item_current(code: str, on: date) -> ServiceItemVersion | None:
    """The version of item `code` in force on `on`: the newest whose effective date is on or before it."""
    return (ServiceItemVersion.objects.filter(item__code=code, effective_from__lte=on).select_related("item")
            .order_by("-version").first())


def items_current(on: date, *, kind: str | None = None, active_only: bool = True) -> list[ServiceItemVersion]:
    """Every item's version in force on `on`, by code (one query)."""
    newest = (ServiceItemVersion.objects.filter(item=OuterRef("item"), effective_from__lte=on)
              .order_by("-version").values("pk")[:1])
    qs = ServiceItemVersion.objects.filter(pk=Subquery(newest)).select_related("item").order_by("item__code")
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(active=True)
    return list(qs)


def item_history(code: str) -> list[ServiceItemVersion]:
    return list(ServiceItemVersion.objects.filter(item__code=code).order_by("-version"))


# ---------------------------------------------------------------- how a version reads (page, API, 复核 summary)


def limit_text(n: int | None, unit: str) -> str:
    if n is None:
        return "—"
    return "即时办结" if n == 0 else f"{n} {LIMIT_UNITS.get(unit, unit)}"


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def field_text(key: str, value: Any) -> str:
    """One field of a version as people read it (codes by their Chinese names)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "kind":
        return _label(ItemKind, value)
    if key.endswith("_unit"):
        return LIMIT_UNITS.get(value, str(value))
    if key == "materials":
        return "；".join(m["name"] for m in value) or "—"
    if key == "channels":
        return "；".join(f"{_label(Channel, c['channel'])}（{_label(IdentityLevel, c['min_identity'])}）" for c in value)
    if key == "review_stages":
        return " → ".join(s["name"] for s in value) or "—"
    if key == "process":
        return " → ".join(value)
    return str(value)


@dataclass(frozen=True)
class MaterialView:
    name: str
    format: str
    required: bool
    replaceable_by: str
    note: str


@dataclass(frozen=True)
class ChannelView:
    channel: str
    name: str
    min_identity: str


def materials_view(version: ServiceItemVersion) -> list[MaterialView]:
    return [MaterialView(m["name"], _label(MaterialFormat, m["format"]), m["required"],
                         _label(Replacement, m["replaceable_by"]) if m["replaceable_by"] else "", m.get("note", ""))
            for m in version.materials]


def channels_view(version: ServiceItemVersion) -> list[ChannelView]:
    return [ChannelView(c["channel"], _label(Channel, c["channel"]), _label(IdentityLevel, c["min_identity"]))
            for c in version.channels]
