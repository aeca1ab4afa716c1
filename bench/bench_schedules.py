"""Benchmark: repayment schedules for a book of loans computed and bulk-stored, and the calculator API (issue 20,
"Must show").

Set-up (not timed): a fresh database, a center, one borrower, N loan rows (terms 5–30 years, 100,000 元 to
2,000,000 元, the 2025-05-08 rates by band, both methods, first due dates over a year), inserted with the ORM.

Timed: `loans.schedules.schedules_store` over the N loans in one transaction (the integer-only schedule, COPY
on PostgreSQL, executemany on SQLite) → rows/s; peak memory of the process (resource.getrusage maxrss). Then
`GET /api/v1/loans/calculator` for a 360-row schedule through the real stack (Django test client), `--runs`
times after warm-up → p50/p95.

Targets: ≥ 300,000 rows/s per database, peak ≤ 1.5 GiB, calculator API p95 ≤ 20 ms. The line also shows the
CPU seconds of the process and the load average: on a shared machine the wall time includes waiting for a core.

    python -m bench schedules [--loans 100000] [--runs 100] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_ledger import db_targets

ROOT = Path(__file__).resolve().parent.parent
TARGET_ROWS_S = 300_000
TARGET_PEAK_MB = 1536
TARGET_P95_MS = 20.0


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def _worker(db_url: str, loans: int, runs: int) -> dict:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    import django

    django.setup()
    from datetime import date
    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from openhpf.accounts.tests.factories import make_account, make_employer
    from openhpf.core import db
    from openhpf.core.actors import SystemActor
    from openhpf.core.services import center_create
    from openhpf.loans.calculations import add_months
    from openhpf.loans.models import Loan, LoanInstallment
    from openhpf.loans.schedules import ScheduleSpec, schedules_store

    settings.ALLOWED_HOSTS = ["*"]
    settings.HPF_RATE_LIMITS = {**getattr(settings, "HPF_RATE_LIMITS", {}), "api": "1000000/60"}
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    center = center_create(code="990400", name="贷款基准测试中心", business_date=date(2026, 11, 30),
                           actor=SystemActor("bench"))
    with transaction.atomic():
        member = make_account(center, make_employer(center)).member
    rnd = random.Random(20)
    rates = {("first", False): "2.1", ("first", True): "2.6", ("second", False): "2.525", ("second", True): "3.075"}
    batch = []
    for i in range(loans):
        months = 12 * rnd.randint(5, 30)
        rate = rates[(rnd.choice(["first", "first", "first", "second"]), months > 60)]
        principal = rnd.randint(100_000, 2_000_000) * 100
        batch.append(Loan(center=center, number=f"BL{i:09d}", borrower=member, principal=principal,
                          annual_rate=Decimal(rate), months=months, method=rnd.choice(["01", "01", "02"]),
                          first_due=add_months(date(2027, 1, 1 + i % 28), i % 12), outstanding=principal))
        if len(batch) == 10_000:
            Loan.objects.bulk_create(batch)
            batch = []
    Loan.objects.bulk_create(batch)
    specs_src = list(Loan.objects.values_list("pk", "principal", "annual_rate", "months", "method", "first_due"))
    setup_s = time.perf_counter() - t0
    _say(f"  {connection.vendor}: {loans:,} loans set up in {setup_s:.1f} s")

    specs = (ScheduleSpec(pk, p, Decimal(r), n, m, d) for pk, p, r, n, m, d in specs_src)
    t = time.perf_counter()
    cpu = time.process_time()
    with transaction.atomic():
        rows = schedules_store(specs)
    store_s = time.perf_counter() - t
    cpu_s = time.process_time() - cpu  # this process only: on a busy machine wall time counts waiting for a core
    assert LoanInstallment.objects.count() == rows
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _say(f"  {connection.vendor}: {rows:,} rows in {store_s:.1f} s")
    if db.is_postgresql():
        db.execute(f"VACUUM ANALYZE {LoanInstallment._meta.db_table}")

    client = Client()
    q = {"principal": "1000000", "annual_rate": "2.85", "months": "360", "method": "equal-installment",
         "first_due": "2027-01-20"}
    times = []
    for i in range(runs + 5):
        t = time.perf_counter()
        r = client.get("/api/v1/loans/calculator", q)
        ms = (time.perf_counter() - t) * 1000
        assert r.status_code == 200 and r.json()["first_payment"] == 413_557, r.content[:200]
        if i >= 5:
            times.append(ms)
    return {"db": connection.vendor, "loans": loans, "rows": rows, "store_s": round(store_s, 2),
            "rows_s": round(rows / store_s),
            "cpu_s": round(cpu_s, 2), "load": round(os.getloadavg()[0], 1), "peak_mb": round(peak_mb), "p50_ms": round(_pct(times, 0.5), 2),
            "p95_ms": round(_pct(times, 0.95), 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench schedules")
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both",
                    help="postgres and postgresql name the same database (every bench takes both)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.loans, args.runs)))
        return 0
    targets = db_targets(args.db, "schedules")
    if targets is None:
        return 1
    ok = True
    print(f"loan schedules: {args.loans:,} loans computed and bulk-stored (target ≥ {TARGET_ROWS_S:,} rows/s, "
          f"peak ≤ {TARGET_PEAK_MB} MB); calculator API, 360 rows, {args.runs} runs (target p95 ≤ {TARGET_P95_MS} ms)")
    print(f"{'db':<10} {'rows':>12} {'store s':>8} {'rows/s':>10} {'cpu s':>7} {'load':>5} {'peak MB':>8} "
          f"{'API p50':>8} {'API p95':>8}  result")
    for url in targets:
        out = subprocess.run([sys.executable, "-m", "bench.bench_schedules", "--worker", url, "--loans",
                              str(args.loans), "--runs", str(args.runs)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if out.returncode != 0:
            print(f"  {url.split(':')[0]}: worker failed")
            ok = False
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        met = r["rows_s"] >= TARGET_ROWS_S and r["peak_mb"] <= TARGET_PEAK_MB and r["p95_ms"] <= TARGET_P95_MS
        ok = ok and met
        print(f"{r['db']:<10} {r['rows']:>12,} {r['store_s']:>8.1f} {r['rows_s']:>10,} {r['cpu_s']:>7.1f} "
              f"{r['load']:>5.1f} {r['peak_mb']:>8} "
              f"{r['p50_ms']:>7.1f}ms {r['p95_ms']:>7.1f}ms  {'ok' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
