"""Collection cases (逾期催收): a case per overdue loan, its actions and its closing.

- `cases_open(center, on)`: the day-end step (order 71, `loan_cases`; the COB helper may call it too) opens a
  case for every 还款中 loan overdue at least `loan.collection.open_days` days (days from its first unpaid due
  date, the day after the due date being day 1) that has no open case, and closes the open cases whose loan is
  current again (结清逾期), settled or written off. Set-based: one SELECT and one bulk INSERT to open, one UPDATE
  per closing reason; idempotent (a rerun opens and closes nothing more).
- `case_action_add`: one collection action (电话/短信提醒, 催收通知书, 上门催收, 法律诉讼, 情况记录) in the case's
  history, with its date, note and an optional stored document; `case_assign` names the collector (催收人员).
  Restructuring adds its own action (`restructure.py`).
- Reads: `case_page` (the work queue, borrowers masked, read-audited), `case_detail`, `open_case_count` (the
  待办 count, the same filter as the queue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.paging import Page
from openhpf.core.personal import PersonalRead, personal_read
from openhpf.core.policy import policy_value

from .models import CollectionAction, CollectionCase, Loan

KINDS = dict(CollectionAction.Kind.choices)

OPEN_DAYS = "loan.collection.open_days"
OPERATE = "loans.operate"
VIEW = "loans.view"
LIVE = (CollectionCase.State.OPEN, CollectionCase.State.RESTRUCTURING)
Kind = CollectionAction.Kind
CLERK_KINDS = (Kind.REMINDER, Kind.NOTICE, Kind.VISIT, Kind.LEGAL, Kind.NOTE)  # restructuring: its own service
CLOSE_CURRENT = "借款人已归还全部逾期款项"
CLOSE_SETTLED = "贷款已结清"
CLOSE_WRITTEN_OFF = "贷款已核销"
CLOSE_RESTRUCTURED = "贷款已重组"


@dataclass(frozen=True)
class CasesRun:
    opened: int
    closed: int


def _live_case() -> Exists:
    return Exists(CollectionCase.objects.filter(loan_id=OuterRef("pk"), state__in=LIVE))


def cases_open(*, center: Any, on: date, actor: Actor) -> CasesRun:
    """Open the cases of `on` and close those whose loan no longer needs one (see the module docstring)."""
    cid = center if isinstance(center, int) else center.pk
    days = int(policy_value(OPEN_DAYS, on=on, center=cid))
    with transaction.atomic():
        closed = 0
        for reason, cond in ((CLOSE_CURRENT, Q(loan__status=Loan.Status.ACTIVE, loan__overdue_since__isnull=True)),
                             (CLOSE_SETTLED, Q(loan__status=Loan.Status.SETTLED)),
                             (CLOSE_WRITTEN_OFF, Q(loan__status=Loan.Status.WRITTEN_OFF))):
            closed += CollectionCase.objects.filter(cond, center_id=cid, state__in=LIVE).update(
                state=CollectionCase.State.CLOSED, closed_on=on, close_reason=reason)
        due = (Loan.objects.filter(center_id=cid, status=Loan.Status.ACTIVE, overdue_since__isnull=False,
                                   overdue_since__lte=on - timedelta(days=days))
               .filter(~_live_case()).order_by("pk").values_list("pk", flat=True))
        new = [CollectionCase(center_id=cid, loan_id=pk, opened_on=on) for pk in due.iterator(chunk_size=5000)]
        CollectionCase.objects.bulk_create(new, batch_size=2000)
        if new or closed:
            audit_log(actor=actor, action=AuditEvent.LOANS_CASE_OPEN, obj=("loans.collectioncase", cid),
                      center=cid, business_date=on,
                      after={"opened": len(new), "closed": closed, "open_days": days})
    return CasesRun(opened=len(new), closed=closed)


def _case_for_write(pk: int, center: Any) -> CollectionCase:
    case = CollectionCase.objects.select_for_update().filter(pk=pk, center=center).select_related("loan").first()
    if case is None:
        raise DomainError(ErrorCode.LOAN_CASE_NOT_FOUND, case=pk)
    if case.state == CollectionCase.State.CLOSED:
        raise DomainError(ErrorCode.LOAN_CASE_CLOSED, case=pk, reason=case.close_reason or "已结案")
    return case


def case_action_add(*, case: int, center: Any, kind: str, note: str, actor: Actor, business_date: date,
                    on: date | None = None, document: Any = None) -> CollectionAction:
    """One collection action in the case's history (`on`: the day it was done, not after the business date)."""
    if kind not in {k.value for k in CLERK_KINDS}:
        raise DomainError(ErrorCode.LOAN_CASE_INVALID, field="kind",
                          detail="催收方式应为：" + "、".join(f"{k.value}（{k.label}）" for k in CLERK_KINDS))
    note = (note or "").strip()
    if not note:
        raise DomainError(ErrorCode.LOAN_CASE_INVALID, field="note", detail="请填写情况说明")
    on = on or business_date
    if on > business_date:
        raise DomainError(ErrorCode.LOAN_CASE_INVALID, field="on", detail="催收日期不能晚于业务日期")
    with transaction.atomic():
        c = _case_for_write(case, center)
        if on < c.opened_on:
            raise DomainError(ErrorCode.LOAN_CASE_INVALID, field="on",
                              detail=f"催收日期不能早于立案日期 {c.opened_on.isoformat()}")
        a = CollectionAction.objects.create(case=c, kind=kind, on=on, note=note[:500], document=document,
                                            created_by=actor_label(actor))
        audit_log(actor=actor, action=AuditEvent.LOANS_CASE_ACTION, obj=c, center=c.center_id,
                  business_date=business_date,
                  after={"loan": c.loan.number, "kind": kind, "on": on.isoformat(), "note": note[:500]})
    return a


def case_assign(*, case: int, center: Any, assignee: str, actor: Actor, business_date: date) -> CollectionCase:
    """Name the collector of the case (a staff user name)."""
    assignee = (assignee or "").strip()
    if not assignee:
        raise DomainError(ErrorCode.LOAN_CASE_INVALID, field="assignee", detail="请填写催收人员")
    with transaction.atomic():
        c = _case_for_write(case, center)
        before = c.assignee
        c.assignee = assignee[:150]
        c.save(update_fields=["assignee"])
        audit_log(actor=actor, action=AuditEvent.LOANS_CASE_ASSIGN, obj=c, center=c.center_id,
                  business_date=business_date, before={"assignee": before}, after={"assignee": c.assignee})
    return c


def case_close_for(*, loan: Loan, on: date, reason: str) -> int:
    """Close the loan's live case now (restructuring, write-off); the day-end would close it the next night."""
    return CollectionCase.objects.filter(loan=loan, state__in=LIVE).update(
        state=CollectionCase.State.CLOSED, closed_on=on, close_reason=reason)


def live_case_of(loan: Loan) -> CollectionCase | None:
    return CollectionCase.objects.filter(loan=loan, state__in=LIVE).order_by("-pk").first()


# ---------------------------------------------------------------- reads


def _queue(center: Any, *, state: str = "open", assignee: str = "", risk_class: str = "",
           overdue_since_by: date | None = None) -> QuerySet[CollectionCase]:
    qs = CollectionCase.objects.filter(center=center)
    if state == "open":
        qs = qs.filter(state__in=LIVE)
    elif state:
        qs = qs.filter(state=state)
    if assignee:
        qs = qs.filter(assignee=assignee)
    if risk_class:
        qs = qs.filter(loan__risk_class=risk_class)
    if overdue_since_by is not None:
        qs = qs.filter(loan__overdue_since__lte=overdue_since_by)
    return qs


def open_case_count(center: Any, user: Any) -> int:
    """The 待办 count: the open cases of the center, what `case_page(state='open')` lists."""
    return _queue(center).count()


def _overdue_days(loan: Loan, on: date) -> int:
    return (on - loan.overdue_since).days if loan.overdue_since else 0


def _case_row(c: CollectionCase, read: PersonalRead, on: date) -> dict[str, Any]:
    ln = c.loan
    return {"id": c.pk, "loan": ln.number, "contract_no": ln.contract_no,
            "borrower": read.mask("name", ln.borrower.name), "state": c.state, "state_label": c.get_state_display(),
            "opened_on": c.opened_on, "closed_on": c.closed_on, "close_reason": c.close_reason,
            "assignee": c.assignee, "outstanding": ln.outstanding, "overdue_principal": ln.overdue_principal,
            "overdue_interest": ln.overdue_interest, "overdue_since": ln.overdue_since,
            "overdue_days": _overdue_days(ln, on), "overdue_amount": ln.overdue_principal + ln.overdue_interest,
            "risk_class": ln.risk_class, "risk_class_label": ln.get_risk_class_display(),
            "last_action": KINDS.get(getattr(c, "last_kind", None) or "", ""), "last_on": getattr(c, "last_on", None),
            "summary": f"逾期本金 {format_fen(ln.overdue_principal)} 元，欠息 {format_fen(ln.overdue_interest)} 元"}


@personal_read(AuditEvent.LOANS_CASE_LIST, perm=VIEW)
def case_page(*, actor: Actor, read: PersonalRead, center: Any, state: str = "open", assignee: str = "",
              risk_class: str = "", min_days: int = 0, page: int = 1, page_size: int = 20) -> Page[dict[str, Any]]:
    """The collection work queue (催收工作台): cases oldest overdue first, with their last action, borrowers masked,
    read-audited. `state`: open (催收中 and 重组审批中, the default), one state, closed, or '' for all; filters by
    collector, five-tier class and at least `min_days` overdue."""
    page_size = max(1, min(int(page_size or 20), 200))
    on = center.business_date
    qs = _queue(center, state=state, assignee=assignee, risk_class=risk_class,
                overdue_since_by=on - timedelta(days=min_days) if min_days else None)
    total = qs.count()
    last = max(1, -(-total // page_size))
    page = max(1, min(int(page or 1), last))
    latest = CollectionAction.objects.filter(case=OuterRef("pk")).order_by("-on", "-id")
    rows = (qs.select_related("loan", "loan__borrower")
            .annotate(last_kind=Subquery(latest.values("kind")[:1]), last_on=Subquery(latest.values("on")[:1]))
            .order_by(F("loan__overdue_since").asc(nulls_last=True), "pk")[(page - 1) * page_size: page * page_size])
    items = [_case_row(c, read, on) for c in rows]
    read.note(state=state, assignee=assignee, risk_class=risk_class, min_days=min_days, page=page, total=total,
              cases=[i["id"] for i in items])
    return Page(items, total, page, page_size)


@personal_read(AuditEvent.LOANS_CASE_LIST, perm=VIEW)
def case_detail(*, actor: Actor, read: PersonalRead, center: Any, case: int) -> dict[str, Any]:
    """One case with its history (newest first)."""
    c = CollectionCase.objects.filter(pk=case, center=center).select_related("loan", "loan__borrower").first()
    if c is None:
        raise DomainError(ErrorCode.LOAN_CASE_NOT_FOUND, case=case)
    read.about(c)
    read.note(case=c.pk, loan=c.loan.number)
    return {**_case_row(c, read, center.business_date),
            "actions": [{"kind": a.kind, "kind_label": a.get_kind_display(), "on": a.on, "note": a.note,
                         "document": a.document_id, "created_by": a.created_by}
                        for a in c.actions.order_by("-on", "-pk")]}
