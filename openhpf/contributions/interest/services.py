"""Interest (结息): monthly accrual in the general ledger and year-end settlement, set-based.

Accrual: Dr 41101 利息支出 / Cr 211 应付利息 by the interest earned to the month end less what is accrued.
Settlement (6/30): the accrual is trued up, then one bulk batch credits every active or sealed account
(type 09, Dr 211 / Cr 201) and moves 当年归集 into 上年结转; then every sub-account opens the next year."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from openhpf.audit.services import audit_log
from openhpf.core import db as sql
from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.business_date import rule_dated_scope
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType, MemberAccountStatus
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.ledger.calculations import sql_jishu_days
from openhpf.ledger.models import JournalEntry, PostingBatch
from openhpf.ledger.selectors import gl_balance
from openhpf.ledger.services import (
    Line,
    batch_apply,
    batch_create,
    batch_stage_from,
    entry_post,
    subaccounts_year_roll,
)

from .calculations import days_from
from .periods import earned_sql
from .yearend import require_year_settled, settlement_key

EXPENSE = "41101"
PAYABLE = "211"
SETTLED_STATUSES = (MemberAccountStatus.NORMAL, MemberAccountStatus.SEALED)


def _earned_sql(center: Center, on: date) -> tuple[str, str]:
    """SQL: interest earned per account (alias a) through the day before `on`, each rate period at its own
    rates (periods.earned_sql); and the joins it needs."""
    return earned_sql(center, on)


def _accrued(center: Center) -> int:
    return -gl_balance(center=center, code_prefix=PAYABLE)  # 211 is credit-normal


def interest_accrue(*, center: Center, year: int, month: int, actor: Actor) -> JournalEntry | None:
    """Accrue the month's interest expense (posted on the month's last day). Idempotent per month."""
    month_end = (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if center.business_date < month_end:
        raise DomainError(ErrorCode.ACCRUE_TOO_EARLY, f"业务日期 {center.business_date} 尚未到 {year}-{month:02d} 月末", field="month")
    source = f"interest.accrue:{year:04d}-{month:02d}"
    with transaction.atomic():
        existing = JournalEntry.objects.filter(center=center, source=source).first()
        if existing is not None:
            return existing
        _accrual_in_order(center, month_end, source)
        delta = _earned_through(center, month_end) - _accrued(center)
        if delta == 0:
            return None
        lines = ([Line(EXPENSE, debit=delta), Line(PAYABLE, credit=delta)] if delta > 0
                 else [Line(PAYABLE, debit=-delta), Line(EXPENSE, credit=-delta)])
        with rule_dated_scope(center=center, on=month_end):  # dated the month's last day by rule, even run late
            return entry_post(center=center, business_date=month_end, lines=lines, source=source, actor=actor,
                              description=f"计提 {year}年{month}月 住房公积金利息支出", biz_type="")


def _accrual_in_order(center: Center, month_end: date, source: str) -> None:
    """An accrual is made month after month: never over an unsettled 6/30, never behind a later month's
    accrual or a settled year (either would reverse interest accrued since)."""
    require_year_settled(center, month_end)
    _, ye = interest_year(month_end)
    later = JournalEntry.objects.filter(center=center, source__startswith="interest.accrue:", source__gt=source)
    settled = PostingBatch.objects.filter(key=settlement_key(center, ye), status=PostingBatch.Status.POSTED)
    if later.exists() or settled.exists():
        raise DomainError(ErrorCode.ACCRUE_OUT_OF_ORDER, month=f"{month_end:%Y-%m}", field="month")


def _earned_through(center: Center, month_end: date) -> int:
    """Interest earned by the center's accounts through `month_end`. Run on the month end itself, the accounts'
    projected 积数 less each balance × the days left is exact; run later, postings value-dated after the month
    end are taken back out of it (their share of the 积数 and of the balance), so a late accrual accrues to the
    month end that was asked for."""
    ys, ye = interest_year(month_end)
    d = days_from(month_end + timedelta(days=1))
    if center.business_date == month_end:
        earned, joins = _earned_sql(center, month_end + timedelta(days=1))
        params: list[Any] = [center.pk, ys]
    else:
        days = sql_jishu_days(sql.vendor(), "r.value_date", ys, ye)
        earned, joins = earned_sql(center, month_end + timedelta(days=1),
                                   less=("COALESCE(x.jc, 0)", "COALESCE(x.jk, 0)"))
        joins += (f" LEFT JOIN (SELECT r.sub_account_id, SUM(r.amount_current * ({days} - {d})) AS jc, "  # noqa: S608 — 积数 SQL from dates (date objects); values bound
                  f"SUM(r.amount_carried * ({days} - {d})) AS jk FROM ledger_v_subledger_row r "
                  "WHERE r.value_date > %s AND r.value_date <= %s GROUP BY r.sub_account_id) x ON x.sub_account_id = a.id")
        params = [month_end, ye, center.pk, ys]
    total = sql.fetch(f"SELECT COALESCE(SUM({earned}), 0) FROM ledger_v_sub_account a{joins} "  # noqa: S608 — interest SQL from rates (integers) and dates (date objects); values bound
                      "WHERE a.center_id = %s AND a.year_start = %s", params)[0][0]
    return int(total)


def interest_settle(*, center: Center, settle_date: date, actor: Actor,
                    timings: dict[str, float] | None = None, posted_on: date | None = None) -> PostingBatch:
    """Year-end settlement for the interest year ending `settle_date` (a 6/30). Idempotent by year.
    `timings`, when given, receives the seconds of each step (stage, trueup, apply, roll).
    `posted_on`: a settlement made late (interest.late), posted on that business date in the open period with
    value date `settle_date`."""
    ys, ye = interest_year(settle_date)
    if settle_date != ye:
        raise DomainError(ErrorCode.SETTLE_DATE, f"结息日应为6月30日：{settle_date}", field="date")
    on = posted_on or settle_date
    if center.business_date != on or on < settle_date:
        raise DomainError(ErrorCode.SETTLE_BUSINESS_DATE, f"结息须在业务日期 {settle_date} 进行（当前 {center.business_date}）",
                          field="date")
    key = settlement_key(center, ye)
    done = PostingBatch.objects.filter(key=key, status=PostingBatch.Status.POSTED).first()
    if done is not None:
        return done
    earned, joins = _earned_sql(center, ye + timedelta(days=1))
    statuses = ", ".join(f"'{s}'" for s in SETTLED_STATUSES)
    clock = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        if timings is not None:
            timings[name] = round(now - clock[0], 2)
        clock[0] = now

    with transaction.atomic():
        batch = batch_create(center=center, key=key, biz_type=BizType.INTEREST, business_date=on,
                             counter_account=PAYABLE, description=f"{ys.year}-{ye.year}年度结息", actor=actor)
        # one row per account: interest in, 当年归集 moved to 上年结转 (value date 6/30)
        n = batch_stage_from(
            batch=batch, unique_accounts=True,
            source=Relation(
                f"SELECT a.id, a.id, -a.balance_current, a.balance_current + {earned}, %s, %s "  # noqa: S608 — interest SQL from rates (integers) and statuses from code; values bound
                f"FROM ledger_v_sub_account a JOIN accounts_v_member_account m ON m.sub_id = a.id{joins} "
                f"WHERE a.center_id = %s AND a.year_start = %s AND m.status IN ({statuses}) "
                f"AND (a.balance_current <> 0 OR {earned} <> 0)",
                (ye, f"结息{ye.year}", center.pk, ys)),
        )
        lap("stage")
        total = int(sql.fetch(f"SELECT COALESCE(SUM(amount_current + amount_carried), 0) FROM {batch.stage_table}")[0][0])  # noqa: S608 — interest SQL from rates (integers) and statuses from code; values bound
        # true up the accrual so 211 carries exactly what is credited now
        delta = total - _accrued(center)
        if delta:
            lines = ([Line(EXPENSE, debit=delta), Line(PAYABLE, credit=delta)] if delta > 0
                     else [Line(PAYABLE, debit=-delta), Line(EXPENSE, credit=-delta)])
            entry_post(center=center, business_date=on, value_date=ye, lines=lines, source=f"interest.trueup:{ye.year}",
                       description=f"{ye.year}年度结息计提调整", actor=actor)
        lap("trueup")
        if n and total:
            batch = batch_apply(batch=batch, actor=actor, closes_year=True, value_date=ye)
        else:
            PostingBatch.objects.filter(pk=batch.pk).update(status=PostingBatch.Status.POSTED)
            sql.execute(f"DROP TABLE {batch.stage_table}")
        lap("apply")
        rolled = subaccounts_year_roll(center=center, year_start=ys, actor=actor)
        lap("roll")
        audit_log(actor=actor, action=AuditEvent.CONTRIBUTIONS_INTEREST_SETTLE, obj=batch, center=center, business_date=ye,
                  after={"year": ye.year, "accounts": n, "interest": total, "rolled": rolled})
        batch.refresh_from_db()
        return batch
