"""What other apps may read of employers, members and accounts set-based: these views, by name, in their SQL
(docs/architecture.md, "SQL between apps"). The ID number is shown as stored (encrypted) beside its blind
index; the phone is not shown. Writes go through accounts.services and accounts.bulk."""

from openhpf.core.db import publish_view

from .models import (
    Employer,
    Member,
    MemberAccount,
    PaidMonths,
    PaidMonthsAssumed,
    PaidMonthsStart,
    RatioReduction,
)

EMPLOYER = "accounts_v_employer"
MEMBER = "accounts_v_member"
MEMBER_ACCOUNT = "accounts_v_member_account"
RATIO_REDUCTION = "accounts_v_ratio_reduction"
PAID_MONTHS = "accounts_v_paid_months"
PAID_MONTHS_ASSUMED = "accounts_v_paid_months_assumed"
PAID_MONTHS_START = "accounts_v_paid_months_start"


def register() -> None:
    publish_view("accounts", EMPLOYER, Employer._meta.db_table,
                 ["id", "center_id", "branch_id", "account_no", "name", "industry", "payday", "employer_ratio",
                  "member_ratio", "status", "suspense_balance", "paid_up_to", "opened_date", "closed_date"])
    publish_view("accounts", MEMBER, Member._meta.db_table,
                 ["id", "center_id", "name", "id_type", "id_number", "id_number_bidx"])
    publish_view("accounts", MEMBER_ACCOUNT, MemberAccount._meta.db_table,
                 ["sub_id", "center_id", "branch_id", "account_no", "member_id", "employer_id", "base",
                  "employer_ratio", "member_ratio", "employer_amount", "member_amount", "status", "freeze_kind",
                  "paid_up_to", "opened_date", "sealed_date", "closed_date"])
    publish_view("accounts", RATIO_REDUCTION, RatioReduction._meta.db_table,
                 ["id", "employer_id", "ratio_floor", "valid_from", "valid_to", "approved_by"])
    publish_view("accounts", PAID_MONTHS, PaidMonths._meta.db_table, ["account_id", "year", "months", "back"])
    publish_view("accounts", PAID_MONTHS_ASSUMED, PaidMonthsAssumed._meta.db_table,
                 ["account_id", "first_month", "last_month"])
    publish_view("accounts", PAID_MONTHS_START, PaidMonthsStart._meta.db_table, ["account_id", "month"])
