"""Benchmark: import + validate + post a 1,000,000-line multi-employer roster CSV (issue 5, 汇缴).

The bench center is built with `hpf generate` (a cut-over) with 4% more members than the file has lines (some
accounts are sealed), then the expected roster of the first N normal accounts is written as an N-line CSV (and
the same rows as .xlsx); its lines belong to ~100,000 employers. Measured in a worker process
per database (so peak RSS is its own): the CSV import (stream → stage → SQL rules → remittances per
employer), a collective receipt, the posting (one ledger batch, Dr 10101 / Cr 201, paid-up-to months, the
paid-month store), and — beside it on the same rows — the least raw SQL moving them to the same effect (insert
the detail rows, update the balances, move the paid-up-to months, mark the month in an (id, year, bitmap)
table; the ratio against the first two alone is reported too). The raw SQL
writes narrow tables of its own (id + balance, id + month) with nothing but their keys, and runs with the
server's defaults; it was measured no faster with the posting's session settings (work_mem, jit off) nor
with an update that skips the GROUP BY, so neither handicaps it. The statements that took the time in each
phase are listed with the results (top_import, top_post).
The .xlsx of the same rows is imported for the next month (预缴 roster) and only reported.

Targets (2-core machine): CSV import + post ≤ 60 s, post ≤ 3× the raw SQL, peak memory ≤ 1.5 GiB.

    python -m bench remit [--lines 1000000] [--db sqlite|postgres|both] [--no-xlsx] [--reuse]

--reuse keeps a snapshot of the prepared bench center (PostgreSQL: a template database; SQLite: a file copy)
and its roster files, and starts the next run from it when the size matches (for profiling; the measured
work is the same).
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

from bench.bench_ledger import _pg_available, _pg_fresh  # one copy of the PostgreSQL helpers
from openhpf.core.actors import SystemActor

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("HPF_BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
TARGET_TOTAL_S = 60.0
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1536
CUTOVER = date(2026, 11, 1)
MONTH = "2026-11"


def _setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    # the bench databases' audit anchors (one file per fresh installation), apart from the development ones
    os.environ.setdefault("HPF_AUDIT_ANCHOR_DIR", str(ROOT / "var" / "bench" / "audit-anchor"))
    import django

    django.setup()


class _StatementTimes:
    """Wall time per SQL statement (its first words), to say where each phase spends its time."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    def __call__(self, execute, sql_text, params, many, context):  # django execute_wrapper
        t0 = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            key = " ".join(str(sql_text).split())[:90]
            got = self.times.setdefault(key, [0, 0.0])
            got[0] += 1
            got[1] += time.perf_counter() - t0

    def top(self, n: int = 8) -> list[str]:
        out = [f"{t:.2f}s x{c} {k}" for k, (c, t) in sorted(self.times.items(), key=lambda x: -x[1][1])[:n]
               if t >= 0.1]
        self.times = {}
        return out


def _worker(db_url: str, mode: str, csv_path: str, xlsx_path: str) -> dict:
    _setup(db_url)
    from django.db import connection, transaction

    from openhpf.audit.services import audit_seal
    from openhpf.contributions.models import Remittance
    from openhpf.contributions.remittance.fileimport import remittance_import
    from openhpf.contributions.remittance.services import receipt_record, remittance_post
    from openhpf.core.models import Center
    from openhpf.core.verify import run_checks
    from openhpf.ledger import sql

    center = Center.objects.get()
    bd = center.business_date
    actor = SystemActor("bench")
    out: dict = {"vendor": connection.vendor}
    if mode == "xlsx":
        t0 = time.perf_counter()
        res = remittance_import(center=center, path=xlsx_path, month="2026-12", actor=actor, business_date=bd)
        out.update(xlsx_s=round(time.perf_counter() - t0, 2), xlsx_rows=res.rows, xlsx_ok=res.accepted,
                   xlsx_errors=res.errors, peak_mb=int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
        return out

    times = _StatementTimes()
    with connection.execute_wrapper(times):
        t0 = time.perf_counter()
        res = remittance_import(center=center, path=csv_path, month=MONTH, actor=actor, business_date=bd)
        import_s = time.perf_counter() - t0
        assert res.accepted, res.first_errors
        top_import = times.top()
        imp = Remittance.objects.get(pk=res.remittance_ids[0]).source_import
        assert imp is not None, "the imported 汇缴单 keeps its import"
        t0 = time.perf_counter()
        with transaction.atomic(durable=True):
            receipt_record(center=center, amount=res.total, value_date=bd, bank_ref="BENCH-REMIT-1", actor=actor,
                           business_date=bd, source_import=imp, post=False)
        posted = remittance_post(actor=actor, business_date=bd, source_import=imp)
        post_s = time.perf_counter() - t0
        top_post = times.top()
    assert posted.lines == res.accepted_rows

    # the least raw SQL moving the same rows: detail rows inserted, balances updated set-based
    big = "BIGINT" if connection.vendor == "postgresql" else "INTEGER"
    pk = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
    with transaction.atomic():
        sql.execute("DROP TABLE IF EXISTS bench_raw_detail")
        sql.execute("DROP TABLE IF EXISTS bench_raw_account")
        sql.execute("DROP TABLE IF EXISTS bench_raw_paid")
        sql.execute("DROP TABLE IF EXISTS bench_raw_months")
        sql.execute(f"CREATE TABLE bench_raw_paid (id {big} PRIMARY KEY, paid_up_to VARCHAR(6) NOT NULL)")
        sql.execute(f"CREATE TABLE bench_raw_months (id {big} NOT NULL, year INTEGER NOT NULL, months INTEGER NOT NULL, "
                    "PRIMARY KEY (id, year))")
        sql.execute("INSERT INTO bench_raw_paid (id, paid_up_to) SELECT sub_id, '202610' FROM accounts_memberaccount")
        sql.execute(f"CREATE TABLE bench_raw_detail (id {pk}, sub_account_id {big} NOT NULL, amount {big} NOT NULL, "
                    "value_date DATE NOT NULL, reference VARCHAR(40) NOT NULL)")
        sql.execute("CREATE INDEX bench_raw_detail_acct ON bench_raw_detail (sub_account_id, id)")
        sql.execute(f"CREATE TABLE bench_raw_account (id {big} PRIMARY KEY, balance {big} NOT NULL)")
        sql.execute("INSERT INTO bench_raw_account (id, balance) SELECT id, 0 FROM ledger_subaccount")
    if connection.vendor == "postgresql":
        sql.execute("ANALYZE bench_raw_account")
        sql.execute("ANALYZE bench_raw_paid")
    t0 = time.perf_counter()
    with transaction.atomic():
        sql.execute("INSERT INTO bench_raw_detail (sub_account_id, amount, value_date, reference) "
                    "SELECT l.account_id, l.employer_amount + l.member_amount, %s, 'raw' FROM contributions_remittanceline l "
                    "JOIN contributions_remittance r ON r.id = l.remittance_id WHERE r.source_import_id = %s",
                    [bd, imp.pk])
        sql.execute("UPDATE bench_raw_account AS a SET balance = a.balance + g.s FROM (SELECT sub_account_id, "
                    "SUM(amount) AS s FROM bench_raw_detail GROUP BY sub_account_id) AS g WHERE a.id = g.sub_account_id")
        t_bal = time.perf_counter()
        # the posting also moves the paid-up-to month of every account it credits (the accounts' own table)
        sql.execute("UPDATE bench_raw_paid SET paid_up_to = '202611' WHERE paid_up_to < '202611' AND id IN "
                    "(SELECT sub_account_id FROM bench_raw_detail)")
        # and marks the month paid in the paid-month store (one row per account and year, a bitmap)
        sql.execute("INSERT INTO bench_raw_months (id, year, months) SELECT sub_account_id, 2026, 1024 "
                    "FROM bench_raw_detail WHERE 1 = 1 ON CONFLICT (id, year) DO UPDATE SET "
                    "months = bench_raw_months.months | EXCLUDED.months")
    raw_s = time.perf_counter() - t0
    raw_ledger_s = t_bal - t0
    with transaction.atomic():
        sql.execute("DROP TABLE bench_raw_detail")
        sql.execute("DROP TABLE bench_raw_account")
        sql.execute("DROP TABLE bench_raw_paid")
        sql.execute("DROP TABLE bench_raw_months")
    # the periodic sealer (hpf audit_seal), as on the timer: chains the audit rows and digests the new entries
    sealed = audit_seal()
    t0 = time.perf_counter()
    checks = run_checks()
    verify_s = time.perf_counter() - t0
    failed = [f"{c.name}: {c.detail} {c.breaches[:2]}" for c in checks
              if not c.ok and c.name != "audit.unsealed"]
    out.update(rows=res.rows, remittances=len(res.remittance_ids), import_s=round(import_s, 2),
               stage_s=round(res.timings.get("stage", 0), 2), validate_s=round(res.timings.get("validate", 0), 2),
               create_s=round(res.timings.get("create", 0), 2), post_s=round(post_s, 2), raw_s=round(raw_s, 2),
               raw_ledger_s=round(raw_ledger_s, 2), ratio_vs_ledger_only=round(post_s / raw_ledger_s, 2) if raw_ledger_s else 0,
               total_s=round(import_s + post_s, 2), ratio=round(post_s / raw_s, 2) if raw_s else 0,
               verify_s=round(verify_s, 2), verify_failed=failed, seal_s=round(sealed.seconds, 2),
               sealed_rows=sealed.rows, digest_batches=sum(sealed.sources.values()), top_import=top_import, top_post=top_post,
               peak_mb=int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return out


def _members(lines: int) -> int:
    return -(-lines * 104 // 100000) * 1000  # ~3% of the generated accounts are not normal: 4% to spare


def _prepare(db_url: str, lines: int, work: Path, xlsx: bool) -> tuple[Path, Path]:
    """Build the bench center (cut-over) and write its roster as .csv and .xlsx (not measured)."""
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev"}
    hpf = [sys.executable, "-c", "from openhpf.cli import main; main()"]
    members = _members(lines)
    for args in (["migrate", "-v0"], ["generate", "--members", str(members), "--employers", str(max(members // 10, 1)),
                                      "--cutover-date", CUTOVER.isoformat(), "--no-progress",
                                      "--out", str(work / "extract")]):
        p = subprocess.run([*hpf, *args], env=env, cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"hpf {args[0]} failed:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    csv_path, xlsx_path = work / "roster.csv", work / "roster.xlsx"
    code = ("from openhpf.core.models import Center; from openhpf.contributions.remittance.fileimport import roster_write; "
            f"c = Center.objects.get(); n = roster_write(center=c, month='{MONTH}', path=r'{csv_path}', limit={lines})")
    if xlsx:
        code += f"; roster_write(center=c, month='{MONTH}', path=r'{xlsx_path}', limit={lines})"
    code += f"; assert n == {lines}, f'only {{n}} normal accounts'"
    p = subprocess.run([*hpf, "shell", "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"roster failed:\n{p.stderr[-3000:]}")
    if db_url.startswith("postgres"):
        # the monthly remittance finds a center at rest: autovacuum has long since visited the cut-over's tables
        # (hint bits set, statistics there, dead row versions pruned); doing it now keeps it out of the timing
        import psycopg

        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    return csv_path, xlsx_path


def _snapshot_path(work: Path, name: str) -> Path:
    return work / name / "snapshot.json"


def _restore(name: str, url: str, lines: int, work: Path, xlsx: bool) -> tuple[Path, Path] | None:
    """The prepared center of an earlier --reuse run of the same size, copied into `url`'s database."""
    marker = _snapshot_path(work, name)
    if not marker.is_file():
        return None
    info = json.loads(marker.read_text())
    csv_path, xlsx_path = work / name / "roster.csv", work / name / "roster.xlsx"
    if info.get("lines") != lines or not csv_path.is_file() or (xlsx and not xlsx_path.is_file()):
        return None
    if name == "sqlite":
        import shutil

        shutil.copyfile(info["file"], url.removeprefix("sqlite:///"))
    else:
        import psycopg

        db = url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db} TEMPLATE {info['template']}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev"}
    p = subprocess.run([sys.executable, "-c", "from openhpf.cli import main; main()", "migrate", "-v0"], env=env,
                       cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"hpf migrate failed:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return csv_path, xlsx_path


def _save(name: str, url: str, lines: int, work: Path) -> None:
    info: dict = {"lines": lines}
    if name == "sqlite":
        import shutil
        import sqlite3

        path = url.removeprefix("sqlite:///")
        sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        info["file"] = str(work / name / "snapshot.sqlite3")
        shutil.copyfile(path, info["file"])
    else:
        import psycopg

        db = url.rsplit("/", 1)[1]
        info["template"] = f"{db}_snapshot"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {info['template']} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {info['template']} TEMPLATE {db}")
    _snapshot_path(work, name).write_text(json.dumps(info))


def _run_worker(url: str, mode: str, csv_path: Path, xlsx_path: Path) -> dict | None:
    out = subprocess.run([sys.executable, "-m", "bench.bench_remit", "--worker", url, "--mode", mode,
                          "--csv", str(csv_path), "--xlsx", str(xlsx_path)], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench remit")
    ap.add_argument("--lines", "--members", type=int, default=1_000_000, help="lines of the roster file")
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both",
                    help="postgres and postgresql name the same database (every bench takes both)")
    ap.add_argument("--no-xlsx", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="start from a snapshot of the prepared center")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="csv", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--xlsx", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.mode, args.csv, args.xlsx)))
        return 0
    work = ROOT / "var" / "bench" / "remit"
    work.mkdir(parents=True, exist_ok=True)
    targets: list[tuple[str, str]] = []
    if args.db in ("sqlite", "both"):
        path = work / "remit.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        targets.append(("sqlite", f"sqlite:///{path}"))
    if args.db in ("postgres", "both"):
        if _pg_available():
            targets.append(("postgres", _pg_fresh("hpf_bench_remit")))
        else:
            print("!!! SKIPPED PostgreSQL: not reachable at", PG_ADMIN, file=sys.stderr)
            if os.environ.get("HPF_REQUIRE_POSTGRES") == "1":
                return 1
    ok = True
    print(f"remittance import + post, {args.lines:,}-line multi-employer CSV ({_members(args.lines):,} members)")
    print(f"{'db':<10} {'import s':>9} {'(stage/valid/create)':>21} {'post s':>7} {'raw s':>6} {'ratio':>6} "
          f"{'total s':>8} {'peak MB':>8} {'seal s':>7} {'xlsx s':>7} {'xlsx MB':>8}  result")
    for name, url in targets:
        t0 = time.perf_counter()
        got = _restore(name, url, args.lines, work, not args.no_xlsx) if args.reuse else None
        if got is not None:
            csv_path, xlsx_path = got
            print(f"  ({name}: bench center restored from the snapshot in {time.perf_counter() - t0:.0f} s)")
        else:
            csv_path, xlsx_path = _prepare(url, args.lines, work / name, not args.no_xlsx)
            print(f"  ({name}: bench center and roster files built in {time.perf_counter() - t0:.0f} s)")
            if args.reuse:
                _save(name, url, args.lines, work)
        r = _run_worker(url, "csv", csv_path, xlsx_path)
        if r is None:
            ok = False
            continue
        x = _run_worker(url, "xlsx", csv_path, xlsx_path) if not args.no_xlsx else None
        misses = []
        if r["total_s"] > TARGET_TOTAL_S:
            misses.append(f"import+post > {TARGET_TOTAL_S:.0f} s")
        if r["ratio"] > TARGET_RATIO:
            misses.append(f"post > {TARGET_RATIO}× raw SQL")
        if r["peak_mb"] > TARGET_PEAK_MB:
            misses.append(f"peak > {TARGET_PEAK_MB} MB")
        if r["verify_failed"]:
            misses.append("hpf verify: " + "; ".join(r["verify_failed"]))
        ok = ok and not misses
        split = f"{r['stage_s']}/{r['validate_s']}/{r['create_s']}"
        xs = f"{x['xlsx_s']:>7} {x['peak_mb']:>8}" if x else f"{'—':>7} {'—':>8}"
        print(f"{r['vendor']:<10} {r['import_s']:>9} {split:>21} {r['post_s']:>7} {r['raw_s']:>6} {r['ratio']:>6} "
              f"{r['total_s']:>8} {r['peak_mb']:>8} {r['seal_s']:>7} {xs}  {'PASS' if not misses else 'FAIL: ' + ', '.join(misses)}")
        print("  " + json.dumps({"csv": r, "xlsx": x}, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
