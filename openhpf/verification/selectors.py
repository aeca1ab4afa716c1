"""Reads of 核验: the query log (a personal-data read: subjects masked, scoped to the staff member's center,
audited), the breaker state of each source, and the answers of one application for the review screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from openhpf.core.audit_events import AuditEvent, AuditObject
from openhpf.core.authz import has_permission
from openhpf.core.paging import Page, paginate
from openhpf.core.personal import PersonalRead, personal_read

from .models import Source, SourceState, Status, VerificationQuery
from .sources import source_config

VIEW_PERMISSION = "verification.view"
REVIEW_PERMISSION = "applications.review"


@personal_read(AuditEvent.VERIFICATION_QUERIES_VIEW, perm=VIEW_PERMISSION)
def query_page(*, center: Any, actor: Any, read: PersonalRead, source: str = "", status: str = "",
               date_from: date | None = None, date_to: date | None = None, page: Any = None) -> Page[VerificationQuery]:
    """The query log of the center, newest first, filtered by source, status and the day of the query."""
    qs = read.scope(VerificationQuery.objects.all(), branch_field=None)
    if source in Source.values:
        qs = qs.filter(source=source)
    if status in Status.values:
        qs = qs.filter(status=status)
    if date_from is not None:
        qs = qs.filter(at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(at__date__lte=date_to)
    result = paginate(qs.order_by("-id"), page)
    read.note(source=source, status=status, date_from=date_from.isoformat() if date_from else None,
              date_to=date_to.isoformat() if date_to else None, page=result.page, total=result.total,
              queries=[q.pk for q in result.items])
    return result


@dataclass(frozen=True)
class BreakerRow:
    source: str
    label: str
    state: str
    state_label: str
    failures: int
    opened_at: datetime | None
    last_failure: str
    last_failure_at: datetime | None
    last_success_at: datetime | None
    timeout: float
    threshold: int
    cooldown: float
    adapter: str


def breaker_states() -> list[BreakerRow]:
    """Every source with its breaker (a source never asked is closed) and its configuration."""
    rows = {r.source: r for r in SourceState.objects.all()}
    out = []
    for src in Source:
        r, cfg = rows.get(src.value), source_config(src.value)
        state = r.state if r else SourceState.State.CLOSED
        out.append(BreakerRow(src.value, src.label, state, SourceState.State(state).label, r.failures if r else 0,
                              r.opened_at if r else None, r.last_failure if r else "",
                              r.last_failure_at if r else None, r.last_success_at if r else None,
                              cfg.timeout, cfg.breaker_failures, cfg.breaker_cooldown,
                              cfg.adapter.rsplit(".", 1)[-1]))
    return out


@personal_read(AuditEvent.VERIFICATION_ANSWERS_VIEW, perm=REVIEW_PERMISSION,
               obj=lambda b: (AuditObject.APPLICATION.value, b["application"].pk))
def application_answers(application: Any, *, actor: Any, read: PersonalRead) -> list[VerificationQuery]:
    """The queries made for one application (its center's), in the order asked."""
    rows = list(VerificationQuery.objects.filter(center_id=application.center_id,
                                                 application_number=application.number).order_by("id"))
    read.note(queries=[q.pk for q in rows])
    return rows


def review_rows(application: Any, actor: Any) -> list[tuple[str, str]]:
    """The review screen's section 核验结果: per query, the source's name → status, time and the short masked
    answer. Nothing (the section is not shown) for an application without queries or a viewer who may not
    review."""
    if not VerificationQuery.objects.filter(center_id=application.center_id,
                                            application_number=application.number).exists():
        return []
    if not has_permission(actor, REVIEW_PERMISSION, center=application.center_id):
        return []
    out = []
    for q in application_answers(application, actor=actor):
        when = timezone.localtime(q.at).strftime("%Y-%m-%d %H:%M:%S")
        text = f"{q.get_status_display()} · {when}"
        if q.summary:
            text += f" · {q.summary}"
        if q.status == Status.UNAVAILABLE:
            text += "（已转人工审核）"
        out.append((q.get_source_display(), text))
    return out
