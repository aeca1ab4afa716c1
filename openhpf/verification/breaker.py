"""The circuit breaker of each source, its state in the database (models.SourceState) so that every process
(web workers, job runners, the day-end) sees the same: closed → open after `breaker_failures` failed queries in
a row → after `breaker_cooldown` seconds one trial query is let through (half-open; a conditional UPDATE picks
exactly one process) → closed again on its success, open again on its failure.

pybreaker keeps its state in memory or in Redis only; the platform has neither a Redis nor a wish to make a
second store a dependency of every deployment, so the state is one small row per source. Rows are written only
when something changes (a failure, an opening, a recovery): a healthy source costs one indexed read per query."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from openhpf.core.actors import SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.auditlog import audit_log

from .models import SourceState
from .sources import SourceConfig

S = SourceState.State
ACTOR = SystemActor("verification.breaker")


def _row(source: str) -> SourceState:
    row, _ = SourceState.objects.get_or_create(source=source)
    return row


def breaker_admit(cfg: SourceConfig, now: datetime | None = None) -> tuple[bool, str]:
    """(may the query go out, why not). Closed: yes. Open within the cool-down: no. Open past it (or a trial
    half-open past it, its process gone): one process wins the trial."""
    now = now or timezone.now()
    row = _row(cfg.source)
    if row.state == S.CLOSED:
        return True, ""
    assert row.opened_at is not None
    if now < row.opened_at + timedelta(seconds=cfg.breaker_cooldown):
        why = "熔断中" if row.state == S.OPEN else "试探查询进行中"
        return False, f"{why}：连续失败 {row.failures} 次，{row.opened_at + timedelta(seconds=cfg.breaker_cooldown):%H:%M:%S} 后重试"
    won = SourceState.objects.filter(pk=row.pk, state=row.state, opened_at=row.opened_at).update(
        state=S.HALF_OPEN, opened_at=now)
    return (True, "") if won else (False, "试探查询进行中")


def breaker_success(cfg: SourceConfig) -> None:
    now = timezone.now()
    changed = (SourceState.objects.filter(source=cfg.source).exclude(state=S.CLOSED, failures=0)
               .update(state=S.CLOSED, failures=0, opened_at=None, last_success_at=now))
    if changed:
        audit_log(actor=ACTOR, action=AuditEvent.VERIFICATION_SOURCE_CLOSE, obj=_row(cfg.source),
                  after={"source": cfg.source, "state": S.CLOSED})


def breaker_failure(cfg: SourceConfig, reason: str) -> SourceState:
    now = timezone.now()
    SourceState.objects.filter(source=cfg.source).update(failures=F("failures") + 1, last_failure_at=now,
                                                         last_failure=reason[:200])
    row = _row(cfg.source)
    if row.state == S.HALF_OPEN or (row.state == S.CLOSED and row.failures >= cfg.breaker_failures):
        SourceState.objects.filter(pk=row.pk).update(state=S.OPEN, opened_at=now)
        row.refresh_from_db()
        audit_log(actor=ACTOR, action=AuditEvent.VERIFICATION_SOURCE_OPEN, obj=row,
                  after={"source": cfg.source, "state": S.OPEN, "failures": row.failures, "reason": reason[:200],
                         "cooldown_seconds": cfg.breaker_cooldown})
    return row
