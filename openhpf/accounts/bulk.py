"""Set-based writes to member accounts for batch work of other apps (base adjustment, ratio adjustment):
the accounts app alone writes its tables; callers hand it a SELECT over their own staging tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openhpf.core.codes import MemberAccountStatus
from openhpf.core.errors import DomainError
from openhpf.core.money import format_fen
from openhpf.core.policy import policy_value
from openhpf.ledger import sql

from .calculations import sql_monthly_amount
from .models import Employer


def accounts_set_base_from(*, center_id: int, business_date: date, source_sql: str, params: Sequence[Any] = ()) -> int:
    """New bases for many accounts: source_sql yields sub_id, base (fen). Monthly amounts are recomputed with
    the money rule's SQL twin, one statement per distinct pair of ratios. Returns the accounts changed."""
    rounding = str(policy_value("contribution.rounding", on=business_date, center=center_id))
    pairs = sql.fetch(
        f"SELECT DISTINCT a.employer_ratio, a.member_ratio FROM ({source_sql}) x "
        "JOIN accounts_memberaccount a ON a.sub_id = x.sub_id WHERE a.base <> x.base", params)
    n = 0
    for er, mr in pairs:
        er, mr = Decimal(str(er)), Decimal(str(mr))
        n += sql.execute(
            f"UPDATE accounts_memberaccount SET base = x.base, "
            f"employer_amount = {sql_monthly_amount('x.base', er, rounding)}, "
            f"member_amount = {sql_monthly_amount('x.base', mr, rounding)} "
            f"FROM ({source_sql}) x WHERE x.sub_id = accounts_memberaccount.sub_id "
            "AND accounts_memberaccount.center_id = %s AND accounts_memberaccount.base <> x.base "
            "AND accounts_memberaccount.employer_ratio = %s AND accounts_memberaccount.member_ratio = %s",
            [*params, center_id, er, mr])
    return n


def accounts_set_ratio_for_employer(*, employer_id: int, center_id: int, employer_ratio: Decimal,
                                    member_ratio: Decimal, business_date: date, where: str = "",
                                    params: Sequence[Any] = ()) -> int:
    """Both ratios of an employer's normal accounts (optionally narrowed by `where` on accounts_memberaccount),
    monthly amounts recomputed. The caller has validated the ratios against policy."""
    rounding = str(policy_value("contribution.rounding", on=business_date, center=center_id))
    return sql.execute(
        f"UPDATE accounts_memberaccount SET employer_ratio = %s, member_ratio = %s, "
        f"employer_amount = {sql_monthly_amount('base', employer_ratio, rounding)}, "
        f"member_amount = {sql_monthly_amount('base', member_ratio, rounding)} "
        f"WHERE employer_id = %s AND status = '{MemberAccountStatus.NORMAL}' {where}",
        [employer_ratio, member_ratio, employer_id, *params])


def accounts_advance_paid_up_to_from(*, month: str, accounts_sql: str, employers_sql: str,
                                     params: Sequence[Any] = (), account_params: Sequence[Any] | None = None) -> None:
    """缴至年月 := month for the accounts (accounts_sql yields sub ids) and employers (employers_sql yields ids)
    of a posted remittance, never moving it back. Both SELECTs take `params`, unless `account_params` is given
    for accounts_sql. The accounts are updated in place (no indexed column changes; PostgreSQL keeps room for
    it on each page, migration 0006), best driven by a SELECT yielding the ids in order."""
    sql.execute(f"UPDATE accounts_memberaccount SET paid_up_to = %s WHERE paid_up_to < %s AND sub_id IN ({accounts_sql})",
                [month, month, *(params if account_params is None else account_params)])
    sql.execute(f"UPDATE accounts_employer SET paid_up_to = %s WHERE paid_up_to < %s AND id IN ({employers_sql})",
                [month, month, *params])


def accounts_rollback_paid_up_to_from(*, month: str, previous: str, employer_id: int, accounts_sql: str,
                                      params: Sequence[Any] = ()) -> None:
    """After a refund (退缴) of `month`: the accounts and the employer paid up to it go back to `previous`."""
    sql.execute(f"UPDATE accounts_memberaccount SET paid_up_to = %s WHERE paid_up_to = %s AND sub_id IN ({accounts_sql})",
                [previous, month, *params])
    Employer.objects.filter(pk=employer_id, paid_up_to=month).update(paid_up_to=previous)


def employer_suspense_add(*, employer_id: int, delta: int) -> Employer:
    """Move an employer's 暂存 balance under a row lock; the caller posts the GL 21901 line in the same
    transaction (invariant: Σ 暂存 = GL 21901)."""
    e = Employer.objects.select_for_update().get(pk=employer_id)
    if e.suspense_balance + delta < 0:
        raise DomainError("SUSPENSE_INSUFFICIENT",
                          f"单位 {e.account_no} 暂存款余额 {format_fen(e.suspense_balance)} 元不足 {format_fen(-delta)} 元",
                          field="amount")
    e.suspense_balance += delta
    Employer.objects.filter(pk=e.pk).update(suspense_balance=e.suspense_balance)
    return e
