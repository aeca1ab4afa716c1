"""JSON API of access: the audited unmask of a member's personal data (查看明文). Mounted at /api/v1/access/."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from openhpf.access.services import personal_data_unmask
from openhpf.core.errors import DomainError
from openhpf.iam.services import staff_center

from . import selectors as account_selectors

router = Router(tags=["权限与个人信息"])


class UnmaskIn(Schema):
    fields: list[str] = ["name", "id_number", "phone"]
    reason: str


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    row: int | None = None


@router.post("/members/{account_no}/unmask", response={200: dict[str, str], 403: ErrorOut, 404: ErrorOut,
                                                         422: ErrorOut},
             summary="查看个人明文信息（须填写理由，记入审计）")
def member_unmask(request: HttpRequest, account_no: str, data: UnmaskIn):
    center = staff_center(request.user)
    if center is None:
        raise HttpError(403, "当前用户未归属任何管理中心")
    try:
        account = account_selectors.member_account_get(center=center, account_no=account_no, user=request.user)
    except DomainError as e:
        raise HttpError(404, e.message) from None
    with transaction.atomic(durable=True):
        values = personal_data_unmask(user=request.user, obj=account.member, fields=data.fields, reason=data.reason)
    return {k: "" if v is None else str(v) for k, v in values.items()}
