"""Year-end interest (结息) for 1,000,000 accounts: the set-based settlement (interest rows, GL entry, roll of
当年归集 into 上年结转, next year's 积数) on SQLite and PostgreSQL, each in its own process.

The center is generated and cut over on 2027-06-30 (so every account carries a year of legacy 积数), then
`hpf interest settle --date 2027-06-30` is timed alone, then `hpf verify`. Targets: ≤ 20 s, ≤ 1.5 GiB.

`--ledger-only --accounts N` (megacity scale, PostgreSQL by default): set-based SQL fills N member accounts with
their sub-accounts and opening balances (bench/ledger_fill.py: no personal data, no cut-over), with a deposit
rate change on 2027-01-01 that splits the year of three accounts in four; then only the settlement is timed
(and its peak memory), then `hpf verify` and sampled accounts checked to the fen against a hand computation.
Target: ≤ 180 s (the goal at 10,000,000 accounts), ≤ 4 GiB."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

from bench.bench_cutover import PG_ADMIN, PY, VAR, pg_admin, run

PG_DB = "hpf_bench_interest"
PG_DB_LEDGER = "hpf_bench_interest_ledger"
DATE = "2027-06-30"


def bench_one(db: str, members: int) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for p in VAR.glob("interest.sqlite3*"):
            p.unlink()
        url = f"sqlite:///{VAR / 'interest.sqlite3'}"
    else:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev", "HPF_DEBUG": "0"}
    hpf = [PY, "-m", "openhpf.cli"]
    for name, cmd in (
        ("migrate", [*hpf, "migrate", "--no-input"]),
        ("generate", [*hpf, "generate", "--employers", str(max(members // 10, 1)), "--members", str(members),
                      "--seed", "7", "--cutover-date", DATE, "--out", str(VAR / f"interest-extract-{db}"),
                      "--no-progress"]),
    ):
        rc, _, _, out = run(cmd, env, VAR / f"interest-{db}-{name}.log")
        if rc:
            raise SystemExit(f"{db}: {name} failed, see {VAR / f'interest-{db}-{name}.log'}\n{out[-2000:]}")
    rc, seconds, peak, out = run([*hpf, "interest", "settle", "--date", DATE], env, VAR / f"interest-{db}-settle.log")
    if rc:
        raise SystemExit(f"{db}: settle failed, see {VAR / f'interest-{db}-settle.log'}\n{out[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    # the day-end seals what the day wrote (its step 95); on a busy machine the cut-over's rows pass the interval
    run([*hpf, "audit_seal"], env, VAR / f"interest-{db}-seal.log")
    vrc, vsec, _, vout = run([*hpf, "verify"], env, VAR / f"interest-{db}-verify.log")
    shutil.rmtree(VAR / f"interest-extract-{db}", ignore_errors=True)
    if db == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    steps = result.get("steps") or {}
    if steps and "seconds" in result:
        steps = {**steps, "commit": round(result["seconds"] - sum(steps.values()), 2)}
    return {"db": db, "accounts": result["accounts"], "interest": result["interest"], "seconds": seconds, "steps": steps,
            "peak": peak, "verify_ok": vrc == 0, "verify_s": vsec, "verify_out": vout[-1500:]}


def _env(db: str) -> dict[str, str]:
    VAR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for p in VAR.glob("interest-ledger.sqlite3*"):
            p.unlink()
        url = f"sqlite:///{VAR / 'interest-ledger.sqlite3'}"
    else:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB_LEDGER} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB_LEDGER}")
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB_LEDGER}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev", "HPF_DEBUG": "0"}


def _step(db: str, name: str, cmd: list[str], env: dict[str, str]) -> tuple[float, float, dict]:
    """Run one child; (seconds, peak MiB, its last stdout line as JSON)."""
    log = VAR / f"interest-ledger-{db}-{name}.log"
    rc, seconds, peak, out = run(cmd, env, log)
    if rc:
        raise SystemExit(f"{db}: {name} failed, see {log}\n{out[-2000:]}")
    return seconds, peak, json.loads(out.strip().splitlines()[-1])


def bench_ledger_only(db: str, accounts: int) -> dict:
    env = _env(db)
    hpf = [PY, "-m", "openhpf.cli"]
    rc, _, _, out = run([*hpf, "migrate", "--no-input"], env, VAR / f"interest-ledger-{db}-migrate.log")
    if rc:
        raise SystemExit(f"{db}: migrate failed\n{out[-2000:]}")
    fill_s, _, filled = _step(db, "fill", [PY, "-m", "bench.ledger_fill", "fill", "--accounts", str(accounts)], env)
    seconds, peak, result = _step(db, "settle", [*hpf, "interest", "settle", "--date", DATE], env)
    # the day-end seals what the day wrote (its step 95): the fill's vouchers are older than the seal interval
    run([*hpf, "audit_seal"], env, VAR / f"interest-ledger-{db}-seal.log")
    vrc, vsec, _, vout = run([*hpf, "verify"], env, VAR / f"interest-ledger-{db}-verify.log")
    _, _, checked = _step(db, "check", [PY, "-m", "bench.ledger_fill", "check"], env)
    if db == "postgresql":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB_LEDGER} WITH (FORCE)")
    steps = result.get("steps") or {}
    if steps and "seconds" in result:
        steps = {**steps, "commit": round(result["seconds"] - sum(steps.values()), 2)}
    return {"db": db, "accounts": result["accounts"], "interest": result["interest"], "seconds": seconds,
            "steps": steps, "peak": peak, "verify_ok": vrc == 0 and checked["n_wrong"] == 0
            and checked["payable_211"] == 0, "verify_s": vsec, "verify_out": vout[-1500:] + json.dumps(checked),
            "fill_s": round(fill_s, 1), "split": filled["split"], "sampled": checked["sampled"]}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="bench interest")
    p.add_argument("--members", "--accounts", dest="members", type=int, default=None,
                   help="members (accounts); default 1,000,000, or 10,000,000 with --ledger-only")
    p.add_argument("--ledger-only", action="store_true",
                   help="fill sub-accounts and account rows by SQL (no personal data, no cut-over), time the settlement")
    p.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default=None,
                   help="postgres and postgresql name the same database (default: both; postgresql with --ledger-only)")
    p.add_argument("--max-seconds", type=float, default=None, help="default 20, or 180 with --ledger-only")
    p.add_argument("--max-mib", type=float, default=None, help="default 1536, or 4096 with --ledger-only")
    args = p.parse_args(argv)
    big = args.ledger_only
    args.members = args.members or (10_000_000 if big else 1_000_000)
    args.max_seconds = args.max_seconds or (180 if big else 20)
    args.max_mib = args.max_mib or (4096 if big else 1536)
    args.db = {"postgres": "postgresql", None: "postgresql" if big else "both"}.get(args.db, args.db)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    kind = "ledger only (rate change on 2027-01-01)" if big else "generated and cut over"
    print(f"\nyear-end interest settlement: {args.members:,} accounts, {kind}")
    print(f"{'db':<11} {'accounts':>9} {'interest 元':>16} {'settle s':>9} {'peak MiB':>9} {'verify s':>9}  result")
    ok = True
    for db in dbs:
        r = bench_ledger_only(db, args.members) if big else bench_one(db, args.members)
        misses = [m for m, bad in (
            (f"> {args.max_seconds:.0f} s", r["seconds"] > args.max_seconds),
            (f"> {args.max_mib:.0f} MiB", r["peak"] > args.max_mib),
            ("verify failed", not r["verify_ok"]),
        ) if bad]
        ok = ok and not misses
        print(f"{db:<11} {r['accounts']:>9,} {r['interest'] / 100:>16,.2f} {r['seconds']:>9.1f} {r['peak']:>9.0f} "
              f"{r['verify_s']:>9.1f}  {'OK' if not misses else 'FAIL: ' + ', '.join(misses)}")
        if big:
            print(f"{'':<11} filled in {r['fill_s']} s; {r['split']:,} accounts split at the rate change; "
                  f"{r['sampled']:,} sampled accounts checked to the fen")
        if r["steps"]:
            print(f"{'':<11} settle steps, s: " + ", ".join(f"{k} {v}" for k, v in r["steps"].items()))
        if not r["verify_ok"]:
            print(r["verify_out"], file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
