"""Writes of the application (办件) engine: one state machine for every catalogue item.

    draft → submitted → accepted (受理) → under_review → approved → executing → completed
                      ↘ not_accepted (不予受理, with every reason)         ↘ rejected       ↘ execution_failed
                      ↘ correction (补正, before 受理: no clock)                               → executing | closed
      under_review → correction (补正 during review: the clocks pause) → under_review (they resume)
      any open state → cancelled (staff) | withdrawn (the applicant, before a decision)

Every transition is one `_move`: it checks the table below, stores the state, the due dates as they now stand and
an ApplicationEvent (actor, reason, problems), writes the audit event of the catalogue and queues a message to the
applicant through the notifications outbox. 一次告知: a refusal, a 补正 or a refused submission lists every problem
at once (handler problems, missing materials, failing rules).

Clocks: the legal limit (条例 Art25 3 日, Art26 15 日, in natural days with a last rest day moved on) and the
promised limit (承诺时限, usually 工作日) start at 受理 (`accepted_on`); their last days are stored then
(`legal_due`, `promised_due`). A 补正 during review stores what is left of each (`legal_remaining`,
`promised_remaining`) and the day it paused; the correction counts the rest again from the day it came in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from openhpf.access.services import check_permission, has_permission
from openhpf.accounts.selectors import employer_notify_phone, member_notify_phone
from openhpf.catalog.models import Channel, IdentityLevel, ItemKind
from openhpf.catalog.selectors import CenterItem, implementation_current, item_for_center, merge
from openhpf.core.actors import (
    Actor,
    AgentActor,
    MemberActor,
    PartnerActor,
    SystemActor,
    actor_kind,
    actor_label,
    is_staff_user,
)
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.calendar import limit_due, limit_resume_due, limit_used
from openhpf.core.channels import message_template
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.models import Center
from openhpf.notifications.services import notify
from openhpf.verification import services as verification

from . import registry, rules
from .models import Application, ApplicationEvent, ApplicationMaterial, ReviewDecision, State
from .selectors import QUEUE_STATES

ACCEPT_PERMISSION = "applications.accept"
NOTICE = message_template("applications.state", "【住房公积金】您的办件 {number}（{item}）{state}。{note}")

S = State
# (from, to) → the audit event of the move. Anything else is an ILLEGAL_TRANSITION.
TRANSITIONS: dict[tuple[str, str], AuditEvent] = {
    ("", S.DRAFT): AuditEvent.APPLICATIONS_CREATE,
    (S.DRAFT, S.SUBMITTED): AuditEvent.APPLICATIONS_SUBMIT,
    (S.SUBMITTED, S.ACCEPTED): AuditEvent.APPLICATIONS_ACCEPT,
    (S.SUBMITTED, S.NOT_ACCEPTED): AuditEvent.APPLICATIONS_NOT_ACCEPT,
    (S.SUBMITTED, S.CORRECTION): AuditEvent.APPLICATIONS_CORRECTION_REQUEST,
    (S.UNDER_REVIEW, S.CORRECTION): AuditEvent.APPLICATIONS_CORRECTION_REQUEST,
    (S.CORRECTION, S.SUBMITTED): AuditEvent.APPLICATIONS_CORRECT,
    (S.CORRECTION, S.UNDER_REVIEW): AuditEvent.APPLICATIONS_CORRECT,
    (S.ACCEPTED, S.UNDER_REVIEW): AuditEvent.APPLICATIONS_REVIEW,
    (S.UNDER_REVIEW, S.UNDER_REVIEW): AuditEvent.APPLICATIONS_REVIEW_PASS,
    (S.UNDER_REVIEW, S.APPROVED): AuditEvent.APPLICATIONS_APPROVE,
    (S.UNDER_REVIEW, S.REJECTED): AuditEvent.APPLICATIONS_REJECT,
    (S.APPROVED, S.EXECUTING): AuditEvent.APPLICATIONS_EXECUTE,
    (S.EXECUTION_FAILED, S.EXECUTING): AuditEvent.APPLICATIONS_EXECUTE,
    (S.EXECUTING, S.COMPLETED): AuditEvent.APPLICATIONS_COMPLETE,
    (S.EXECUTING, S.EXECUTION_FAILED): AuditEvent.APPLICATIONS_EXECUTION_FAIL,
    (S.EXECUTION_FAILED, S.CLOSED): AuditEvent.APPLICATIONS_CLOSE,
    (S.COMPLETED, S.EXECUTION_FAILED): AuditEvent.APPLICATIONS_REOPEN,  # money paid came back (退汇)
}
OPEN_STATES = (S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.CORRECTION, S.UNDER_REVIEW, S.APPROVED, S.EXECUTION_FAILED)
for _s in OPEN_STATES:
    TRANSITIONS[(_s, S.CANCELLED)] = AuditEvent.APPLICATIONS_CANCEL
for _s in (S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.CORRECTION, S.UNDER_REVIEW):
    TRANSITIONS[(_s, S.WITHDRAWN)] = AuditEvent.APPLICATIONS_WITHDRAW

ACTIONS = {S.SUBMITTED: "提交", S.ACCEPTED: "受理", S.NOT_ACCEPTED: "不予受理", S.CORRECTION: "一次告知补正",
           S.UNDER_REVIEW: "审核", S.APPROVED: "审核通过", S.REJECTED: "审核不通过", S.EXECUTING: "办理",
           S.COMPLETED: "办结", S.EXECUTION_FAILED: "办理失败", S.CLOSED: "终止", S.CANCELLED: "作废",
           S.WITHDRAWN: "撤回"}


# ---------------------------------------------------------------- helpers


def _problems(raw: Any) -> list[str]:
    return [str(p).strip() for p in (raw or []) if str(p).strip()]


def _refuse_problems(problems: list[str]) -> DomainError:
    return DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(problems), problems="；".join(problems),
                       details={"problems": problems})


def _recipient(app: Application, actor: Actor) -> str:
    if app.applicant_kind == "agent" and isinstance(actor, AgentActor) and str(actor.actor_id) == app.applicant_id:
        return str(getattr(actor.agent, "phone", "") or "")
    if app.member_id:
        return member_notify_phone(app.member_id)
    if app.employer_id:
        return employer_notify_phone(app.employer_id)
    return ""


def _notify(app: Application, actor: Actor, note: str = "") -> None:
    if app.state == S.DRAFT:
        return
    to = _recipient(app, actor)
    if to:
        notify(channel="sms", recipient=to, kind=NOTICE, center=app.center_id,
               payload={"number": app.number, "item": app.item_version.name, "state": app.get_state_display(),
                        "note": note})


def _move(app: Application, to: str, *, actor: Actor, business_date: date, reason: str = "",
          problems: list[str] | None = None, note: str = "") -> Application:
    event = TRANSITIONS.get((app.state, to))
    if event is None:
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, object="办件", status=State(app.state).label if app.state else "—",
                          action=ACTIONS.get(State(to), to))
    before = {"state": app.state, "legal_due": app.legal_due, "promised_due": app.promised_due}
    app.state = to
    app.assignee, app.assigned_at = None, None  # a hold (领办/分派) lasts one step: the next step is claimed anew
    if problems is not None:
        app.problems = problems
    app.save()
    handler = registry.handler_if_any(app.item_code)
    if handler is not None and handler.transition is not None:
        handler.transition(app, str(before["state"]), to, actor, business_date)
    ApplicationEvent.objects.create(
        application=app, from_state=str(before["state"]), to_state=to, actor_kind=actor_kind(actor) or "",
        actor_id=str(getattr(actor, "actor_id", None) or getattr(actor, "pk", "") or ""), actor_label=actor_label(actor),
        reason=reason[:500], problems=problems or [], legal_due=app.legal_due, promised_due=app.promised_due,
        paused=app.paused_on is not None, business_date=business_date)
    audit_log(actor=actor, action=event, obj=app, center=app.center_id, business_date=business_date,
              before={k: (v.isoformat() if isinstance(v, date) else v) for k, v in before.items()},
              after={"state": to, "reason": reason, "problems": problems or [],
                     "legal_due": app.legal_due.isoformat() if app.legal_due else None,
                     "promised_due": app.promised_due.isoformat() if app.promised_due else None})
    _notify(app, actor, note or (("：" + "；".join(problems)) if problems else reason))
    return app


def _staff(actor: Actor, perm: str, center: Any) -> None:
    if not is_staff_user(actor):
        raise PermissionDenied("只有中心工作人员可以办理", field="actor")
    check_permission(actor, perm, center=center)


def _is_applicant(app: Application, actor: Actor) -> bool:
    if isinstance(actor, MemberActor):
        return app.member_id == actor.member_id
    if isinstance(actor, AgentActor):
        return app.employer_id == actor.employer_id
    return app.applicant_kind == actor_kind(actor) and app.applicant_id == str(getattr(actor, "actor_id", getattr(actor, "pk", "")))


def _locked(app: Application) -> Application:
    # the application's row only: FOR UPDATE over the join would lock the item version every application shares
    return Application.objects.select_for_update(of=("self",)).select_related("item_version").get(pk=app.pk)


# ---------------------------------------------------------------- filing


@transaction.atomic
def application_create(*, center: Center, item_code: str, channel: str, identity_level: int, actor: Actor,
                       business_date: date, payload: dict[str, Any] | None = None, member_id: int | None = None,
                       employer_id: int | None = None, branch_id: int | None = None) -> Application:
    """A draft application of `item_code` (its version in force today) by `actor` through `channel`.

    A member files for itself, an agent for its employer, staff (applications.accept) on a member's or employer's
    behalf at the counter; the item as the center implements it that day (its 实施清单, catalog.item_for_center)
    must be offered there, the channel must be one the center opens, and the identity check the caller made
    (`identity_level`, catalog.IdentityLevel) must reach the channel's minimum there."""
    here = item_for_center(item_code, center, business_date)
    if here is None:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_FOUND, item=item_code, field="item_code")
    version = here.version
    if not here.offered:
        raise DomainError(ErrorCode.CATALOG_ITEM_NOT_OFFERED, item=version.name, field="item_code")
    level = here.channel_level(channel)
    label = Channel(channel).label if channel in Channel.values else channel
    if level is None:
        raise DomainError(ErrorCode.APPLICATION_CHANNEL, item=version.name, channel=label, field="channel")
    if identity_level < level:
        raise DomainError(ErrorCode.APPLICATION_IDENTITY_LEVEL, channel=label, item=version.name,
                          level=IdentityLevel(level).label, field="identity_level")
    registry.handler_for(item_code, version.name)
    if isinstance(actor, MemberActor):
        member_id = actor.member_id
    elif isinstance(actor, AgentActor):
        employer_id = actor.employer_id
    elif isinstance(actor, PartnerActor):
        raise PermissionDenied("合作机构不能直接提交办件", field="actor")
    else:
        _staff(actor, ACCEPT_PERMISSION, center)
    if version.kind == ItemKind.PERSON and member_id is None:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=1, problems="个人事项须指明缴存职工",
                          field="member_id", details={"problems": ["个人事项须指明缴存职工"]})
    if version.kind == ItemKind.EMPLOYER and employer_id is None:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=1, problems="单位事项须指明缴存单位",
                          field="employer_id", details={"problems": ["单位事项须指明缴存单位"]})
    app = Application(
        center=center, number=f"tmp-{uuid.uuid4().hex[:24]}", item_code=item_code, item_version=version,
        channel=channel, identity_level=identity_level, applicant_kind=actor_kind(actor) or "",
        applicant_id=str(getattr(actor, "actor_id", None) or getattr(actor, "pk", "")), applicant_label=actor_label(actor),
        member_id=member_id, employer_id=employer_id, branch_id=branch_id, payload=payload or {}, state="")
    app.save()
    app.number = f"SQ{business_date:%Y%m%d}{app.pk:08d}"
    return _move(app, S.DRAFT, actor=actor, business_date=business_date)


@transaction.atomic
def application_attach(*, application: Application, material_code: str, document: Any, actor: Actor,
                       business_date: date) -> ApplicationMaterial:
    """Link a stored document (documents.document_store: SM3, type, retention) as one of the item's materials."""
    app = _locked(application)
    if app.state not in (S.DRAFT, S.CORRECTION, S.SUBMITTED):
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, object="办件", status=app.get_state_display(), action="添加材料")
    if not (_is_applicant(app, actor) or has_permission(actor, ACCEPT_PERMISSION, center=app.center)):
        raise PermissionDenied("无权为该办件添加材料")
    if material_code not in {m["code"] for m in application_materials(app, business_date)}:
        raise DomainError(ErrorCode.APPLICATION_MATERIAL_UNKNOWN, item=app.item_version.name, material=material_code,
                          field="material_code")
    if document.center_id != app.center_id:
        raise PermissionDenied("档案不属于本中心")
    m = ApplicationMaterial.objects.create(application=app, material_code=material_code, document=document,
                                           added_by=actor_label(actor))
    audit_log(actor=actor, action=AuditEvent.APPLICATIONS_MATERIAL_ATTACH, obj=app, center=app.center_id,
              business_date=business_date, after={"material": material_code, "document": document.pk,
                                                  "sm3": document.sm3})
    return m


def application_materials(app: Application, on: date) -> list[dict[str, Any]]:
    """The materials `app` asks for on `on`: its item version's, then the local ones its center's 实施清单 in force
    that day adds (catalog.item_for_center's merge), each {code, name, format, required, replaceable_by, note}."""
    return center_item(app, on).materials


def center_item(app: Application, on: date) -> CenterItem:
    """The item `app` was filed under as its center implements it on `on` (实施清单 in force that day)."""
    return merge(app.item_version, implementation_current(app.center_id, app.item_code, on), app.center_id)


def _all_problems(app: Application, on: date) -> list[str]:
    """Everything wrong with the application now, at once: the handler's problems and the missing materials (the
    item's and the center's local ones in force on `on`)."""
    handler = registry.handler_for(app.item_code, app.item_version.name)
    payload, problems = handler.validate(dict(app.payload), app)
    app.payload = payload
    app.amount = handler.amount(payload) if handler.amount else None
    have = set(app.materials.values_list("material_code", flat=True))
    replaced = set(payload.get("replaced_materials") or [])
    for m in application_materials(app, on):
        if m["required"] and m["code"] not in have and not (m["replaceable_by"] and m["code"] in replaced):
            problems = [*problems, f"缺少申请材料：{m['name']}"]
    return _problems(problems)


@transaction.atomic
def application_submit(*, application: Application, actor: Actor, business_date: date,
                       payload: dict[str, Any] | None = None) -> Application:
    """The applicant (or the clerk for them) submits: every problem is refused at once (APPLICATION_PROBLEMS)."""
    app = _locked(application)
    if not (_is_applicant(app, actor) or has_permission(actor, ACCEPT_PERMISSION, center=app.center)):
        raise PermissionDenied("无权提交该办件")
    if payload is not None:
        app.payload = payload
    problems = _all_problems(app, business_date)
    if problems:
        raise _refuse_problems(problems)
    app.submitted_at = timezone.now()
    return _move(app, S.SUBMITTED, actor=actor, business_date=business_date)


def _stages_for(app: Application, outcome: str) -> list[int]:
    """The review levels this application needs: those without a threshold, and those whose threshold its amount
    exceeds; at least the first level when a rule sent it to manual review."""
    stages = app.item_version.review_stages
    need = [i for i, st in enumerate(stages) if st["above"] is None or (app.amount or 0) > st["above"]]
    if not need and outcome == "manual" and stages:
        need = [0]
    return need


def _evaluate(app: Application, on: date, actor: Actor) -> str:
    """Evaluate the item's rules over the handler's inputs. A verification source the handler asked that was
    unavailable (down, timed out, breaker open) sends the application to manual review, at least the first
    level, with a problem line per source ("不动产登记信息核验暂不可用，转人工审核"); a blocking rule that failed
    only for the missing answer does not reject it."""
    handler = registry.handler_for(app.item_code, app.item_version.name)
    inputs: dict[str, Any] | None
    with verification.unavailable_sources(requester=actor, application_number=app.number,
                                          center=app.center_id) as down:
        try:
            inputs = handler.rule_inputs(app)
        except verification.SourceUnavailable:
            inputs = None
    ev = rules.evaluation_record(application=app, inputs=inputs, on=on) if inputs is not None else None
    outcome = ev.outcome if ev is not None else "pass"
    fallback = verification.fallback_problems(down)
    if fallback:
        # still rejected only when a blocking rule failed on data it had, not for an input a source left empty
        read = {r.code: r.inputs for r in rules.rules_of(ev.rule_set)} if ev is not None else {}
        decisive = ev is not None and any(
            not r["holds"] and r["severity"] == "block"
            and all(ev.inputs.get(k) is not None for k in read.get(r["code"], {})) for r in ev.results)
        outcome = "block" if outcome == "block" and decisive else "manual"
        app.problems = fallback
    app.rule_outcome = outcome
    if ev is not None or fallback:
        audit_log(actor=actor, action=AuditEvent.APPLICATIONS_RULES_EVALUATE, obj=app, center=app.center_id,
                  business_date=on, after={"rule_set": ev.rule_set.version if ev else None, "outcome": outcome,
                                           "failing": [r["code"] for r in ev.results if not r["holds"]] if ev else [],
                                           "unavailable": [a.source for a in down], "problems": fallback})
    return outcome


def rules_preview(app: Application, on: date, actor: Actor) -> list[rules.RuleResult]:
    """Every rule's result for an application not yet accepted (the counter's 核对 page, inside a rolled-back
    transaction): the item's rule set in force on `on` over the handler's inputs, nothing stored. A verification
    source that is unavailable gives no result here; 受理 routes it to manual review as `_evaluate` says."""
    handler = registry.handler_for(app.item_code, app.item_version.name)
    rule_set = rules.rule_set_for(app.item_code, on)
    if rule_set is None:
        return []
    with verification.unavailable_sources(requester=actor, application_number=app.number,
                                          center=app.center_id):
        try:
            inputs = handler.rule_inputs(app)
        except verification.SourceUnavailable:
            return []
    return rules.evaluate_rules(rules.rules_of(rule_set), inputs)


class _Preview(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__("preview")
        self.value = value


def application_preview(*, center: Center, item_code: str, channel: str, identity_level: int, actor: Actor,
                        business_date: date, payload: dict[str, Any], member_id: int | None = None,
                        employer_id: int | None = None,
                        branch_id: int | None = None) -> tuple[list[tuple[str, str]], list[str], list[rules.RuleResult]]:
    """一次告知 before filing (the online hall's form): (the payload in the applicant's words, every problem of the
    payload, every rule's result) as filing and accepting it now would find them — the draft is made and the rules
    evaluated inside a transaction that is rolled back, so nothing is kept (no application, number or audit row).
    Refusals of filing itself (item not offered, channel, identity level) are raised as `application_create` does."""
    def run() -> tuple[list[tuple[str, str]], list[str], list[rules.RuleResult]]:
        app = application_create(center=center, item_code=item_code, channel=channel, identity_level=identity_level,
                                 actor=actor, business_date=business_date, payload=payload, member_id=member_id,
                                 employer_id=employer_id, branch_id=branch_id)
        handler = registry.handler_for(app.item_code, app.item_version.name)
        clean, problems = handler.validate(dict(app.payload), app)
        app.payload = clean
        app.amount = handler.amount(clean) if handler.amount else None
        rows = list(handler.describe(dict(clean))) if handler.describe is not None else []
        return rows, _problems(problems), ([] if problems else rules_preview(app, business_date, actor))

    try:
        with transaction.atomic():
            raise _Preview(run())
    except _Preview as done:
        return cast(tuple[list[tuple[str, str]], list[str], list[rules.RuleResult]], done.value)


def _failing_messages(app: Application, severity: str) -> list[str]:
    ev = app.evaluations.order_by("-id").first()
    return [r["message"] for r in (ev.results if ev else []) if not r["holds"] and r["severity"] == severity]


def _review_start(app: Application, *, actor: Actor, business_date: date) -> Application:
    """受理 → 审核: the rules decide what comes next. A blocking rule rejects with every failing message; no
    review level needed approves at once; otherwise the first needed level waits."""
    outcome = _evaluate(app, business_date, actor)
    app.stages_required = _stages_for(app, outcome)
    app.stage = 0
    _move(app, S.UNDER_REVIEW, actor=actor, business_date=business_date)
    if outcome == "block":
        app.decided_on = business_date
        return _move(app, S.REJECTED, actor=actor, business_date=business_date, reason="不符合办理条件",
                     problems=_failing_messages(app, "block"))
    if not app.stages_required:
        app.decided_on = business_date
        return _move(app, S.APPROVED, actor=actor, business_date=business_date, reason="规则校验通过，无须人工审核")
    return app


def _promised_limit(app: Application) -> tuple[int | None, str]:
    """The promised limit (承诺时限) and its unit that run for `app`: its center's 实施清单 in force on the day of
    受理 (the item's own when the center states none), over the item version it was filed under."""
    if app.accepted_on is None:
        return app.item_version.promised_limit, app.item_version.promised_limit_unit
    here = center_item(app, app.accepted_on)
    return here.promised_limit, here.promised_limit_unit


@transaction.atomic
def application_accept(*, application: Application, actor: Actor, business_date: date) -> Application:
    """受理: the clocks start (due dates stored), the rules are evaluated and review begins."""
    app = _locked(application)
    _staff(actor, ACCEPT_PERMISSION, app.center)
    v = app.item_version
    app.accepted_on = business_date
    app.legal_due = limit_due(business_date, v.legal_limit, v.legal_limit_unit) if v.legal_limit is not None else None
    promised, unit = _promised_limit(app)  # the center's 承诺时限 (实施清单) in force on the day of 受理
    app.promised_due = limit_due(business_date, promised, unit) if promised is not None else None
    _move(app, S.ACCEPTED, actor=actor, business_date=business_date)
    return _review_start(app, actor=actor, business_date=business_date)


@transaction.atomic
def application_not_accept(*, application: Application, actor: Actor, business_date: date,
                           reasons: list[str]) -> Application:
    """不予受理, with every reason at once."""
    app = _locked(application)
    _staff(actor, ACCEPT_PERMISSION, app.center)
    problems = _problems(reasons)
    if not problems:
        raise DomainError(ErrorCode.APPLICATION_REASON_REQUIRED, action="不予受理", field="reasons")
    app.decided_on = business_date
    return _move(app, S.NOT_ACCEPTED, actor=actor, business_date=business_date, reason="不予受理", problems=problems)


def _pause(app: Application, business_date: date) -> None:
    v = app.item_version
    if app.accepted_on is None or app.paused_on is not None:
        return
    app.paused_on = business_date
    if v.legal_limit is not None:
        app.legal_remaining = v.legal_limit - limit_used(app.accepted_on, business_date, v.legal_limit_unit) \
            if app.legal_remaining is None else app.legal_remaining
    promised, unit = _promised_limit(app)
    if promised is not None:
        app.promised_remaining = (promised - limit_used(app.accepted_on, business_date, unit)
                                  if app.promised_remaining is None else app.promised_remaining)


def _request_correction(app: Application, *, actor: Actor, business_date: date, problems: list[str]) -> Application:
    if not problems:
        raise DomainError(ErrorCode.APPLICATION_REASON_REQUIRED, action="一次告知补正", field="problems")
    if app.state == S.UNDER_REVIEW:
        _pause(app, business_date)
    return _move(app, S.CORRECTION, actor=actor, business_date=business_date, reason="一次告知补正", problems=problems)


@transaction.atomic
def application_request_correction(*, application: Application, actor: Actor, business_date: date,
                                   problems: list[str]) -> Application:
    """一次告知补正 at intake (before 受理: no clock) — during review use `application_review(decision="correction")`."""
    app = _locked(application)
    _staff(actor, ACCEPT_PERMISSION, app.center)
    return _request_correction(app, actor=actor, business_date=business_date, problems=_problems(problems))


@transaction.atomic
def application_correct(*, application: Application, actor: Actor, business_date: date,
                        payload: dict[str, Any] | None = None) -> Application:
    """The applicant (or the clerk) hands in the corrections: checked whole again; a paused clock resumes."""
    app = _locked(application)
    if app.state != S.CORRECTION:
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, object="办件", status=app.get_state_display(), action="补正")
    if not (_is_applicant(app, actor) or has_permission(actor, ACCEPT_PERMISSION, center=app.center)):
        raise PermissionDenied("无权补正该办件")
    if payload is not None:
        app.payload = payload
    problems = _all_problems(app, business_date)
    if problems:
        raise _refuse_problems(problems)
    if app.paused_on is None:
        return _move(app, S.SUBMITTED, actor=actor, business_date=business_date, reason="已补正")
    v = app.item_version
    if app.legal_remaining is not None:
        app.legal_due = limit_resume_due(business_date, app.legal_remaining, v.legal_limit_unit)
    if app.promised_remaining is not None:
        app.promised_due = limit_resume_due(business_date, app.promised_remaining, _promised_limit(app)[1])
    app.paused_on, app.legal_remaining, app.promised_remaining = None, None, None
    _evaluate(app, business_date, actor)
    return _move(app, S.UNDER_REVIEW, actor=actor, business_date=business_date, reason="已补正，继续审核")


@transaction.atomic
def application_review(*, application: Application, actor: Actor, business_date: date, decision: str,
                       reason: str = "", problems: list[str] | None = None) -> Application:
    """A reviewer decides at the application's current level: pass (the next needed level, or approved),
    reject (with the reason), or correction (一次告知: every problem; the clocks pause). The level's permission
    is required, and one person acts at one level of an application only."""
    app = _locked(application)
    if app.state != S.UNDER_REVIEW:
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, object="办件", status=app.get_state_display(), action="审核")
    if not is_staff_user(actor):
        raise PermissionDenied("只有中心工作人员可以审核", field="actor")
    reviewer = cast(Any, actor)  # a staff user (checked above)
    level = app.stages_required[app.stage]
    stage = app.item_version.review_stages[level]
    if not has_permission(actor, stage["permission"], center=app.center):
        raise DomainError(ErrorCode.APPLICATION_REVIEW_PERMISSION, stage=stage["name"])
    other = (ReviewDecision.objects.filter(application=app, reviewer=reviewer).exclude(stage=level)
             .values_list("stage_name", flat=True).first())
    if other is not None:
        raise DomainError(ErrorCode.APPLICATION_REVIEW_OTHER_LEVEL, stage=other)
    if decision not in ReviewDecision.Decision.values:
        raise DomainError(ErrorCode.INPUT_INVALID, detail=f"审核意见应为 pass、reject 或 correction：{decision}",
                          field="decision")
    reason = (reason or "").strip()
    if decision == ReviewDecision.Decision.REJECT and not reason:
        raise DomainError(ErrorCode.APPLICATION_REASON_REQUIRED, action="审核不通过", field="reason")
    ReviewDecision.objects.create(application=app, stage=level, stage_name=stage["name"], reviewer=reviewer,
                                  decision=decision, reason=reason[:500])
    if decision == ReviewDecision.Decision.CORRECTION:
        return _request_correction(app, actor=actor, business_date=business_date, problems=_problems(problems))
    if decision == ReviewDecision.Decision.REJECT:
        app.decided_on = business_date
        return _move(app, S.REJECTED, actor=actor, business_date=business_date, reason=reason,
                     problems=_problems(problems) or [reason])
    if app.stage + 1 < len(app.stages_required):
        app.stage += 1
        return _move(app, S.UNDER_REVIEW, actor=actor, business_date=business_date,
                     reason=f"{stage['name']}通过{('：' + reason) if reason else ''}")
    app.decided_on = business_date
    return _move(app, S.APPROVED, actor=actor, business_date=business_date,
                 reason=f"{stage['name']}通过{('：' + reason) if reason else ''}")


@transaction.atomic
def application_execute(*, application: Application, actor: Actor, business_date: date) -> Application:
    """Carry out an approved application through its handler (domain services). A DomainError of the handler
    leaves nothing it wrote and marks the application 办理失败 with the error."""
    app = _locked(application)
    if actor_kind(actor) not in ("staff", "system"):
        raise PermissionDenied("办件由中心办理", field="actor")
    handler = registry.handler_for(app.item_code, app.item_version.name)
    _move(app, S.EXECUTING, actor=actor, business_date=business_date)
    try:
        with transaction.atomic():
            result = handler.execute(app, actor, business_date)
    except DomainError as exc:
        app.result = {"error": exc.code, "message": exc.message}
        return _move(app, S.EXECUTION_FAILED, actor=actor, business_date=business_date, reason=exc.message[:500])
    app.result = result or {}
    if app.result.get("pending"):  # the bank has it: the item's app reports the outcome (application_execution_done)
        app.save(update_fields=["result", "updated_at"])
        return app
    app.completed_on = business_date
    return _move(app, S.COMPLETED, actor=actor, business_date=business_date)


def application_execution_done(*, application: Application, ok: bool, result: dict[str, Any], actor: Actor,
                               business_date: date, reason: str = "") -> Application:
    """The outcome of an execution left pending (money through the bank): 办结, or 办理失败 with the reason.
    Called by the item's app inside its own transaction (the bank's answer); an application no longer 办理中 is
    left as it is (the same answer told twice)."""
    app = _locked(application)
    if app.state != S.EXECUTING:
        return app
    app.result = {**(app.result or {}), **result, "pending": False}
    if ok:
        app.completed_on = business_date
        return _move(app, S.COMPLETED, actor=actor, business_date=business_date, reason=reason[:500])
    return _move(app, S.EXECUTION_FAILED, actor=actor, business_date=business_date, reason=reason[:500] or "办理失败")


def _moves_bulk(apps: list[Application], frm: str, moves: dict[int, tuple[str, dict[str, Any], str]], *,
                actor: Actor, business_date: date) -> int:
    """Move locked applications, all in state `frm`, each to its (state, result update, reason): the state writes
    and the timeline rows set-based; the item's transition hook, an audit row and the applicant's notice per
    application, as `_move` does."""
    if not apps:
        return 0
    now = timezone.now()
    kind, label = actor_kind(actor) or "", actor_label(actor)
    actor_id = str(getattr(actor, "actor_id", None) or getattr(actor, "pk", "") or "")
    for app in apps:
        to, result, _reason = moves[app.pk]
        if (frm, to) not in TRANSITIONS:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, object="办件", status=State(frm).label,
                              action=ACTIONS.get(State(to), to))
        app.result = {**(app.result or {}), **result}
        app.state = to
        if to == S.COMPLETED:
            app.completed_on = business_date
        app.assignee, app.assigned_at, app.updated_at = None, None, now  # a hold lasts one step (as _move)
    Application.objects.bulk_update(apps, ["state", "result", "completed_on", "assignee", "assigned_at",
                                           "updated_at"], batch_size=500)
    events = []
    for app in apps:
        to, _result, reason = moves[app.pk]
        handler = registry.handler_if_any(app.item_code)
        if handler is not None and handler.transition is not None:
            handler.transition(app, frm, to, actor, business_date)
        events.append(ApplicationEvent(
            application=app, from_state=frm, to_state=to, actor_kind=kind, actor_id=actor_id, actor_label=label,
            reason=reason[:500], problems=[], legal_due=app.legal_due, promised_due=app.promised_due,
            paused=app.paused_on is not None, business_date=business_date))
        legal = {"legal_due": app.legal_due.isoformat() if app.legal_due else None,
                 "promised_due": app.promised_due.isoformat() if app.promised_due else None}
        audit_log(actor=actor, action=TRANSITIONS[(frm, to)], obj=app, center=app.center_id,
                  business_date=business_date, before={"state": frm, **legal},
                  after={"state": to, "reason": reason[:500], "problems": [], **legal})
        _notify(app, actor, reason[:500])
    ApplicationEvent.objects.bulk_create(events, batch_size=1000)
    return len(apps)


def applications_execution_done_bulk(*, outcomes: Sequence[tuple[int, bool, dict[str, Any], str]], actor: Actor,
                                     business_date: date) -> int:
    """`application_execution_done` for many applications at once (the items of a bank batch): (pk, ok, result,
    reason) each. The same effects — 办结 or 办理失败, the item's transition hook, a timeline row, an audit row and
    the applicant's notice per application — with the locks, the state writes and the timeline rows set-based.
    Applications no longer 办理中 are left as they are. Returns how many moved."""
    moves: dict[int, tuple[str, dict[str, Any], str]] = {
        int(pk): (S.COMPLETED if ok else S.EXECUTION_FAILED, {**result, "pending": False},
                  reason or ("" if ok else "办理失败")) for pk, ok, result, reason in outcomes}
    apps = list(Application.objects.select_for_update().select_related("item_version")
                .filter(pk__in=list(moves), state=S.EXECUTING).order_by("pk"))
    return _moves_bulk(apps, S.EXECUTING, moves, actor=actor, business_date=business_date)


def applications_executing_bulk(*, applications: Sequence[int], actor: Actor, business_date: date,
                                reason: str) -> int:
    """`application_executing` for many applications at once (handed to the bank in one batch): 已审批 or
    办理失败 → 办理中, set-based as `applications_execution_done_bulk`. Others are left as they are."""
    apps = list(Application.objects.select_for_update().select_related("item_version")
                .filter(pk__in=list(applications), state__in=[S.APPROVED, S.EXECUTION_FAILED]).order_by("pk"))
    moved = 0
    for frm in (S.APPROVED, S.EXECUTION_FAILED):
        mine = [a for a in apps if a.state == frm]
        moved += _moves_bulk(mine, frm, {a.pk: (S.EXECUTING, {"pending": True}, reason) for a in mine}, actor=actor,
                             business_date=business_date)
    return moved


def application_executing(*, application: Application, actor: Actor, business_date: date, reason: str) -> Application:
    """An approved (or failed) application whose money its app has handed to the bank in a batch: 办理中, its
    outcome then told through `application_execution_done`. Called by the item's app inside its transaction."""
    app = _locked(application)
    if app.state not in (S.APPROVED, S.EXECUTION_FAILED):
        return app
    app.result = {**(app.result or {}), "pending": True}
    return _move(app, S.EXECUTING, actor=actor, business_date=business_date, reason=reason[:500])


def application_reopen(*, application: Application, actor: Actor, business_date: date, reason: str) -> Application:
    """An application 办结 whose money came back later (退汇: the payee's bank returned it) is 办理失败 again:
    the clerk may execute it again or close it. Called by the item's app inside its own transaction."""
    app = _locked(application)
    if app.state != S.COMPLETED:
        return app
    app.completed_on = None
    app.result = {**(app.result or {}), "reopened": reason[:200]}
    return _move(app, S.EXECUTION_FAILED, actor=actor, business_date=business_date, reason=reason[:500])


@transaction.atomic
def application_close(*, application: Application, actor: Actor, business_date: date, reason: str) -> Application:
    app = _locked(application)
    _staff(actor, ACCEPT_PERMISSION, app.center)
    if not (reason or "").strip():
        raise DomainError(ErrorCode.APPLICATION_REASON_REQUIRED, action="终止", field="reason")
    return _move(app, S.CLOSED, actor=actor, business_date=business_date, reason=reason.strip())


@transaction.atomic
def application_cancel(*, application: Application, actor: Actor, business_date: date, reason: str) -> Application:
    app = _locked(application)
    _staff(actor, ACCEPT_PERMISSION, app.center)
    if not (reason or "").strip():
        raise DomainError(ErrorCode.APPLICATION_REASON_REQUIRED, action="作废", field="reason")
    return _move(app, S.CANCELLED, actor=actor, business_date=business_date, reason=reason.strip())


@transaction.atomic
def application_withdraw(*, application: Application, actor: Actor, business_date: date,
                         reason: str = "") -> Application:
    """The applicant takes the application back before a decision."""
    app = _locked(application)
    if not _is_applicant(app, actor):
        raise PermissionDenied("只有申请人可以撤回")
    return _move(app, S.WITHDRAWN, actor=actor, business_date=business_date, reason=(reason or "申请人撤回").strip())


def is_instant(here: CenterItem) -> bool:
    """即时办结: the promised limit that runs at the center (its 实施清单's, else the item's) is 0 and the item
    defines no review level."""
    return here.promised_limit == 0 and not here.version.review_stages


@transaction.atomic
def application_process_instant(*, application: Application, business_date: date,
                                actor: Actor | None = None) -> Application:
    """A submitted application of an instant item (promised limit 0, no review level: a certificate, a statement)
    goes on at once, by the system and without staff: 受理 (the clocks start and stop the same day), the rules
    (a blocking rule rejects; a `manual` one leaves it under review for a reviewer), approval, execution and
    completion, each move recorded as any other. Any other item, or another state, is left as it is."""
    app = _locked(application)
    if app.state != S.SUBMITTED or not is_instant(center_item(app, business_date)):
        return app
    system = actor or SystemActor("applications", ref="instant")
    v = app.item_version
    app.accepted_on = business_date
    app.legal_due = limit_due(business_date, v.legal_limit, v.legal_limit_unit) if v.legal_limit is not None else None
    app.promised_due = business_date
    _move(app, S.ACCEPTED, actor=system, business_date=business_date, reason="即时办结事项，系统自动受理")
    _review_start(app, actor=system, business_date=business_date)
    if app.state != S.APPROVED:
        return app
    return application_execute(application=app, actor=system, business_date=business_date)
# ---------------------------------------------------------------- the work queue: claim (领办) and assign (分派)


def _holder_label(user: Any) -> str:
    profile = getattr(user, "staff_profile", None) if hasattr(user, "staff_profile") else None
    return (getattr(profile, "display_name", "") or user.get_username()) if profile else user.get_username()


def _queue_open(app: Application) -> None:
    if app.state not in QUEUE_STATES:
        raise DomainError(ErrorCode.APPLICATION_NOT_CLAIMABLE, number=app.number, status=app.get_state_display())


def _step_permission(app: Application) -> str:
    if app.state == S.UNDER_REVIEW and app.stages_required:
        level = app.stages_required[min(app.stage, len(app.stages_required) - 1)]
        return str(app.item_version.review_stages[level]["permission"])
    return ACCEPT_PERMISSION


def _decided_elsewhere(app: Application, user: Any) -> str | None:
    """The level at which `user` already decided, when the application now waits at another one."""
    if app.state != S.UNDER_REVIEW or not app.stages_required:
        return None
    level = app.stages_required[min(app.stage, len(app.stages_required) - 1)]
    return (ReviewDecision.objects.filter(application=app, reviewer=user).exclude(stage=level)
            .values_list("stage_name", flat=True).first())


def _hold(app: Application, user: Any, *, actor: Actor, business_date: date, event: AuditEvent,
          reason: str = "") -> Application:
    before = {"assignee": app.assignee.get_username() if app.assignee is not None else None}
    app.assignee, app.assigned_at = user, timezone.now()
    app.save(update_fields=["assignee", "assigned_at", "updated_at"])
    audit_log(actor=actor, action=event, obj=app, center=app.center_id, business_date=business_date,
              before=before, after={"assignee": user.get_username(), "state": app.state, "reason": reason})
    return app


@transaction.atomic
def application_claim(*, application: Application, actor: Actor, business_date: date) -> Application:
    """领办: the clerk takes the application for its next step. One holder at a time: the row is locked, and an
    application someone else holds is refused (APPLICATION_CLAIMED) — the second of two clerks clicking at once
    waits for the first and is then told who has it."""
    app = _locked(application)
    if not is_staff_user(actor):
        raise PermissionDenied("只有中心工作人员可以领办", field="actor")
    _queue_open(app)
    check_permission(actor, _step_permission(app), center=app.center)
    other = _decided_elsewhere(app, actor)
    if other is not None:
        raise DomainError(ErrorCode.APPLICATION_REVIEW_OTHER_LEVEL, stage=other)
    if app.assignee_id is not None:
        if app.assignee_id == getattr(actor, "pk", None):
            return app
        raise DomainError(ErrorCode.APPLICATION_CLAIMED, number=app.number, holder=_holder_label(app.assignee))
    return _hold(app, actor, actor=actor, business_date=business_date, event=AuditEvent.APPLICATIONS_CLAIM)


@transaction.atomic
def application_assign(*, application: Application, actor: Actor, business_date: date, assignee: Any,
                       reason: str = "") -> Application:
    """分派 (applications.assign: a leader or checker): give the application's next step to a colleague of the
    center who holds that step's permission and has not decided at another review level of it. It replaces
    a claim (the audit row records who held it before)."""
    app = _locked(application)
    _staff(actor, "applications.assign", app.center)
    _queue_open(app)
    name = _holder_label(assignee) if assignee is not None else "—"
    if assignee is None or not getattr(assignee, "is_active", False) or not is_staff_user(assignee):
        raise DomainError(ErrorCode.APPLICATION_ASSIGNEE_INVALID, user=name, why="不是在岗的中心工作人员",
                          field="assignee")
    if not has_permission(assignee, _step_permission(app), center=app.center):
        raise DomainError(ErrorCode.APPLICATION_ASSIGNEE_INVALID, user=name, why="无权办理当前环节", field="assignee")
    other = _decided_elsewhere(app, assignee)
    if other is not None:
        raise DomainError(ErrorCode.APPLICATION_ASSIGNEE_INVALID, user=name,
                          why=f"已在「{other}」环节审核过，同一人只能在一个审核环节办理", field="assignee")
    return _hold(app, assignee, actor=actor, business_date=business_date, event=AuditEvent.APPLICATIONS_ASSIGN,
                 reason=(reason or "").strip()[:200])
