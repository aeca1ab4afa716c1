"""Writes of the service catalogue: a new version of an item, only through maker-checker.

`item_check(spec)` checks and normalises what an item says (the 实施清单 fields); `item_version_make` stores it as
the item's next version. Staff submit an edit as the approvals command `catalog.item_change`
(POST /api/v1/approvals/commands with name "catalog.item_change"): the maker submits, a different checker
approves, and only then is the version made (commands.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .models import (
    ONLINE_CHANNELS,
    CenterItemVersion,
    Channel,
    IdentityLevel,
    ItemKind,
    LimitUnit,
    MaterialFormat,
    Replacement,
    ServiceItem,
    ServiceItemVersion,
)

# The fields of a version a maker states (everything but the bookkeeping), in the order the 复核 page shows them.
FIELDS: dict[str, str] = {
    "name": "事项名称", "kind": "服务对象", "category": "事项类别", "legal_basis": "设定依据", "conditions": "受理条件",
    "materials": "申请材料", "process": "办理流程", "legal_limit": "法定时限", "legal_limit_unit": "法定时限单位",
    "legal_limit_basis": "法定时限依据", "promised_limit": "承诺时限", "promised_limit_unit": "承诺时限单位",
    "result": "办理结果", "channels": "办理渠道", "cross_province": "跨省通办", "fully_online": "全程网办",
    "pays_money": "支付资金", "review_stages": "审核环节", "active": "在用",
}


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.CATALOG_ITEM_INVALID, f"服务事项内容不正确：{detail}", field=field)


def _text(spec: dict[str, Any], key: str, *, required: bool = True, max_len: int = 2000) -> str:
    value = spec.get(key, "")
    if not isinstance(value, str):
        raise _bad(f"{FIELDS[key]}应为文字", key)
    value = value.strip()
    if required and not value:
        raise _bad(f"请填写{FIELDS[key]}", key)
    if len(value) > max_len:
        raise _bad(f"{FIELDS[key]}不能超过 {max_len} 个字", key)
    return value


def _choice(value: Any, choices: Any, label: str, field: str) -> str:
    if value not in choices.values:
        raise _bad(f"{label}不正确：{value}", field)
    return str(value)


def _limit(spec: dict[str, Any], key: str) -> int | None:
    value = spec.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
        raise _bad(f"{FIELDS[key]}应为 0–365 的整数（0 为即时办结）", key)
    return value


def _materials(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _bad("申请材料应为列表", "materials")
    out, codes = [], set()
    for i, m in enumerate(value):
        field = f"materials.{i}"
        if not isinstance(m, dict):
            raise _bad(f"第 {i + 1} 项申请材料应为对象", field)
        code, name = str(m.get("code", "")).strip(), str(m.get("name", "")).strip()
        if not code or not name:
            raise _bad(f"第 {i + 1} 项申请材料须有编码和名称", field)
        if code in codes:
            raise _bad(f"申请材料编码重复：{code}", field)
        codes.add(code)
        out.append({
            "code": code, "name": name,
            "format": _choice(m.get("format", MaterialFormat.SCAN), MaterialFormat, "材料形式", f"{field}.format"),
            "required": bool(m.get("required", True)),
            "replaceable_by": _choice(m.get("replaceable_by", ""), Replacement, "可替代方式", f"{field}.replaceable_by"),
            "note": str(m.get("note", "")).strip()[:200],
        })
    return out


def _channels(value: Any, *, pays_money: bool) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise _bad("至少须有一个办理渠道", "channels")
    out, seen = [], set()
    for i, c in enumerate(value):
        field = f"channels.{i}"
        if not isinstance(c, dict):
            raise _bad(f"第 {i + 1} 个办理渠道应为对象", field)
        channel = _choice(c.get("channel"), Channel, "办理渠道", f"{field}.channel")
        if channel in seen:
            raise _bad(f"办理渠道重复：{Channel(channel).label}", field)
        seen.add(channel)
        level = c.get("min_identity")
        if level not in IdentityLevel.values:
            raise _bad(f"身份核验等级不正确：{level}", f"{field}.min_identity")
        if pays_money and channel in ONLINE_CHANNELS and level <= IdentityLevel.PASSWORD_CODE:
            raise DomainError(ErrorCode.CATALOG_IDENTITY_TOO_WEAK, channel=Channel(channel).label,
                              field=f"{field}.min_identity")
        out.append({"channel": channel, "min_identity": int(level)})
    return out


def _stages(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _bad("审核环节应为列表", "review_stages")
    out = []
    for i, st in enumerate(value):
        field = f"review_stages.{i}"
        if not isinstance(st, dict) or not str(st.get("name", "")).strip() or not str(st.get("permission", "")).strip():
            raise _bad(f"第 {i + 1} 个审核环节须有名称和权限", field)
        above = st.get("above")
        if above is not None and (isinstance(above, bool) or not isinstance(above, int) or above < 0):
            raise _bad(f"第 {i + 1} 个审核环节的金额门槛应为非负整数（分）", f"{field}.above")
        out.append({"name": str(st["name"]).strip(), "permission": str(st["permission"]).strip(), "above": above})
    return out


def item_check(spec: dict[str, Any]) -> dict[str, Any]:
    """What a version says, checked and normalised; DomainError CATALOG_ITEM_INVALID (with the field) otherwise."""
    if not isinstance(spec, dict):
        raise _bad("事项内容应为对象", "spec")
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise _bad(f"未知的字段：{', '.join(unknown)}", unknown[0])
    pays_money = bool(spec.get("pays_money", False))
    process = spec.get("process", [])
    if not isinstance(process, list) or not all(isinstance(s, str) and s.strip() for s in process):
        raise _bad("办理流程应为若干步骤的文字", "process")
    out: dict[str, Any] = {
        "name": _text(spec, "name", max_len=100),
        "kind": _choice(spec.get("kind"), ItemKind, "服务对象", "kind"),
        "category": _text(spec, "category", required=False, max_len=40),
        "legal_basis": _text(spec, "legal_basis"),
        "conditions": _text(spec, "conditions"),
        "materials": _materials(spec.get("materials", [])),
        "process": [s.strip() for s in process],
        "legal_limit": _limit(spec, "legal_limit"),
        "legal_limit_unit": _choice(spec.get("legal_limit_unit", LimitUnit.NATURAL_DAY), LimitUnit, "时限单位",
                                    "legal_limit_unit"),
        "legal_limit_basis": _text(spec, "legal_limit_basis", required=False, max_len=100),
        "promised_limit": _limit(spec, "promised_limit"),
        "promised_limit_unit": _choice(spec.get("promised_limit_unit", LimitUnit.WORKING_DAY), LimitUnit, "时限单位",
                                       "promised_limit_unit"),
        "result": _text(spec, "result", max_len=200),
        "channels": _channels(spec.get("channels"), pays_money=pays_money),
        "cross_province": bool(spec.get("cross_province", False)),
        "fully_online": bool(spec.get("fully_online", False)),
        "pays_money": pays_money,
        "review_stages": _stages(spec.get("review_stages", [])),
        "active": bool(spec.get("active", True)),
    }
    if out["fully_online"] and not any(c["channel"] in ONLINE_CHANNELS for c in out["channels"]):
        raise _bad("全程网办的事项须开通网上服务大厅、手机公积金或自助终端渠道", "fully_online")
    if out["legal_limit"] is not None and not out["legal_limit_basis"]:
        raise _bad("法定时限须写明依据（如《住房公积金管理条例》第二十五条）", "legal_limit_basis")
    return out


def spec_of(version: ServiceItemVersion) -> dict[str, Any]:
    """What a stored version says, in the form `item_check` takes (the base of the next edit)."""
    return {k: getattr(version, k) for k in FIELDS}


@transaction.atomic
def item_version_make(*, code: str, spec: dict[str, Any], effective_from: date, actor: Actor, reason: str = "",
                      approved_by: str = "", command_id: int | None = None, made_by: str = "") -> ServiceItemVersion:
    """Store `spec` as the next version of item `code` (a new item when the code is new), audited."""
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise _bad("事项编码应为 1–40 个字符", "code")
    checked = item_check(spec)
    item, _ = ServiceItem.objects.select_for_update().get_or_create(code=code)
    last = item.versions.order_by("-version").first()
    version = ServiceItemVersion.objects.create(
        item=item, version=(last.version + 1) if last else 1, effective_from=effective_from,
        reason=(reason or "").strip()[:200], made_by=made_by or actor_label(actor), approved_by=approved_by,
        command_id=command_id, **checked)
    audit_log(actor=actor, action=AuditEvent.CATALOG_ITEM_CHANGE, obj=item,
              before=spec_of(last) if last else None, after={"version": version.version, **checked})
    return version


# ---------------------------------------------------------------- a center's 实施清单


# What a center's 实施清单 version states, in the order the 复核 page shows them.
IMPL_FIELDS: dict[str, str] = {
    "offered": "本中心开办", "promised_limit": "承诺时限", "promised_limit_unit": "承诺时限单位",
    "extra_materials": "本地增补材料", "channels": "开通渠道", "place": "办理地点", "hours": "办理时间",
    "phone": "咨询电话", "note": "备注",
}


def _impl_bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.CATALOG_IMPLEMENTATION_INVALID, f"实施清单内容不正确：{detail}", field=field)


def implementation_check(spec: dict[str, Any], national: ServiceItemVersion) -> dict[str, Any]:
    """What a center's 实施清单 version says, checked against the national item's version and normalised:
    the channels a subset of the item's, each with an identity level not weaker than the item's; local materials
    with codes of their own; the promised limit 0–365 in 日 or 工作日. CATALOG_IMPLEMENTATION_INVALID (with the
    field) otherwise — every check of the item's own fields (materials, channels) applies too."""
    if not isinstance(spec, dict):
        raise _impl_bad("实施清单内容应为对象", "spec")
    unknown = sorted(set(spec) - set(IMPL_FIELDS))
    if unknown:
        raise _impl_bad(f"未知的字段：{', '.join(unknown)}", unknown[0])
    offered = bool(spec.get("offered", True))
    national_channels = {c["channel"]: c["min_identity"] for c in national.channels}
    raw_channels = spec.get("channels")
    if raw_channels in (None, []) and not offered:
        channels: list[dict[str, Any]] = []
    else:
        try:
            channels = _channels(raw_channels, pays_money=national.pays_money)
        except DomainError as exc:
            if exc.code == ErrorCode.CATALOG_ITEM_INVALID:
                raise _impl_bad(exc.message.removeprefix("服务事项内容不正确："), exc.field or "channels") from None
            raise
    for i, c in enumerate(channels):
        label = Channel(c["channel"]).label
        if c["channel"] not in national_channels:
            raise _impl_bad(f"「{national.name}」的基本目录未设「{label}」渠道，实施清单只能开通基本目录中的渠道",
                            f"channels.{i}.channel")
        if c["min_identity"] < national_channels[c["channel"]]:
            raise _impl_bad(f"「{label}」的身份核验等级不能低于基本目录的「{IdentityLevel(national_channels[c['channel']]).label}」",
                            f"channels.{i}.min_identity")
    try:
        extra = _materials(spec.get("extra_materials", []))
        promised = _limit(spec, "promised_limit")
        unit = _choice(spec.get("promised_limit_unit", LimitUnit.WORKING_DAY), LimitUnit, "时限单位",
                       "promised_limit_unit")
    except DomainError as exc:
        detail = exc.message.removeprefix("服务事项内容不正确：")
        raise _impl_bad(detail, (exc.field or "").replace("materials", "extra_materials", 1)) from None
    clash = sorted({m["code"] for m in extra} & {m["code"] for m in national.materials})
    if clash:
        raise _impl_bad(f"本地增补材料的编码与基本目录的材料重复：{', '.join(clash)}", "extra_materials")
    out: dict[str, Any] = {
        "offered": offered,
        "promised_limit": promised,
        "promised_limit_unit": unit,
        "extra_materials": extra,
        "channels": channels,
        "place": _impl_text(spec, "place", 200),
        "hours": _impl_text(spec, "hours", 200),
        "phone": _impl_text(spec, "phone", 60),
        "note": _impl_text(spec, "note", 2000),
    }
    if offered and not channels:
        raise _impl_bad("开办的事项至少须开通一个办理渠道", "channels")
    if offered and national.fully_online and not any(c["channel"] in ONLINE_CHANNELS for c in channels):
        raise _impl_bad("全程网办的事项须开通网上服务大厅、手机公积金或自助终端中的至少一个", "channels")
    return out


def _impl_text(spec: dict[str, Any], key: str, max_len: int) -> str:
    value = spec.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _impl_bad(f"{IMPL_FIELDS[key]}应为文字", key)
    value = value.strip()
    if len(value) > max_len:
        raise _impl_bad(f"{IMPL_FIELDS[key]}不能超过 {max_len} 个字", key)
    return value


def implementation_spec_of(impl: CenterItemVersion | None, national: ServiceItemVersion) -> dict[str, Any]:
    """What a center's version says, in the form `implementation_check` takes; without one, the national item as
    the center would follow it (offered, the item's promised limit and channels, no additions)."""
    if impl is None:
        return {"offered": True, "promised_limit": national.promised_limit,
                "promised_limit_unit": national.promised_limit_unit, "extra_materials": [],
                "channels": [dict(c) for c in national.channels], "place": "", "hours": "", "phone": "", "note": ""}
    return {k: getattr(impl, k) for k in IMPL_FIELDS}


@transaction.atomic
def implementation_make(*, center: Any, code: str, spec: dict[str, Any], effective_from: date, actor: Actor,
                        reason: str = "", approved_by: str = "", command_id: int | None = None,
                        made_by: str = "") -> CenterItemVersion:
    """Store `spec` as the center's next 实施清单 version of item `code`, checked against the national item's
    newest version, audited."""
    national = ServiceItemVersion.objects.filter(item__code=code).select_related("item").order_by("-version").first()
    if national is None:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=code, field="code")
    checked = implementation_check(spec, national)
    item = ServiceItem.objects.select_for_update().get(pk=national.item_id)
    last = CenterItemVersion.objects.filter(center=center, item=item).order_by("-version").first()
    impl = CenterItemVersion.objects.create(
        center=center, item=item, version=(last.version + 1) if last else 1, effective_from=effective_from,
        reason=(reason or "").strip()[:200], made_by=made_by or actor_label(actor), approved_by=approved_by,
        command_id=command_id, **checked)
    audit_log(actor=actor, action=AuditEvent.CATALOG_IMPLEMENTATION_CHANGE, obj=item, center=center.pk,
              before=implementation_spec_of(last, national) if last else None,
              after={"version": impl.version, "effective_from": effective_from.isoformat(), **checked})
    return impl
