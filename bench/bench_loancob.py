"""Benchmark: the loans' close of business (贷后日终) for one business date (issue 21, "Must show").

Set-up (not timed): a fresh database; the ledger-only center of `bench.ledger_fill` (N member accounts with
balances, set-based); N active loans, one per member, inserted with one INSERT … SELECT; their remaining
installments only (`--periods`, 36 by default) through `loans.schedules.schedules_store` (COPY / executemany);
the principal on 121 (one entry) and the overdue part on 122. Of the loans, 10 % have an installment due on the
business date, 1 % were already overdue (two missed installments, on 122, the dues copied earlier), 1 % missed
yesterday's installment (open, not yet overdue); the others fall due over the next 27 days. Each borrower has a
verified `withdrawals.BankCard` and an account with money at the bank simulator (a real `hpf bank-sim` process,
its accounts seeded in bulk), for the bank-collection step.

Timed: `loans.cob.run_cob` — the loans' registered day-end steps through the job runner (the lock and due step,
overdue with its Dr 122 / Cr 121 entry, classification, reserve report, reminders, release), chunked with
cursors. Beside it, in the same run, "the least raw SQL doing the same updates": the same statements once over
the whole center in one transaction, no chunks, no cursors, no job, no posting, no outbox, rolled back (run twice,
the second timed, so both see a warm cache). Then `hpf verify`.

Targets: COB ≤ 60 s and ≤ 3 × the raw SQL, on SQLite and on PostgreSQL.

    python -m bench loancob [--loans 200000] [--periods 36] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_ledger import db_targets

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0
TARGET_RATIO = 3.0


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _book(n: int, periods: int) -> dict:
    """The loan book, set-based; returns what was built."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from bench import ledger_fill
    from openhpf.core import db
    from openhpf.core.actors import SystemActor
    from openhpf.core.models import Center
    from openhpf.ledger.services import Line, entry_post
    from openhpf.loans.models import Loan
    from openhpf.loans.schedules import ScheduleSpec, schedules_store

    center = Center.objects.get(code=ledger_fill.CODE)
    d = center.business_date
    pg = connection.vendor == "postgresql"
    member0 = db.fetch("SELECT MIN(id) FROM accounts_member")[0][0]

    def plus(days_sql: str) -> str:
        return f"(CAST(%s AS DATE) + CAST({days_sql} AS INTEGER))" if pg else f"date(%s, ({days_sql}) || ' days')"

    number = ("'DK' || lpad(CAST(g.n AS TEXT), 10, '0')" if pg else "'DK' || substr('0000000000' || g.n, -10)")
    first_due = (f"CASE WHEN MOD(g.n, 10) = 0 THEN {plus('0')} WHEN MOD(g.n, 100) = 1 THEN {plus('-40')} "
                 f"WHEN MOD(g.n, 100) = 2 THEN {plus('-1')} ELSE {plus('1 + MOD(g.n, 27)')} END")
    principal = "20000000 + MOD(g.n, 50) * 1000000"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    plus1 = "i.due_date + 1" if pg else "date(i.due_date, '+1 day')"
    with transaction.atomic():
        db.execute(
            "INSERT INTO loans_loan (center_id, number, contract_no, borrower_id, application_id, product_code, "
            "principal, annual_rate, months, method, first_due, disbursed_on, maturity, outstanding, status, "
            "risk_class, overdue_principal, overdue_interest, overdue_since, schedule_version, class_override, "
            "class_override_until, collateral_status, written_off, cob_date, settled_on, created_at, updated_at) "
            f"SELECT %s, {number}, {number}, {member0} + g.n - 1, NULL, 'first.gt5', {principal}, 2.6, 240, '01', "
            f"{first_due}, %s, NULL, {principal}, 'active', '01', 0, 0, NULL, 1, '', NULL, 'mortgaged', 0, NULL, "
            f"NULL, %s, %s FROM {ledger_fill._series(0, n, connection.vendor)} g",
            [center.pk, d, d, d, d, d - timedelta(days=3000), now, now])
        specs = [ScheduleSpec(pk, p, Decimal("2.6"), periods, "01", fd) for pk, p, fd in
                 Loan.objects.filter(center=center).order_by("pk").values_list("pk", "outstanding", "first_due")]
        rows = schedules_store(specs)
        # dues the earlier COBs copied: the 1 % overdue (both past installments, overdue), the 1 % due yesterday
        db.execute(
            "INSERT INTO loans_loandue (center_id, loan_id, period, due_date, principal, interest, paid_principal, "
            "paid_interest, paid_penalty, penalty_owed, state, overdue_on) SELECT l.center_id, i.loan_id, i.period, "
            f"i.due_date, i.principal, i.interest, 0, 0, 0, 0, 'open', CASE WHEN i.due_date < %s THEN {plus1} END "
            "FROM loans_loaninstallment i JOIN loans_loan l ON l.id = i.loan_id WHERE i.due_date < %s",
            [d - timedelta(days=1), d])
        db.execute(
            "UPDATE loans_loan SET overdue_principal = a.p, overdue_interest = a.i, overdue_since = a.s FROM "
            "(SELECT loan_id, SUM(principal) AS p, SUM(interest) AS i, MIN(due_date) AS s FROM loans_loandue "
            "WHERE overdue_on IS NOT NULL GROUP BY loan_id) a WHERE loans_loan.id = a.loan_id")
        total, overdue = db.fetch("SELECT SUM(outstanding), SUM(overdue_principal) FROM loans_loan")[0]
        actor = SystemActor("bench")
        entry_post(center=center, business_date=d, source="bench", actor=actor, description="压测贷款余额",
                   lines=[Line("121", debit=int(total)), Line("10101", credit=int(total))])
        entry_post(center=center, business_date=d, source="bench", actor=actor, description="压测逾期贷款",
                   lines=[Line("122", debit=int(overdue)), Line("121", credit=int(overdue))])
    db.analyze("loans_loan", "loans_loaninstallment", "loans_loandue", sqlite=True)
    return {"loans": n, "installments": rows, "outstanding": int(total), "overdue_principal": int(overdue)}


def _cards(n: int, bank_db: Path) -> int:
    """A verified bank card per borrower, and its account with money at the simulator (seeded in bulk)."""
    from django.db import transaction

    from banksim.bank import Bank
    from bench import ledger_fill
    from openhpf.core.models import Center
    from openhpf.loans.models import Loan
    from openhpf.withdrawals.models import BankCard

    center = Center.objects.get(code=ledger_fill.CODE)
    members = list(Loan.objects.filter(center=center).order_by("pk").values_list("borrower_id", flat=True))
    with transaction.atomic():
        for k in range(0, len(members), 10_000):
            BankCard.objects.bulk_create([BankCard(
                center=center, member_id=m, card_no=f"6222{m:012d}", last4=f"{m:012d}"[-4:], bank_code="ICBC",
                bank_name="工商银行", holder_name=f"借款人{m}", status="verified", created_by="bench",
                created_on=center.business_date, verified_by="bench", verified_on=center.business_date)
                for m in members[k:k + 10_000]])
    Bank(bank_db)  # the simulator's schema
    with sqlite3.connect(bank_db) as conn:
        conn.executemany("INSERT INTO accounts (account, name, bank_code, status, balance, initial_balance, notify) "
                         "VALUES (?, ?, 'ICBC', 'normal', 5000000, 5000000, 0)",
                         [(f"6222{m:012d}", f"借款人{m}") for m in members])
    return len(members)


RAW = [  # the same updates, once over the center, no chunks (the least SQL: what the steps must do)
    "UPDATE loans_loan SET cob_date = %(d)s WHERE center_id = %(c)s AND status = 'active'",
    "INSERT INTO loans_loandue (center_id, loan_id, period, due_date, principal, interest, paid_principal, "
    "paid_interest, paid_penalty, penalty_owed, state) SELECT l.center_id, i.loan_id, i.period, i.due_date, "
    "i.principal, i.interest, 0, 0, 0, 0, 'open' FROM loans_loaninstallment i {join} loans_loan l ON l.id = i.loan_id "
    "WHERE i.due_date >= %(since)s AND i.due_date <= %(d)s AND l.center_id = %(c)s AND l.status = 'active' "
    "AND NOT EXISTS (SELECT 1 FROM loans_loandue x WHERE x.loan_id = i.loan_id AND x.period = i.period)",
    "UPDATE loans_loan SET overdue_principal = loans_loan.overdue_principal + a.p, overdue_interest = "
    "loans_loan.overdue_interest + a.i, overdue_since = COALESCE(loans_loan.overdue_since, a.s) FROM (SELECT "
    "loan_id, SUM(principal - paid_principal) AS p, SUM(interest - paid_interest) AS i, MIN(due_date) AS s FROM "
    "loans_loandue WHERE center_id = %(c)s AND state = 'open' AND overdue_on IS NULL AND due_date < %(d)s "
    "GROUP BY loan_id) a WHERE loans_loan.id = a.loan_id",
    "UPDATE loans_loandue SET overdue_on = {plus1} WHERE center_id = %(c)s AND state = 'open' "
    "AND overdue_on IS NULL AND due_date < %(d)s",
    "INSERT INTO loans_loanclasschange (loan_id, \"on\", from_class, to_class, overdue_days, manual, reason, until, "
    "created_by, created_at) SELECT id, %(d)s, risk_class, {target}, 0, %(f)s, '', NULL, 'raw', %(now)s "
    "FROM loans_loan WHERE center_id = %(c)s AND status = 'active' AND risk_class <> {target}",
    "UPDATE loans_loan SET risk_class = {target} WHERE center_id = %(c)s AND status = 'active' "
    "AND risk_class <> {target}",
    "SELECT risk_class, SUM(outstanding), COUNT(*) FROM loans_loan WHERE center_id = %(c)s AND status = 'active' "
    "GROUP BY risk_class",
    "INSERT INTO loans_loanreminder (center_id, loan_id, kind, due_date, sent_on) SELECT l.center_id, i.loan_id, "
    "'before_due', i.due_date, %(d)s FROM loans_loaninstallment i {join} loans_loan l ON l.id = i.loan_id "
    "WHERE i.due_date = %(d3)s AND l.center_id = %(c)s AND l.status = 'active'",
    "INSERT INTO loans_loanreminder (center_id, loan_id, kind, due_date, sent_on) SELECT center_id, loan_id, "
    "'overdue', due_date, %(d)s FROM loans_loandue WHERE center_id = %(c)s AND state = 'open' "
    "AND overdue_on IS NOT NULL AND due_date IN (%(o1)s, %(o7)s, %(o30)s)",
    "UPDATE loans_loan SET cob_date = NULL WHERE center_id = %(c)s AND cob_date IS NOT NULL",
]


class _Rollback(Exception):
    pass


def _raw(center) -> float:
    """The raw statements in one transaction, rolled back; seconds."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from openhpf.loans.cob import class_days, class_target_sql, due_since

    d = center.business_date
    target, tp = class_target_sql(d, class_days(center.pk, d))
    # the class expression with its parameters inlined as literals (dates and codes from code)
    for v in tp:
        target = target.replace("%s", f"'{v}'", 1)
    target = target.replace("l.", "")
    pg = connection.vendor == "postgresql"
    params = {"c": center.pk, "d": d, "since": due_since(center.pk, d), "f": False,
              "now": connection.ops.adapt_datetimefield_value(timezone.now()), "d3": d + timedelta(days=3),
              "o1": d - timedelta(days=1), "o7": d - timedelta(days=7), "o30": d - timedelta(days=30)}
    plus1 = "due_date + 1" if pg else "date(due_date, '+1 day')"
    statements = [sql.format(target=target, plus1=plus1, join="JOIN" if pg else "CROSS JOIN") for sql in RAW]
    elapsed = 0.0
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            for sql in statements:
                with connection.cursor() as c:
                    c.execute(sql, params)
                    if sql.startswith("SELECT"):
                        c.fetchall()
            elapsed = time.perf_counter() - t0
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _worker(db_url: str, n: int, periods: int) -> dict:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from banksim.client import SimProcess
    from bench import ledger_fill
    from openhpf.access.services import role_assign
    from openhpf.audit.services import audit_seal
    from openhpf.core.actors import SystemActor
    from openhpf.core.models import Center
    from openhpf.core.verify import run_checks
    from openhpf.jobs.models import JobStep
    from openhpf.loans.cob import run_cob
    from openhpf.loans.models import LoanDue, LoanReminder
    from openhpf.settlement.services import bank_account_open, bank_channel_link_local

    t0 = time.perf_counter()
    filled = ledger_fill.fill(n)
    _say(f"  {connection.vendor}: {n:,} members and accounts in {time.perf_counter() - t0:.1f} s")
    book = _book(n, periods)
    _say(f"  {connection.vendor}: loan book {book['installments']:,} installments at {time.perf_counter() - t0:.1f} s")
    center = Center.objects.get(code=ledger_fill.CODE)
    bd = center.business_date
    sys_actor = SystemActor("bench")
    fin = get_user_model().objects.create_user("bench_fin", is_staff=True)
    role_assign(user=fin, role="finance", center=center, actor=sys_actor)
    with tempfile.TemporaryDirectory() as tmp:
        bank_db = Path(tmp) / "bank.sqlite3"
        cards = _cards(n, bank_db)
        with SimProcess(bank_db, date=bd.isoformat()) as sim:
            acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行",
                                     account_no="6222000000000001", account_name=center.name, actor=sys_actor,
                                     business_date=bd)
            bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=sys_actor,
                                    timeout_seconds=120)
            sim.control("/sim/accounts", {"account": acct.account_no, "name": center.name, "bank_code": "ICBC",
                                          "balance": 10**15})
            setup_s = time.perf_counter() - t0
            _say(f"  {connection.vendor}: set up in {setup_s:.1f} s; raw SQL …")
            _raw(center)  # warm-up
            raw_s = _raw(center)
            _say(f"  {connection.vendor}: raw SQL {raw_s:.2f} s; COB …")
            t1 = time.perf_counter()
            job = run_cob(center=center, actor=fin)
            cob_s = time.perf_counter() - t1
    audit_seal()
    v0 = time.perf_counter()
    problems = [f"{c.name}: {c.detail} {c.breaches[:3]}" for c in run_checks()
                if not c.ok and c.name != "audit.unsealed"]
    r = job.result or {}
    steps = {st.name: round((st.finished_at - st.started_at).total_seconds(), 2)
             for st in JobStep.objects.filter(job=job).order_by("order")
             if st.finished_at is not None and st.started_at is not None}
    return {"db": connection.vendor, "loans": n, "fill": filled, "book": book, "cards": cards,
            "setup_s": round(setup_s, 1), "cob_s": round(cob_s, 2), "raw_s": round(raw_s, 2),
            "ratio": round(cob_s / raw_s, 2) if raw_s else 0.0, "status": job.status,
            "dues": r.get("loan_dues"), "overdue_dues": r.get("loan_overdue_dues"),
            "moved": r.get("loan_overdue_moved"), "class_changes": r.get("loan_class_changes"),
            "reserve_required": r.get("loan_reserve_required"), "reminders": r.get("loan_reminders"),
            "released": r.get("loan_released"), "due_today": LoanDue.objects.filter(due_date=bd).count(),
            "reminder_rows": LoanReminder.objects.count(), "steps": steps,
            "verify_s": round(time.perf_counter() - v0, 1), "verify_failed": problems}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="bench loancob")
    ap.add_argument("--loans", type=int, default=200_000)
    ap.add_argument("--periods", type=int, default=36, help="remaining installments stored per loan")
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.loans, args.periods), default=str))
        return 0
    targets = db_targets(args.db, "loancob")
    if targets is None:
        return 1
    ok = True
    print(f"loans COB, {args.loans:,} active loans, {args.periods} remaining installments each "
          f"(target ≤ {TARGET_S:.0f} s and ≤ {TARGET_RATIO}× the raw SQL)")
    for url in targets:
        out = subprocess.run([sys.executable, "-m", "bench.bench_loancob", "--worker", url, "--loans",
                              str(args.loans), "--periods", str(args.periods)], cwd=ROOT, capture_output=True,
                             text=True)
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
            ok = False
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        misses = []
        if r["cob_s"] > TARGET_S:
            misses.append(f"> {TARGET_S:.0f} s")
        if r["ratio"] > TARGET_RATIO:
            misses.append(f"> {TARGET_RATIO}× raw SQL")
        if r["status"] != "succeeded" or r["due_today"] != r["loans"] // 10:
            misses.append(f"job {r['status']}, due today {r['due_today']}")
        if r["verify_failed"]:
            misses.append("hpf verify: " + "; ".join(r["verify_failed"]))
        ok = ok and not misses
        print(f"{r['db']:<10} COB {r['cob_s']:>6} s  raw SQL {r['raw_s']:>6} s  ratio {r['ratio']:>5}  "
              f"dues {r['dues']:,} overdue {r['overdue_dues']:,} (moved {r['moved']:,} fen) "
              f"class changes {r['class_changes']:,} reminders {r['reminders']:,}  set-up {r['setup_s']} s  "
              f"{'PASS' if not misses else 'FAIL: ' + ', '.join(misses)}")
        print(f"{'':<10} steps (s): " + "  ".join(f"{k} {v}" for k, v in r["steps"].items()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
