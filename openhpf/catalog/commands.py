"""The catalogue's maker-checker command (registered in CatalogConfig.ready).

`catalog.item_change` params: {"code": "…", "spec": {field: value, …}, "effective_from": "YYYY-MM-DD",
"reason": "…"}. The spec may name only the fields that change: it is laid over the item's latest version and
checked whole at submission, so the checker sees the full new version and what changed.

`catalog.implementation_change` (the maker's center's 实施清单 of one item) params: {"code": "…", "spec":
{offered, promised_limit, promised_limit_unit, extra_materials, channels, place, hours, phone, note — only those
that change}, "effective_from": "YYYY-MM-DD", "reason": "…"}: laid over the center's latest version (or the
national item as the center follows it), checked against the national item at submission and again at approval."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from openhpf.approvals.registry import (
    Change,
    Fact,
    Link,
    Summary,
    applying,
    effective_and_reason,
    register,
    register_renderer,
)
from openhpf.core.actors import Actor, actor_label
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from . import selectors
from .services import (
    FIELDS,
    IMPL_FIELDS,
    implementation_check,
    implementation_make,
    implementation_spec_of,
    item_check,
    item_version_make,
    spec_of,
)

COMMAND = "catalog.item_change"
IMPLEMENTATION_COMMAND = "catalog.implementation_change"
PERMISSION = "catalog.change"

Params = dict[str, Any]


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.CATALOG_ITEM_INVALID, f"服务事项内容不正确：{detail}", field=field)


def _validate(params: Params, actor: Actor, center: Any, business_date: date) -> Params:
    code = str(params.get("code", "")).strip()
    if not code or len(code) > 40:
        raise DomainError(ErrorCode.CATALOG_ITEM_INVALID, "服务事项内容不正确：事项编码应为 1–40 个字符", field="code")
    spec = params.get("spec")
    if not isinstance(spec, dict):
        raise DomainError(ErrorCode.CATALOG_ITEM_INVALID, "服务事项内容不正确：事项内容应为对象", field="spec")
    current = selectors.item_latest(code)
    merged = {**(spec_of(current) if current else {}), **spec}
    on, reason = effective_and_reason(params, business_date, bad=_bad)
    return {"code": code, "spec": item_check(merged), "reason": reason, "effective_from": on.isoformat(),
            "base_version": current.version if current else None}


def _apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    current = selectors.item_latest(params["code"])
    if (current.version if current else None) != params.get("base_version"):
        raise DomainError(ErrorCode.CATALOG_ITEM_INVALID,
                          "服务事项内容不正确：提交后该事项已有新版本，请按最新版本重新提交", field="code")
    version = item_version_make(
        code=params["code"], spec=params["spec"], effective_from=date.fromisoformat(params["effective_from"]),
        actor=actor, reason=params.get("reason", ""), approved_by=actor_label(actor),
        command_id=cmd.pk if cmd is not None else None,
        made_by=actor_label(cmd.maker) if cmd is not None else "")
    return {"code": params["code"], "version": version.version}


def _describe(params: Params) -> str:
    return f"服务事项 {params.get('code')}「{params.get('spec', {}).get('name', '')}」新版本，{params.get('effective_from')} 起生效"


def _show(key: str, value: Any) -> str:
    return selectors.field_text(key, value)


def _render(command: Any, viewer: Any) -> Summary:
    p = command.params
    spec = p.get("spec", {})
    base = selectors.item_version(p["code"], p["base_version"]) if p.get("base_version") else None
    before = spec_of(base) if base is not None else {}
    changes = [Change(label, _show(k, before.get(k)) if base else "（新事项）", _show(k, spec.get(k)))
               for k, label in FIELDS.items() if before.get(k) != spec.get(k)]
    links = []
    if command.result and command.result.get("version"):
        links.append(Link("查看事项", reverse("catalog:item", args=[p["code"]])))
    return Summary(
        headline=_describe(p),
        facts=[Fact("事项编码", p["code"]), Fact("事项名称", spec.get("name", "")),
               Fact("生效日期", p.get("effective_from", "")), Fact("变更原因", p.get("reason", "")),
               Fact("基于版本", f"第 {p['base_version']} 版" if p.get("base_version") else "新增事项")],
        changes=changes, links=links)


def _impl_validate(params: Params, actor: Actor, center: Any, business_date: date) -> Params:
    code = str(params.get("code", "")).strip()
    national = selectors.item_latest(code) if code else None
    if national is None:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=code or "—", field="code")
    spec = params.get("spec")
    if not isinstance(spec, dict):
        raise DomainError(ErrorCode.CATALOG_IMPLEMENTATION_INVALID, "实施清单内容不正确：实施清单内容应为对象",
                          field="spec")
    current = selectors.implementation_latest(center, code)
    merged = {**implementation_spec_of(current, national), **spec}
    on, reason = effective_and_reason(params, business_date, bad=lambda detail, f: DomainError(
        ErrorCode.CATALOG_IMPLEMENTATION_INVALID, f"实施清单内容不正确：{detail}", field=f))
    return {"code": code, "center": center.code, "name": national.name,
            "spec": implementation_check(merged, national), "reason": reason, "effective_from": on.isoformat(),
            "base_version": current.version if current else None}


def _impl_apply(params: Params, actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    center = cmd.center if cmd is not None else selectors.center_by_code(params["center"])
    current = selectors.implementation_latest(center, params["code"])
    if (current.version if current else None) != params.get("base_version"):
        raise DomainError(ErrorCode.CATALOG_IMPLEMENTATION_INVALID,
                          "实施清单内容不正确：提交后本中心该事项的实施清单已有新版本，请按最新版本重新提交", field="code")
    impl = implementation_make(
        center=center, code=params["code"], spec=params["spec"],
        effective_from=date.fromisoformat(params["effective_from"]), actor=actor, reason=params.get("reason", ""),
        approved_by=actor_label(actor), command_id=cmd.pk if cmd is not None else None,
        made_by=actor_label(cmd.maker) if cmd is not None else "")
    return {"code": params["code"], "center": params["center"], "version": impl.version}


def _impl_describe(params: Params) -> str:
    return (f"本中心实施清单：服务事项 {params.get('code')}「{params.get('name', '')}」新版本，"
            f"{params.get('effective_from')} 起生效")


def _impl_show(key: str, value: Any) -> str:
    if key == "offered":
        return "开办" if value else "不开办"
    if key == "extra_materials":
        return selectors.field_text("materials", value)
    return selectors.field_text(key, value)


def _impl_render(command: Any, viewer: Any) -> Summary:
    p = command.params
    spec = p.get("spec", {})
    national = selectors.item_latest(p["code"])
    base = None
    if p.get("base_version"):
        base = next((v for v in selectors.implementation_history(command.center, p["code"])
                     if v.version == p["base_version"]), None)
    before = implementation_spec_of(base, national) if national is not None else {}
    changes = [Change(label, _impl_show(k, before.get(k)), _impl_show(k, spec.get(k)))
               for k, label in IMPL_FIELDS.items() if before.get(k) != spec.get(k)]
    return Summary(
        headline=_impl_describe(p),
        facts=[Fact("事项编码", p["code"]), Fact("事项名称", p.get("name", "")),
               Fact("生效日期", p.get("effective_from", "")), Fact("变更原因", p.get("reason", "")),
               Fact("基于版本", f"第 {p['base_version']} 版" if p.get("base_version") else "首次发布（此前按基本目录）")],
        changes=changes,
        links=[Link("本中心实施清单", reverse("catalog:implementation", args=[p["code"]]))])


def register_all() -> None:
    register(COMMAND, apply=_apply, permission=PERMISSION, describe=_describe, validate=_validate,
             label="服务事项变更")
    register_renderer(COMMAND, _render)
    register(IMPLEMENTATION_COMMAND, apply=_impl_apply, permission=PERMISSION, describe=_impl_describe,
             validate=_impl_validate, label="实施清单变更")
    register_renderer(IMPLEMENTATION_COMMAND, _impl_render)
