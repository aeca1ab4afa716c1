"""Set-based writes to member accounts for batch work of other apps (base adjustment, ratio adjustment,
paid-up-to months): the accounts app alone writes its tables; callers hand it a Relation (core.db), a SELECT
over their own tables and published views made by code with every value bound, never a str."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from openhpf.core import db as sql
from openhpf.core.codes import MemberAccountStatus
from openhpf.core.db import Relation
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value

from .calculations import sql_monthly_amount
from .models import Employer


def accounts_set_base_from(*, center_id: int, business_date: date, source: Relation) -> int:
    """New bases for many accounts: `source` yields sub_id, base (fen). Monthly amounts are recomputed with
    the money rule's SQL twin, one statement per distinct pair of ratios. Returns the accounts changed."""
    rounding = str(policy_value("contribution.rounding", on=business_date, center=center_id))
    pairs = sql.fetch(
        f"SELECT DISTINCT a.employer_ratio, a.member_ratio FROM ({source.sql}) x "  # noqa: S608 — a Relation (SQL from code) and amount SQL from Decimal ratios; values bound
        "JOIN accounts_memberaccount a ON a.sub_id = x.sub_id WHERE a.base <> x.base", source.params)
    n = 0
    for er, mr in pairs:
        er, mr = Decimal(str(er)), Decimal(str(mr))
        n += sql.execute(
            f"UPDATE accounts_memberaccount SET base = x.base, "  # noqa: S608 — a Relation (SQL from code) and amount SQL from Decimal ratios; values bound
            f"employer_amount = {sql_monthly_amount('x.base', er, rounding)}, "
            f"member_amount = {sql_monthly_amount('x.base', mr, rounding)} "
            f"FROM ({source.sql}) x WHERE x.sub_id = accounts_memberaccount.sub_id "
            "AND accounts_memberaccount.center_id = %s AND accounts_memberaccount.base <> x.base "
            "AND accounts_memberaccount.employer_ratio = %s AND accounts_memberaccount.member_ratio = %s",
            [*source.params, center_id, er, mr])
    return n


def accounts_set_ratio_for_employer(*, employer_id: int, center_id: int, employer_ratio: Decimal,
                                    member_ratio: Decimal, business_date: date, only: Relation | None = None,
                                    exclude: Relation | None = None, below: Decimal | None = None) -> int:
    """Both ratios of an employer's normal accounts, monthly amounts recomputed. Narrowed to the accounts whose
    sub id `only` yields, less those `exclude` yields, and to those with a ratio under `below`. The caller has
    validated the ratios against policy."""
    rounding = str(policy_value("contribution.rounding", on=business_date, center=center_id))
    where, params = "", list[Any]()
    if only is not None:
        where += f" AND sub_id IN ({only.sql})"
        params += only.params
    if exclude is not None:
        where += f" AND sub_id NOT IN ({exclude.sql})"
        params += exclude.params
    if below is not None:
        where += " AND (employer_ratio < %s OR member_ratio < %s)"
        params += [below, below]
    return sql.execute(
        "UPDATE accounts_memberaccount SET employer_ratio = %s, member_ratio = %s, "  # noqa: S608 — a Relation (SQL from code) and amount SQL from Decimal ratios; values bound
        f"employer_amount = {sql_monthly_amount('base', employer_ratio, rounding)}, "
        f"member_amount = {sql_monthly_amount('base', member_ratio, rounding)} "
        f"WHERE employer_id = %s AND status = '{MemberAccountStatus.NORMAL}'{where}",
        [employer_ratio, member_ratio, employer_id, *params])


def accounts_advance_paid_up_to_from(*, month: str, accounts: Relation, employers: Relation) -> None:
    """缴至年月 := month for the accounts (`accounts` yields sub ids) and employers (`employers` yields ids)
    of a posted remittance, never moving it back. The accounts are updated in place (no indexed column changes;
    PostgreSQL keeps room for it on each page, migration 0006), best driven by a SELECT yielding the ids in
    order."""
    sql.execute(f"UPDATE accounts_memberaccount SET paid_up_to = %s WHERE paid_up_to < %s AND sub_id IN ({accounts.sql})",  # noqa: S608 — a Relation (SQL from code) and amount SQL from Decimal ratios; values bound
                [month, month, *accounts.params])
    sql.execute(f"UPDATE accounts_employer SET paid_up_to = %s WHERE paid_up_to < %s AND id IN ({employers.sql})",  # noqa: S608 — a Relation (SQL from code) and amount SQL from Decimal ratios; values bound
                [month, month, *employers.params])


def employer_paid_up_to_rollback(*, employer_id: int, month: str, previous: str) -> None:
    """After a refund (退缴) of `month`: an employer paid up to it goes back to `previous` (the last month it
    still has paid; the accounts' months are un-paid by paidmonths.paid_months_unmark_from)."""
    Employer.objects.filter(pk=employer_id, paid_up_to=month).update(paid_up_to=previous)


def employer_suspense_add(*, employer_id: int, delta: int) -> Employer:
    """Move an employer's 暂存 balance under a row lock; the caller posts the GL 21901 line in the same
    transaction (invariant: Σ 暂存 = GL 21901)."""
    e = Employer.objects.select_for_update().get(pk=employer_id)
    if e.suspense_balance + delta < 0:
        raise DomainError(ErrorCode.SUSPENSE_INSUFFICIENT,
                          f"单位 {e.account_no} 暂存款余额 {format_fen(e.suspense_balance)} 元不足 {format_fen(-delta)} 元",
                          field="amount")
    e.suspense_balance += delta
    Employer.objects.filter(pk=e.pk).update(suspense_balance=e.suspense_balance)
    return e
