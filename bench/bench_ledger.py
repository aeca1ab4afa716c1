"""Benchmark: bulk-post one batch of N member sub-ledger rows with its GL entry (issue: Foundation I).

Beside it, in the same run and database, the same rows moved by the least raw SQL: one bulk insert into an
equivalent detail table plus one set-based balance update. Targets on the 2-core machine: ≥ 100,000 rows/s,
≤ 3× the raw SQL, peak memory ≤ 1 GiB. Each database runs in its own worker process so peak RSS is its own.

    python -m bench ledger [--rows 1000000] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from openhpf.core.actors import SystemActor

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("HPF_BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
TARGET_ROWS_PER_S = 100_000
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1024


def _worker(db_url: str, rows: int) -> dict:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    # each run is a fresh database (a fresh installation): its audit anchor goes in a folder of its own
    os.environ.setdefault("HPF_AUDIT_ANCHOR_DIR", tempfile.mkdtemp(prefix="hpf-bench-anchor-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from openhpf.audit.services import audit_seal
    from openhpf.core.codes import BizType
    from openhpf.core.services import center_create
    from openhpf.core.verify import run_checks
    from openhpf.ledger import sql
    from openhpf.ledger.models import SubAccount
    from openhpf.ledger.services import batch_post

    call_command("migrate", verbosity=0)
    bd = date(2026, 11, 30)
    center = center_create(code="990100", name="基准测试中心", business_date=bd, actor=SystemActor("bench"))
    t0 = time.perf_counter()
    sql.bulk_insert(
        "ledger_subaccount",
        ["center_id", "account_no", "balance_current", "balance_carried", "frozen_amount", "hold_amount",
         "year_start", "jishu_current", "jishu_carried", "jishu_base_current", "jishu_base_carried"],
        ((center.pk, f"990100{i:010d}", 0, 0, 0, 0, "2026-07-01", 0, 0, 0, 0) for i in range(rows)),
    )
    ids = sql.fetch("SELECT MIN(id), MAX(id) FROM ledger_subaccount WHERE center_id = %s", [center.pk])[0]
    first_id = ids[0]
    setup_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        sql.execute("ANALYZE ledger_subaccount")

    def amount(i: int) -> int:
        return 50_000 + (i * 7919) % 300_000

    # --- the least raw SQL: bulk insert of the same rows + one set-based balance update
    big = "BIGINT" if connection.vendor == "postgresql" else "INTEGER"
    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
    sql.execute("DROP TABLE IF EXISTS bench_raw_detail")
    sql.execute("DROP TABLE IF EXISTS bench_raw_account")
    sql.execute(f"CREATE TABLE bench_raw_detail (id {pk}, sub_account_id {big} NOT NULL, amount {big} NOT NULL, "
                f"value_date DATE NOT NULL, reference VARCHAR(40) NOT NULL)")
    sql.execute("CREATE INDEX bench_raw_detail_acct ON bench_raw_detail (sub_account_id, id)")
    sql.execute(f"CREATE TABLE bench_raw_account (id {big} PRIMARY KEY, balance {big} NOT NULL)")
    sql.execute("INSERT INTO bench_raw_account (id, balance) SELECT id, 0 FROM ledger_subaccount")
    if connection.vendor == "postgresql":
        sql.execute("ANALYZE bench_raw_account")
    t0 = time.perf_counter()
    with transaction.atomic():
        sql.bulk_insert("bench_raw_detail", ["sub_account_id", "amount", "value_date", "reference"],
                        ((first_id + i, amount(i), "2026-11-30", f"R{i}") for i in range(rows)))
        sql.execute("UPDATE bench_raw_account AS a SET balance = a.balance + g.s FROM (SELECT sub_account_id, "
                    "SUM(amount) AS s FROM bench_raw_detail GROUP BY sub_account_id) AS g WHERE a.id = g.sub_account_id")
    raw_s = time.perf_counter() - t0

    # --- the real path: stage (streamed, chunked) + apply (set-based), one balanced GL entry
    t0 = time.perf_counter()
    batch = batch_post(
        center=center, key="bench-remit-202611", biz_type=BizType.REMITTANCE, business_date=bd,
        counter_account="10101", description="基准测试：批量汇缴入账", actor=SystemActor("bench"),
        rows=((first_id + i, amount(i), 0, None, f"R{i}") for i in range(rows)),
    )
    post_s = time.perf_counter() - t0
    assert batch.rows_posted == rows
    expected_total = sum(amount(i) for i in range(rows))
    assert batch.total_amount == expected_total
    assert SubAccount.objects.filter(center=center, balance_current=0).count() == 0

    # the periodic sealer (hpf audit_seal), as on the timer: chains the audit rows and digests the entry's rows
    sealed = audit_seal()
    t0 = time.perf_counter()
    checks = run_checks()
    verify_s = time.perf_counter() - t0
    failed = [f"{c.name}: {c.detail} {c.breaches[:3]}" for c in checks if not c.ok and c.name != "audit.unsealed"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "vendor": connection.vendor, "rows": rows, "setup_s": round(setup_s, 2), "raw_s": round(raw_s, 2),
        "post_s": round(post_s, 2), "rows_per_s": int(rows / post_s), "ratio": round(post_s / raw_s, 2),
        "peak_mb": int(peak_mb), "verify_s": round(verify_s, 2), "verify_failed": failed,
        "seal_s": round(sealed.seconds, 2), "sealed_rows": sealed.rows, "digest_batches": sum(sealed.sources.values()),
    }


def _pg_fresh(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
        return True
    except Exception:
        return False



def db_targets(which: str, name: str) -> list[str] | None:
    """The database URLs a benchmark runs on (`--db sqlite|postgres|both`), each fresh: var/bench/<name>.sqlite3
    and PostgreSQL database hpf_bench_<name>. None when PostgreSQL is required (HPF_REQUIRE_POSTGRES=1) but
    unreachable; without the requirement it is skipped with a loud line."""
    targets = []
    if which in ("sqlite", "both"):
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        targets.append(f"sqlite:///{path}")
    if which in ("postgres", "both"):
        if _pg_available():
            targets.append(_pg_fresh(f"hpf_bench_{name}"))
        else:
            print("!!! SKIPPED PostgreSQL: not reachable at", PG_ADMIN, file=sys.stderr)
            if os.environ.get("HPF_REQUIRE_POSTGRES") == "1":
                return None
    return targets

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench ledger")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both",
                    help="postgres and postgresql name the same database (every bench takes both)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.rows)))
        return 0
    targets = db_targets(args.db, "ledger")
    if targets is None:
        return 1
    ok = True
    print(f"ledger bulk posting, {args.rows:,} sub-ledger rows + 1 GL entry")
    print(f"{'db':<10} {'post s':>8} {'rows/s':>10} {'raw s':>7} {'ratio':>6} {'peak MB':>8} {'seal s':>7} {'verify s':>9}  result")
    for url in targets:
        out = subprocess.run([sys.executable, "-m", "bench.bench_ledger", "--worker", url, "--rows", str(args.rows)],
                             cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
            ok = False
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        misses = []
        if r["rows_per_s"] < TARGET_ROWS_PER_S:
            misses.append(f"rows/s < {TARGET_ROWS_PER_S:,}")
        if r["ratio"] > TARGET_RATIO:
            misses.append(f"> {TARGET_RATIO}× raw SQL")
        if r["peak_mb"] > TARGET_PEAK_MB:
            misses.append(f"peak > {TARGET_PEAK_MB} MB")
        if r["verify_failed"]:
            misses.append("hpf verify: " + "; ".join(r["verify_failed"]))
        ok = ok and not misses
        print(f"{r['vendor']:<10} {r['post_s']:>8} {r['rows_per_s']:>10,} {r['raw_s']:>7} {r['ratio']:>6} "
              f"{r['peak_mb']:>8} {r['seal_s']:>7} {r['verify_s']:>9}  {'PASS' if not misses else 'FAIL: ' + ', '.join(misses)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
