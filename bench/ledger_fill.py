"""The ledger-only center of `bench interest --ledger-only`: set-based SQL fills N member accounts (placeholder
members, no personal data, no cut-over), with a rate change inside the year, ready for the 6/30 settlement.

    python -m bench.ledger_fill fill --accounts N      (DATABASE_URL names the fresh, migrated database)
    python -m bench.ledger_fill check                  (after the settlement: sampled accounts to the fen)

The history, interest year 2026-07-01 … 2027-06-30 (365 days), 1.5 % until 2026-12-31 and 1.75 % from 2027-01-01:
  - every account except each fourth opens on 2026-07-01 with 当年归集 c(n) and 上年结转 k(n);
  - the day-end of 2027-01-01 closes their 积数 (184 days at 1.5 %) through the real service;
  - each fourth account opens on 2027-03-01 (122 days, all at 1.75 %), so it has no close row.
Each step is one set-based statement per chunk of a million accounts; the balances go in through the ledger's
bulk batch (sub-ledger rows, GL entry, 积数), so `hpf verify` holds."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from fractions import Fraction
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
django.setup()

from django.db import connection, transaction  # noqa: E402 — after django.setup()

from openhpf.accounts.models import Employer  # noqa: E402
from openhpf.contributions.interest.periods import rate_period_close  # noqa: E402
from openhpf.core import db as sql  # noqa: E402
from openhpf.core.actors import SystemActor  # noqa: E402
from openhpf.core.codes import BizType  # noqa: E402
from openhpf.core.db import Relation  # noqa: E402
from openhpf.core.models import Branch, Center  # noqa: E402
from openhpf.core.services import center_advance_business_date, center_create, policy_set  # noqa: E402
from openhpf.ledger.models import SubAccount, SubLedgerRow  # noqa: E402
from openhpf.ledger.selectors import gl_balance  # noqa: E402
from openhpf.ledger.services import batch_apply, batch_create, batch_stage_from, subaccounts_open_from  # noqa: E402

CODE = "330100"
YS, CHANGE, LATE, SETTLE = date(2026, 7, 1), date(2027, 1, 1), date(2027, 3, 1), date(2027, 6, 30)
OLD, NEW = Fraction(3, 200), Fraction(7, 400)
CHUNK = 1_000_000


def current(n: int) -> int:  # 当年归集 of account n, fen (as the SQL below)
    return 100_00 + (n * 7919) % 5_000_000


def carried(n: int) -> int:  # 上年结转: zero for one account in seven
    return 0 if n % 7 == 0 else (n * 104729) % 20_000_000


def expected(n: int) -> int:
    """Account n's interest for the year, by hand: Σ 积数 × rate / 360 over the two periods, HALF_UP once."""
    bal = current(n) + carried(n)
    if n % 4 == 0:
        total = Fraction(bal * (SETTLE - LATE).days + bal, 360) * NEW
    else:
        total = Fraction(bal * (CHANGE - YS).days, 360) * OLD + Fraction(bal * ((SETTLE - CHANGE).days + 1), 360) * NEW
    q, r = divmod(total.numerator, total.denominator)
    return q + (1 if 2 * r >= total.denominator else 0)


def _series(lo: int, hi: int, vendor: str) -> str:
    """SQL rows n = lo+1 … hi (column n)."""
    if vendor == "postgresql":
        return f"(SELECT generate_series(CAST({lo + 1} AS BIGINT), {hi}) AS n)"
    return f"(WITH RECURSIVE s(n) AS (SELECT {lo + 1} UNION ALL SELECT n + 1 FROM s WHERE n < {hi}) SELECT n FROM s)"


def _acc_no(vendor: str) -> str:
    return (f"'{CODE}' || lpad(CAST(g.n AS TEXT), 10, '0')" if vendor == "postgresql"
            else f"'{CODE}' || substr('0000000000' || g.n, -10)")


def _contiguous(table: str, count: int) -> int:

    lo, hi, n = sql.fetch(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {table}")[0]
    if n != count or hi - lo + 1 != count:
        raise SystemExit(f"{table}: ids not contiguous ({lo}…{hi}, {n} rows)")
    return int(lo)


def _opening(center: Any, key: str, on: date, where: str, accounts: int, sub0: int, actor: Any) -> None:
    """One bulk batch of opening balances (value date `on`) for the accounts n with `where`."""

    batch = batch_create(center=center, key=key, biz_type=BizType.CUTOVER_OPENING, business_date=on,
                         counter_account="10101", description=f"压测期初余额 {on}", actor=actor)
    series = _series(0, accounts, connection.vendor)
    batch_stage_from(batch=batch, unique_accounts=True, source=Relation(
        f"SELECT g.n, {sub0} + g.n - 1, 100 * 100 + MOD(g.n * 7919, 5000000), "
        f"CASE WHEN MOD(g.n, 7) = 0 THEN 0 ELSE MOD(g.n * 104729, 20000000) END, %s, '' FROM {series} g WHERE {where}",
        (on,)))
    batch_apply(batch=batch, actor=actor)


def fill(accounts: int) -> dict[str, Any]:

    actor, vendor = SystemActor("bench"), connection.vendor
    t0 = time.perf_counter()
    center = center_create(code=CODE, name="压测住房公积金管理中心", business_date=YS, actor=actor)
    for key in ("deposit.rate.current", "deposit.rate.carried"):
        policy_set(key=key, value="0.0175", value_type="decimal", effective_from=CHANGE, actor=actor,
                   approved_by="压测利率调整", center=center)
    branch = Branch.objects.get(center=center)
    emp = Employer.objects.create(center=center, branch=branch, account_no=f"{CODE}00000001", credit_code="BENCH",
                                  name="压测单位", economic_type="160", industry="K", payday=10,
                                  employer_ratio="0.1200", member_ratio="0.1200", opened_date=YS)
    with transaction.atomic():
        for lo in range(0, accounts, CHUNK):
            hi = min(lo + CHUNK, accounts)
            sql.execute(
                "INSERT INTO accounts_member (center_id, name, id_type, id_number, id_number_bidx, birth_date, sex, "
                "phone, phone_bidx, marital_status) SELECT %s, '', '01', '', "
                f"'bench' || CAST(g.n AS TEXT), %s, '1', '', '', '90' FROM {_series(lo, hi, vendor)} g",
                [center.pk, date(1990, 1, 1)])
            subaccounts_open_from(center=center, year_start=YS, source=Relation(
                f"SELECT {_acc_no(vendor)} AS account_no, 0 AS jishu_base_current, 0 AS jishu_base_carried "
                f"FROM {_series(lo, hi, vendor)} g"))
        member0 = _contiguous("accounts_member", accounts)
        sub0 = _contiguous("ledger_subaccount", accounts)
        for lo in range(0, accounts, CHUNK):
            hi = min(lo + CHUNK, accounts)
            sql.execute(
                "INSERT INTO accounts_memberaccount (sub_id, center_id, branch_id, account_no, legacy_no, member_id, "
                "employer_id, base, employer_ratio, member_ratio, employer_amount, member_amount, status, freeze_kind, "
                f"paid_up_to, opened_date, sealed_date, seal_reason, closed_date) SELECT {sub0} + g.n - 1, %s, %s, "
                f"{_acc_no(vendor)}, '', {member0} + g.n - 1, %s, 1000000, 0.12, 0.12, 120000, 120000, "
                f"CASE WHEN MOD(g.n, 10) = 9 THEN '02' ELSE '01' END, '0', '', "
                f"CASE WHEN MOD(g.n, 4) = 0 THEN %s ELSE %s END, NULL, '', NULL FROM {_series(lo, hi, vendor)} g",
                [center.pk, branch.pk, emp.pk, LATE, YS])
    sql.analyze("accounts_member", "ledger_subaccount", "accounts_memberaccount")
    rows_s = time.perf_counter() - t0
    with transaction.atomic():
        _opening(center, "bench:opening:1", YS, "MOD(g.n, 4) <> 0", accounts, sub0, actor)
    center = center_advance_business_date(center=center, to=CHANGE, actor=actor)
    with transaction.atomic():
        close = rate_period_close(center=center, on=CHANGE, actor=actor)   # the day-end step's work
    center = center_advance_business_date(center=center, to=LATE, actor=actor)
    with transaction.atomic():
        _opening(center, "bench:opening:2", LATE, "MOD(g.n, 4) = 0", accounts, sub0, actor)
    center_advance_business_date(center=center, to=SETTLE, actor=actor)
    sql.analyze("ledger_subaccount", "ledger_subledgerrow", "contributions_rateperiodjishu")
    return {"accounts": accounts, "split": close.accounts if close else 0, "rows_s": round(rows_s, 1),
            "fill_s": round(time.perf_counter() - t0, 1)}


def check(samples: int = 2000) -> dict[str, Any]:
    """Sampled accounts (spread over all n) against the hand computation, and the 211 payable at zero."""
    center = Center.objects.get(code=CODE)
    n_accounts = SubAccount.objects.filter(center=center).count()
    sub0 = SubAccount.objects.filter(center=center).order_by("pk").values_list("pk", flat=True).first() or 0
    step = max(n_accounts // samples, 1)
    ns = sorted({*range(1, n_accounts + 1, step), n_accounts})
    got = dict(SubLedgerRow.objects.filter(biz_type=BizType.INTEREST, sub_account_id__in=[sub0 + n - 1 for n in ns])
               .values_list("sub_account_id", "amount"))
    wrong = [(n, got.get(sub0 + n - 1), expected(n)) for n in ns if got.get(sub0 + n - 1) != expected(n)]
    return {"sampled": len(ns), "wrong": wrong[:10], "n_wrong": len(wrong),
            "payable_211": gl_balance(center=center, code_prefix="211")}


def main(argv: list[str]) -> int:
    if argv[:1] == ["fill"]:
        out = fill(int(argv[argv.index("--accounts") + 1]))
    elif argv[:1] == ["check"]:
        out = check()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False))
    return 0 if out.get("n_wrong", 0) == 0 and out.get("payable_211", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
