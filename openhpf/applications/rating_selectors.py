"""好差评 reads: satisfaction by item and month, and the follow-ups (整改) of 差评 for the console.

Satisfaction = (非常满意 + 满意 + 基本满意) / 评价数, per item and month (the issue's rule: the three upper levels of
国办发〔2019〕51号 count as satisfied)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from openhpf.access.services import has_permission
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.paging import Page, paginate

from .models import SATISFIED_LEVELS, Rating, RatingFollowUp, RatingLevel

FOLLOWUP_PERMISSION = "applications.followup"


@dataclass(frozen=True)
class Satisfaction:
    item_code: str
    month: str  # YYYYMM
    rated: int
    satisfied: int
    counts: dict[str, int]  # level → count, every level present

    @property
    def rate(self) -> Decimal | None:
        """The satisfied share as a fraction of one (None when nothing was rated)."""
        return (Decimal(self.satisfied) / Decimal(self.rated)) if self.rated else None


def satisfaction(*, center: Any, month: str | None = None, item_code: str | None = None) -> list[Satisfaction]:
    """Satisfaction per (item, month) of the center's ratings, optionally of one month (YYYYMM) or one item."""
    qs = Rating.objects.filter(center=center)
    if month:
        qs = qs.filter(month=month)
    if item_code:
        qs = qs.filter(item_code=item_code)
    per_level = {f"n_{lv}": Count("id", filter=Q(level=lv)) for lv in RatingLevel.values}
    rows = (qs.values("item_code", "month")
            .annotate(rated=Count("id"), satisfied=Count("id", filter=Q(level__in=list(SATISFIED_LEVELS))),
                      **per_level)
            .order_by("month", "item_code"))
    return [Satisfaction(item_code=r["item_code"], month=r["month"], rated=r["rated"], satisfied=r["satisfied"],
                         counts={lv: r[f"n_{lv}"] for lv in RatingLevel.values}) for r in rows]


def application_rating(application: Any) -> Rating | None:
    return Rating.objects.filter(application=application).first()


def _followups(center: Any, user: Any) -> QuerySet[RatingFollowUp]:
    if not has_permission(user, FOLLOWUP_PERMISSION, center=center):
        return RatingFollowUp.objects.none()
    return (RatingFollowUp.objects.filter(center=center)
            .select_related("rating", "rating__application", "rating__application__item_version"))


def followup_page(*, center: Any, user: Any, status: str = "open", page: Any = 1) -> Page[RatingFollowUp]:
    """The follow-ups of the center, open ones first by due date (status '' = all), a page at a time."""
    qs = _followups(center, user)
    if status:
        qs = qs.filter(status=status)
    return paginate(qs.order_by("status", "due_on", "id"), page)


def followup_open_count(center: Any, user: Any) -> int:
    """The 待办 count: what `followup_page(status="open")` lists."""
    return _followups(center, user).filter(status=RatingFollowUp.Status.OPEN).count()


def followup_overdue(followup: RatingFollowUp, on: date) -> bool:
    return followup.status == RatingFollowUp.Status.OPEN and on > followup.due_on


def followup_get(*, center: Any, user: Any, pk: int) -> RatingFollowUp:
    found = _followups(center, user).filter(pk=pk).first()
    if found is None:
        raise DomainError(ErrorCode.FOLLOWUP_NOT_FOUND, pk=pk, field="pk")
    return found
