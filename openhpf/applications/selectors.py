"""Reads of applications, scoped by who asks: staff see their center's (applications.view, .accept or
.review), a member its own, an agent its employer's. Anything else is not found (no hint that it
exists: an agent of employer A asking for B's application gets APPLICATION_NOT_FOUND)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet

from openhpf.access.services import has_permission, scope_queryset
from openhpf.catalog.models import CenterItemVersion, Channel
from openhpf.catalog.selectors import items_current
from openhpf.core.actors import Actor, AgentActor, MemberActor, is_staff_user
from openhpf.core.audit_events import AuditEvent
from openhpf.core.calendar import add_working_days
from openhpf.core.classification import KINDS
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.masking import redact_text
from openhpf.core.money import format_fen
from openhpf.core.paging import PAGE_SIZE, Page, paginate
from openhpf.core.personal import PersonalRead, personal_read

from . import registry
from .models import Application, ReviewDecision, RuleEvaluation, State

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
    member_id: int | None = None  # the member the applications are about (a domain app's member history)
    items: tuple[str, ...] = ()  # any of these items (a domain app's own items, e.g. every withdrawal reason)


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
    if f.member_id is not None:
        qs = qs.filter(member_id=f.member_id)
    if f.items:
        qs = qs.filter(item_code__in=f.items)
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


def material_names(app: Application) -> dict[str, str]:
    """The name of each material code `app` may hold: its item's, and the local ones any 实施清单 version of its
    center added (the newest name wins)."""
    names: dict[str, str] = {}
    for extra in (CenterItemVersion.objects.filter(center_id=app.center_id, item__code=app.item_code)
                  .order_by("version").values_list("extra_materials", flat=True)):
        names.update({m["code"]: m["name"] for m in extra})
    return {**names, **{m["code"]: m["name"] for m in app.item_version.materials}}


def _detail(app: Application, read: PersonalRead) -> dict[str, Any]:
    materials = material_names(app)
    return {
        **_row(app, read),
        "payload": _mask_value(read, "", app.payload),
        "content": [{"label": label, "text": text} for label, text in payload_rows(app, read)],
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
# ---------------------------------------------------------------- the staff work queue (办件工作台)
#
# The queue lists a center's applications by item, state, branch, SLA colour and holder. The colour comes from the
# due dates STORED at each transition, compared with the business date: the amber threshold (the business date
# plus QUEUE_AMBER_WORKING_DAYS working days) is computed once per request and the comparison runs in SQL, never
# the calendar per row. A paused clock (补正 during review) has no colour of its own: it is neither red nor amber.

QUEUE_STATES = (State.SUBMITTED, State.ACCEPTED, State.CORRECTION, State.UNDER_REVIEW, State.APPROVED,
                State.EXECUTING, State.EXECUTION_FAILED)
SLA_COLOURS = {"red": "已超期", "amber": "即将到期", "green": "正常"}
WHO = {"all": "全部", "mine": "我的", "unclaimed": "未领取"}
STATE_OPEN = ""  # the state filter's default: every open state (待办)


def amber_working_days() -> int:
    """How many working days before a due date an application turns amber (setting HPF_QUEUE_AMBER_WORKING_DAYS)."""
    return int(getattr(settings, "HPF_QUEUE_AMBER_WORKING_DAYS", 2))


@dataclass(frozen=True)
class SlaDates:
    today: date  # the business date: a due date before it is past (red)
    threshold: date  # a due date on or before it is near (amber)


def sla_dates(business_date: date) -> SlaDates:
    return SlaDates(business_date, add_working_days(business_date, amber_working_days()))


def _red(d: SlaDates) -> Q:
    return Q(paused_on__isnull=True) & (Q(legal_due__lt=d.today) | Q(promised_due__lt=d.today))


def _amber(d: SlaDates) -> Q:
    return Q(paused_on__isnull=True) & (Q(legal_due__lte=d.threshold) | Q(promised_due__lte=d.threshold)) & ~_red(d)


def sla_q(colour: str, d: SlaDates) -> Q:
    if colour == "red":
        return _red(d)
    if colour == "amber":
        return _amber(d)
    return ~_red(d) & ~_amber(d)


def sla_colour(app: Application, d: SlaDates) -> str:
    """One row's colour from its stored dates (the same test as `sla_q`, for display)."""
    if app.paused_on is not None:
        return "green"
    dues = [x for x in (app.legal_due, app.promised_due) if x is not None]
    if any(x < d.today for x in dues):
        return "red"
    if any(x <= d.threshold for x in dues):
        return "amber"
    return "green"


@dataclass(frozen=True)
class QueueFilter:
    item: str = ""
    state: str = STATE_OPEN
    branch: int | None = None
    sla: str = ""
    who: str = "all"

    @classmethod
    def parse(cls, data: Any) -> QueueFilter:
        """From a request's GET: anything outside the choices is refused with a Chinese message (INPUT_INVALID)."""
        item = str(data.get("item", "") or "").strip()[:40]
        state = str(data.get("state", "") or "")
        if state and state != "any" and state not in State.values:
            raise DomainError(ErrorCode.INPUT_INVALID, detail=f"状态「{state}」不存在", field="state")
        raw_branch = str(data.get("branch", "") or "").strip()
        if raw_branch and not raw_branch.isdigit():
            raise DomainError(ErrorCode.INPUT_INVALID, detail="网点应为列表中的一项", field="branch")
        sla = str(data.get("sla", "") or "")
        if sla and sla not in SLA_COLOURS:
            raise DomainError(ErrorCode.INPUT_INVALID, detail="时限状态应为已超期、即将到期或正常", field="sla")
        who = str(data.get("who", "") or "all")
        if who not in WHO:
            raise DomainError(ErrorCode.INPUT_INVALID, detail="范围应为我的、未领取或全部", field="who")
        return cls(item=item, state=state, branch=int(raw_branch) if raw_branch else None, sla=sla, who=who)

    def query(self) -> dict[str, str]:
        q = {"item": self.item, "state": self.state, "branch": str(self.branch or ""), "sla": self.sla,
             "who": "" if self.who == "all" else self.who}
        return {k: v for k, v in q.items() if v}


def queue_query(*, center: Any, user: Actor, f: QueueFilter, business_date: date) -> QuerySet[Application]:
    """The applications the queue lists for `f`, inside the user's data scope (center, and branch for a grant at a
    branch), most urgent first. The queue page and the 待办 counts both use it, so their numbers agree."""
    qs = scope_queryset(user, Application.objects.filter(center=center), "center", "branch",
                        perm="applications.view")
    if f.state == STATE_OPEN:
        qs = qs.filter(state__in=QUEUE_STATES)
    elif f.state != "any":
        qs = qs.filter(state=f.state)
    else:
        qs = qs.exclude(state=State.DRAFT)
    if f.item:
        qs = qs.filter(item_code=f.item)
    if f.branch is not None:
        qs = qs.filter(branch_id=f.branch)
    if f.sla:
        qs = qs.filter(sla_q(f.sla, sla_dates(business_date)))
    if f.who == "mine":
        qs = qs.filter(assignee_id=getattr(user, "pk", None))
    elif f.who == "unclaimed":
        qs = qs.filter(assignee__isnull=True)
    return qs.order_by(F("promised_due").asc(nulls_last=True), "id")


@dataclass(frozen=True)
class QueueRow:
    number: str
    item_name: str
    applicant: str  # masked by the viewer's clearance
    amount: int | None
    state: str
    state_label: str
    stage_name: str
    legal_due: date | None
    promised_due: date | None
    paused: bool
    colour: str
    holder: str
    branch: str
    today: date | None = None  # the business date of the page: the legal limit counted from it

    @property
    def legal_left(self) -> str:
        """The legal limit in days from the business date: 剩 n 日, 今日到期, 超期 n 日 ('' without a due date or paused)."""
        if self.legal_due is None or self.today is None or self.paused:
            return ""
        n = (self.legal_due - self.today).days
        return f"剩 {n} 日" if n > 0 else "今日到期" if n == 0 else f"超期 {-n} 日"


def _holder(user: Any) -> str:
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None) if hasattr(user, "staff_profile") else None
    return (getattr(profile, "display_name", "") or user.get_username()) if profile else user.get_username()


def applicant_text(app: Application, read: PersonalRead) -> str:
    """Who the application is about, as the viewer may see it: the member's name masked, or the employer."""
    if app.member_id is not None and app.member is not None:
        return str(read.mask("name", app.member.name))
    if app.employer_id is not None and app.employer is not None:
        return f"{app.employer.name}（{app.employer.account_no}）"
    return app.applicant_label


def stage_name(app: Application) -> str:
    if app.state != State.UNDER_REVIEW or not app.stages_required:
        return ""
    stages = app.item_version.review_stages
    level = app.stages_required[min(app.stage, len(app.stages_required) - 1)]
    return str(stages[level]["name"]) if level < len(stages) else ""


@personal_read(AuditEvent.APPLICATIONS_QUEUE_VIEW, perm="applications.view",
               obj=lambda _: ("applications.application", "queue"))
def queue_page(*, center: Any, actor: Actor, read: PersonalRead, f: QueueFilter, business_date: date,
               page: Any = 1, page_size: int = PAGE_SIZE) -> tuple[Page[QueueRow], SlaDates]:
    """One page of the work queue with its true total; applicants masked by the viewer's clearance."""
    d = sla_dates(business_date)
    qs = queue_query(center=center, user=actor, f=f, business_date=business_date).select_related(
        "item_version", "member", "employer", "assignee", "assignee__staff_profile", "branch")
    p = paginate(qs, page, page_size)
    rows = [QueueRow(number=a.number, item_name=a.item_version.name, applicant=applicant_text(a, read),
                     amount=a.amount, state=a.state, state_label=a.get_state_display(), stage_name=stage_name(a),
                     legal_due=a.legal_due, promised_due=a.promised_due, paused=a.paused_on is not None,
                     colour=sla_colour(a, d), holder=_holder(a.assignee), branch=a.branch.name if a.branch else "",
                     today=d.today)
            for a in p.items]
    read.note(page=p.page, total=p.total, filters=f.query(), results=[r.number for r in rows])
    return Page(items=rows, total=p.total, page=p.page, page_size=p.page_size), d


def queue_items(center: Any) -> list[tuple[str, str]]:
    """(code, name) of the items the filter offers: the catalogue's items in force on the business date (no scan
    of the applications themselves)."""
    return [(v.item.code, v.name) for v in items_current(center.business_date)]


# ---------------------------------------------------------------- the review screen


@dataclass(frozen=True)
class MaterialRow:
    id: int
    code: str
    name: str
    original_name: str
    size: int
    sm3: str
    added_by: str


@dataclass(frozen=True)
class RuleRow:
    code: str
    message: str
    severity: str
    holds: bool


@dataclass
class ReviewView:
    app: Application
    applicant: str
    payload: list[tuple[str, str]]
    materials: list[MaterialRow]
    evaluations: list[tuple[RuleEvaluation, list[RuleRow]]]
    sections: list[tuple[str, list[tuple[str, str]]]]
    timeline: list[Any]
    decisions: list[ReviewDecision]
    stage_name: str
    colour: str
    holder: str
    sla: SlaDates


SEVERITY_LABELS = {"block": "不予通过", "manual": "转人工审核", "warn": "提示"}


def payload_rows(app: Application, read: PersonalRead | None = None) -> list[tuple[str, str]]:
    """The payload in a clerk's words: the handler's `describe`, else each key labelled by its form field. With
    `read` (an API's reader), each value is masked by the reader's clearance as the payload is."""
    handler = registry.handler_if_any(app.item_code)
    if handler is not None and handler.describe is not None:
        rows = list(handler.describe(dict(app.payload)))
        return rows if read is None else [(label, redact_text(text)) for label, text in rows]
    labels: dict[str, str] = {}
    if handler is not None and handler.form is not None:
        fields: dict[str, Any] = getattr(handler.form, "base_fields", {})
        labels = {k: str(fld.label or k) for k, fld in fields.items()}
    return [(labels.get(k, k), _value_text(k, v if read is None else _mask_value(read, k, v)))
            for k, v in app.payload.items()]


def _value_text(key: str, value: Any) -> str:
    """A payload value without the handler's description: yes/no in words, an amount (a key ending in `amount`,
    integer fen by the engine's convention) in 元, anything else as it is."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("amount") and isinstance(value, int):
        return f"{format_fen(value)} 元"
    return str(value)


@personal_read(AuditEvent.APPLICATIONS_VIEW, perm="applications.view", obj=lambda kw: kw["application"])
def review_view(*, application: Application, actor: Actor, read: PersonalRead, business_date: date) -> ReviewView:
    """Everything the review screen shows of one application (masked by the viewer's clearance), read-audited."""
    app = application
    names = material_names(app)
    materials = [MaterialRow(id=m.pk, code=m.material_code, name=names.get(m.material_code, m.material_code),
                             original_name=m.document.original_name, size=m.document.size, sm3=m.document.sm3,
                             added_by=m.added_by)
                 for m in app.materials.select_related("document").order_by("id")]
    evaluations = [(ev, [RuleRow(code=r["code"], message=r["message"],
                                 severity=SEVERITY_LABELS.get(r["severity"], r["severity"]), holds=r["holds"])
                         for r in ev.results])
                   for ev in application_evaluations(app)]
    d = sla_dates(business_date)
    read.note(clearance=read.clearance)
    return ReviewView(app=app, applicant=applicant_text(app, read), payload=payload_rows(app), materials=materials,
                      evaluations=evaluations, sections=registry.review_sections(app, actor),
                      timeline=application_timeline(app),
                      decisions=list(app.decisions.select_related("reviewer").order_by("id")),
                      stage_name=stage_name(app), colour=sla_colour(app, d), holder=_holder(app.assignee), sla=d)


@personal_read(AuditEvent.APPLICATIONS_MATERIAL_VIEW, perm="applications.view", obj=lambda kw: kw["application"])
def material_document(*, application: Application, material_id: int, actor: Actor, read: PersonalRead) -> Any:
    """The stored document of one of the application's materials (read-audited), or APPLICATION_NOT_FOUND."""
    m = application.materials.select_related("document").filter(pk=material_id).first()
    if m is None:
        raise DomainError(ErrorCode.APPLICATION_NOT_FOUND, number=application.number, field="material")
    read.note(material=m.material_code, document=m.document_id, sm3=m.document.sm3)
    return m.document


def assign_permission(app: Application) -> str:
    """The permission the application's next step needs: the current review level's, or 受理 otherwise."""
    if app.state == State.UNDER_REVIEW and app.stages_required:
        stages = app.item_version.review_stages
        return str(stages[app.stages_required[min(app.stage, len(app.stages_required) - 1)]]["permission"])
    return "applications.accept"


def assign_candidates(app: Application) -> list[tuple[int, str]]:
    """Colleagues of the application's center who hold the permission of its next step: (user id, name)."""
    users = (get_user_model().objects.filter(is_active=True, is_staff=True)
             .filter(Q(role_assignments__center=app.center_id) | Q(role_assignments__center__isnull=True))
             .distinct().select_related("staff_profile").order_by("username"))
    perm = assign_permission(app)
    return [(u.pk, _holder(u)) for u in users if has_permission(u, perm, center=app.center)]
