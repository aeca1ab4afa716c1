"""Reads of the service catalogue. The catalogue is public: no personal data, no scope, no read audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Subquery

from openhpf.approvals.selectors import commands_keyed
from openhpf.core.calendar import LIMIT_UNITS
from openhpf.core.models import Center

from .models import (
    CenterItemVersion,
    Channel,
    IdentityLevel,
    ItemKind,
    MaterialFormat,
    Replacement,
    ServiceItemVersion,
)


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


# ---------------------------------------------------------------- a center's 实施清单 (its implementation of an item)


def center_by_code(code: str) -> Center | None:
    return Center.objects.filter(code=code).first() if code else None


def default_center() -> Center | None:
    """The center the public pages show when none is named: the only one there is (a center's own site)."""
    found = list(Center.objects.order_by("pk")[:2])
    return found[0] if len(found) == 1 else None


def implementation_current(center: Any, code: str, on: date) -> CenterItemVersion | None:
    """The center's 实施清单 version of item `code` in force on `on` (None: the center follows the national item)."""
    return (CenterItemVersion.objects.filter(center=center, item__code=code, effective_from__lte=on)
            .select_related("item").order_by("-version").first())


def implementation_latest(center: Any, code: str) -> CenterItemVersion | None:
    """The center's newest version (whatever its effective date): the base of the next change."""
    return (CenterItemVersion.objects.filter(center=center, item__code=code).select_related("item")
            .order_by("-version").first())


def implementation_history(center: Any, code: str) -> list[CenterItemVersion]:
    return list(CenterItemVersion.objects.filter(center=center, item__code=code).order_by("-version"))


PENDING_KEY = "catalog-impl:"  # the idempotency key prefix of a 实施清单 change submitted from the console


def implementation_pending_codes(center: Any) -> list[str]:
    """The items whose 实施清单 change (submitted from the console) waits for a checker at `center`."""
    return [str(c.params.get("code", "")) for c in commands_keyed(center=center, prefixes=(PENDING_KEY,))]


@dataclass(frozen=True)
class CenterItem:
    """A national item as one center implements it on a day: the item's version (基本目录) merged with the center's
    实施清单 version in force (None: the center has not published its own and follows the item as it is).

    Channels are those the center opens that the item still offers, each with the stronger of the two identity
    levels; materials are the item's followed by the center's additions; the promised limit is the center's when
    it states one, else the item's."""

    center: Any
    version: ServiceItemVersion
    implementation: CenterItemVersion | None
    offered: bool
    promised_limit: int | None
    promised_limit_unit: str
    materials: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    place: str
    hours: str
    phone: str
    note: str

    @property
    def code(self) -> str:
        return self.version.item.code

    @property
    def name(self) -> str:
        return self.version.name

    def channel_level(self, channel: str) -> int | None:
        """The minimum identity level of `channel` here, None when the center does not offer it."""
        return next((c["min_identity"] for c in self.channels if c["channel"] == channel), None)


def merge(version: ServiceItemVersion, impl: CenterItemVersion | None, center: Any = None) -> CenterItem:
    if impl is None:
        return CenterItem(center, version, None, version.active, version.promised_limit, version.promised_limit_unit,
                          list(version.materials), list(version.channels), "", "", "", "")
    national = {c["channel"]: c["min_identity"] for c in version.channels}
    channels = [{"channel": c["channel"], "min_identity": max(int(c["min_identity"]), national[c["channel"]])}
                for c in impl.channels if c["channel"] in national]
    stated = impl.promised_limit is not None
    return CenterItem(
        center, version, impl, version.active and impl.offered,
        impl.promised_limit if stated else version.promised_limit,
        impl.promised_limit_unit if stated else version.promised_limit_unit,
        [*version.materials, *impl.extra_materials], channels, impl.place, impl.hours, impl.phone, impl.note)


def item_for_center(code: str, center: Any, on: date) -> CenterItem | None:
    """Item `code` as `center` implements it on `on`: the national version in force merged with the center's
    实施清单 version in force that day; None when the item does not exist (yet)."""
    version = item_current(code, on)
    if version is None:
        return None
    return merge(version, implementation_current(center, code, on), center)


def items_for_center(center: Any, on: date, *, kind: str | None = None,
                     offered_only: bool = False) -> list[CenterItem]:
    """Every item as `center` implements it on `on` (two queries), by code."""
    versions = items_current(on, kind=kind, active_only=False)
    newest = (CenterItemVersion.objects.filter(center=center, item=OuterRef("item"), effective_from__lte=on)
              .order_by("-version").values("pk")[:1])
    impls = {i.item_id: i for i in CenterItemVersion.objects.filter(center=center, pk=Subquery(newest))}
    rows = [merge(v, impls.get(v.item_id), center) for v in versions]
    return [r for r in rows if r.offered] if offered_only else rows


def center_channels_view(row: CenterItem) -> list[ChannelView]:
    return [ChannelView(c["channel"], _label(Channel, c["channel"]), _label(IdentityLevel, c["min_identity"]))
            for c in row.channels]


def center_materials_view(row: CenterItem) -> list[MaterialView]:
    extra = {m["code"] for m in (row.implementation.extra_materials if row.implementation else [])}
    return [MaterialView(m["name"] + ("（本中心增补）" if m["code"] in extra else ""), _label(MaterialFormat, m["format"]),
                         m["required"], _label(Replacement, m["replaceable_by"]) if m["replaceable_by"] else "",
                         m.get("note", ""))
            for m in row.materials]
