"""The applications (办件) API: staff reads and the engine's actions at /api/v1/applications, members' own at
/api/v1/member/applications and an employer agent's employer's at /api/v1/agent/applications.

Reads go through applications.selectors (`application_page`, `application_detail`): scoped (staff: their
center's; a member: its own; an agent: its employer's — anyone else's number is 404 APPLICATION_NOT_FOUND),
masked by the reader's clearance, and audited for staff. Actions call the engine's services, one transaction
each; 办理 (execute) may pay money through the item's handler, so it is idempotent by its Idempotency-Key."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from openhpf.core.authz import staff_center_required
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.iam.auth import AgentTokenAuth, MemberTokenAuth

from . import services
from .selectors import ApplicationFilter, application_detail, application_get, application_page

router = Router(tags=["办件"])
ACCEPT = services.ACCEPT_PERMISSION  # 受理, 不予受理, 补正 and 办理 at the counter
member_router = Router(tags=["网厅·缴存职工"], auth=MemberTokenAuth())
agent_router = Router(tags=["网厅·单位经办人"], auth=AgentTokenAuth())


class ApplicationRowOut(Schema):
    number: str
    item_code: str
    item_name: str
    item_version: int
    channel: str
    channel_label: str
    state: str
    state_label: str
    applicant_kind: str
    member_name: str
    employer_name: str
    branch: str
    amount: int | None
    submitted_at: datetime | None
    accepted_on: date | None
    legal_due: date | None
    promised_due: date | None
    paused_on: date | None
    decided_on: date | None
    completed_on: date | None
    stage: int
    created_at: datetime


class ApplicationPageOut(Schema):
    items: list[ApplicationRowOut]
    total: int
    page: int
    page_size: int


class ClocksOut(Schema):
    accepted_on: date | None
    legal_due: date | None
    promised_due: date | None
    paused_on: date | None
    legal_remaining: int | None
    promised_remaining: int | None


class MaterialOut(Schema):
    material_code: str
    material_name: str
    document_id: int
    file_name: str
    doc_type: str
    sm3: str
    added_by: str
    added_at: datetime


class EventOut(Schema):
    from_state: str
    to_state: str
    to_state_label: str
    actor_kind: str
    actor: str
    reason: str
    problems: list[str]
    legal_due: date | None
    promised_due: date | None
    paused: bool
    business_date: date
    at: datetime


class DecisionOut(Schema):
    stage: int
    stage_name: str
    decision: str
    decision_label: str
    reason: str
    at: datetime


class RuleResultOut(Schema):
    code: str
    message: str
    severity: str
    holds: bool | None = None


class EvaluationOut(Schema):
    rule_set_version: int
    evaluated_on: date
    outcome: str
    inputs: dict[str, Any]
    results: list[dict[str, Any]]


class StageOut(Schema):
    level: int
    name: str
    permission: str
    above: int | None
    required: bool


class ContentRowOut(Schema):
    label: str
    text: str


class MaterialIn(Schema):
    """A material sent with an application through an API: base64 content (one schema for every channel)."""

    code: str  # the material's code in the item's 申请材料 (id_card, bank_card, credit_consent …)
    file_name: str
    content_base64: str
    content_type: str = "application/pdf"


def material_decode(m: MaterialIn, problems: list[str]) -> bytes | None:
    """The material's bytes, or None with the problem appended (not base64, or empty) in a clerk's words."""
    try:
        content = base64.b64decode(m.content_base64, validate=True)
    except (binascii.Error, ValueError):
        problems.append(f"材料「{m.file_name}」的内容不是有效的 base64 编码")
        return None
    if not content:
        problems.append(f"材料「{m.file_name}」是空文件")
        return None
    return content


class ApplicationOut(ApplicationRowOut):
    payload: dict[str, Any]
    content: list[ContentRowOut]  # the payload in a clerk's words (the item's describe rows), masked like it
    problems: list[str]
    rule_outcome: str
    stages: list[StageOut]
    clocks: ClocksOut
    materials: list[MaterialOut]
    timeline: list[EventOut]
    decisions: list[DecisionOut]
    evaluations: list[EvaluationOut]
    result: dict[str, Any] | None


def _filters(item: str, state: str, branch: str, due_before: date | None) -> ApplicationFilter:
    return ApplicationFilter(item=item.strip(), state=state.strip(), branch=branch.strip(), due_before=due_before)


def _page(actor: Any, center: Center | None, filters: ApplicationFilter, page: int, page_size: int) -> dict[str, Any]:
    found = application_page(actor=actor, center=center, filters=filters, page=page, page_size=page_size)
    return {"items": found.items, "total": found.total, "page": found.page, "page_size": found.page_size}


# ---------------------------------------------------------------- staff


def _center(request: HttpRequest) -> Center:
    return staff_center_required(request.user)


@router.get("", response=ApplicationPageOut,
            summary="本中心办件列表（按事项、状态、网点、到期日筛选；分页，total 为真实总数）")
def applications(request: HttpRequest, item: str = "", state: str = "", branch: str = "",
                 due_before: date | None = None, page: int = 1, page_size: int = 50):
    return _page(request.user, _center(request), _filters(item, state, branch, due_before), page, page_size)


@router.get("/{number}", response=ApplicationOut,
            summary="一件办件：申请内容、申请材料、流转记录、审核意见、每条规则的结果与时限")
def application(request: HttpRequest, number: str):
    return application_detail(actor=request.user, number=number, center=_center(request))


class ReasonsIn(Schema):
    reasons: list[str]


class ProblemsIn(Schema):
    problems: list[str]


class ReviewIn(Schema):
    decision: str  # pass | reject | correction
    reason: str = ""
    problems: list[str] = []


def _act(request: HttpRequest, number: str, action: Any, perm: str | None = ACCEPT, **kwargs: Any) -> dict[str, Any]:
    """Run one engine action on the application as the staff member, in one transaction; answer its detail.
    `perm` is checked first (403 before anything is looked up); the engine checks the rest."""
    center = staff_center_required(request.user, perm=perm)
    with transaction.atomic(durable=True):
        app = application_get(request.user, number, center)
        action(application=app, actor=request.user, business_date=center.business_date, **kwargs)
    return application_detail(actor=request.user, number=number, center=center)


@router.post("/{number}/accept", response=ApplicationOut, summary="受理（时限起算，规则校验，进入审核）")
def accept(request: HttpRequest, number: str):
    return _act(request, number, services.application_accept)


@router.post("/{number}/not-accept", response=ApplicationOut, summary="不予受理（一次告知全部理由）")
def not_accept(request: HttpRequest, number: str, data: ReasonsIn):
    return _act(request, number, services.application_not_accept, reasons=data.reasons)


@router.post("/{number}/correction", response=ApplicationOut, summary="受理前一次告知补正（列明全部问题）")
def correction(request: HttpRequest, number: str, data: ProblemsIn):
    return _act(request, number, services.application_request_correction, problems=data.problems)


@router.post("/{number}/review", response=ApplicationOut,
             summary="当前审核环节的审核意见：pass 通过、reject 不通过、correction 一次告知补正（时限暂停）")
def review(request: HttpRequest, number: str, data: ReviewIn):
    return _act(request, number, services.application_review, perm=None, decision=data.decision,
                reason=data.reason, problems=data.problems)


def _executor(request: HttpRequest, number: str, **_: Any) -> Center:
    return staff_center_required(request.user, perm=ACCEPT)


@router.post("/{number}/execute", response=ApplicationOut, summary="办理已审核通过的办件（经事项的处理程序执行）")
@idempotent(authorize=_executor, money_moving=True)
def execute(request: HttpRequest, number: str):
    return _act(request, number, services.application_execute)


# ---------------------------------------------------------------- members and employer agents: their own only


@member_router.get("/applications", response=ApplicationPageOut, summary="我的办件（分页）")
def my_applications(request: HttpRequest, item: str = "", state: str = "", page: int = 1, page_size: int = 50):
    return _page(request.actor, None, _filters(item, state, "", None), page, page_size)  # type: ignore[attr-defined]


@member_router.get("/applications/{number}", response=ApplicationOut,
                   summary="我的一件办件（不是本人的办件一律 404）")
def my_application(request: HttpRequest, number: str):
    return application_detail(actor=request.actor, number=number)  # type: ignore[attr-defined]


@agent_router.get("/applications", response=ApplicationPageOut, summary="本单位的办件（分页）")
def employer_applications(request: HttpRequest, item: str = "", state: str = "", page: int = 1,
                          page_size: int = 50):
    return _page(request.actor, None, _filters(item, state, "", None), page, page_size)  # type: ignore[attr-defined]


@agent_router.get("/applications/{number}", response=ApplicationOut,
                  summary="本单位的一件办件（不是本单位的办件一律 404）")
def employer_application(request: HttpRequest, number: str):
    return application_detail(actor=request.actor, number=number)  # type: ignore[attr-defined]
