"""The withdrawal reasons' configuration as data (提取原因配置), effective-dated, changed through maker-checker.

Per reason (a catalogue item HPF-P-WD-xx; local reasons are added the same way under their own item code):
who may apply, the account statuses it allows, whether it closes the account, the frequency limit (the least
months between two paid withdrawals of the reason) and the amount rule. The decision rules themselves (the
checks whose every result is shown at once) are the engine's rule sets (`applications.rules`), seeded with the
configuration; the rent cap is the policy value `withdrawal.rent.monthly_cap`. A center following a changed
regulation edits these three, each from an effective date, without a release.

The change is the approvals command `withdrawals.reason_change` (permission applications.rules, the leader role):
the maker submits the fields that change, the reason and the effective date; the checker sees each changed field
before → after; approval makes the next version, in force from its date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from openhpf.approvals.registry import Fact, Summary, applying, change_terms, register, register_renderer
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .models import ReasonConfig

COMMAND = "withdrawals.reason_change"
PERMISSION = "applications.rules"
APPLICANTS = {"member": "职工本人", "spouse": "配偶（共同申请）", "heir": "继承人", "legatee": "受遗赠人",
              "agent": "单位经办人"}
FIELDS = ("name", "applicants", "statuses", "closes_account", "frequency_months", "amount_rule")
FIELD_LABELS = {"name": "提取原因", "applicants": "可申请人", "statuses": "允许的账户状态", "closes_account": "销户提取",
                "frequency_months": "两次提取最短间隔（月）", "amount_rule": "金额规则"}


def reason_config(item_code: str, on: date) -> ReasonConfig:
    """The configuration of `item_code` in force on `on` (the latest-effective version, the newest among equals)."""
    cfg = (ReasonConfig.objects.filter(item_code=item_code, effective_from__lte=on)
           .order_by("-effective_from", "-version").first())
    if cfg is None:
        raise DomainError(ErrorCode.WITHDRAWAL_REASON_UNKNOWN, item=item_code, field="item_code")
    return cfg


def reason_history(item_code: str) -> list[ReasonConfig]:
    return list(ReasonConfig.objects.filter(item_code=item_code).order_by("-version"))


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.WITHDRAWAL_REASON_INVALID, detail=detail, field=field)


def _check_fields(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in FIELDS:
            raise _bad(f"不能变更的项目：{key}", key)
        if key == "name":
            value = str(value or "").strip()
            if not value or len(value) > 60:
                raise _bad("提取原因名称不能为空（不超过 60 个字符）", key)
        elif key == "applicants":
            if not isinstance(value, list) or not value or any(v not in APPLICANTS for v in value):
                raise _bad(f"可申请人应为 {'、'.join(APPLICANTS)} 中的一个或多个", key)
        elif key == "statuses":
            if not isinstance(value, list) or not value or any(v not in MemberAccountStatus.values for v in value):
                raise _bad("允许的账户状态应为标准账户状态代码（如 01 正常、02 封存）", key)
        elif key == "closes_account":
            if not isinstance(value, bool):
                raise _bad("销户提取应为是或否", key)
        elif key == "frequency_months":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
                raise _bad("两次提取最短间隔应为 0 至 120 的整数（月）", key)
        elif key == "amount_rule" and value not in ReasonConfig.AmountRule.values:
            raise _bad(f"金额规则应为 {'、'.join(ReasonConfig.AmountRule.values)} 之一", key)
        out[key] = value
    return out


@transaction.atomic
def reason_config_make(*, item_code: str, changes: dict[str, Any], effective_from: date, actor: Actor,
                       reason: str, approved_by: str = "", made_by: str = "",
                       command_id: int | None = None) -> ReasonConfig:
    """The next version of a reason's configuration: the latest version with `changes` applied."""
    last = ReasonConfig.objects.select_for_update().filter(item_code=item_code).order_by("-version").first()
    if last is None:
        raise DomainError(ErrorCode.WITHDRAWAL_REASON_UNKNOWN, item=item_code, field="item_code")
    values = {f: getattr(last, f) for f in FIELDS}
    values.update(_check_fields(changes))
    cfg = ReasonConfig.objects.create(
        item_code=item_code, reason_code=last.reason_code, version=last.version + 1, effective_from=effective_from,
        local=last.local, reason=reason[:200], made_by=made_by or actor_label(actor), approved_by=approved_by,
        command_id=command_id, **values)
    audit_log(actor=actor, action=AuditEvent.WITHDRAWALS_REASON_CHANGE, obj=cfg,
              before={"version": last.version, **{f: getattr(last, f) for f in FIELDS}},
              after={"version": cfg.version, "effective_from": effective_from.isoformat(), **values})
    return cfg


def _validate(params: dict[str, Any], actor: Actor, center: Any, business_date: date) -> dict[str, Any]:
    item_code = str(params.get("item_code", "")).strip()
    if not ReasonConfig.objects.filter(item_code=item_code).exists():
        raise DomainError(ErrorCode.WITHDRAWAL_REASON_UNKNOWN, item=item_code or "—", field="item_code")
    terms = change_terms(params, business_date, bad=_bad)
    return {"item_code": item_code, "effective_from": terms.effective_from.isoformat(), "reason": terms.reason,
            "changes": _check_fields(terms.changes)}


def _apply(params: dict[str, Any], actor: Actor, business_date: date) -> dict[str, Any]:
    cmd = applying()
    cfg = reason_config_make(item_code=params["item_code"], changes=params["changes"],
                             effective_from=date.fromisoformat(params["effective_from"]), actor=actor,
                             reason=params["reason"], approved_by=actor_label(actor),
                             made_by=actor_label(cmd.maker) if cmd is not None else "",
                             command_id=cmd.pk if cmd is not None else None)
    return {"item_code": cfg.item_code, "version": cfg.version}


def field_text(key: str, value: Any) -> str:
    """A configuration value in a clerk's words (names of codes, 是/否)."""
    if key == "applicants":
        return "、".join(APPLICANTS.get(v, v) for v in value)
    if key == "statuses":
        return "、".join(f"{v} {MemberAccountStatus(v).label}" if v in MemberAccountStatus.values else v for v in value)
    if key == "closes_account":
        return "是" if value else "否"
    if key == "amount_rule":
        return ReasonConfig.AmountRule(value).label if value in ReasonConfig.AmountRule.values else str(value)
    if key == "frequency_months":
        return "不限" if not value else f"{value} 个月"
    return str(value)


def _describe(params: dict[str, Any]) -> str:
    return f"提取原因 {params.get('item_code')} 的配置新版本，{params.get('effective_from')} 起生效"


def _render(command: Any, viewer: Any) -> Summary:
    p = command.params
    facts = [Fact("事项编码", p.get("item_code", "")), Fact("生效日期", p.get("effective_from", "")),
             Fact("变更原因", p.get("reason", ""))]
    last = ReasonConfig.objects.filter(item_code=p.get("item_code", "")).order_by("-version").first()
    for key, value in (p.get("changes") or {}).items():
        was = field_text(key, getattr(last, key)) if last is not None and key in FIELDS else "—"
        facts.append(Fact(FIELD_LABELS.get(key, key), f"{was} → {field_text(key, value)}"))
    return Summary(headline=_describe(p), facts=facts)


def register_commands() -> None:
    register(COMMAND, apply=_apply, permission=PERMISSION, describe=_describe, validate=_validate,
             label="提取原因配置变更")
    register_renderer(COMMAND, _render)
