"""JSON API of accounts (单位与个人账户): search and detail (masked) and the account commands.

Mounted by openhpf/api.py as `api.add_router("/accounts/", router)`. Each POST is an entry point: it opens the
durable transaction, and is idempotent by its `Idempotency-Key` header (core/idempotency.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from openhpf.core.error_codes import ErrorCode

try:  # django-ninja ≥ 1.5 deprecates returning (status, body) tuples
    from ninja import Status
except ImportError:  # pragma: no cover
    Status = None  # type: ignore[assignment,misc]

from openhpf.access.selectors import check_permission
from openhpf.core.errors import DomainError
from openhpf.core.idempotency import idempotent
from openhpf.core.masking import ID_OR_PHONE
from openhpf.core.models import Branch, Center
from openhpf.iam.services import staff_center

from . import selectors, services
from .models import Employer, MemberAccount

router = Router(tags=["单位与个人账户"])


# ---------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    row: int | None = None


class EmployerSummaryOut(Schema):
    account_no: str
    name: str
    credit_code: str
    status: str
    status_label: str


class EmployerOut(EmployerSummaryOut):
    economic_type: str
    industry: str
    branch_code: str
    payday: int
    employer_ratio: str
    member_ratio: str
    suspense_balance: int = Field(description="暂存款余额（分）")
    paid_up_to: str
    contact_name: str
    contact_phone: str
    address: str
    bank_account: str
    opened_date: date
    closed_date: date | None
    members_normal: int
    members_sealed: int
    members_frozen: int
    monthly_amount: int = Field(description="正常账户月缴存额合计（分）")


class MemberSummaryOut(Schema):
    account_no: str
    name: str
    id_number: str
    phone: str
    employer_no: str
    employer_name: str
    status: str
    status_label: str


class MemberAccountOut(Schema):
    account_no: str
    name: str
    id_type: str
    id_number: str
    phone: str
    sex: str
    birth_date: date
    employer_no: str
    employer_name: str
    branch_code: str
    status: str
    status_label: str
    freeze_kind: str
    freeze_label: str
    base: int = Field(description="缴存基数（分）")
    employer_ratio: str
    member_ratio: str
    employer_amount: int
    member_amount: int
    monthly_amount: int
    paid_up_to: str
    opened_date: date
    sealed_date: date | None
    seal_reason: str
    closed_date: date | None
    balance: int
    balance_current: int
    balance_carried: int
    frozen_amount: int
    hold_amount: int
    available: int


class HistoryRowOut(Schema):
    id: int
    business_date: date
    value_date: date
    biz_type: str
    biz_label: str
    amount: int
    amount_current: int
    amount_carried: int
    balance_after: int
    reference: str
    voucher_no: str
    month: str = Field("", description="所属年月（汇缴、补缴、退缴行），其他行为空")
    summary: str = Field("", description="摘要（记账凭证摘要），非资金行为空")


class HistoryOut(Schema):
    items: list[HistoryRowOut]
    total: int
    page: int
    page_size: int
    pages: int


class EmployerRegisterIn(Schema):
    name: str
    credit_code: str
    economic_type: str
    industry: str
    payday: int
    employer_ratio: Decimal
    member_ratio: Decimal
    branch_code: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""


class EmployerChangeIn(Schema):
    """单位信息变更: only the fields given change."""

    name: str | None = None
    payday: int | None = None
    employer_ratio: Decimal | None = None
    member_ratio: Decimal | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None


class ReasonIn(Schema):
    reason: str = ""


class AccountOpenIn(Schema):
    employer_no: str
    name: str
    id_type: str = "01"
    id_number: str
    phone: str = ""
    marital_status: str = "90"
    base: int = Field(description="缴存基数（分）")
    employer_ratio: Decimal | None = None
    member_ratio: Decimal | None = None
    branch_code: str | None = None
    birth_date: date | None = None
    sex: str | None = None


class SealIn(Schema):
    reason: str


class MoveIn(Schema):
    employer_no: str
    base: int | None = None
    employer_ratio: Decimal | None = None
    member_ratio: Decimal | None = None


class MergeIn(Schema):
    into: str = Field(description="并入的个人账号（同一人的另一个账户）")
    reason: str


class FreezeIn(Schema):
    kind: str = Field(description="1 全部冻结，2 部分冻结，3 异地贷款担保冻结")
    amount: int | None = Field(None, description="冻结金额（分），部分冻结与异地贷款担保冻结必填")
    reason: str
    reference: str = ""


class UnfreezeIn(Schema):
    reason: str
    reference: str = ""


class BaseIn(Schema):
    base: int


class RatioIn(Schema):
    employer_ratio: Decimal
    member_ratio: Decimal


# ---------------------------------------------------------------- plumbing

Body = tuple[int, dict[str, Any]]


def _center(request: HttpRequest) -> Center:
    center = staff_center(request.user)
    if center is None:
        raise HttpError(403, "当前用户未归属任何管理中心")
    return center


def _branch(center: Center, code: str | None) -> Branch | None:
    if not code:
        return None
    b = Branch.objects.filter(center=center, code=code).first()
    if b is None:
        raise DomainError(ErrorCode.BRANCH_UNKNOWN, f"网点 {code} 不存在", field="branch_code")
    return b


def _respond(status: int, body: dict[str, Any]) -> Any:
    return Status(status, body) if Status is not None else (status, body)


def _command(request: HttpRequest, run: Callable[[Center, date], Body]) -> Any:
    """Run one command in the durable transaction, on the center's business date as it is now."""
    center = _center(request)
    with transaction.atomic(durable=True):
        current = Center.objects.get(pk=center.pk)
        return _respond(*run(current, current.business_date))


def _may(perm: str, lookup: str | None = None) -> Callable[..., Center]:
    """The authorization of a command, run before any replay of its Idempotency-Key: `perm` at the caller's
    center, and the employer or account of the path visible to the caller (`lookup`)."""

    def authorize(request: HttpRequest, account_no: str = "", **_: Any) -> Center:
        center = _center(request)
        check_permission(request.user, perm, center=center)
        if lookup == "employer":
            _employer(center, account_no, request.user)
        elif lookup == "account":
            _account(center, account_no, request.user)
        return center

    return authorize


def _account(center: Center, account_no: str, user: Any) -> MemberAccount:
    try:
        return selectors.member_account_get(center=center, account_no=account_no, user=user)
    except DomainError as e:
        raise HttpError(404, e.message) from None


def _employer(center: Center, account_no: str, user: Any) -> Employer:
    try:
        return selectors.employer_get(center=center, account_no=account_no, user=user)
    except DomainError as e:
        raise HttpError(404, e.message) from None


def _account_body(acct: MemberAccount, user: Any) -> dict[str, Any]:
    return selectors.member_account_detail(account=acct, actor=user).as_dict()


def _employer_body(e: Employer, user: Any) -> dict[str, Any]:
    d = selectors.employer_detail(employer=e, actor=user)
    out = {k: getattr(d, k) for k in EmployerOut.model_fields}
    return out


# ---------------------------------------------------------------- employers

ERR = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/employers", response=list[EmployerSummaryOut], summary="单位查询（单位账号、统一社会信用代码、名称）")
def employer_search(request: HttpRequest, q: str, limit: int = 20):
    return [vars(e) for e in selectors.employer_search(center=_center(request), q=q, user=request.user, limit=limit)]


@router.get("/employers/{account_no}", response={200: EmployerOut, **ERR}, summary="单位详情")
def employer_get(request: HttpRequest, account_no: str):
    return _employer_body(_employer(_center(request), account_no, request.user), request.user)


@router.post("/employers", response={201: EmployerOut, **ERR}, summary="单位登记开户")
@idempotent(authorize=_may("accounts.open"))
def employer_register(request: HttpRequest, data: EmployerRegisterIn):
    def run(center: Center, bd: date) -> Body:
        e = services.employer_register(
            center=center, name=data.name, credit_code=data.credit_code, economic_type=data.economic_type,
            industry=data.industry, payday=data.payday, employer_ratio=data.employer_ratio,
            member_ratio=data.member_ratio, branch=_branch(center, data.branch_code), contact_name=data.contact_name,
            contact_phone=data.contact_phone, address=data.address, actor=request.user, business_date=bd,
        )
        return 201, _employer_body(e, request.user)

    return _command(request, run)


@router.post("/employers/{account_no}/change", response={200: EmployerOut, **ERR}, summary="单位信息变更")
@idempotent(authorize=_may("accounts.change", "employer"))
def employer_change(request: HttpRequest, account_no: str, data: EmployerChangeIn):
    def run(center: Center, bd: date) -> Body:
        e = services.employer_change(employer=_employer(center, account_no, request.user), actor=request.user,
                                     business_date=bd, **data.dict(exclude_none=True))
        return 200, _employer_body(e, request.user)

    return _command(request, run)


def _employer_command(request: HttpRequest, account_no: str, fn: Callable[..., Employer], reason: str) -> Any:
    def run(center: Center, bd: date) -> Body:
        e = fn(employer=_employer(center, account_no, request.user), reason=reason, actor=request.user, business_date=bd)
        return 200, _employer_body(e, request.user)

    return _command(request, run)


@router.post("/employers/{account_no}/suspend", response={200: EmployerOut, **ERR}, summary="单位封存")
@idempotent(authorize=_may("accounts.change", "employer"))
def employer_suspend(request: HttpRequest, account_no: str, data: ReasonIn):
    return _employer_command(request, account_no, services.employer_suspend, data.reason)


@router.post("/employers/{account_no}/resume", response={200: EmployerOut, **ERR}, summary="单位启封")
@idempotent(authorize=_may("accounts.change", "employer"))
def employer_resume(request: HttpRequest, account_no: str, data: ReasonIn):
    return _employer_command(request, account_no, services.employer_resume, data.reason)


@router.post("/employers/{account_no}/close", response={200: EmployerOut, **ERR}, summary="单位销户")
@idempotent(authorize=_may("accounts.change", "employer"))
def employer_close(request: HttpRequest, account_no: str, data: ReasonIn):
    return _employer_command(request, account_no, services.employer_close, data.reason)


# ---------------------------------------------------------------- member accounts


class MemberSearchIn(Schema):
    q: str = Field(..., max_length=60, description="个人账号、证件号码、手机号码或姓名前缀")
    limit: int = Field(20, ge=1, le=100)


@router.post("/members/search", response=list[MemberSummaryOut],
             summary="个人账户查询（账号、证件号码、手机号、姓名前缀，脱敏；查询条件放在请求体中，不进入网址和访问日志）")
def member_search_post(request: HttpRequest, body: MemberSearchIn):
    center = _center(request)
    rows = selectors.member_search(center=center, q=body.q, actor=request.user, limit=body.limit)
    return [vars(r) for r in rows]


@router.get("/members", response=list[MemberSummaryOut],
            summary="个人账户查询（仅按个人账号；证件号码、手机号码、姓名请用 POST /members/search）")
def member_search(request: HttpRequest, q: str, limit: int = 20):
    center = _center(request)
    check_permission(request.user, "accounts.view", center=center)
    if not q.strip().isdigit() or ID_OR_PHONE.search(q):
        # an ID number, a phone or a name in the URL reaches access logs and proxies: POST it in the body
        raise DomainError(ErrorCode.PERSONAL_IN_URL, method="POST", path="/api/v1/accounts/members/search",
                          field="q")
    rows = selectors.member_search(center=center, q=q, actor=request.user, limit=limit)
    return [vars(r) for r in rows]


@router.get("/members/{account_no}", response={200: MemberAccountOut, **ERR}, summary="个人账户详情（脱敏）")
def member_get(request: HttpRequest, account_no: str):
    center = _center(request)
    return _account_body(_account(center, account_no, request.user), request.user)


@router.get("/members/{account_no}/history", response={200: HistoryOut, **ERR}, summary="个人明细账（最新在前）")
def member_history(request: HttpRequest, account_no: str, page: int = 1, page_size: int = 20,
                   date_from: date | None = None, date_to: date | None = None):
    center = _center(request)
    acct = _account(center, account_no, request.user)
    p = selectors.account_history(account=acct, actor=request.user, page=page, page_size=page_size,
                                  date_from=date_from, date_to=date_to)
    return {"items": [vars(r) for r in p.items], "total": p.total, "page": p.page, "page_size": p.page_size,
                 "pages": p.pages}


@router.post("/members", response={201: MemberAccountOut, **ERR}, summary="个人账户开户")
@idempotent(authorize=_may("accounts.open"))
def member_open(request: HttpRequest, data: AccountOpenIn):
    def run(center: Center, bd: date) -> Body:
        employer = selectors.employer_get(center=center, account_no=data.employer_no, user=request.user)  # unknown → 422
        acct = services.member_account_open(
            center=center, employer=employer, name=data.name, id_type=data.id_type, id_number=data.id_number,
            phone=data.phone, marital_status=data.marital_status, base=data.base,
            employer_ratio=data.employer_ratio, member_ratio=data.member_ratio,
            branch=_branch(center, data.branch_code), birth_date=data.birth_date, sex=data.sex,
            actor=request.user, business_date=bd,
        )
        return 201, _account_body(acct, request.user)

    return _command(request, run)


def _account_command(request: HttpRequest, account_no: str,
                     call: Callable[[MemberAccount, Center, date], MemberAccount]) -> Any:
    def run(center: Center, bd: date) -> Body:
        return 200, _account_body(call(_account(center, account_no, request.user), center, bd), request.user)

    return _command(request, run)


@router.post("/members/{account_no}/seal", response={200: MemberAccountOut, **ERR}, summary="个人账户封存")
@idempotent(authorize=_may("accounts.change", "account"))
def member_seal(request: HttpRequest, account_no: str, data: SealIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_seal(
        account=a, reason=data.reason, actor=request.user, business_date=bd))


@router.post("/members/{account_no}/unseal", response={200: MemberAccountOut, **ERR}, summary="个人账户启封")
@idempotent(authorize=_may("accounts.change", "account"))
def member_unseal(request: HttpRequest, account_no: str, data: MoveIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_unseal(
        account=a, employer=selectors.employer_get(center=c, account_no=data.employer_no, user=request.user), base=data.base,
        employer_ratio=data.employer_ratio, member_ratio=data.member_ratio, actor=request.user, business_date=bd))


@router.post("/members/{account_no}/transfer", response={200: MemberAccountOut, **ERR}, summary="个人账户内部转移")
@idempotent(authorize=_may("accounts.change", "account"))
def member_transfer(request: HttpRequest, account_no: str, data: MoveIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_transfer_internal(
                                account=a, to_employer=selectors.employer_get(center=c, account_no=data.employer_no, user=request.user),
                                base=data.base, employer_ratio=data.employer_ratio, member_ratio=data.member_ratio,
                                actor=request.user, business_date=bd))


@router.post("/members/{account_no}/merge", response={200: MemberAccountOut, **ERR},
             summary="个人账户合并（本账户余额、积数与缴存月份并入同一人的另一账户，本账户合并销户）")
@idempotent(authorize=_may("accounts.change", "account"))
def member_merge(request: HttpRequest, account_no: str, data: MergeIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_accounts_merge(
        source=a, target=_merge_target(c, data.into, request.user), reason=data.reason, actor=request.user,
        business_date=bd))


def _merge_target(center: Center, account_no: str, user: Any) -> MemberAccount:
    try:
        return selectors.member_account_get(center=center, account_no=account_no, user=user)
    except DomainError as e:
        raise DomainError(ErrorCode.ACCOUNT_UNKNOWN, e.message, field="into") from None


@router.post("/members/{account_no}/freeze", response={200: MemberAccountOut, **ERR}, summary="个人账户冻结")
@idempotent(authorize=_may("accounts.freeze", "account"))
def member_freeze(request: HttpRequest, account_no: str, data: FreezeIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_freeze(
        account=a, kind=data.kind, amount=data.amount, reason=data.reason, reference=data.reference,
        actor=request.user, business_date=bd))


@router.post("/members/{account_no}/unfreeze", response={200: MemberAccountOut, **ERR}, summary="个人账户解冻")
@idempotent(authorize=_may("accounts.freeze", "account"))
def member_unfreeze(request: HttpRequest, account_no: str, data: UnfreezeIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_unfreeze(
        account=a, reason=data.reason, reference=data.reference, actor=request.user, business_date=bd))


@router.post("/members/{account_no}/base", response={200: MemberAccountOut, **ERR}, summary="缴存基数调整")
@idempotent(authorize=_may("accounts.change", "account"))
def member_change_base(request: HttpRequest, account_no: str, data: BaseIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_change_base(
        account=a, base=data.base, actor=request.user, business_date=bd))


@router.post("/members/{account_no}/ratio", response={200: MemberAccountOut, **ERR}, summary="缴存比例调整")
@idempotent(authorize=_may("accounts.change", "account"))
def member_change_ratio(request: HttpRequest, account_no: str, data: RatioIn):
    return _account_command(request, account_no, lambda a, c, bd: services.member_account_change_ratio(
        account=a, employer_ratio=data.employer_ratio, member_ratio=data.member_ratio, actor=request.user,
        business_date=bd))
