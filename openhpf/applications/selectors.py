"""Reads of applications, scoped by who asks: staff see their center's (applications.view, .accept or
.review), a member its own, an agent its employer's. Anything else is not found (no hint that it
exists: an agent of employer A asking for B's application gets APPLICATION_NOT_FOUND)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from openhpf.access.services import has_permission
from openhpf.catalog.models import Channel
from openhpf.core.actors import Actor, AgentActor, MemberActor, is_staff_user
from openhpf.core.audit_events import AuditEvent
from openhpf.core.classification import KINDS
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import redact_text
from openhpf.core.paging import Page, paginate
from openhpf.core.personal import PersonalRead, personal_read

from .models import Application, RuleEvaluation, State

STAFF_READ = ("applications.view", "applications.accept", "applications.review")


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


# ---------------------------------------------------------------- the read API (staff, member, agent): masked, audited


@dataclass(frozen=True)
class ApplicationFilter:
    item: str = ""
    state: str = ""
    branch: str = ""  # 网点代码
    due_before: date | None = None  # either due date (法定/承诺) before this day


def _mask_value(read: PersonalRead, key: str, value: Any) -> Any:
    """A payload value as the reader may see it: a field of a classified kind (name, id_number, phone, bank_card,
    address …, by its key or the key's last part) masked by the reader's clearance; any other text with an ID
    number or a mobile number in it redacted; numbers, flags and empty values as they are."""
    if isinstance(value, dict):
        return {k: _mask_value(read, k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(read, key, v) for v in value]
    if not isinstance(value, str) or not value:
        return value
    kind = key if key in KINDS else next((k for k in KINDS if key.endswith("_" + k)), None)
    if kind is not None and KINDS[kind].personal:
        return read.mask(kind, value)
    return redact_text(value)


def _row(app: Application, read: PersonalRead) -> dict[str, Any]:
    member_name = app.member.name if app.member_id and app.member else ""
    return {
        "number": app.number, "item_code": app.item_code, "item_name": app.item_version.name,
        "item_version": app.item_version.version, "channel": app.channel,
        "channel_label": Channel(app.channel).label if app.channel in Channel.values else app.channel,
        "state": app.state, "state_label": app.get_state_display(), "applicant_kind": app.applicant_kind,
        "member_name": read.mask("name", member_name) if member_name else "",
        "employer_name": app.employer.name if app.employer_id and app.employer else "",
        "branch": app.branch.code if app.branch_id and app.branch else "",
        "amount": app.amount, "submitted_at": app.submitted_at, "accepted_on": app.accepted_on,
        "legal_due": app.legal_due, "promised_due": app.promised_due, "paused_on": app.paused_on,
        "decided_on": app.decided_on, "completed_on": app.completed_on, "stage": app.stage,
        "created_at": app.created_at}


def _filtered(qs: QuerySet[Application], f: ApplicationFilter) -> QuerySet[Application]:
    if f.item:
        qs = qs.filter(item_code=f.item)
    if f.state:
        if f.state not in State.values:
            raise DomainError(ErrorCode.INPUT_INVALID, detail=f"办件状态不正确：{f.state}", field="state")
        qs = qs.filter(state=f.state)
    if f.branch:
        qs = qs.filter(branch__code=f.branch)
    if f.due_before is not None:
        qs = qs.filter(Q(legal_due__lt=f.due_before) | Q(promised_due__lt=f.due_before))
    return qs


def _listed(actor: Actor, center: Any, f: ApplicationFilter, page: Any, page_size: int,
            read: PersonalRead) -> Page[dict[str, Any]]:
    qs = _filtered(applications_visible(actor, center), f).select_related("member", "employer", "branch")
    found = paginate(qs.order_by("-created_at", "-id"), page, page_size)
    read.note(page=found.page, total=found.total, numbers=[a.number for a in found.items],
              filters={k: str(v) for k, v in f.__dict__.items() if v})
    return Page([_row(a, read) for a in found.items], found.total, found.page, found.page_size)


@personal_read(AuditEvent.APPLICATIONS_LIST, perm="applications.view", portal=True)
def application_page(*, actor: Actor, read: PersonalRead, center: Any = None,
                     filters: ApplicationFilter = ApplicationFilter(), page: Any = 1,
                     page_size: int = 50) -> Page[dict[str, Any]]:
    """A page of the applications the actor may see (staff: its center's; a member: its own; an agent: its
    employer's), newest first, with the true total; filters by item, state, branch and due date."""
    return _listed(actor, center, filters, page, page_size, read)


def _detail(app: Application, read: PersonalRead) -> dict[str, Any]:
    materials = {m["code"]: m["name"] for m in app.item_version.materials}
    return {
        **_row(app, read),
        "payload": _mask_value(read, "", app.payload),
        "problems": [redact_text(p) for p in app.problems],
        "rule_outcome": app.rule_outcome,
        "stages": [{"level": i, "name": st["name"], "permission": st["permission"], "above": st["above"],
                    "required": i in (app.stages_required or [])}
                   for i, st in enumerate(app.item_version.review_stages)],
        "clocks": {"accepted_on": app.accepted_on, "legal_due": app.legal_due, "promised_due": app.promised_due,
                   "paused_on": app.paused_on, "legal_remaining": app.legal_remaining,
                   "promised_remaining": app.promised_remaining},
        "materials": [{"material_code": m.material_code, "material_name": materials.get(m.material_code, m.material_code),
                       "document_id": m.document_id, "file_name": m.document.original_name,
                       "doc_type": m.document.doc_type, "sm3": m.document.sm3, "added_by": m.added_by,
                       "added_at": m.added_at}
                      for m in app.materials.select_related("document").order_by("id")],
        "timeline": [{"from_state": e.from_state, "to_state": e.to_state,
                      "to_state_label": State(e.to_state).label if e.to_state in State.values else e.to_state,
                      "actor_kind": e.actor_kind, "actor": e.actor_label, "reason": redact_text(e.reason),
                      "problems": [redact_text(p) for p in e.problems], "legal_due": e.legal_due,
                      "promised_due": e.promised_due, "paused": e.paused, "business_date": e.business_date,
                      "at": e.at}
                     for e in application_timeline(app)],
        "decisions": [{"stage": d.stage, "stage_name": d.stage_name, "decision": d.decision,
                       "decision_label": d.get_decision_display(), "reason": redact_text(d.reason), "at": d.at}
                      for d in app.decisions.order_by("id")],
        "evaluations": [{"rule_set_version": ev.rule_set.version, "evaluated_on": ev.evaluated_on,
                         "outcome": ev.outcome, "inputs": _mask_value(read, "", ev.inputs),
                         "results": ev.results}
                        for ev in application_evaluations(app)],
        "result": app.result,
    }


@personal_read(AuditEvent.APPLICATIONS_VIEW, perm="applications.view", portal=True)
def application_detail(*, actor: Actor, read: PersonalRead, number: str, center: Any = None) -> dict[str, Any]:
    """One application the actor may see, whole: payload (masked), materials, timeline, review decisions, every
    rule evaluation with each rule's result, and the clocks. Another's number is APPLICATION_NOT_FOUND."""
    found = (applications_visible(actor, center).filter(number=number)
             .select_related("member", "employer", "branch").first())
    if found is None:
        raise DomainError(ErrorCode.APPLICATION_NOT_FOUND, number=number, field="number")
    read.about(found)
    read.note(number=found.number)
    return _detail(found, read)
