"""Reads of applications, scoped by who asks: staff see their center's (applications.accept or
applications.review), a member its own, an agent its employer's. Anything else is not found (no hint that it
exists: an agent of employer A asking for B's application gets APPLICATION_NOT_FOUND)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openhpf.access.services import has_permission
from openhpf.core.actors import Actor, AgentActor, MemberActor, is_staff_user
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError

from .models import Application, RuleEvaluation

STAFF_READ = ("applications.accept", "applications.review")


def applications_visible(actor: Actor, center: Any = None) -> QuerySet[Application]:
    qs = Application.objects.select_related("item_version")
    if isinstance(actor, MemberActor):
        return qs.filter(member_id=actor.member_id)
    if isinstance(actor, AgentActor):
        return qs.filter(employer_id=actor.employer_id)
    if is_staff_user(actor) and center is not None and any(has_permission(actor, p, center=center) for p in STAFF_READ):
        return qs.filter(center=center)
    return qs.none()


def application_get(actor: Actor, number: str, center: Any = None) -> Application:
    found = applications_visible(actor, center).filter(number=number).first()
    if found is None:
        raise DomainError(ErrorCode.APPLICATION_NOT_FOUND, number=number, field="number")
    return found


def application_timeline(application: Application) -> list[Any]:
    return list(application.events.order_by("id"))


def application_evaluations(application: Application) -> list[RuleEvaluation]:
    return list(application.evaluations.select_related("rule_set").order_by("id"))


def open_count(center: Any) -> int:
    """Open applications waiting for the center (the work queue's 待办 count)."""
    return Application.objects.filter(center=center, state__in=["submitted", "under_review", "approved",
                                                                 "execution_failed"]).count()
