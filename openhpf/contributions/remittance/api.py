"""JSON API of remittances (mounted at /api/v1/contributions/): roster files, remittances, receipts, posting.
Each POST opens the durable transaction (posting and imports are entry points of their own). Posting and
receipts move money: they are idempotent by their `Idempotency-Key` (core/idempotency.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from openhpf.accounts.models import Employer
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.ingest import Limits, upload_spool
from openhpf.core.models import Center
from openhpf.iam.services import staff_center_required

from .. import selectors
from ..models import Receipt, Remittance, RemittanceImport
from . import services
from .fileimport import remittance_import

router = Router(tags=["汇缴"])


def _center(request: HttpRequest, perm: str = "accounts.view") -> Center:
    return staff_center_required(request.user, perm=perm)


def _poster(request: HttpRequest, **_: Any) -> Center:
    return _center(request, services.PERMISSION)


def _employer(center: Center, no: str) -> Employer:
    e = Employer.objects.filter(center=center, account_no=no).first()
    if e is None:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, f"单位账号 {no} 不存在", field="employer_no")
    return e


def _remittance(center: Center, pk: int) -> Remittance:
    r = Remittance.objects.filter(center=center, pk=pk).first()
    if r is None:
        raise DomainError(ErrorCode.REMITTANCE_UNKNOWN, f"汇缴单 {pk} 不存在", field="remittance")
    return r


class RemittanceOut(Schema):
    id: int
    employer_no: str
    month: str
    biz_type: str
    back_kind: str
    status: str
    lines: int
    employer_total: int
    member_total: int
    total: int
    value_date: date | None
    receipt_id: int | None


def _out(r: Remittance) -> dict[str, Any]:
    return {"id": r.pk, "employer_no": r.employer.account_no, "month": r.month, "biz_type": r.biz_type,
            "back_kind": r.back_kind, "status": r.status, "lines": r.lines, "employer_total": r.employer_total,
            "member_total": r.member_total, "total": r.total, "value_date": r.value_date, "receipt_id": r.receipt_id}


@router.get("/remittances", response=list[RemittanceOut], summary="汇缴单列表")
def remittance_list(request: HttpRequest, status: str = "", employer_no: str = ""):
    center = _center(request)
    return [_out(r) for r in selectors.remittance_list(center=center, user=request.user, status=status or None,
                                                       employer_no=employer_no or None)]


@router.get("/remittances/{pk}", response=RemittanceOut, summary="汇缴单")
def remittance_detail(request: HttpRequest, pk: int):
    center = _center(request)
    return _out(selectors.remittance_get(center=center, pk=pk, user=request.user))


class CreateIn(Schema):
    employer_no: str
    month: str
    confirm: bool = False


@router.post("/remittances", response=RemittanceOut, summary="按在册人员生成汇缴清册")
def remittance_create(request: HttpRequest, body: CreateIn):
    center = _center(request, services.PERMISSION)
    bd = center.business_date
    with transaction.atomic(durable=True):
        r = services.remittance_create(employer=_employer(center, body.employer_no), month=body.month,
                                       actor=request.user, business_date=bd)
        if body.confirm:
            r = services.remittance_confirm(remittance=r, actor=request.user, business_date=bd)
    return _out(r)


@router.post("/remittances/{pk}/confirm", response=RemittanceOut, summary="确认清册")
def remittance_confirm(request: HttpRequest, pk: int):
    center = _center(request, services.PERMISSION)
    with transaction.atomic(durable=True):
        r = services.remittance_confirm(remittance=_remittance(center, pk), actor=request.user,
                                        business_date=center.business_date)
    return _out(r)


@router.post("/remittances/{pk}/post", summary="入账（到账匹配或暂存分配）")
@idempotent(authorize=_poster, money_moving=True)
def remittance_post(request: HttpRequest, pk: int, receipt_id: int | None = None):
    center = _center(request, services.PERMISSION)
    rc = Receipt.objects.filter(center=center, pk=receipt_id).first() if receipt_id else None
    res = services.remittance_post(actor=request.user, business_date=center.business_date,
                                   remittance=_remittance(center, pk), receipt=rc)
    return {"remittances": res.remittance_ids[:1000], "lines": res.lines, "total": res.total, "source": res.source,
            "voucher_no": res.voucher_no, "already_posted": res.already_posted}


class ReceiptIn(Schema):
    amount: int  # fen
    value_date: date
    bank_ref: str
    employer_no: str = ""
    payer_account: str = ""
    payer_name: str = ""


@router.post("/receipts", summary="手工登记银行到账（幂等：银行流水号）：待银行流水匹配或复核人确认后才入账")
@idempotent(authorize=_poster, money_moving=True)
def receipt_create(request: HttpRequest, body: ReceiptIn):
    center = _center(request, services.PERMISSION)
    with transaction.atomic(durable=True):
        rc = services.receipt_register_manual(
            center=center, amount=body.amount, value_date=body.value_date, bank_ref=body.bank_ref,
            actor=request.user, business_date=center.business_date,
            employer=_employer(center, body.employer_no) if body.employer_no else None,
            payer_account=body.payer_account, payer_name=body.payer_name)
    out = {"id": rc.pk, "status": rc.status, "amount": rc.amount,
           "remittances": list(rc.remittances.values_list("pk", flat=True))}
    if rc.status == Receipt.Status.UNCONFIRMED:
        out["code"] = ErrorCode.RECEIPT_UNCONFIRMED.value
        out["message"] = f"手工登记的到账 {rc.bank_ref} 尚未确认：待银行流水匹配或复核人批准后入账"
    return out


@router.post("/imports", summary="导入缴存清册（.xlsx/.csv）")
def import_file(request: HttpRequest, month: Form[str], file: File[UploadedFile], employer_no: Form[str] = "",
                exclude_rejected: Form[bool] = False):
    center = _center(request, services.PERMISSION)
    employer = _employer(center, employer_no) if employer_no else None
    limits = Limits.for_upload(on=center.business_date, center=center)
    with upload_spool(file, limits=limits) as path:  # bounded, and removed however the import ends
        res = remittance_import(center=center, path=path, month=month, actor=request.user,
                                business_date=center.business_date, employer=employer,
                                exclude_rejected=exclude_rejected, limits=limits, file_name=file.name or "")
    return {"import_id": res.import_id, "status": "accepted" if res.accepted else "rejected", "rows": res.rows,
            "message": res.message,
            "rejected_rows": res.rejected_rows, "errors": res.errors, "first_errors": res.first_errors,
            "remittance_ids": res.remittance_ids[:1000], "total": res.total}


@router.get("/imports/{pk}/errors", summary="下载错误清单（.xlsx）")
def import_errors(request: HttpRequest, pk: int):
    center = _center(request)
    imp: RemittanceImport = selectors.import_get(center=center, pk=pk, user=request.user)
    if not imp.error_file or not Path(imp.error_file).is_file():
        raise DomainError(ErrorCode.NO_ERROR_FILE, "该导入没有错误清单", field="import")
    return FileResponse(open(imp.error_file, "rb"), as_attachment=True,
                        filename=f"清册错误-{imp.pk}.xlsx")
