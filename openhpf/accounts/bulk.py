"""Set-based writes to member accounts for batch work of other apps (base adjustment, ratio adjustment):
the accounts app alone writes its tables; callers hand it a SELECT over their own staging tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openhpf.core.codes import MemberAccountStatus
from openhpf.core.policy import policy_value
from openhpf.ledger import sql

from .calculations import sql_monthly_amount


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
