"""好差评 writes (国办发〔2019〕51号): the applicant rates a completed application once on the five levels, with an
optional comment; a 差评 (不满意/非常不满意) opens a follow-up (整改) due `service.rating_followup_days` working
days after the rating (an effective-dated policy value, counted on the center's working-day calendar); staff with
applications.followup record what was done and close it. Every write is audited."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db import transaction

from openhpf.access.services import check_permission
from openhpf.core.actors import Actor, AgentActor, MemberActor, actor_kind, actor_label, is_staff_user
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.calendar import limit_due
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.core.policy import policy_value

from .models import Application, Rating, RatingFollowUp, RatingLevel, State
from .selectors import application_get

FOLLOWUP_PERMISSION = "applications.followup"
FOLLOWUP_DAYS = "service.rating_followup_days"
COMMENT_MAX = 500
RESULT_MAX = 2000


def _may_rate(app: Application, actor: Actor) -> bool:
    """The applicant rates: the member an application is about, or the agent who filed it (any agent of the
    employer when a clerk filed it for the employer at the counter)."""
    if isinstance(actor, MemberActor):
        return app.member_id == actor.member_id
    if isinstance(actor, AgentActor):
        if app.employer_id != actor.employer_id:
            return False
        return app.applicant_kind != "agent" or app.applicant_id == str(actor.actor_id)
    return False


def followup_due(center: Center | int, rated_on: date) -> date:
    """The last day of a 差评's follow-up: the policy's number of working days after the rating."""
    days = int(policy_value(FOLLOWUP_DAYS, on=rated_on, center=center))
    return limit_due(rated_on, days, "working_day")


@transaction.atomic
def rating_submit(*, number: str, actor: Actor, level: str, business_date: date, comment: str = "") -> Rating:
    """Rate application `number`: only its applicant, only once it is completed, only once. Another principal's
    number is APPLICATION_NOT_FOUND (no hint that it exists)."""
    if is_staff_user(actor) or not isinstance(actor, (MemberActor, AgentActor)):
        raise DomainError(ErrorCode.RATING_NOT_APPLICANT)
    app = application_get(actor, number)
    app = Application.objects.select_for_update().get(pk=app.pk)
    if not _may_rate(app, actor):
        raise DomainError(ErrorCode.RATING_NOT_APPLICANT)
    if level not in RatingLevel.values:
        raise DomainError(ErrorCode.RATING_LEVEL, level=level, field="level")
    text = (comment or "").strip()
    if len(text) > COMMENT_MAX:
        raise DomainError(ErrorCode.RATING_COMMENT_TOO_LONG, max=COMMENT_MAX, field="comment")
    if app.state != State.COMPLETED:
        raise DomainError(ErrorCode.RATING_NOT_COMPLETED, number=app.number)
    if Rating.objects.filter(application=app).exists():
        raise DomainError(ErrorCode.RATING_EXISTS, number=app.number)
    rating = Rating.objects.create(
        application=app, center_id=app.center_id, item_code=app.item_code, month=f"{business_date:%Y%m}",
        level=level, comment=text, rater_kind=actor_kind(actor) or "", rater_id=str(actor.actor_id),
        rater_label=actor_label(actor), rated_on=business_date)
    audit_log(actor=actor, action=AuditEvent.APPLICATIONS_RATING_SUBMIT, obj=rating, center=app.center_id,
              business_date=business_date, after={"application": app.number, "level": level, "comment": text})
    if level in (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED):
        followup = RatingFollowUp.objects.create(rating=rating, center_id=app.center_id, opened_on=business_date,
                                                 due_on=followup_due(app.center_id, business_date))
        audit_log(actor=actor, action=AuditEvent.APPLICATIONS_FOLLOWUP_OPEN, obj=followup, center=app.center_id,
                  business_date=business_date, after={"application": app.number, "level": level,
                                                      "due_on": followup.due_on.isoformat()})
    return rating


@transaction.atomic
def followup_close(*, followup: RatingFollowUp, actor: Actor, business_date: date, result: str) -> RatingFollowUp:
    """Record what was done about a 差评 and close its follow-up."""
    if not is_staff_user(actor):
        raise PermissionDenied("只有中心工作人员可以办结差评整改", field="actor")
    check_permission(actor, FOLLOWUP_PERMISSION, center=followup.center_id)
    f = RatingFollowUp.objects.select_for_update().get(pk=followup.pk)
    if f.status != RatingFollowUp.Status.OPEN:
        raise DomainError(ErrorCode.FOLLOWUP_CLOSED, pk=f.pk)
    text = (result or "").strip()
    if not text:
        raise DomainError(ErrorCode.FOLLOWUP_RESULT_REQUIRED, field="result")
    if len(text) > RESULT_MAX:
        raise DomainError(ErrorCode.TOO_LONG, f"整改结果不能超过 {RESULT_MAX} 个字", field="result")
    f.status, f.result, f.closed_by, f.closed_on = RatingFollowUp.Status.CLOSED, text, cast(Any, actor), business_date
    f.save(update_fields=["status", "result", "closed_by", "closed_on"])
    audit_log(actor=actor, action=AuditEvent.APPLICATIONS_FOLLOWUP_CLOSE, obj=f, center=f.center_id,
              business_date=business_date, before={"status": RatingFollowUp.Status.OPEN},
              after={"status": f.status, "result": text, "late": business_date > f.due_on})
    return f
