"""JSON API of the relief services (mounted at /api/v1/relief/): base and ratio adjustment, hardship
applications, flexible-employment agreements, arrears, transaction history, annual statements and employer
remittance history. Each POST opens the durable transaction; reads call one selector."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from openhpf.access.selectors import check_permission
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.ingest import Limits, upload_spool
from openhpf.core.models import Center
from openhpf.iam.services import staff_center_required

from .. import selectors
from ..interest import statements
from ..models import FlexibleAgreement, HardshipApplication
from ..remittance import adjustments
from . import arrears, flexible, hardship

router = Router(tags=["缴存调整与减免"])


def _center(request: HttpRequest) -> Center:
    return staff_center_required(request.user)


def _employer(center: Center, no: str) -> Employer:
    e = Employer.objects.filter(center=center, account_no=no).first()
    if e is None:
        raise DomainError(ErrorCode.EMPLOYER_UNKNOWN, f"单位账号 {no} 不存在", field="employer_no")
    return e


def _account(center: Center, no: str) -> MemberAccount:
    a = MemberAccount.objects.filter(center=center, account_no=no).first()
    if a is None:
        raise DomainError(ErrorCode.ACCOUNT_UNKNOWN, f"个人账号 {no} 不存在", field="account_no")
    return a


# ---------------------------------------------------------------- adjustments


@router.post("/base-adjustments", summary="年度基数调整（上传 .csv/.xlsx）")
def base_adjust(request: HttpRequest, year: Form[int], file: File[UploadedFile], mode: Form[str] = ""):
    center = _center(request)
    check_permission(request.user, "accounts.change", center=center)  # before a byte of the file is copied
    limits = Limits.for_upload(on=center.business_date, center=center)
    with upload_spool(file, limits=limits) as path, transaction.atomic(durable=True):  # streamed, never in memory
        adj = adjustments.base_adjust_file(center=center, content=path, name=file.name or "upload.csv",
                                           year=year, actor=request.user, business_date=center.business_date,
                                           mode=mode or None, limits=limits)
    return {"adjustment": adj.pk, "rows": adj.rows, "changed": adj.changed, "clamped": adj.clamped,
            "mode": adj.mode, "effective_date": adj.effective_date}


class ReliefRatioIn(Schema):
    employer_ratio: str
    member_ratio: str


@router.post("/employers/{employer_no}/ratio", summary="单位比例调整（全部正常账户）")
def ratio_adjust(request: HttpRequest, employer_no: str, body: ReliefRatioIn):
    center = _center(request)
    with transaction.atomic(durable=True):
        n = adjustments.employer_ratio_adjust(employer=_employer(center, employer_no),
                                              employer_ratio=body.employer_ratio, member_ratio=body.member_ratio,
                                              actor=request.user, business_date=center.business_date)
    return {"accounts": n}


# ---------------------------------------------------------------- hardship


def _app_out(a: HardshipApplication) -> dict[str, Any]:
    return {"id": a.pk, "employer_no": a.employer.account_no, "kind": a.kind, "status": a.status,
            "employer_ratio": str(a.employer_ratio or ""), "member_ratio": str(a.member_ratio or ""),
            "valid_from": a.valid_from, "valid_to": a.valid_to, "command_id": a.command_id,
            "approved_by": a.approved_by}


@router.post("/hardship", summary="缓缴/降比例申请（附材料，提交复核）")
def hardship_apply(request: HttpRequest, employer_no: Form[str], kind: Form[str], valid_from: Form[date],
                   valid_to: Form[date], reason: Form[str], files: File[list[UploadedFile]],
                   employer_ratio: Form[str] = "", member_ratio: Form[str] = "", vote_date: Form[date | None] = None):
    center = _center(request)
    limits = Limits.for_upload(on=center.business_date, center=center)
    for f in files:  # each attachment within the upload limit before any is read into memory
        limits.check_size(int(f.size or 0), f.name or "材料")
    with transaction.atomic(durable=True):
        app = hardship.hardship_apply(
            employer=_employer(center, employer_no), kind=kind, valid_from=valid_from, valid_to=valid_to,
            reason=reason, vote_date=vote_date, employer_ratio=employer_ratio or None,
            member_ratio=member_ratio or None, documents=[(f.name or "材料", f.read()) for f in files],
            actor=request.user, business_date=center.business_date)
    return _app_out(app)


@router.get("/hardship", summary="缓缴/降比例申请列表（分页，total 为符合条件的总数）")
def hardship_list(request: HttpRequest, status: str = "", kind: str = "", employer_no: str = "", page: int = 1,
                  page_size: int = 50):
    p = hardship.hardship_page(center=_center(request), user=request.user, status=status or None, kind=kind or None,
                               employer_no=employer_no, page=page, page_size=page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": [_app_out(a) for a in p.items]}


@router.post("/hardship/expire", summary="日终：缓缴/降比例到期起止处理")
def hardship_expire(request: HttpRequest):
    center = _center(request)
    with transaction.atomic(durable=True):
        return hardship.hardship_expire(center=center, on=center.business_date, actor=request.user)


@router.get("/employers/{employer_no}/deferral-arrears", summary="缓缴期欠缴（供补缴）")
def deferral_arrears(request: HttpRequest, employer_no: str, upto: str = ""):
    center = _center(request)
    check_permission(request.user, "accounts.view", center=center)
    return asdict(hardship.deferral_arrears(_employer(center, employer_no), upto=upto or None))


@router.get("/accounts/{account_no}/continuity", summary="连续缴存月数（缓缴期计入）")
def continuity(request: HttpRequest, account_no: str, upto: str):
    center = _center(request)
    check_permission(request.user, "accounts.view", center=center)
    return {"months": hardship.continuity_months(_account(center, account_no), upto)}


@router.get("/accounts/{account_no}/paid-months", summary="已缴月份、缴至年月、连续缴存月数、是否推定连续")
def paid_months(request: HttpRequest, account_no: str, upto: str = ""):
    center = _center(request)
    check_permission(request.user, "accounts.view", center=center)
    return asdict(hardship.paid_month_summary(_account(center, account_no), upto=upto or center.business_date))


# ---------------------------------------------------------------- flexible employment


class FlexibleIn(Schema):
    name: str
    id_number: str
    id_type: str = "01"
    phone: str = ""
    base: int
    ratio: str
    start: date
    end: date | None = None


def _agreement_out(a: FlexibleAgreement) -> dict[str, Any]:
    return {"agreement_no": a.agreement_no, "account_no": a.account.account_no, "base": a.base,
            "ratio": str(a.ratio), "start": a.start, "end": a.end, "status": a.status}


@router.post("/flexible", summary="灵活就业缴存协议签订")
def flexible_sign(request: HttpRequest, body: FlexibleIn):
    center = _center(request)
    with transaction.atomic(durable=True):
        a = flexible.flexible_agreement_sign(center=center, actor=request.user, business_date=center.business_date,
                                             **body.dict())
    return _agreement_out(a)


class ReliefReasonIn(Schema):
    reason: str = ""


@router.post("/flexible/{agreement_no}/{action}", summary="协议暂停（suspend）、恢复（resume）、终止（end）")
def flexible_move(request: HttpRequest, agreement_no: str, action: str, body: ReliefReasonIn):
    center = _center(request)
    fn = {"suspend": flexible.flexible_agreement_suspend, "resume": flexible.flexible_agreement_resume,
          "end": flexible.flexible_agreement_end}.get(action)
    check_permission(request.user, "accounts.change", center=center)
    if fn is None:
        raise DomainError(ErrorCode.ACTION_UNKNOWN, f"未知操作：{action}", field="action")
    a = FlexibleAgreement.objects.filter(center=center, agreement_no=agreement_no).first()
    if a is None:
        raise DomainError(ErrorCode.AGREEMENT_UNKNOWN, f"协议 {agreement_no} 不存在", field="agreement_no")
    with transaction.atomic(durable=True):
        a = fn(agreement=a, reason=body.reason, actor=request.user, business_date=center.business_date)
    return _agreement_out(a)


class BillIn(Schema):
    month: str


@router.post("/flexible/bill", summary="灵活就业人员按协议逐人生成某月应缴（暂停、终止的协议不生成）")
def flexible_bill(request: HttpRequest, body: BillIn):
    center = _center(request)
    check_permission(request.user, "contributions.remit", center=center)
    with transaction.atomic(durable=True):
        made = flexible.flexible_bill(center=center, month=body.month, actor=request.user,
                                      business_date=center.business_date)
    return {"month": body.month, "remittances": [{"id": r.pk, "account_no": r.person.account_no if r.person else "",
                                                  "total": r.total} for r in made]}


class FlexiblePaymentIn(Schema):
    agreement_no: str
    amount: int  # fen
    value_date: date
    bank_ref: str
    payer_account: str = ""


def _remitter(request: HttpRequest, **_: Any) -> Center:
    center = _center(request)
    check_permission(request.user, "contributions.remit", center=center)
    return center


@router.post("/flexible-payments", summary="灵活就业人员缴存到账登记（按人匹配本人应缴；待银行流水或复核人确认后入账）")
@idempotent(authorize=_remitter, money_moving=True)
def flexible_payment(request: HttpRequest, body: FlexiblePaymentIn):
    center = _remitter(request)
    a = FlexibleAgreement.objects.filter(center=center, agreement_no=body.agreement_no).first()
    if a is None:
        raise DomainError(ErrorCode.AGREEMENT_UNKNOWN, f"协议 {body.agreement_no} 不存在", field="agreement_no")
    with transaction.atomic(durable=True):
        rc = flexible.flexible_payment_record(agreement=a, amount=body.amount, bank_ref=body.bank_ref,
                                              value_date=body.value_date, payer_account=body.payer_account,
                                              actor=request.user, business_date=center.business_date, manual=True)
    return {"id": rc.pk, "status": rc.status, "amount": rc.amount,
            "remittances": list(rc.remittances.values_list("pk", flat=True))}


@router.get("/flexible/expected", summary="灵活就业人员某月应缴金额")
def flexible_expected(request: HttpRequest, month: str):
    center = _center(request)
    check_permission(request.user, "accounts.view", center=center)
    return [asdict(p) for p in flexible.flexible_expected_amounts(center=center, month=month)]


# ---------------------------------------------------------------- arrears and statements


@router.get("/arrears", summary="欠缴催缴清单")
def arrears_get(request: HttpRequest, month: str, members: bool = False):
    r = arrears.arrears_list(center=_center(request), month=month, user=request.user, with_members=members,
                             member_limit=10_000)
    return {"month": r.month, "on": r.on, "total": r.total, "employers": [asdict(e) for e in r.employers],
            "members": [asdict(m) for m in r.members]}


@router.get("/accounts/{account_no}/transactions", summary="个人明细查询（日期区间、业务类型）")
def transactions(request: HttpRequest, account_no: str, date_from: date | None = None, date_to: date | None = None,
                 biz_type: str = "", page: int = 1, page_size: int = 50):
    center = _center(request)
    p = selectors.transaction_history(
        account=_account(center, account_no), actor=request.user, date_from=date_from, date_to=date_to,
        biz_types=[t for t in biz_type.split(",") if t] or None, page=page, page_size=page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": [asdict(m) for m in p.items]}


@router.post("/accounts/{account_no}/statements", summary="生成年度对账单 PDF（存入业务档案）")
def statement_generate(request: HttpRequest, account_no: str, year: int):
    center = _center(request)
    check_permission(request.user, "documents.upload", center=center)  # archives a document
    with transaction.atomic(durable=True):
        doc = statements.annual_statement_generate(account=_account(center, account_no), year=year,
                                                   actor=request.user, business_date=center.business_date)
    return {"document": doc.pk, "sm3": doc.sm3, "size": doc.size, "name": doc.original_name}


@router.get("/employers/{employer_no}/remittance-history", summary="单位缴存历史（按月汇总汇缴、补缴）")
def remittance_history(request: HttpRequest, employer_no: str, date_from: date | None = None,
                       date_to: date | None = None):
    center = _center(request)
    return [asdict(r) for r in selectors.employer_remittance_history(
        employer=_employer(center, employer_no), user=request.user, date_from=date_from, date_to=date_to)]
