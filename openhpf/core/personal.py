"""Reads of personal data (个人信息查询): the one place that gives a personal-data selector the caller's data scope,
its masking clearance and the read-audit row, for every channel (console, staff API, member and agent portals,
partner API). docs/personal-data.md says how a new endpoint uses it.

A selector that returns any field of the classification registry (core/classification.py) of a person other
than the caller is decorated with `@personal_read(EVENT, ...)`. Its callers pass the typed actor (`actor=`); the
decorator
- refuses an actor without the read's permission (staff and partners: `perm` at the center; a member or an
  employer's agent: the portal permission of its kind, and only when the read offers `portal=True`),
- hands the selector a `PersonalRead` (keyword `read`) that scopes a queryset to the actor's data
  (`read.scope(qs)`: the centers and branches of a staff member's roles, a member's own rows, an agent's own
  employer's rows) and masks a value by the actor's clearance (`read.mask(kind, value)`),
- writes the audit row of the read in the caller's transaction when the actor is staff, a partner or trusted
  code (a member or agent reading its own data is not audited), with the object and details the selector noted.

The audit events of personal reads are members of the audit-event catalogue (core.audit_events.PERSONAL_READS)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction

from . import auditlog, authz
from .actors import AgentActor, MemberActor
from .audit_events import PERSONAL_READS, AuditEvent
from .masking import mask
from .models import Center

if TYPE_CHECKING:
    from django.db.models import QuerySet

# the portal permission of each principal kind (access.catalogue.KIND_PERMISSIONS)
PORTAL_PERMISSIONS = {"member": "portal.own_account.view", "agent": "portal.own_employer.view"}


# ---------------------------------------------------------------- the read


@dataclass
class PersonalRead:
    """What a personal-data selector gets from the decorator: the actor, its center, its clearance, and where to
    note what the audit row records."""

    actor: Any
    center: Any  # a Center or its id (None: the actor's whole scope)
    clearance: int
    audited: bool
    obj: Any = None  # the audited object: a model instance or (object type, id)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def portal(self) -> bool:
        """A member or an employer's agent reading its own data."""
        return isinstance(self.actor, MemberActor | AgentActor)

    def mask(self, kind: str, value: Any) -> Any:
        """`value` of a field kind (classification.KINDS) as this actor may see it."""
        return mask(kind, value, clearance=self.clearance)

    def scope(self, qs: QuerySet, center_field: str = "center", branch_field: str | None = "branch") -> QuerySet:
        """The rows of `qs` inside the actor's data scope, and of this read's center when it has one."""
        if self.center is not None and not self.portal:
            qs = qs.filter(**{center_field: getattr(self.center, "pk", self.center)})
        return authz.scope_queryset(self.actor, qs, center_field, branch_field)

    def owns(self, *, member_id: int | None = None, employer_id: int | None = None) -> bool:
        """Whether a row of this member or employer is the portal actor's own (always true for others, whose
        scope is their center)."""
        if isinstance(self.actor, MemberActor):
            return member_id is not None and member_id == self.actor.member_id
        if isinstance(self.actor, AgentActor):
            return employer_id is not None and employer_id == self.actor.employer_id
        return True

    def about(self, obj: Any) -> None:
        self.obj = obj

    def note(self, **details: Any) -> None:
        self.details.update(details)


R = TypeVar("R")
REGISTRY: dict[str, AuditEvent] = {}  # "module.selector" → event: every personal-data selector


def _audited(actor: Any) -> bool:
    """Staff, partners and trusted code are audited; a member or agent reading its own data is not."""
    return not isinstance(actor, MemberActor | AgentActor)


def _center_of(bound: dict[str, Any], center: Callable[[dict[str, Any]], Any] | None) -> Any:
    if center is not None:
        return center(bound)
    if "center" in bound:
        return bound["center"]
    for v in bound.values():
        if hasattr(v, "center_id"):
            return v.center_id
    return None


def _business_date(center: Any) -> Any:
    if center is None or hasattr(center, "business_date"):
        return getattr(center, "business_date", None)
    return Center.objects.filter(pk=center).values_list("business_date", flat=True).first()


def personal_read(event: AuditEvent, *, perm: str = "accounts.view", portal: bool = False,
                  center: Callable[[dict[str, Any]], Any] | None = None,
                  obj: Callable[[dict[str, Any]], Any] | None = None) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Make a selector a personal-data read (see the module docstring). The selector takes keyword arguments
    `actor` and `read`; callers pass `actor` and never `read`. `center` and `obj` pick the read's center and
    the audited object from the call's arguments (defaults: the `center` argument, else the center of the first
    model argument; the object the selector notes with `read.about`)."""
    if not isinstance(event, AuditEvent):
        raise TypeError(f"{event!r} is not an AuditEvent of the catalogue (core.audit_events)")
    if event not in PERSONAL_READS:
        raise ValueError(f"{event!r} is not an audit event of personal reads (core.audit_events.PERSONAL_READS)")

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        sig = inspect.signature(fn)
        if "read" not in sig.parameters or "actor" not in sig.parameters:
            raise TypeError(f"{fn.__qualname__}: a personal-data selector takes keyword arguments actor and read")
        REGISTRY[f"{fn.__module__}.{fn.__qualname__}"] = event

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            if "read" in kwargs:
                raise TypeError("`read` is given by @personal_read, not by the caller")
            bound = sig.bind_partial(*args, **kwargs).arguments
            actor = bound["actor"]
            where = _center_of(bound, center)
            if isinstance(actor, MemberActor | AgentActor):
                if not portal:
                    raise authz.forbidden("网厅不提供此项查询", field="actor")
                authz.check_permission(actor, PORTAL_PERMISSIONS[actor.kind])
            else:  # staff, a partner (through its token's scopes), trusted code
                authz.check_permission(actor, perm, center=where)
            read = PersonalRead(actor=actor, center=where, clearance=authz.user_clearance(actor, center=where),
                                audited=_audited(actor), obj=obj(bound) if obj is not None else None)
            result = fn(*args, **kwargs, read=read)
            if read.audited:
                with transaction.atomic():
                    auditlog.audit_log(actor=actor, action=event, obj=read.obj, center=where,
                                       business_date=_business_date(where), after=read.details or None)
            return result

        return wrapper

    return decorate
