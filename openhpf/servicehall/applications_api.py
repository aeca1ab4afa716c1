"""The online hall's applications (办件) API: an employer agent files 单位缴存信息变更 and follows its employer's
applications; a member or an agent rates a completed one (好差评). Mounted beside the member and agent routers
(/api/v1/agent/…, /api/v1/member/…). Another principal's application number is a 404, never a 403."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from openhpf.applications import services as engine
from openhpf.applications.api import ApplicationOut, MaterialIn, material_decode
from openhpf.applications.models import Application
from openhpf.applications.ratings import rating_submit
from openhpf.applications.selectors import application_detail, application_get
from openhpf.catalog.models import Channel, IdentityLevel
from openhpf.core.actors import AgentActor, SystemActor
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.documents.models import DocType
from openhpf.documents.services import document_store
from openhpf.iam.auth import AgentTokenAuth, MemberTokenAuth
from openhpf.items.employer_change import ITEM_CODE as CHANGE_ITEM

try:  # django-ninja ≥ 1.5 answers a status other than 200 with Status(…); older ones with a tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

agent_applications_router = Router(tags=["网厅·单位经办人·办件"], auth=AgentTokenAuth())
member_applications_router = Router(tags=["网厅·缴存职工·办件"], auth=MemberTokenAuth())

MATERIAL_TYPES = {"change_proof": DocType.EMPLOYMENT_PROOF, "agent_letter": DocType.POWER_OF_ATTORNEY}



class ChangeIn(Schema):
    contact_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    payday: int | None = None
    pay_bank_name: str | None = None
    pay_account_no: str | None = None
    reason: str | None = None
    materials: list[MaterialIn] = []


class RatingOut(Schema):
    level: str
    level_label: str
    comment: str
    rated_on: date


class RatingIn(Schema):
    level: str  # very_satisfied 非常满意 | satisfied 满意 | basic 基本满意 | dissatisfied 不满意 | very_dissatisfied 非常不满意
    comment: str = ""




@agent_applications_router.post("/changes", response={201: ApplicationOut},  # the applications API's detail
                                summary="申请单位缴存信息变更（经办人、电话、地址、发薪日、开户银行及账号）")
def agent_change_apply(request: HttpRequest, data: ChangeIn):
    """Files and submits the change in one step; every problem of the request is answered at once (422
    APPLICATION_PROBLEMS, `details.problems`), and then nothing is kept: the rows roll back and the files the
    request stored are removed again."""
    actor: AgentActor = request.actor  # type: ignore[attr-defined]
    employer = actor.agent.employer
    center = employer.center
    payload = data.dict(exclude={"materials"}, exclude_none=True)
    stored: list[Any] = []
    try:
        app = _file_change(actor, center, employer.branch_id, payload, data.materials, stored)
    except DomainError:
        for doc in stored:
            doc.file.storage.delete(doc.file.name)
        raise
    body = application_detail(actor=actor, number=app.number)
    return Status(201, body) if Status is not None else (201, body)


@transaction.atomic
def _file_change(actor: AgentActor, center: Any, branch_id: int, payload: dict[str, Any], materials: list[MaterialIn],
                 stored: list[Any]) -> Application:
    app = engine.application_create(
        center=center, item_code=CHANGE_ITEM, channel=Channel.WEB, identity_level=IdentityLevel.PASSWORD_CODE,
        actor=actor, business_date=center.business_date, payload=payload, branch_id=branch_id)
    bad: list[str] = []
    asked = {m["code"] for m in engine.application_materials(app, center.business_date)}  # with the center's own
    for m in materials:
        content = material_decode(m, bad)
        if content is None:
            continue
        if m.code not in asked:
            bad.append(f"事项「{app.item_version.name}」没有「{m.code}」这项申请材料")
            continue
        # the hall archives the upload for the agent (an agent holds no documents.upload of its own)
        doc = document_store(center=center, content=content, original_name=m.file_name,
                             doc_type=MATERIAL_TYPES.get(m.code, DocType.OTHER), retention=RetentionClass.LONG_30Y,
                             actor=SystemActor("servicehall", on_behalf_of=actor),
                             business_date=center.business_date, obj=app)
        stored.append(doc)
        engine.application_attach(application=app, material_code=m.code, document=doc, actor=actor,
                                  business_date=center.business_date)
    try:
        app = engine.application_submit(application=app, actor=actor, business_date=center.business_date)
    except DomainError as e:
        if e.code != ErrorCode.APPLICATION_PROBLEMS:
            raise
        bad += list((e.details or {}).get("problems") or [])
    if bad:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(bad), problems="；".join(bad),
                          details={"problems": bad})
    return app


def _rate(request: HttpRequest, number: str, data: RatingIn):
    actor = request.actor  # type: ignore[attr-defined]
    app = application_get(actor, number)
    with transaction.atomic():
        r = rating_submit(number=number, actor=actor, level=data.level, comment=data.comment,
                          business_date=app.center.business_date)
    body = {"level": r.level, "level_label": r.get_level_display(), "comment": r.comment, "rated_on": r.rated_on}
    return Status(201, body) if Status is not None else (201, body)


@agent_applications_router.post("/applications/{number}/rating", response={201: RatingOut},
                                summary="评价本单位已办结的办件（好差评，每件一次）")
def agent_rate(request: HttpRequest, number: str, data: RatingIn):
    return _rate(request, number, data)


@member_applications_router.post("/applications/{number}/rating", response={201: RatingOut},
                                 summary="评价本人已办结的办件（好差评，每件一次）")
def member_rate(request: HttpRequest, number: str, data: RatingIn):
    return _rate(request, number, data)
