"""Cut-over at scale: generate and import a synthetic center (default 1,000,000 members, 100,000 employers) on
SQLite (var/bench/cutover.sqlite3) and PostgreSQL (a fresh database on 127.0.0.1, hpf_bench unless --pg-db names
another), each in a subprocess, timing it and reading its peak RSS and CPU seconds (wait4 rusage of that child,
its worker processes included), then `hpf verify`. `--members N` runs a smaller center (A/B comparisons on a
busy machine).

Targets: generate + import ≤ 180 s and ≤ 1 GiB peak per database; verify passes."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PY = sys.executable
PG_ADMIN = os.environ.get("HPF_BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "hpf_bench"  # --pg-db names another (helpers measuring side by side each use their own)
CUTOVER = "2026-11-30"
LAST_CPU = [0.0]


def run(cmd: list[str], env: dict[str, str], log: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MiB, stdout) of one child process (its CPU seconds, user + system, go in
    LAST_CPU: the database server's own CPU is not in them)."""
    t0 = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True)
        out = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    return proc.returncode, seconds, usage.ru_maxrss / 1024, out  # ru_maxrss is KiB on Linux


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def bench_one(db: str, args: argparse.Namespace) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    pg_db = args.pg_db
    if db == "sqlite":
        path = VAR / "cutover.sqlite3"
        for p in VAR.glob("cutover.sqlite3*"):
            p.unlink()
        url = f"sqlite:///{path}"
    else:
        pg_admin(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {pg_db}")
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_db}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev", "HPF_DEBUG": "0"}
    hpf = [PY, "-m", "openhpf.cli"]
    rc, _, _, out = run([*hpf, "migrate", "--no-input"], env, VAR / f"{db}-migrate.log")
    if rc:
        raise SystemExit(f"{db}: migrate failed, see {VAR / f'{db}-migrate.log'}\n{out}")
    extract = VAR / f"extract-{db}"
    shutil.rmtree(extract, ignore_errors=True)
    rc, seconds, peak, out = run(
        [*hpf, "generate", "--employers", str(args.employers), "--members", str(args.members), "--seed", str(args.seed),
         "--cutover-date", CUTOVER, "--out", str(extract), "--no-progress"],
        env, VAR / f"{db}-generate.log",
    )
    (VAR / f"{db}-generate.out").write_text(out)
    cpu = LAST_CPU[0]
    phases = dict(re.findall(r"(生成|导入)用时 ([0-9.]+) 秒", out))
    steps = re.search(r"导入分步用时（秒）：(.*)", out)
    vrc, vsec, vpeak, vout = run([*hpf, "verify"], env, VAR / f"{db}-verify.log")
    (VAR / f"{db}-verify.out").write_text(vout)
    if db == "postgresql" and not args.keep:
        pg_admin(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
    if not args.keep:
        shutil.rmtree(extract, ignore_errors=True)
    return {"db": db, "rc": rc, "seconds": seconds, "peak": peak, "generate_s": phases.get("生成"),
            "import_s": phases.get("导入"), "steps": steps.group(1).strip() if steps else "", "verify_rc": vrc,
            "verify_s": vsec, "verify_peak": vpeak, "cpu": cpu,
            "tail": out[-2000:] + vout[-1000:]}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench cutover")
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--employers", type=int, help="default: members / 10")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both",
                   help="postgres and postgresql name the same database (every bench takes both)")
    p.add_argument("--max-seconds", type=float, default=180)
    p.add_argument("--max-mib", type=float, default=1024)
    p.add_argument("--keep", action="store_true", help="keep the extract and the PostgreSQL database")
    p.add_argument("--pg-db", default=PG_DB, help=f"the PostgreSQL database to create and drop (default {PG_DB})")
    args = p.parse_args(argv)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.pg_db):
        p.error(f"--pg-db: not a plain database name: {args.pg_db}")
    args.db = "postgresql" if args.db == "postgres" else args.db
    args.employers = args.employers or max(1, args.members // 10)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    rows = [bench_one(db, args) for db in dbs]

    failures = []
    print(f"\ncut-over benchmark: {args.members:,} members, {args.employers:,} employers (seed {args.seed})")
    print(f"{'db':<11}{'generate s':>11}{'import s':>10}{'total s':>9}{'cpu s':>8}{'peak MiB':>10}{'verify s':>10}"
          "  result")
    for r in rows:
        ok = r["rc"] == 0 and r["verify_rc"] == 0 and r["seconds"] <= args.max_seconds and r["peak"] <= args.max_mib
        print(f"{r['db']:<11}{r['generate_s'] or '-':>11}{r['import_s'] or '-':>10}{r['seconds']:>9.1f}"
              f"{r['cpu']:>8.1f}{r['peak']:>10.0f}{r['verify_s']:>10.1f}  {'OK' if ok else 'FAIL'}")
        if r["rc"]:
            failures.append(f"{r['db']}: generate/import exited {r['rc']}:\n{r['tail']}")
        if r["verify_rc"]:
            failures.append(f"{r['db']}: hpf verify failed:\n{r['tail']}")
        if r["seconds"] > args.max_seconds:
            failures.append(f"{r['db']}: {r['seconds']:.1f} s > {args.max_seconds:.0f} s")
        if r["peak"] > args.max_mib:
            failures.append(f"{r['db']}: peak {r['peak']:.0f} MiB > {args.max_mib:.0f} MiB")
    print("per step, seconds (import: its job steps; load: its parts, then its commit):")
    for r in rows:
        print(f"  {r['db']}: generate {r['generate_s'] or '-'}；import {r['import_s'] or '-'} = {r['steps'] or '-'}；"
              f"hpf verify {r['verify_s']:.1f}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
