"""Writes of access: assigning and revoking roles (security administrator only, audited), and the query API
re-exported from selectors so callers can import either module."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openhpf.audit.services import actor_label, audit_log
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.classification import classify
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Branch, Center

from .catalogue import BUSINESS, EXCLUSIVE_KINDS, KIND_LABELS, duty_conflicts
from .models import Role, RoleAssignment
from .selectors import (  # noqa: F401 (the published query API)
    access_cache_clear,
    can_see_center,
    check_permission,
    has_permission,
    is_system_actor,
    scope_queryset,
    user_clearance,
    user_permissions,
    user_roles,
)

__all__ = [
    "check_permission", "export_watermark", "has_permission", "personal_data_unmask", "role_assign", "role_conflicts",
    "role_revoke",
    "scope_queryset", "user_clearance", "user_permissions", "user_roles",
]


def _role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    r = Role.objects.filter(code=role).first()
    if r is None:
        raise DomainError(ErrorCode.ROLE_UNKNOWN, f"角色 {role} 不存在", field="role")
    return r


def _check_actor(actor: Actor, user: Any, center: Center | None) -> None:
    """Only a security administrator (or the system, for bootstrap and the demo) grants roles; never to oneself."""
    if is_system_actor(actor):
        return
    if getattr(actor, "pk", None) is not None and getattr(actor, "pk", None) == getattr(user, "pk", None):
        raise DomainError(ErrorCode.SELF_GRANT, "不能为自己授予或撤销角色", field="user")
    check_permission(actor, "iam.manage_roles", center=center)


def _check_compatible(user: Any, role: Role) -> None:
    """三员分立: sysadmin, secadmin and secauditor exclude each other and every business role."""
    held = set(Role.objects.filter(assignments__user=user).exclude(pk=role.pk).values_list("kind", flat=True))
    if not held:
        return
    if role.kind in EXCLUSIVE_KINDS or held - {BUSINESS}:
        have = "、".join(sorted(KIND_LABELS.get(k, k) for k in held))
        raise DomainError(ErrorCode.ROLE_INCOMPATIBLE,
                          f"三员分立：{KIND_LABELS.get(role.kind, role.kind)}角色不能与已有的{have}角色由同一人兼任",
                          field="role")


def role_conflicts(*, user: Any, role: Role | str) -> list[tuple[Role, str]]:
    """不相容岗位: the roles `user` already holds that `role` should not be combined with, with the rule."""
    r = _role(role)
    held = {a.role.code: a.role for a in RoleAssignment.objects.filter(user=user).select_related("role")}
    return [(held[code], rule) for code, rule in duty_conflicts(r.code, frozenset(held))]


def role_assign(*, user: Any, role: Role | str, center: Center | None, branch: Branch | None = None,
                actor: Actor, reason: str = "") -> RoleAssignment:
    """授予角色: `user` holds `role` at `center` (None: every center) and optionally only at `branch`. A role of
    不相容岗位 with one already held (catalogue.INCOMPATIBLE_DUTIES) needs a `reason` from a person, kept in the
    audit row (a system grant records itself as the reason)."""
    r = _role(role)
    reason = (reason or "").strip()
    if branch is not None and (center is None or branch.center_id != center.pk):
        raise DomainError(ErrorCode.BRANCH_CENTER, "网点不属于该管理中心", field="branch")
    if not getattr(user, "is_active", False):
        raise DomainError(ErrorCode.USER_INACTIVE, "用户已停用，不能授予角色", field="user")
    _check_actor(actor, user, center)
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).first()  # serialise grants per user
        _check_compatible(user, r)
        conflicts = role_conflicts(user=user, role=r)
        if conflicts and is_system_actor(actor) and len(reason) < 2:  # bootstrap, demo and `hpf create_staff`
            reason = f"系统授权（{actor_label(actor)[0]}）"
        if conflicts and len(reason) < 2:
            raise DomainError(ErrorCode.ROLE_DUTY_CONFLICT,
                              f"不相容岗位：{r.name}与已有的{'、'.join(c.name for c, _ in conflicts)}不宜由同一人兼任，"
                              "须填写授权理由", field="reason")
        existing = RoleAssignment.objects.filter(user=user, role=r, center=center, branch=branch).first()
        if existing is not None:
            raise DomainError(ErrorCode.ROLE_HELD, f"已授予角色「{r.name}」", field="role")

        a = RoleAssignment.objects.create(user=user, role=r, center=center, branch=branch,
                                          granted_by=actor_label(actor)[0])
        audit_log(actor=actor, action=AuditEvent.ACCESS_ROLE_ASSIGN, obj=a, center=center,
                  business_date=center.business_date if center else None,
                  after={"user": user.get_username(), "role": r.code, "center": center.code if center else None,
                         "branch": branch.code if branch else None,
                         **({"conflict": [c.code for c, _ in conflicts], "reason": reason[:200]} if conflicts else {})})
    access_cache_clear(user)
    return a


def role_revoke(*, user: Any, role: Role | str, center: Center | None, branch: Branch | None = None,
                actor: Actor) -> None:
    """撤销角色."""
    r = _role(role)
    _check_actor(actor, user, center)
    with transaction.atomic():
        a = RoleAssignment.objects.select_for_update().filter(user=user, role=r, center=center, branch=branch).first()
        if a is None:
            raise DomainError(ErrorCode.ROLE_NOT_HELD, f"未授予角色「{r.name}」", field="role")
        audit_log(actor=actor, action=AuditEvent.ACCESS_ROLE_REVOKE, obj=a, center=center,
                  business_date=center.business_date if center else None,
                  before={"user": user.get_username(), "role": r.code, "center": center.code if center else None,
                          "branch": branch.code if branch else None})
        a.delete()
    access_cache_clear(user)


# ---------------------------------------------------------------- personal data: unmask and export (脱敏例外)


def personal_data_unmask(*, user: Actor, obj: Any, fields: list[str] | tuple[str, ...], reason: str) -> dict[str, Any]:
    """查看明文: the clear values of registered personal fields of `obj`, for a user holding
    personal_data.unmask at the object's center, with a reason. The audit row (personal_data.unmask) records
    who, which object, which fields and why — never the values."""
    center = getattr(obj, "center_id", None)
    check_permission(user, "personal_data.unmask", center=center)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(ErrorCode.REASON_REQUIRED, "查看明文个人信息须填写理由", field="reason")
    label = obj._meta.label
    fields = list(dict.fromkeys(fields))
    if not fields:
        raise DomainError(ErrorCode.FIELDS_REQUIRED, "请选择要查看的字段", field="fields")
    for f in fields:
        fc = classify(f"{label}.{f}")
        if fc is None:
            raise DomainError(ErrorCode.FIELD_UNKNOWN, f"字段 {f} 不是登记的个人信息字段", field="fields")
        if fc.grade >= 4:
            raise DomainError(ErrorCode.FIELD_CORE, f"字段 {f} 为核心数据，不提供明文查看", field="fields")
    values = {f: getattr(obj, f) for f in fields}
    with transaction.atomic():
        audit_log(actor=user, action=AuditEvent.PERSONAL_DATA_UNMASK, obj=obj, center=center,
                  business_date=getattr(getattr(obj, "center", None), "business_date", None),
                  after={"fields": fields, "reason": reason[:200]})
    return values


def export_watermark(user: Actor, reason: str) -> str:
    """The watermark every export carries (who, when, why), one line; audited by the caller with the export."""
    from django.utils import timezone

    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(ErrorCode.REASON_REQUIRED, "导出须填写用途", field="reason")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in reason):  # CR/LF would split the watermark header and line
        raise DomainError(ErrorCode.INPUT_INVALID, "导出用途不能包含换行或其他控制字符", field="reason")
    who = actor_label(user)[0]
    name = getattr(getattr(user, "staff_profile", None), "display_name", "") or ""
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    return f"OpenHPF 导出 · 导出人 {who}{'（' + name + '）' if name else ''} · 时间 {when} · 用途 {reason[:100]} · 内部资料 请勿外传"
