"""Reads of maker-checker: the commands of a center waiting for a checker, a maker's own commands."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.core.paging import PAGE_SIZE, Page, paginate

from .models import PendingCommand


def _base() -> QuerySet[PendingCommand]:
    return PendingCommand.objects.select_related("maker", "maker__staff_profile", "checker",
                                                 "checker__staff_profile")


def _pending(center: Center, checker: Any = None) -> QuerySet[PendingCommand]:
    qs = _base().filter(center=center, status=PendingCommand.Status.PENDING)
    return qs.exclude(maker=checker) if checker is not None else qs


def commands_pending_page(*, center: Center, page: Any = 1, page_size: int = PAGE_SIZE,
                          checker: Any = None) -> Page[PendingCommand]:
    """待复核 a page at a time (oldest first) with the true total; with `checker`, only those it may decide (not
    its own)."""
    return paginate(_pending(center, checker).order_by("made_at", "id"), page, page_size)


def commands_of_maker_page(*, center: Center, maker: Any, page: Any = 1,
                           page_size: int = PAGE_SIZE) -> Page[PendingCommand]:
    """我提交的 a page at a time (newest first) with the true total."""
    return paginate(_base().filter(center=center, maker=maker).order_by("-made_at", "-id"), page, page_size)


def commands_pending_count(*, center: Center, checker: Any = None) -> int:
    """How many commands_pending_page lists over all its pages: the 待办 count of 待复核."""
    return _pending(center, checker).count()


def commands_keyed(*, center: Center | int, prefixes: tuple[str, ...], statuses: tuple[str, ...] = ("pending",),
                   since: date | None = None) -> list[PendingCommand]:
    """The center's commands in `statuses` whose idempotency key starts with one of `prefixes` (made on or after
    `since`): how an app finds the command it submitted for one of its objects (a key like
    `recon-book:<item>:<token>`), oldest first."""
    if not prefixes:
        return []
    match = Q()
    for p in prefixes:
        match |= Q(idempotency_key__startswith=p)
    qs = PendingCommand.objects.filter(match, center=center, status__in=statuses)
    if since is not None:
        qs = qs.filter(business_date__gte=since)
    return list(qs.order_by("made_at", "id"))


def command_get(*, center: Center, pk: int) -> PendingCommand:
    cmd = _base().filter(center=center, pk=pk).first()
    if cmd is None:
        raise DomainError(ErrorCode.COMMAND_NOT_FOUND, f"复核命令 {pk} 不存在", field="command")
    return cmd


def person_label(user: Any) -> str:
    """The name shown for a maker or checker: the staff display name, else the username."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    return (getattr(profile, "display_name", "") or "") or user.get_username()
