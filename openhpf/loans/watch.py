"""抵押物状态动态监测 (collateral watch): the registry's status of each mortgaged home (已抵押, 已解押, 被查封, 已转让),
a warning when it turns bad, and the warning's disposal.

- `collateral_status_ingest(loan, status, source_ref, on)`: one status from the registry (pushed, or found by
  the pull); idempotent per `source_ref` (the registry's business number: the same one again returns the event
  already recorded). It records a `CollateralEvent` and the loan's `collateral_status`. A change to 被查封 or
  已转让 on a loan not settled raises a warning (`handling = warning`) that waits for disposal.
- `collateral_watch_pull(center, on)`: asks the registry, through the property source's adapter
  (`verification.verify`, question `watch`), about the certificate of every 还款中 loan with a registered
  collateral; a real adapter answers `collateral_status` (and its own `source_ref`); the local one says whether
  the certificate still belongs to the borrower (not: 已转让). Only a status other than the loan's last known one
  is ingested. `hpf loan collateral-watch` runs it (no day-end step).
- `collateral_event_handle(event, to, note)`: the disposal workflow, audited: 预警待处置 → 处置中 → 已处置 (a
  note required to close; 预警待处置 → 已处置 directly when nothing is to be done).
- 待办: "抵押物预警待处置" counts the open warnings (预警待处置 and 处置中) of the center."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from openhpf.access.selectors import check_permission
from openhpf.core import todo
from openhpf.core.actors import Actor, actor_label
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.verification.models import Status as AnswerStatus
from openhpf.verification.services import verify

from .models import Collateral, CollateralEvent, Loan

OPERATE = "loans.operate"
S = CollateralEvent.Status
H = CollateralEvent.Handling
BAD = (S.SEIZED, S.SOLD)
OPEN_HANDLING = (H.WARNING, H.HANDLING)


def _bad(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.LOAN_COLLATERAL_INVALID, detail=detail, field=field)


@transaction.atomic
def collateral_status_ingest(*, loan: Loan, status: str, source_ref: str, on: date, actor: Actor,
                             detail: str = "") -> tuple[CollateralEvent, bool]:
    """Record one status of the loan's collateral; (the event, whether it is new)."""
    if status not in S.values:
        raise _bad("抵押物状态应为已抵押、已解押、被查封或已转让", "status")
    source_ref = (source_ref or "").strip()
    if not source_ref:
        raise _bad("缺少登记机构业务号", "source_ref")
    seen = CollateralEvent.objects.filter(loan=loan, source_ref=source_ref[:60]).first()
    if seen is not None:
        if seen.status != status:
            raise _bad(f"登记机构业务号 {source_ref} 已登记为「{seen.get_status_display()}」", "source_ref")
        return seen, False
    # the status column alone, not through loan_for_write: a feed is never refused during the close of business
    ln = Loan.objects.select_for_update().get(pk=loan.pk)
    warn = status in BAD and ln.status in (Loan.Status.ACTIVE, Loan.Status.APPROVED)
    ev = CollateralEvent.objects.create(
        center_id=ln.center_id, loan=ln, status=status, on=on, source_ref=source_ref[:60], detail=detail[:300],
        handling=H.WARNING if warn else H.NONE, created_by=actor_label(actor))
    before = ln.collateral_status
    Loan.objects.filter(pk=ln.pk).update(collateral_status=status)
    audit_log(actor=actor, action=AuditEvent.LOANS_COLLATERAL_STATUS, obj=ln, center=ln.center_id,
              business_date=on, before={"collateral_status": before},
              after={"loan": ln.number, "collateral_status": status, "source_ref": source_ref, "warning": warn,
                     "event": ev.pk})
    return ev, True


@transaction.atomic
def collateral_event_handle(*, event: CollateralEvent | int, to: str, note: str, actor: Actor,
                            business_date: date) -> CollateralEvent:
    """Move a warning on: to 处置中 (`handling`) or to 已处置 (`closed`, with what was done)."""
    pk = event if isinstance(event, int) else event.pk
    ev = CollateralEvent.objects.select_for_update().select_related("loan").filter(pk=pk).first()
    if ev is None:
        raise DomainError(ErrorCode.LOAN_NOT_FOUND, number=f"抵押物预警 {pk}", field="event")
    check_permission(actor, OPERATE, center=ev.center_id)
    allowed = {H.WARNING: (H.HANDLING, H.CLOSED), H.HANDLING: (H.CLOSED,)}
    if to not in allowed.get(H(ev.handling), ()):
        raise DomainError(ErrorCode.LOAN_COLLATERAL_HANDLING, event=ev.pk, state=ev.get_handling_display(),
                          action=f"转为「{H(to).label if to in H.values else to}」", field="to")
    note = (note or "").strip()
    if to == H.CLOSED and not note:
        raise _bad("结束处置须填写处置说明", "note")
    before = {"handling": ev.handling, "note": ev.handled_note}
    ev.handling = to
    if note:
        ev.handled_note = (f"{ev.handled_note}；{note}" if ev.handled_note else note)[:300]
    ev.handled_by, ev.handled_on = actor_label(actor)[:150], business_date
    ev.save(update_fields=["handling", "handled_note", "handled_by", "handled_on"])
    audit_log(actor=actor, action=AuditEvent.LOANS_COLLATERAL_HANDLE, obj=ev.loan, center=ev.center_id,
              business_date=business_date, before=before,
              after={"loan": ev.loan.number, "event": ev.pk, "handling": to, "note": note})
    return ev


def warnings_open(center: Any) -> list[CollateralEvent]:
    """The center's warnings not yet disposed of (预警待处置, 处置中), oldest first: the 待办 queue's page."""
    return list(CollateralEvent.objects.filter(center=center, handling__in=OPEN_HANDLING)
                .select_related("loan").order_by("on", "pk"))


def open_warnings(center: Any) -> int:
    return CollateralEvent.objects.filter(center=center, handling__in=OPEN_HANDLING).count()


def events_of(loan: Loan) -> list[dict[str, Any]]:
    return [{"id": e.pk, "status": e.status, "status_label": e.get_status_display(), "on": e.on,
             "source_ref": e.source_ref, "detail": e.detail, "handling": e.handling,
             "handling_label": e.get_handling_display(), "handled_note": e.handled_note, "handled_by": e.handled_by,
             "handled_on": e.handled_on}
            for e in CollateralEvent.objects.filter(loan=loan).order_by("on", "pk")]


@dataclass
class WatchResult:
    asked: int = 0
    changed: int = 0
    warnings: int = 0
    unavailable: int = 0


def collateral_watch_pull(*, center: Center, actor: Actor, on: date, batch: int = 500) -> WatchResult:
    """Ask the registry about the collateral of every 还款中 loan (see the module doc); each loan in its own
    transaction, so a rerun continues where it stopped (what was ingested is skipped by its source_ref)."""
    check_permission(actor, OPERATE, center=center)
    out = WatchResult()
    last = 0
    while True:
        loans = list(Loan.objects.filter(center=center, status=Loan.Status.ACTIVE, application__isnull=False,
                                         pk__gt=last).select_related("borrower").order_by("pk")[:batch])
        if not loans:
            return out
        colls = {c.application_id: c for c in Collateral.objects.filter(
            application_id__in=[ln.application_id for ln in loans]).exclude(registration=Collateral.Registration.NONE)}
        for ln in loans:
            last = ln.pk
            c = colls.get(ln.application_id) if ln.application_id is not None else None
            if c is None:
                continue
            out.asked += 1
            answer = verify("property", subject=ln.borrower.id_number, purpose=f"抵押物状态监测 {ln.number}",
                            requester=actor, center=center,
                            question={"certificate_no": c.certificate_no, "watch": True, "on": on})
            if answer.unavailable:
                out.unavailable += 1
                continue
            status = str(answer.data.get("collateral_status") or "")
            if not status and answer.data.get("owns_certificate") is not None:
                status = S.MORTGAGED if answer.data.get("owns_certificate") else S.SOLD
            if status not in S.values or status == (ln.collateral_status or S.MORTGAGED):
                continue
            ref = str(answer.data.get("source_ref") or f"WATCH-{c.certificate_no}-{status}")
            ev, new = collateral_status_ingest(loan=ln, status=status, source_ref=ref, on=on, actor=actor,
                                               detail=(answer.summary or AnswerStatus(answer.status).label)[:300])
            out.changed += int(new)
            out.warnings += int(new and ev.handling == H.WARNING)


def register_todo() -> None:
    todo.register_todo("loans.collateral_warnings", "抵押物预警待处置", OPERATE,
                       count=lambda center, user: open_warnings(center), url_name="loans:collateral_warnings", order=60,
                       hint="抵押物被查封或已转让的贷款，登记处置情况")
