"""Fill the paid-month store (accounts.PaidMonths) for the accounts that exist, set-based.

1. The months of every posted 汇缴, full and individual 补缴 roster line (差额补缴 pays no month; a refunded
   remittance is no longer posted), 补缴 months marked as such.
2. What no roster line shows — the months from an account's opening up to its 缴至年月, or up to the month
   before its first recorded month when that is earlier (a cut-over's history) — is assumed paid without a gap,
   and the account is flagged (PaidMonthsAssumed, source "migration") for a clerk to check. An account whose
   lines start the month after its opening month (opened here: Art17) has no such history.
3. Accounts that came to their employer after opening (启封, 内部转移) owe it from the month after the last such
   move (PaidMonthsStart), from their detail rows."""

from django.db import migrations

from openhpf.accounts.paidmonths import paid_months_assume_ranges_from
from openhpf.core import db
from openhpf.core.db import Relation

YEAR = "CAST(SUBSTR(r.month, 1, 4) AS INTEGER)"
BIT = "(1 << (CAST(SUBSTR(r.month, 5, 2) AS INTEGER) - 1))"
IDX = "(CAST(SUBSTR(r.month, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(r.month, 5, 2) AS INTEGER) - 1)"
PAYING = ("FROM contributions_remittanceline l JOIN contributions_remittance r ON r.id = l.remittance_id "
          "WHERE r.status = 'posted' AND r.back_kind <> 'difference'")


def forward(apps, schema_editor):
    db.execute(f"INSERT INTO accounts_paidmonths (account_id, year, months, back) "  # noqa: S608 — SQL from code
               f"SELECT l.account_id, {YEAR}, SUM(DISTINCT {BIT}), "
               f"SUM(DISTINCT CASE WHEN r.biz_type = '02' THEN {BIT} ELSE 0 END) {PAYING} "
               f"GROUP BY l.account_id, {YEAR}", [])
    before_first = "CAST((f.idx - 1) / 12 * 100 + (f.idx - 1) %% 12 + 1 AS VARCHAR(6))"  # %% : a bound statement
    for center_id, business_date in apps.get_model("core", "Center").objects.values_list("pk", "business_date"):
        ranges = Relation(
            "SELECT * FROM (SELECT a.sub_id, a.opened_date, "  # noqa: S608 — SQL from code
            f"{db.month_key('a.opened_date')} AS first_ym, "
            f"CASE WHEN f.first IS NULL OR a.paid_up_to < f.first THEN a.paid_up_to ELSE {before_first} END AS last_ym, "
            "f.first AS first_line "
            f"FROM accounts_memberaccount a LEFT JOIN (SELECT l.account_id, MIN(r.month) AS first, MIN({IDX}) AS idx "
            f"{PAYING} GROUP BY l.account_id) f ON f.account_id = a.sub_id "
            "WHERE a.center_id = %s AND a.paid_up_to <> '') x "
            # an account opened here pays from the month after opening: its opening month alone is not history
            "WHERE x.first_line IS NULL OR x.last_ym > x.first_ym", (center_id,))
        paid_months_assume_ranges_from(ranges=ranges, source="migration", business_date=business_date)
    _starts()


def _starts() -> None:
    """Accounts that came to their employer after opening (启封 04, 内部转移 06 detail rows): they owe it from the
    month after the last such move."""
    nxt = db.month_index("MAX(r.business_date)", 1)
    db.execute("INSERT INTO accounts_paidmonthsstart (account_id, month) "  # noqa: S608 — SQL from code; values bound
               f"SELECT r.sub_account_id, CAST({nxt} / 12 * 100 + {nxt} %% 12 + 1 AS VARCHAR(6)) "
               "FROM ledger_subledgerrow r JOIN accounts_memberaccount a ON a.sub_id = r.sub_account_id "
               "WHERE r.biz_type IN (%s, %s) GROUP BY r.sub_account_id", ["04", "06"])


def backward(apps, schema_editor):
    apps.get_model("accounts", "PaidMonthsStart").objects.all().delete()
    apps.get_model("accounts", "PaidMonthsAssumed").objects.all().delete()
    apps.get_model("accounts", "PaidMonths").objects.all().delete()


SEEDS: list = []  # nothing for the test reseed: fills a column of existing rows


class Migration(migrations.Migration):
    dependencies = [("contributions", "0007_rate_periods"), ("accounts", "0007_paid_months"),
                    ("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
