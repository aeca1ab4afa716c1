"""The months each account has paid (缴存月份), kept per account and calendar year as a 12-bit bitmap
(`PaidMonths`: bit m−1 of `months` = month m paid, the same bit of `back` = paid by 补缴).

Writes (set-based, one statement per call whatever the number of accounts; callers hand a Relation):
- `paid_months_mark_from`: months paid by a posting (汇缴, 补缴, flexible contributions: all go through the
  remittance posting);
- `paid_months_unmark_from`: a month un-paid by a refund (退缴), with the 缴至年月 of the accounts it was the
  last paid month of derived again;
- `paid_months_assume_from`: months from opening to 缴至年月 taken as paid without a gap (a cut-over without
  paid-month ranges, accounts older than the store): one `PaidMonthsAssumed` row per account holds that range
  (and is the flag a clerk sees); the bitmap keeps the months paid through OpenHPF. Reads take both.
- `paid_months_ranges_from`: explicit ranges of paid months (the cut-over's 缴存月份 column);
- `paid_months_start_after`: an account that came to its employer after opening (启封, 内部转移) owes it from
  the month after (`PaidMonthsStart`; `sql_owed_from`).

Reads: `paid_months` / `paid_months_of` (months of one or many accounts), `paid_months_assumed_list`, and SQL
expressions for other apps' set-based reads over the published view `accounts_v_paid_months`
and `accounts_v_paid_months_assumed` (`sql_month_paid`, `sql_paid_count`). 缴至年月 (`MemberAccount.paid_up_to`) is the last paid month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from openhpf.core import db as sql
from openhpf.core.db import Relation

from .models import MemberAccount, PaidMonths, PaidMonthsAssumed, PaidMonthsStart

TABLE = PaidMonths._meta.db_table
VIEW = "accounts_v_paid_months"
ASSUMED_VIEW = "accounts_v_paid_months_assumed"
START_VIEW = "accounts_v_paid_months_start"
ASSUMED = PaidMonthsAssumed._meta.db_table


# ---------------------------------------------------------------- SQL pieces (from code only)


def _year(ym_sql: str) -> str:
    return f"CAST(SUBSTR({ym_sql}, 1, 4) AS INTEGER)"


def _idx(ym_sql: str) -> str:
    """Month index (year × 12 + month − 1) of a 'YYYYMM' text."""
    return f"({_year(ym_sql)} * 12 + CAST(SUBSTR({ym_sql}, 5, 2) AS INTEGER) - 1)"


def _bit(ym_sql: str) -> str:
    return f"(1 << (CAST(SUBSTR({ym_sql}, 5, 2) AS INTEGER) - 1))"


def _popcount(x: str) -> str:
    return "(" + " + ".join(f"(({x} >> {k}) & 1)" for k in range(12)) + ")"


def _high_month(x: str) -> str:
    """1–12: the last month set in a non-zero 12-bit mask."""
    return "(CASE " + " ".join(f"WHEN {x} >= {1 << (k - 1)} THEN {k}" for k in range(12, 0, -1)) + " END)"


def _span_mask(year: str, first_idx: str, last_idx: str) -> str:
    """The bits of `year` that fall between two month indexes (inclusive); 0 when none do."""
    lo = f"(CASE WHEN {first_idx} > {year} * 12 THEN {first_idx} - {year} * 12 ELSE 0 END)"
    hi = f"(CASE WHEN {last_idx} < {year} * 12 + 11 THEN {last_idx} - {year} * 12 ELSE 11 END)"
    return f"(CASE WHEN {hi} < {lo} THEN 0 ELSE (1 << ({hi} + 1)) - (1 << {lo}) END)"


def sql_month_paid(account_sql: str, month: str) -> str:
    """SQL condition: the account (`account_sql`, a sub id) has paid `month` ('YYYYMM', from code or checked
    digits). Reads the published views."""
    y, m = int(month[:4]), int(month[4:])
    return (f"(EXISTS (SELECT 1 FROM {VIEW} pm WHERE pm.account_id = {account_sql} AND pm.year = {y} "  # noqa: S608 — digits of a parsed month; identifiers from code
            f"AND (pm.months & {1 << (m - 1)}) <> 0) OR EXISTS (SELECT 1 FROM {ASSUMED_VIEW} pa "
            f"WHERE pa.account_id = {account_sql} AND pa.first_month <= '{y:04d}{m:02d}' AND pa.last_month >= '{y:04d}{m:02d}'))")


def sql_paid_count(account_sql: str, first_idx: str, last_idx: str) -> str:
    """SQL: how many months the account paid between two month indexes (inclusive), over the published views:
    the bitmap's months outside the assumed range, plus the assumed range's months in the window."""
    a_first, a_last = _idx("pa.first_month"), _idx("pa.last_month")
    assumed = f"(CASE WHEN pa.account_id IS NULL THEN 0 ELSE {_span_mask('pm.year', a_first, a_last)} END)"
    mask = f"({_span_mask('pm.year', first_idx, last_idx)} & ~{assumed})"
    lo = f"(CASE WHEN {a_first} > {first_idx} THEN {a_first} ELSE {first_idx} END)"
    hi = f"(CASE WHEN {a_last} < {last_idx} THEN {a_last} ELSE {last_idx} END)"
    return (f"((SELECT COALESCE(SUM({_popcount(f'(pm.months & {mask})')}), 0) FROM {VIEW} pm "  # noqa: S608 — SQL from code
            f"LEFT JOIN {ASSUMED_VIEW} pa ON pa.account_id = pm.account_id "
            f"WHERE pm.account_id = {account_sql} AND pm.year * 12 + 11 >= {first_idx} AND pm.year * 12 <= {last_idx}) + "
            f"COALESCE((SELECT CASE WHEN {hi} >= {lo} THEN {hi} - {lo} + 1 ELSE 0 END FROM {ASSUMED_VIEW} pa "
            f"WHERE pa.account_id = {account_sql}), 0))")


def sql_owed_from(account_sql: str, opened_sql: str) -> str:
    """SQL: the month index from which the account owes its current employer — the month after it came to it
    (启封, 内部转移), else the month after its opening (Art17)."""
    return (f"COALESCE((SELECT {_idx('ps.month')} FROM {START_VIEW} ps WHERE ps.account_id = {account_sql}), "  # noqa: S608 — SQL from code
            f"{sql.month_index(opened_sql, 1)})")


def sql_paid_up_to(account_sql: str) -> str:
    """SQL: the last paid month ('YYYYMM') of the account, NULL when none."""
    return (f"(SELECT MAX(u.m) FROM (SELECT CAST(MAX(pm.year * 100 + {_high_month('pm.months')}) AS VARCHAR(6)) AS m "  # noqa: S608 — SQL from code
            f"FROM {TABLE} pm WHERE pm.account_id = {account_sql} AND pm.months <> 0 "
            f"UNION ALL SELECT pa.last_month FROM {ASSUMED} pa WHERE pa.account_id = {account_sql}) u)")


_UPSERT = (f" ON CONFLICT (account_id, year) DO UPDATE SET months = {TABLE}.months | EXCLUDED.months, "
           f"back = ({TABLE}.back & ~EXCLUDED.months) | EXCLUDED.back")


# ---------------------------------------------------------------- writes


def paid_months_mark_from(*, source: Relation, back: bool = False, unique: bool = False) -> int:
    """Mark months paid: `source` yields sub_id, ym ('YYYYMM'). `back`: paid by 补缴. `unique`: the source
    names each account once (a roster), so no grouping is needed."""
    bit, year = _bit("x.ym"), _year("x.ym")
    if unique:
        select = f"SELECT x.sub_id, {year}, {bit}, {bit if back else '0'} FROM ({source.sql}) x WHERE 1 = 1"  # noqa: S608 — a Relation (SQL from code)
    else:
        select = (f"SELECT x.sub_id, {year}, SUM(DISTINCT {bit}), {f'SUM(DISTINCT {bit})' if back else '0'} "  # noqa: S608 — a Relation (SQL from code)
                  f"FROM ({source.sql}) x WHERE 1 = 1 GROUP BY x.sub_id, {year}")
    return sql.execute(f"INSERT INTO {TABLE} (account_id, year, months, back) {select}{_UPSERT}", source.params)


def paid_months_unmark_from(*, month: str, accounts: Relation) -> int:
    """Un-pay `month` for the accounts `accounts` yields (sub ids): a refund (退缴). Accounts whose 缴至年月 was
    that month get the last month they still have paid (or none)."""
    y, bit = int(month[:4]), 1 << (int(month[4:]) - 1)
    n = sql.execute(f"UPDATE {TABLE} SET months = months & ~{bit}, back = back & ~{bit} "  # noqa: S608 — digits of a parsed month; a Relation (SQL from code)
                    f"WHERE year = %s AND account_id IN ({accounts.sql})", [y, *accounts.params])
    sql.execute(f"UPDATE accounts_memberaccount SET paid_up_to = COALESCE({sql_paid_up_to('accounts_memberaccount.sub_id')}, '') "  # noqa: S608 — SQL from code; values bound
                f"WHERE paid_up_to = %s AND sub_id IN ({accounts.sql})", [month, *accounts.params])
    return n


def paid_months_ranges_from(*, source: Relation) -> int:
    """Mark ranges of months paid: `source` yields sub_id, first_ym, last_ym (one row per range)."""
    rows = sql.fetch(f"SELECT MIN({_year('x.first_ym')}), MAX({_year('x.last_ym')}) FROM ({source.sql}) x",  # noqa: S608 — a Relation (SQL from code)
                     source.params)
    lo, hi = rows[0] if rows else (None, None)
    if lo is None:
        return 0
    fi, li = _idx("x.first_ym"), _idx("x.last_ym")
    mask = _span_mask("yrs.y", fi, li)
    return sql.execute(
        f"WITH RECURSIVE yrs(y) AS (SELECT CAST(%s AS INTEGER) UNION ALL SELECT y + 1 FROM yrs WHERE y < %s) "  # noqa: S608 — a Relation (SQL from code)
        f"INSERT INTO {TABLE} (account_id, year, months, back) "
        f"SELECT x.sub_id, yrs.y, SUM(DISTINCT {mask}), 0 FROM ({source.sql}) x "
        f"JOIN yrs ON yrs.y BETWEEN {_year('x.first_ym')} AND {_year('x.last_ym')} "
        f"WHERE {fi} <= {li} GROUP BY x.sub_id, yrs.y{_UPSERT}",
        [int(lo), int(hi), *source.params])


def paid_months_assume_from(*, accounts: Relation, source: str, business_date: date) -> int:
    """Months from each account's opening to its 缴至年月 taken as paid without a gap, and the account flagged
    (`source`: cutover | migration). `accounts` yields sub ids; accounts with no 缴至年月 are left alone."""
    return paid_months_assume_ranges_from(ranges=Relation(
        f"SELECT a.sub_id, {sql.month_key('a.opened_date')} AS first_ym, a.paid_up_to AS last_ym "  # noqa: S608 — a Relation (SQL from code)
        f"FROM accounts_memberaccount a WHERE a.paid_up_to <> '' AND a.sub_id IN ({accounts.sql})", accounts.params),
        source=source, business_date=business_date)


def paid_months_assume_ranges_from(*, ranges: Relation, source: str, business_date: date,
                                   new_accounts: bool = False) -> int:
    """Ranges of months assumed paid (`ranges` yields sub_id, first_ym, last_ym, one range per account): each
    is kept as the account's flag row, which the reads count as paid. Returns the accounts flagged.
    `new_accounts`: the accounts were created in this transaction (a cut-over), so none has a row yet and the
    insert skips the per-row conflict check (a million of them at a megacity's cut-over)."""
    conflict = "" if new_accounts else " ON CONFLICT (account_id) DO NOTHING"
    return sql.execute(
        f"INSERT INTO {ASSUMED} (account_id, first_month, last_month, source, business_date) "  # noqa: S608 — a Relation (SQL from code)
        f"SELECT x.sub_id, x.first_ym, x.last_ym, %s, %s FROM ({ranges.sql}) x WHERE x.first_ym <= x.last_ym{conflict}",
        [source, business_date, *ranges.params])


def paid_months_start_after(*, account: MemberAccount, business_date: date) -> None:
    """The account came to its current employer on `business_date` (启封, 内部转移): it owes it from the next
    month on."""
    nxt = date(business_date.year + business_date.month // 12, business_date.month % 12 + 1, 1)
    PaidMonthsStart.objects.update_or_create(account_id=account.pk, defaults={"month": f"{nxt:%Y%m}"})


def paid_months_merge(*, source: MemberAccount, target: MemberAccount) -> str:
    """个人账户合并: the source's paid months become the target's too (a month is 补缴 on the target only when
    no account paid it on time; the source's assumed range counts as paid on time). The source keeps its rows
    as history. Returns the target's 缴至年月 afterwards (the later of the two)."""
    paid: dict[int, int] = {}
    on_time: dict[int, int] = {}

    def add(year: int, months: int, back: int) -> None:
        paid[year] = paid.get(year, 0) | months
        on_time[year] = on_time.get(year, 0) | (months & ~back)

    for year, months, back in PaidMonths.objects.filter(account_id__in=[target.pk, source.pk]).values_list(
            "year", "months", "back"):
        add(int(year), int(months), int(back))
    assumed = PaidMonthsAssumed.objects.filter(account_id=source.pk).first()
    if assumed is not None:
        for ym in _month_range(assumed.first_month, assumed.last_month):
            add(int(ym[:4]), 1 << (int(ym[4:]) - 1), 0)
    for year, months in paid.items():
        PaidMonths.objects.update_or_create(account_id=target.pk, year=year,
                                            defaults={"months": months, "back": months & ~on_time[year]})
    return max(source.paid_up_to or "", target.paid_up_to or "")


# ---------------------------------------------------------------- reads


def _months_of_rows(rows: Iterable[tuple[Any, ...]]) -> dict[int, dict[str, bool]]:
    out: dict[int, dict[str, bool]] = {}
    for acc, year, months, back in rows:
        d = out.setdefault(int(acc), {})
        for m in range(12):
            if int(months) >> m & 1:
                d[f"{int(year):04d}{m + 1:02d}"] = bool(int(back) >> m & 1)
    return out


def _month_range(first: str, last: str) -> list[str]:
    out, i, j = [], int(first[:4]) * 12 + int(first[4:]) - 1, int(last[:4]) * 12 + int(last[4:]) - 1
    while i <= j:
        out.append(f"{i // 12:04d}{i % 12 + 1:02d}")
        i += 1
    return out


def paid_months(account: MemberAccount | int) -> dict[str, bool]:
    """The months ('YYYYMM') the account has paid, each with whether it was paid by 补缴 (assumed months
    included, as paid on time)."""
    acc = account if isinstance(account, int) else account.pk
    return paid_months_of([acc]).get(acc, {})


def paid_months_of(account_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """`paid_months` of many accounts (an employer's roster: a few thousand at most)."""
    ids = list(account_ids)
    rows = PaidMonths.objects.filter(account_id__in=ids).values_list("account_id", "year", "months", "back")
    out = _months_of_rows(rows)
    for acc, first, last in PaidMonthsAssumed.objects.filter(account_id__in=ids).values_list(
            "account_id", "first_month", "last_month"):
        d = out.setdefault(acc, {})
        for m in _month_range(first, last):
            d.setdefault(m, False)
    return out


@dataclass(frozen=True)
class AssumedAccount:
    account_no: str
    first_month: str
    last_month: str
    source: str
    business_date: date


def paid_months_assumed(account: MemberAccount | int) -> AssumedAccount | None:
    """Whether the account's paid months up to some month were assumed (no ranges at the cut-over)."""
    acc = account if isinstance(account, int) else account.pk
    a = PaidMonthsAssumed.objects.select_related("account").filter(account_id=acc).first()
    return None if a is None else AssumedAccount(a.account.account_no, a.first_month, a.last_month, a.source,
                                                 a.business_date)


def paid_months_assumed_list(*, center_id: int, limit: int = 1000) -> list[AssumedAccount]:
    """The center's accounts whose paid months were assumed, by account number."""
    qs = (PaidMonthsAssumed.objects.filter(account__center_id=center_id).select_related("account")
          .order_by("account__account_no")[:limit])
    return [AssumedAccount(a.account.account_no, a.first_month, a.last_month, a.source, a.business_date) for a in qs]
