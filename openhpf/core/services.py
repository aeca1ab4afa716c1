"""Writes of the core: centers, branches, policy values, the calendar and the business date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from openhpf.core.audit_events import AuditEvent

from .actors import Actor, is_system
from .auditlog import actor_label, audit_log
from .error_codes import ErrorCode
from .errors import DomainError
from .models import Branch, CalendarDay, Center, PolicyParameter
from .policy import KEYS

_CENTER_CREATED: list[Callable[[Center], object]] = []


def on_center_created(hook: Callable[[Center], object]) -> None:
    """Register work every new center needs, in the creating transaction (the ledger seeds its chart)."""
    if hook not in _CENTER_CREATED:
        _CENTER_CREATED.append(hook)


def center_create(*, code: str, name: str, business_date: date, actor: Actor, city: str = "") -> Center:
    """A new 管理中心 with its head-office branch and the national chart of accounts (on_center_created)."""
    if not (len(code) == 6 and code.isdigit()):
        raise DomainError(ErrorCode.CENTER_CODE, f"机构代码应为6位数字：{code}", field="code")
    with transaction.atomic():
        if Center.objects.filter(code=code).exists():
            raise DomainError(ErrorCode.CENTER_EXISTS, f"机构代码 {code} 已存在", field="code")
        center = Center.objects.create(code=code, name=name, city=city, business_date=business_date)
        Branch.objects.create(center=center, code=f"{code}01", name=f"{name}营业部")
        for hook in _CENTER_CREATED:
            hook(center)
        audit_log(actor=actor, action=AuditEvent.CORE_CENTER_CREATE, obj=center, center=center, business_date=business_date,
                  after={"code": code, "name": name, "business_date": business_date})
        return center


def branch_create(*, center: Center, code: str, name: str, actor: Actor) -> Branch:
    with transaction.atomic():
        if Branch.objects.filter(center=center, code=code).exists():
            raise DomainError(ErrorCode.BRANCH_EXISTS, f"网点代码 {code} 已存在", field="code")
        b = Branch.objects.create(center=center, code=code, name=name)
        audit_log(actor=actor, action=AuditEvent.CORE_BRANCH_CREATE, obj=b, center=center, business_date=center.business_date,
                  after={"code": code, "name": name})
        return b


def center_advance_business_date(*, center: Center, to: date, actor: Actor) -> Center:
    """Move the business date forward (only day-end does this; never backwards)."""
    with transaction.atomic():
        c = Center.objects.select_for_update().get(pk=center.pk)
        if to <= c.business_date:
            raise DomainError(ErrorCode.BUSINESS_DATE_BACKWARDS, f"业务日期只能向后推进（当前 {c.business_date}）", field="to")
        before = c.business_date
        c.business_date = to
        c.save(update_fields=["business_date"])
        audit_log(actor=actor, action=AuditEvent.CORE_BUSINESS_DATE_ADVANCE, obj=c, center=c, business_date=to,
                  before={"business_date": before}, after={"business_date": to})
        return c


def _system_actor(actor: Actor) -> bool:
    """Migrations, seeds, tests and batch jobs act as None or a SystemActor, never as a person."""
    return actor is None or is_system(actor)


def _check_approved_command(command: Any, actor: Actor) -> tuple[Any, Any]:
    """The approved maker-checker command being applied: returns (maker, checker). Refuses anything else."""
    if (
        command is None or getattr(command, "name", None) != "core.policy_set" or command.status != "approved"
        or command.checker_id is None or command.checker_id == command.maker_id
        or getattr(actor, "pk", None) != command.checker_id
        or not type(command).objects.filter(pk=command.pk, status="approved", checker_id=command.checker_id).exists()
    ):
        raise DomainError(ErrorCode.MAKER_CHECKER_REQUIRED, "政策参数变更须经复核：请提交复核（待复核），由另一位复核人批准后生效",
                          field="actor")
    return command.maker, command.checker


def policy_set(
    *, key: str, value: Any, value_type: str, effective_from: date, actor: Actor, approved_by: Any = None,
    center: Center | None = None, source: str = "", note: str = "", _approved_command: Any = None,
) -> PolicyParameter:
    """Record a policy value in force from a date. Values already in force are never edited in place.

    Only two paths write here: a system actor (migrations, seeds, set-up scripts; `approved_by` names the
    approval, e.g. the policy document), and the maker-checker apply of the `core.policy_set` command, which
    passes `_approved_command` (the approved PendingCommand; `actor` is its checker). A person calling this
    directly is refused with MAKER_CHECKER_REQUIRED: submit the `core.policy_set` command instead."""
    if key not in KEYS:
        raise DomainError(ErrorCode.POLICY_KEY, f"未知的政策参数：{key}", field="key")
    if value_type not in PolicyParameter.ValueType.values:
        raise DomainError(ErrorCode.POLICY_TYPE, f"参数类型不正确：{value_type}", field="value_type")
    if _system_actor(actor) and _approved_command is None:
        if approved_by is None:
            raise DomainError(ErrorCode.POLICY_APPROVER, "请注明政策参数的批准依据或批准人", field="approved_by")
        maker, checker = actor, approved_by
    else:
        maker, checker = _check_approved_command(_approved_command, actor)
    # a system actor's `approved_by` is the approval's reference (a policy document), not an actor
    approver = checker if isinstance(checker, str) else actor_label(checker)[0]
    maker_label, _ = actor_label(maker)
    if approver == maker_label and not maker_label.startswith("system"):
        raise DomainError(ErrorCode.SELF_APPROVAL, "政策参数的经办人与批准人不能是同一人", field="approved_by")
    with transaction.atomic():
        if PolicyParameter.objects.filter(center=center, key=key, effective_from=effective_from).exists():
            raise DomainError(ErrorCode.POLICY_EXISTS, f"{key} 在 {effective_from} 已有生效值，请另选生效日期", field="effective_from")
        p = PolicyParameter.objects.create(
            center=center, key=key, value=str(value) if value_type == "decimal" else value, value_type=value_type,
            effective_from=effective_from, approved_by=approver, source=source, note=note,
        )
        audit_log(actor=actor, action=AuditEvent.CORE_POLICY_SET, obj=p, center=center, business_date=effective_from,
                  after={"key": key, "value": p.value, "effective_from": effective_from, "approved_by": approver,
                         "maker": maker_label,
                         "command": getattr(_approved_command, "pk", None)})
        return p


def calendar_set_day(*, day: date, kind: str | None, name: str, actor: Actor) -> None:
    """Mark a day as holiday or make-up working day (workday), or clear it (kind None)."""
    with transaction.atomic():
        before = dict(CalendarDay.objects.filter(date=day).values("kind", "name").first() or {}) or None
        if kind is None:
            CalendarDay.objects.filter(date=day).delete()
        else:
            if kind not in CalendarDay.Kind.values:
                raise DomainError(ErrorCode.CALENDAR_KIND, "日期类型只能是 H（节假日）或 W（调休工作日）", field="kind")
            CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
        audit_log(actor=actor, action=AuditEvent.CORE_CALENDAR_SET, obj=("core.calendarday", day.isoformat()),
                  before=before, after={"kind": kind, "name": name})


def calendar_seed_years(*, years: range, actor: Actor) -> int:
    """Seed holidays for years chinese-calendar knows; a year it does not know is reported, not guessed."""
    import chinese_calendar

    zh = {h.value: h.chinese for h in chinese_calendar.Holiday}
    n = 0
    with transaction.atomic():
        for year in years:
            d = date(year, 1, 1)
            try:
                chinese_calendar.is_holiday(d)
            except NotImplementedError:
                raise DomainError(ErrorCode.CALENDAR_UNKNOWN_YEAR, f"内置节假日表尚无 {year} 年的安排，请手工维护",
                                  field="year") from None
            while d.year == year:
                on, name = chinese_calendar.get_holiday_detail(d)
                weekend = d.weekday() >= 5
                kind = (CalendarDay.Kind.HOLIDAY if on and not weekend
                        else CalendarDay.Kind.WORKDAY if not on and weekend else None)
                if kind:
                    CalendarDay.objects.update_or_create(date=d, defaults={"kind": kind, "name": zh.get(name, name or "")})
                    n += 1
                d += timedelta(days=1)
        audit_log(actor=actor, action=AuditEvent.CORE_CALENDAR_SEED, obj=("core.calendarday", f"{years.start}-{years.stop - 1}"),
                  after={"days": n})
    return n
