"""JSON API of 个人住房贷款 (mounted at /api/v1/loans). Money in fen (integers).

- `GET /api/v1/loans` (`loans.view`): the portfolio, filtered by `status`, `product` (first / second / first.gt5 …),
  `branch` (网点代码), `disbursed_from`, `disbursed_to`; paged `{total, page, page_size, items}`.
- `GET /api/v1/loans/{number}` (`loans.view`): one loan (贷款账号 or 借款合同编号) with its parties, disbursement and
  schedule.
- `POST /api/v1/loans/applications` (`applications.accept`): the counter files a loan application for a member
  (payload and materials as base64), submits and 受理s it in one step; every problem at once (422
  APPLICATION_PROBLEMS), and then nothing is kept. The review levels go through the engine's
  `POST /api/v1/applications/{number}/review`.
- `POST /api/v1/loans/applications/{number}/contract` (`loans.operate`): draw the contract.
- `POST /api/v1/loans/applications/{number}/sign` (`loans.operate`): one party signs (electronic or paper scan).
- `POST /api/v1/loans/applications/{number}/collateral` (`loans.operate`): record the collateral.
- `POST /api/v1/loans/applications/{number}/disburse` (`settlement.operate`; idempotent by Idempotency-Key):
  execute the application, i.e. pay the loan through the settlement gateway."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

try:  # django-ninja ≥ 1.5 answers a status other than 200 with Status(…); older ones with a tuple
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

from openhpf.accounts.models import MemberAccount
from openhpf.applications import services as engine
from openhpf.applications.api import MaterialIn, material_decode
from openhpf.applications.models import Application
from openhpf.applications.selectors import application_detail
from openhpf.catalog.models import IdentityLevel
from openhpf.core.authz import staff_center_required
from openhpf.core.codes import RetentionClass
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.documents.models import DocType, Document
from openhpf.documents.services import document_store
from openhpf.iam.auth import PartnerTokenAuth

from .collateral import collateral_record, collateral_registry_push
from .contract import contract_draw, contract_of, contract_sign, signature_rows
from .handlers import ITEM_CODE
from .models import Disbursement
from .selectors import LoanFilter, loan_detail, loan_page

router = Router(tags=["个人住房贷款"])
ACCEPT = engine.ACCEPT_PERMISSION
OPERATE = "loans.operate"
MATERIAL_TYPES = {"id_card": DocType.ID_PROOF, "purchase_contract": DocType.PURCHASE_CONTRACT,
                  "marriage_proof": DocType.MARRIAGE_PROOF, "income_proof": DocType.INCOME_PROOF,
                  "credit_consent": DocType.POWER_OF_ATTORNEY}



class ApplyIn(Schema):
    account_no: str  # the borrower's 个人账号
    amount: int
    months: int
    method: str  # 01 等额本息, 02 等额本金
    monthly_income: int
    spouse: dict[str, Any] | None = None
    co_borrowers: list[dict[str, Any]] = []
    property: dict[str, Any]
    down_payment_application: str = ""
    product: str = ""  # HPF by default; HPF-COMBO 组合贷款 (then `commercial`)
    original_age: int | None = None  # a woman borrower: 50 女工人 / 55 女干部 (default: policy)
    commercial: dict[str, Any] | None = None  # {bank, contract_no, amount, months, payment}
    guarantors: list[dict[str, Any]] = []  # [{name, id_number}] where the product requires a guarantor
    materials: list[MaterialIn] = []


def _created(body: dict[str, Any]) -> Any:
    return Status(201, body) if Status is not None else (201, body)


def _center(request: HttpRequest, perm: str | None = None) -> Center:
    return staff_center_required(request.user, perm=perm)


# ---------------------------------------------------------------- the portfolio and a loan


@router.get("", summary="贷款列表（按状态、产品、网点、放款日期筛选；分页，total 为真实总数）")
def loans(request: HttpRequest, status: str = "", product: str = "", branch: str = "",
          disbursed_from: date | None = None, disbursed_to: date | None = None, page: int = 1,
          page_size: int = 20) -> dict[str, Any]:
    center = _center(request, "loans.view")
    found = loan_page(actor=request.user, center=center,
                      filters=LoanFilter(status=status.strip(), product=product.strip(), branch=branch.strip(),
                                         disbursed_from=disbursed_from, disbursed_to=disbursed_to),
                      page=page, page_size=page_size)
    return {"total": found.total, "page": found.page, "page_size": found.page_size, "items": found.items}


# ---------------------------------------------------------------- apply at the counter




@transaction.atomic
def _file(request: HttpRequest, center: Center, data: ApplyIn, stored: list[Document]) -> Application:
    bd = center.business_date
    acct = MemberAccount.objects.filter(center=center, account_no=data.account_no.strip()).first()
    if acct is None:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=1, problems=f"个人账号 {data.account_no} 不存在",
                          field="account_no", details={"problems": [f"个人账号 {data.account_no} 不存在"]})
    payload = data.dict(exclude={"materials", "account_no"})
    app = engine.application_create(center=center, item_code=ITEM_CODE, channel="counter",
                                    identity_level=IdentityLevel.COUNTER_CHECK, actor=request.user,
                                    business_date=bd, payload=payload, member_id=acct.member_id,
                                    branch_id=acct.branch_id)
    bad: list[str] = []
    for m in data.materials:
        content = material_decode(m, bad)
        if content is None:
            continue
        if m.code not in MATERIAL_TYPES:
            bad.append(f"事项「{app.item_version.name}」没有「{m.code}」这项申请材料")
            continue
        doc = document_store(center=center, content=content, original_name=m.file_name,
                             doc_type=MATERIAL_TYPES[m.code], retention=RetentionClass.LONG_30Y, actor=request.user,
                             business_date=bd, obj=app)
        stored.append(doc)
        engine.application_attach(application=app, material_code=m.code, document=doc, actor=request.user,
                                  business_date=bd)
    try:
        app = engine.application_submit(application=app, actor=request.user, business_date=bd)
    except DomainError as e:
        if e.code != ErrorCode.APPLICATION_PROBLEMS:
            raise
        bad += list((e.details or {}).get("problems") or [])
    if bad:
        raise DomainError(ErrorCode.APPLICATION_PROBLEMS, count=len(bad), problems="；".join(bad),
                          details={"problems": bad})
    return engine.application_accept(application=app, actor=request.user, business_date=bd)


@router.post("/applications", response={201: dict[str, Any]},
             summary="柜台受理个人住房公积金贷款申请（提交并受理；全部问题一次告知，有问题则不保存）")
def apply(request: HttpRequest, data: ApplyIn):
    center = _center(request, ACCEPT)
    stored: list[Document] = []
    try:
        app = _file(request, center, data, stored)
    except DomainError:
        for doc in stored:
            doc.file.storage.delete(doc.file.name)
        raise
    return _created(application_detail(actor=request.user, number=app.number, center=center))


# ---------------------------------------------------------------- contract, signatures, collateral, disbursement


def _app(request: HttpRequest, number: str, center: Center) -> Application:
    """The center's loan application of that number (the endpoint's own permission was checked first)."""
    app = Application.objects.filter(center=center, number=number, item_code=ITEM_CODE).first()
    if app is None:
        raise DomainError(ErrorCode.APPLICATION_NOT_FOUND, number=number, field="number")
    return app


def _contract_out(app: Application) -> dict[str, Any]:
    c = contract_of(app)
    if c is None:
        return {"application": app.number, "contract": None}
    return {"application": app.number, "state": app.state, "contract": {
        "contract_no": c.contract_no, "loan": c.loan.number, "status": c.status, "status_label": c.get_status_display(),
        "principal": c.principal, "annual_rate": str(c.annual_rate), "months": c.months, "method": c.method,
        "first_due": c.first_due, "home_order": c.home_order, "document_id": c.document_id, "sm3": c.document.sm3,
        "signed_on": c.signed_on, "signatures": signature_rows(c)}}


@router.post("/applications/{number}/contract", response={201: dict[str, Any]}, summary="生成借款合同（含还款计划）")
def contract(request: HttpRequest, number: str):
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        app = _app(request, number, center)
        contract_draw(application=app, actor=request.user, business_date=center.business_date)
    return _created(_contract_out(app))


class SignIn(Schema):
    role: str  # borrower, spouse, co_borrower
    name: str = ""  # the signer's name (needed only when several co-borrowers)
    way: str  # electronic | paper
    public_key: str = ""  # electronic: the signer's SM2 public key (hex, from the signer's certificate)
    signature: str = ""  # electronic: SM2 signature over the contract document's SM3 (hex)
    evidence: str = ""  # electronic: the certificate's serial / the e-signature service's reference
    scan_file_name: str = ""  # paper: the scanned signed pages
    scan_base64: str = ""


@router.post("/applications/{number}/sign", summary="借款合同当事人签署（可靠电子签名或纸质签字扫描）")
def sign(request: HttpRequest, number: str, data: SignIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        app = _app(request, number, center)
        scan = None
        if data.way == "paper" and data.scan_base64:
            bad: list[str] = []
            content = material_decode(MaterialIn(code="scan", file_name=data.scan_file_name or "签字页.pdf",
                                         content_base64=data.scan_base64), bad)
            if content is None:
                raise DomainError(ErrorCode.LOAN_SIGNATURE_INVALID, detail="；".join(bad), field="scan_base64")
            scan = document_store(center=center, content=content, original_name=data.scan_file_name or "签字页.pdf",
                                  doc_type=DocType.LOAN_CONTRACT, retention=RetentionClass.LONG_30Y,
                                  actor=request.user, business_date=center.business_date, obj=app)
        contract_sign(application=app, role=data.role, name=data.name.strip(), way=data.way, actor=request.user,
                      business_date=center.business_date, public_key=data.public_key.strip(),
                      signature=data.signature.strip(), evidence=data.evidence.strip(), scan=scan)
    return _contract_out(app)


class CollateralIn(Schema):
    certificate_no: str
    appraised_value: int
    registration: str  # none | preliminary | registered
    preliminary_no: str = ""
    registration_no: str = ""
    guarantor: str = ""
    guarantee_no: str = ""
    guarantee_until: str = ""


@router.post("/applications/{number}/collateral", summary="登记抵押物、抵押登记状态与阶段性担保")
def collateral(request: HttpRequest, number: str, data: CollateralIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        app = _app(request, number, center)
        c = collateral_record(application=app, actor=request.user, business_date=center.business_date,
                              **data.dict())
    return {"application": app.number, "certificate_no": c.certificate_no, "appraised_value": c.appraised_value,
            "ltv": str(c.ltv), "registration": c.registration, "registration_label": c.get_registration_display(),
            "guarantor": c.guarantor, "guarantee_no": c.guarantee_no}


def _disburser(request: HttpRequest, number: str, **_: Any) -> Center:
    return _center(request, "settlement.operate")


@router.post("/applications/{number}/disburse", summary="发放贷款（经结算平台划付售房人或开发企业账户）")
@idempotent(authorize=_disburser, money_moving=True)
def disburse(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, "settlement.operate")
    with transaction.atomic(durable=True):
        app = _app(request, number, center)
        app = engine.application_execute(application=app, actor=request.user, business_date=center.business_date)
    d = Disbursement.objects.filter(application=app).first()
    return {"number": app.number, "state": app.state, "state_label": app.get_state_display(),
            "result": app.result, "disbursement": ({"amount": d.amount, "state": d.state,
                                                    "instruction_seq": d.instruction_seq} if d else None)}


# last: "/{number}" would otherwise take the paths above (applications/…)
class RegistryPushIn(Schema):
    contract_no: str  # 借款合同编号 (sent with the registration request)
    registration: str  # preliminary 抵押预告登记 / registered 抵押登记
    certificate_no: str = ""
    preliminary_no: str = ""
    registration_no: str = ""


@router.post("/registry/registrations", auth=PartnerTokenAuth(scope="registry.push"),
             summary="不动产登记机构推送抵押登记状态（合作机构令牌，重复推送不重复变更）")
def registry_push(request: HttpRequest, data: RegistryPushIn) -> dict[str, Any]:
    c, changed = collateral_registry_push(actor=request.actor, contract_no=data.contract_no,  # type: ignore[attr-defined]
                                          registration=data.registration, certificate_no=data.certificate_no,
                                          preliminary_no=data.preliminary_no, registration_no=data.registration_no)
    return {"contract_no": data.contract_no, "registration": c.registration, "changed": changed,
            "preliminary_no": c.preliminary_no, "registration_no": c.registration_no}


@router.get("/{number}", summary="一笔贷款：当事人、发放、还款计划")
def loan(request: HttpRequest, number: str) -> dict[str, Any]:
    center = _center(request, "loans.view")
    return loan_detail(actor=request.user, center=center, number=number)
