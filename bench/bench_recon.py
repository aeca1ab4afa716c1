"""Benchmark: 日终对账 of 1,000,000 statement lines against 1,000,000 ledger lines, one 专户, one day, with 0.1 %
injected discrepancies of every kind (issue 6, "Must show").

Set-up (not timed): a fresh database, a center and its 专户, the day's book side written with set-based SQL as
balanced entries (openhpf/reconciliation/tests/scenario.py, the generator the tests use at 6,000 lines). Timed
separately: `statement_load` (the BDC113 lines streamed in, validated, digested, stored) and `reconcile` (the
set-based matching, the items, the 调节表). Then asserted: every injected discrepancy is found and nothing else is
flagged, the 调节表 balances (difference 0), hpf verify holds (invariant 4 included).

Targets (2-core machine): statement_load + reconcile ≤ 60 s; peak memory ≤ 1.5 GiB. Each database runs in its own
worker process so its peak RSS is its own.

    python -m bench recon [--lines 1000000] [--db sqlite|postgres|both] [--no-progress]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.bench_ledger import db_targets  # one copy of the database set-up
from openhpf.core.actors import SystemActor

ROOT = Path(__file__).resolve().parent.parent
TARGET_TOTAL_S = 60.0
TARGET_PEAK_MB = 1536
DAY = date(2026, 11, 30)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _worker(db_url: str, lines: int, progress: bool) -> dict:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from openhpf.core.services import center_create
    from openhpf.core.verify import run_checks
    from openhpf.ledger import sql
    from openhpf.reconciliation.management.commands.recon import RichProgress, _Quiet
    from openhpf.reconciliation.models import ReconItem, ReconMatch
    from openhpf.reconciliation.services import reconcile, statement_load
    from openhpf.reconciliation.tests.scenario import Day, book_insert
    from openhpf.settlement.services import bank_account_open

    actor = SystemActor("bench")
    call_command("migrate", verbosity=0)
    center = center_create(code="990200", name="对账基准测试中心", business_date=DAY, actor=actor)
    with transaction.atomic(durable=True):
        acct = bank_account_open(center=center, bank_code="102", bank_name="工商银行基准测试支行",
                                 account_no="1202990200000001", account_name="", actor=actor, business_date=DAY)
    day = Day(center_code=center.code, day=DAY, n=lines)
    t0 = time.perf_counter()
    day.prepare()
    _say(f"  {connection.vendor}: scenario prepared ({day.statement_count:,} statement lines, {day.book_count:,} "
         f"book lines, {len(day.expected)} expected items) in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with transaction.atomic(durable=True):
        written = book_insert(center_id=center.pk, gl=acct.gl_account, scenario=day)
    if connection.vendor == "postgresql":
        for t in ("ledger_journalline", "ledger_journalentry"):
            sql.execute(f"ANALYZE {t}")
    setup_s = time.perf_counter() - t0
    _say(f"  {connection.vendor}: book side written ({written:,} bank lines) in {setup_s:.1f} s")

    rich = RichProgress() if progress else None
    with rich if rich is not None else _Quiet():
        t0 = time.perf_counter()
        with transaction.atomic(durable=True):
            stmt = statement_load(bank_account=acct, stmt_date=DAY, opening_balance=day.opening,
                                  closing_balance=day.closing, lines=day.statement_lines(), actor=actor,
                                  business_date=DAY, progress=rich)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic(durable=True):
            recon = reconcile(bank_account=acct, on=DAY, actor=actor, business_date=DAY,
                              progress=rich)
        recon_s = time.perf_counter() - t0
    found = set(ReconItem.objects.filter(opened_in=recon).values_list("reason", "side", "ref_key"))
    missed = sorted(day.expected - found)
    extra = sorted(found - day.expected)
    t0 = time.perf_counter()
    checks = run_checks()
    verify_s = time.perf_counter() - t0
    failed = [f"{c.name}: {c.detail} {c.breaches[:3]}" for c in checks if not c.ok and c.name != "audit.unsealed"]
    return {
        "vendor": connection.vendor, "statement_lines": stmt.line_count, "book_lines": recon.book_lines,
        "setup_s": round(setup_s, 2), "load_s": round(load_s, 2), "reconcile_s": round(recon_s, 2),
        "total_s": round(load_s + recon_s, 2), "lines_per_s": int(stmt.line_count / (load_s + recon_s)),
        "expected_items": len(day.expected), "found_items": len(found), "missed": missed[:10], "extra": extra[:10],
        "matched_by_key": recon.matched_by_key, "matched_by_sum": recon.matched_by_sum,
        "matched_by_amount": recon.matched_by_amount, "cancelled": recon.cancelled,
        "matches_stored": ReconMatch.objects.filter(reconciliation=recon).count(),
        "difference": recon.difference, "status": recon.status, "verify_s": round(verify_s, 2),
        "verify_failed": failed, "peak_mb": int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench recon")
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both",
                    help="postgres and postgresql name the same database (every bench takes both)")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.lines, not args.no_progress), ensure_ascii=False))
        return 0
    targets = db_targets(args.db, "recon")
    if targets is None:
        return 1
    ok = True
    print(f"daily reconciliation, {args.lines:,} statement lines × the same number of ledger lines, 0.1 % injected")
    rows = []
    for url in targets:
        cmd = [sys.executable, "-m", "bench.bench_recon", "--worker", url, "--lines", str(args.lines)]
        if args.no_progress:
            cmd.append("--no-progress")
        # stderr passes through: the worker's progress bars and set-up notes show as it runs
        out = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if out.returncode != 0:
            print(out.stdout[-3000:], file=sys.stderr)
            ok = False
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        misses = []
        if r["total_s"] > TARGET_TOTAL_S:
            misses.append(f"load+reconcile > {TARGET_TOTAL_S:.0f} s")
        if r["missed"] or r["extra"]:
            misses.append(f"items: {len(r['missed'])} missed, {len(r['extra'])} extra")
        if r["difference"] != 0:
            misses.append(f"调节表 difference {r['difference']}")
        if r["peak_mb"] > TARGET_PEAK_MB:
            misses.append(f"peak > {TARGET_PEAK_MB} MB")
        if r["verify_failed"]:
            misses.append("hpf verify: " + "; ".join(r["verify_failed"]))
        ok = ok and not misses
        rows.append((r, misses))
    print(f"{'db':<10} {'lines':>9} {'load s':>7} {'recon s':>8} {'total s':>8} {'lines/s':>9} {'items':>11} "
          f"{'peak MB':>8} {'verify s':>9}  result")
    for r, misses in rows:
        items = f"{r['found_items']}/{r['expected_items']}"
        print(f"{r['vendor']:<10} {r['statement_lines']:>9,} {r['load_s']:>7} {r['reconcile_s']:>8} {r['total_s']:>8} "
              f"{r['lines_per_s']:>9,} {items:>11} {r['peak_mb']:>8} {r['verify_s']:>9}  "
              f"{'PASS' if not misses else 'FAIL: ' + ', '.join(misses)}")
        print("  " + json.dumps(r, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
