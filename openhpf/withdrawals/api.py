"""JSON API of 提取 (mounted at /api/v1/withdrawals/): members' bank cards (结算卡).

- `GET /members/{account_no}/cards`: the member's cards, newest first, masked; the read is audited.
- `POST /members/{account_no}/cards`: register or change a card (accounts.change); it waits for verification.
- `POST /cards/{card_id}/verify`: a second person (applications.review) confirms or refuses it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from openhpf.access.selectors import check_permission
from openhpf.accounts.selectors import member_account_get
from openhpf.core.api_errors import ErrorOut
from openhpf.core.idempotency import idempotent
from openhpf.core.masking import mask_name
from openhpf.core.models import Center
from openhpf.iam.services import staff_center

from .cards import card_add, card_get, card_verify, cards_of
from .models import BankCard

router = Router(tags=["提取"])
ERR: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CardOut(Schema):
    id: int
    card_no: str  # masked: the last four digits only
    bank_code: str
    bank_name: str
    holder_name: str  # masked
    status: str
    status_label: str
    created_on: date
    verified_on: date | None


class CardIn(Schema):
    card_no: str
    bank_code: str
    bank_name: str
    holder_name: str
    reason: str = ""


class VerifyIn(Schema):
    ok: bool = True
    note: str = ""


def _out(c: BankCard) -> dict[str, Any]:
    return {"id": c.pk, "card_no": c.masked, "bank_code": c.bank_code, "bank_name": c.bank_name,
            "holder_name": mask_name(c.holder_name), "status": c.status, "status_label": c.get_status_display(),
            "created_on": c.created_on, "verified_on": c.verified_on}


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise HttpError(403, "当前用户未归属任何管理中心")
    return center


def _may(perm: str) -> Any:
    def authorize(request: HttpRequest, **_: Any) -> Center:
        center = _center(request)
        check_permission(request.user, perm, center=center)
        return center

    return authorize


@router.get("/members/{account_no}/cards", response={200: list[CardOut], **ERR}, summary="职工结算银行卡（脱敏）")
def cards_list(request: HttpRequest, account_no: str) -> Any:
    center = _center(request)
    account = member_account_get(center=center, account_no=account_no, user=request.user)
    return [_out(c) for c in cards_of(member=account.member, actor=request.user, business_date=center.business_date)]


@router.post("/members/{account_no}/cards", response={201: CardOut, **ERR}, summary="登记或变更职工结算银行卡")
@idempotent(authorize=_may("accounts.change"))
def cards_add(request: HttpRequest, account_no: str, payload: CardIn) -> Any:
    center = _center(request)
    account = member_account_get(center=center, account_no=account_no, user=request.user)
    with transaction.atomic(durable=True):
        card = card_add(member=account.member, card_no=payload.card_no, bank_code=payload.bank_code,
                        bank_name=payload.bank_name, holder_name=payload.holder_name, reason=payload.reason,
                        actor=request.user, business_date=center.business_date)
    return 201, _out(card)


@router.post("/cards/{card_id}/verify", response={200: CardOut, **ERR}, summary="核验职工结算银行卡（另一人）")
@idempotent(authorize=_may("applications.review"))
def cards_verify(request: HttpRequest, card_id: int, payload: VerifyIn) -> Any:
    center = _center(request)
    with transaction.atomic(durable=True):
        card = card_verify(card=card_get(pk=card_id, center=center), actor=request.user,
                           business_date=center.business_date, ok=payload.ok, note=payload.note)
    return 200, _out(card)
