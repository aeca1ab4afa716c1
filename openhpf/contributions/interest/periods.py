"""Rate periods inside an interest year (利率调整分段).

On a new deposit rate's effective date (other than 7/1), the day-end closes every account's 积数 from 7/1 through
the day before (as jishu_before does: the projected year 积数 less the balance × the days from that date to
6/30), one set-based pass, chunked. Interest earned through any later date is then each period's 积数 at the
rates in force in that period, rounded once (calculations.sql_interest_periods). The close runs after the day's
postings: a posting of that day has that value date, so it is taken out of the old period exactly.

A rate entered after its effective date has passed has no close: its year then earns the rate in force at the
end, as before, for the days it was not split."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from openhpf.audit.services import audit_log
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.calendar import interest_year
from openhpf.core.models import Center
from openhpf.core.policy import policy_rate, policy_value

from ..models import RatePeriodClose
from .calculations import Rates, days_from, sql_interest_periods

CHUNK = 500_000  # sub-account ids per INSERT


def rates_on(center: Center, on: date) -> Rates:
    """The deposit rates and day basis in force on `on`."""
    return Rates(current=policy_rate("deposit.rate.current", on=on, center=center),
                 carried=policy_rate("deposit.rate.carried", on=on, center=center),
                 day_basis=int(policy_value("deposit.day_basis", on=on, center=center)))


def earned_sql(center: Center, on: date, alias: str = "a",
               less: tuple[str, str] = ("0", "0")) -> tuple[str, str]:
    """SQL of the interest earned per sub-account (`alias` over ledger_v_sub_account) through the day before
    `on`, split at the rate changes of its interest year closed before `on`; and the LEFT JOINs it needs.
    `less`: SQL of 积数 (当年, 上年) to take out of the projection first (a late accrual's later postings)."""
    d = days_from(on)
    ys, _ = interest_year(on - timedelta(days=1))
    closes = list(RatePeriodClose.objects.filter(center=center, year_start=ys, starts_on__lt=on)
                  .order_by("starts_on").values_list("pk", "starts_on"))
    joins = "".join(f" LEFT JOIN contributions_rateperiodjishu p{k} ON p{k}.sub_id = {alias}.id "
                    f"AND p{k}.period_id = {int(pk)}" for k, (pk, _) in enumerate(closes))
    cuts = [(f"COALESCE(p{k}.jishu_current, 0)", f"COALESCE(p{k}.jishu_carried, 0)",
             rates_on(center, starts_on - timedelta(days=1))) for k, (_, starts_on) in enumerate(closes)]
    expr = sql_interest_periods(f"{alias}.jishu_current - {alias}.balance_current * {d} - {less[0]}",
                                f"{alias}.jishu_carried - {alias}.balance_carried * {d} - {less[1]}",
                                final=rates_on(center, on - timedelta(days=1)), cuts=cuts)
    return expr, joins


def rate_changes_on(center: Center, on: date) -> bool:
    """Whether a new rate (or day basis) takes effect on `on`, inside an interest year (not on its 7/1)."""
    ys, _ = interest_year(on)
    return on != ys and rates_on(center, on) != rates_on(center, on - timedelta(days=1))


def rate_period_close(*, center: Center, on: date, actor: Actor) -> RatePeriodClose | None:
    """Close each account's 积数 through `on` − 1 when a new rate takes effect on `on` (the day-end of `on`).
    None when no rate changes that day; the same close again when it is already done (idempotent)."""
    if not rate_changes_on(center, on):
        return None
    ys, _ = interest_year(on)
    d = days_from(on)
    with transaction.atomic():
        close, created = RatePeriodClose.objects.get_or_create(center=center, starts_on=on,
                                                               defaults={"year_start": ys})
        if not created:
            return close
        lo, hi = sql.fetch("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM ledger_v_sub_account "
                           "WHERE center_id = %s AND year_start = %s", [center.pk, ys])[0]
        n = 0
        for start in range(int(lo) - 1, int(hi), CHUNK):
            n += sql.execute(
                "INSERT INTO contributions_rateperiodjishu (period_id, sub_id, jishu_current, jishu_carried) "  # noqa: S608 — day counts are integers from code; values bound
                f"SELECT %s, a.id, a.jishu_current - a.balance_current * {d}, a.jishu_carried - a.balance_carried * {d} "
                "FROM ledger_v_sub_account a WHERE a.center_id = %s AND a.year_start = %s AND a.id > %s AND a.id <= %s "
                f"AND (a.jishu_current - a.balance_current * {d} <> 0 OR a.jishu_carried - a.balance_carried * {d} <> 0)",
                [close.pk, center.pk, ys, start, start + CHUNK])
        close.accounts = n
        close.save(update_fields=["accounts"])
        before, after = rates_on(center, on - timedelta(days=1)), rates_on(center, on)
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_RATE_PERIOD_CLOSE, obj=center, center=center,
                  business_date=on, after={"starts_on": on.isoformat(), "accounts": n,
                                           "before": _text(before), "after": _text(after)})
        return close


def _text(r: Rates) -> dict[str, Any]:
    return {"current": str(r.current), "carried": str(r.carried), "day_basis": r.day_basis}
