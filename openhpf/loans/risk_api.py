"""JSON API of overdue management (mounted at /api/v1/loans/ before the loans router, so that /cases, /risk and
/credit-export are not taken for loan numbers). Money in fen.

- `GET /api/v1/loans/cases` (`loans.view`): the collection work queue (state open | closed | '' for all,
  assignee, paged; borrowers masked, read-audited); `GET /api/v1/loans/cases/{case}`: one case with its history.
- `POST /api/v1/loans/cases/{case}/actions` (`loans.operate`): a collection action (kind reminder | notice |
  visit | legal | note, note, on); `POST /api/v1/loans/cases/{case}/assign` (`loans.operate`): the collector.
- `POST /api/v1/loans/{number}/restructure` (`loans.operate`): submits 贷款重组 for a checker (months,
  annual_rate, reason); `POST /api/v1/loans/{number}/write-off` (`loans.operate`): submits 贷款核销 (reason).
  Both answer the stored command; the checker approves through /api/v1/approvals/commands/{pk}/approve.
- `POST /api/v1/loans/{number}/recoveries` (`loans.operate`): money received on a written-off loan (amount,
  reference, account: the 专户's GL code, bank_ref).
- `GET /api/v1/loans/risk` (`loans.view`): the ‰ overdue rate, the overdue buckets and the class mix.
- `GET /api/v1/loans/credit-export?month=YYYY-MM` (`loans.operate`): the 征信 data set as CSV, streamed.
Every POST is idempotent by its `Idempotency-Key`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Schema

from openhpf.approvals.services import command_submit
from openhpf.core.authz import staff_center_required
from openhpf.core.idempotency import idempotent
from openhpf.core.models import Center
from openhpf.documents.pdf import content_disposition

from . import restructure, writeoff
from .collection import case_action_add, case_assign, case_detail, case_page
from .credit import credit_export, csv_lines
from .risk import risk_summary

router = Router(tags=["贷后管理"])
OPERATE = "loans.operate"
VIEW = "loans.view"


def _center(request: HttpRequest, perm: str) -> Center:
    return staff_center_required(request.user, perm=perm)


def _operator(request: HttpRequest, *args: Any, **kwargs: Any) -> Center:
    return _center(request, OPERATE)


class ActionIn(Schema):
    kind: str
    note: str
    on: date | None = None


class AssignIn(Schema):
    assignee: str


class RestructureIn(Schema):
    months: int
    annual_rate: str = ""
    reason: str


class WriteOffIn(Schema):
    reason: str


class RecoveryIn(Schema):
    amount: int
    reference: str
    account: str
    bank_ref: str = ""


@router.get("/cases", summary="逾期催收案件（催收工作台；借款人姓名脱敏）")
def cases(request: HttpRequest, state: str = "open", assignee: str = "", page: int = 1,
          page_size: int = 20) -> dict[str, Any]:
    center = _center(request, VIEW)
    p = case_page(actor=request.user, center=center, state=state, assignee=assignee, page=page, page_size=page_size)
    return {"total": p.total, "page": p.page, "page_size": p.page_size, "items": p.items}


@router.get("/cases/{case}", summary="一个催收案件及其催收记录")
def case(request: HttpRequest, case: int) -> dict[str, Any]:
    return case_detail(actor=request.user, center=_center(request, VIEW), case=case)


@router.post("/cases/{case}/actions", summary="登记催收记录（电话/短信提醒、催收通知书、上门催收、法律诉讼、情况记录）")
@idempotent(authorize=_operator, money_moving=True)
def case_action(request: HttpRequest, case: int, data: ActionIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        a = case_action_add(case=case, center=center, kind=data.kind, note=data.note, on=data.on,
                            actor=request.user, business_date=center.business_date)
    return {"case": case, "action": a.pk, "kind": a.kind, "kind_label": a.get_kind_display(), "on": a.on}


@router.post("/cases/{case}/assign", summary="指派催收人员")
@idempotent(authorize=_operator, money_moving=True)
def case_assignee(request: HttpRequest, case: int, data: AssignIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        c = case_assign(case=case, center=center, assignee=data.assignee, actor=request.user,
                        business_date=center.business_date)
    return {"case": c.pk, "assignee": c.assignee}


def _submitted(cmd: Any) -> dict[str, Any]:
    return {"command": cmd.pk, "name": cmd.name, "status": cmd.status, "summary": cmd.summary}


@router.post("/{number}/restructure", summary="提交贷款重组（经复核后生效）")
@idempotent(authorize=_operator, money_moving=True)
def restructure_submit(request: HttpRequest, number: str, data: RestructureIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        cmd = command_submit(name=restructure.COMMAND, actor=request.user, center=center,
                             business_date=center.business_date,
                             params={"loan": number, "months": data.months, "annual_rate": data.annual_rate,
                                     "reason": data.reason})
    return _submitted(cmd)


@router.post("/{number}/write-off", summary="提交贷款核销（经复核后借记贷款风险准备、贷记逾期贷款）")
@idempotent(authorize=_operator, money_moving=True)
def write_off_submit(request: HttpRequest, number: str, data: WriteOffIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        cmd = command_submit(name=writeoff.COMMAND, actor=request.user, center=center,
                             business_date=center.business_date, params={"loan": number, "reason": data.reason})
    return _submitted(cmd)


@router.post("/{number}/recoveries", summary="已核销贷款收回（借记专户、贷记贷款风险准备）")
@idempotent(authorize=_operator, money_moving=True)
def recovery(request: HttpRequest, number: str, data: RecoveryIn) -> dict[str, Any]:
    center = _center(request, OPERATE)
    with transaction.atomic(durable=True):
        pay = writeoff.recovery_record(center=center, loan=number, amount=data.amount, reference=data.reference,
                                       account=data.account, bank_ref=data.bank_ref, actor=request.user,
                                       business_date=center.business_date)
    return {"loan": number, "payment": pay.pk, "reference": pay.reference, "amount": pay.amount,
            "voucher": pay.entry.voucher_no if pay.entry else ""}


@router.get("/risk", summary="贷款风险指标：个贷逾期率（‰）、逾期时间分布、五级分类")
def risk(request: HttpRequest) -> dict[str, Any]:
    center = _center(request, VIEW)
    return risk_summary(center, center.business_date)


@router.get("/credit-export", summary="征信报送数据（个人借贷账户信息，CSV，流式输出）")
def credit(request: HttpRequest, month: str = "") -> StreamingHttpResponse:
    center = _center(request, OPERATE)
    export = credit_export(actor=request.user, center=center, month=month)
    resp = StreamingHttpResponse(csv_lines(export), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = content_disposition(f"征信报送-{export.month:%Y-%m}.csv")
    return resp
