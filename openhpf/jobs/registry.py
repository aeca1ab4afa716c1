"""What other apps tell the job runner about their kinds of job, so that it imports none of them.

    register_kind("contributions.remit_import", cancel=import_job_cancelled)
    register_kind("settlement.dayend", resume=lambda job, actor: dayend_run(center=job.center, actor=actor))

`cancel(job)` runs inside the cancelling transaction: it moves what the job owns (an import, say) to its
failed state and removes the job's work tables and files. `resume(job, actor)` runs the job again from where it
stopped (续跑); a kind without one can only be resumed by the command that started it. `resume_refusal(job)`, if
given, says in Chinese why this one job cannot be resumed (its file is gone, say), or "" when it can: the job
list offers 续跑 only then. `links(job)`, if given, returns (label, URL) pairs the job list shows beside the
job (the error list of a rejected roster file, say)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JobKind:
    kind: str
    cancel: Callable[[Any], None] | None = None
    resume: Callable[[Any, Any], Any] | None = None
    resume_refusal: Callable[[Any], str] | None = None
    links: Callable[[Any], list[tuple[str, str]]] | None = None


_KINDS: dict[str, JobKind] = {}


def register_kind(kind: str, *, cancel: Callable[[Any], None] | None = None,
                  resume: Callable[[Any, Any], Any] | None = None,
                  resume_refusal: Callable[[Any], str] | None = None,
                  links: Callable[[Any], list[tuple[str, str]]] | None = None) -> JobKind:
    """Register (or re-register, at a second app start-up) the hooks of one kind of job."""
    entry = JobKind(kind=kind, cancel=cancel, resume=resume, resume_refusal=resume_refusal, links=links)
    _KINDS[kind] = entry
    return entry


def job_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def resumable(kind: str) -> bool:
    entry = _KINDS.get(kind)
    return entry is not None and entry.resume is not None


def resume_refusal(job: Any) -> str:
    """Why this job's kind cannot resume this one job ("" when it can, or when its kind says nothing)."""
    entry = _KINDS.get(job.kind)
    if entry is None or entry.resume_refusal is None:
        return ""
    return entry.resume_refusal(job)


def job_links(job: Any) -> list[tuple[str, str]]:
    """The (label, URL) pairs the job's kind offers for this job (none when its kind says nothing)."""
    entry = _KINDS.get(job.kind)
    if entry is None or entry.links is None:
        return []
    return entry.links(job)
