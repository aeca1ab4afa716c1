"""Benchmark: the automatic decision of a withdrawal (issue 19, "Must show"): submit → the rules (every reason's
checks and the inline risk checks, the 不动产登记 query through verification) → the decision, for a rent
withdrawal that needs no reviewer, on the 1,000,000-member dataset.

Set-up (not timed): a fresh database, the bench center cut over by `hpf generate` (as `bench remit` builds it;
`--reuse` keeps a snapshot: a PostgreSQL template database or a copy of the SQLite file), then for `--apps` members
with a normal account: a verified card registered 60 days before (no recent-card check fires), the months paid
this year, and the center's rent item in a version without a review level (a center's 秒批 of small rent
withdrawals: the decision is the engine's alone). Each application is filed with its two materials (not timed).

Timed, per application: `application_submit` + `application_accept` (受理, the rules evaluated and stored, the
approval and the hold on the member's sub-account), each in its own transaction as the API runs it. p50 / p95
reported; every application must end 审核通过 with its amount held; `hpf verify` must hold afterwards.

Target: p95 ≤ 50 ms per application.

    python -m bench wddecision [--members 1000000] [--apps 1000] [--db sqlite|postgres|both] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench.bench_ledger import PG_ADMIN, db_targets

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0
CUTOVER = date(2026, 11, 1)
AMOUNT = 100_000  # 1,000.00 元, one month's rent
RENT = "HPF-P-WD-07"


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def _hpf(env: dict[str, str], *args: str) -> None:
    p = subprocess.run([sys.executable, "-c", "from openhpf.cli import main; main()", *args], env=env, cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"hpf {args[0]} failed:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")


def _prepare(url: str, members: int, work: Path) -> None:
    """The dataset: migrate and cut over `members` members (hpf generate), not timed."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev"}
    _hpf(env, "migrate", "-v0")
    _hpf(env, "generate", "--members", str(members), "--employers", str(max(members // 10, 1)), "--cutover-date",
         CUTOVER.isoformat(), "--no-progress", "--out", str(work / "extract"))
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")


def _snapshot(name: str, url: str, members: int, work: Path, save: bool) -> bool:
    """Save (save=True) or restore the prepared dataset of this size; True when restored."""
    marker = work / f"{name}-{members}.json"
    if save:
        info: dict = {"members": members}
        if name == "sqlite":
            import sqlite3

            path = url.removeprefix("sqlite:///")
            sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            info["file"] = str(work / f"{name}-{members}.sqlite3")
            shutil.copyfile(path, info["file"])
        else:
            import psycopg

            info["template"] = f"hpf_bench_wddecision_{members}_snap"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {info['template']} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {info['template']} TEMPLATE {url.rsplit('/', 1)[1]}")
        marker.write_text(json.dumps(info))
        return True
    if not marker.is_file():
        return False
    info = json.loads(marker.read_text())
    if name == "sqlite":
        shutil.copyfile(info["file"], url.removeprefix("sqlite:///"))
    else:
        import psycopg

        db = url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db} TEMPLATE {info['template']}")
    _hpf({**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev"}, "migrate", "-v0")
    return True


def _worker(url: str, apps: int) -> dict:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Exists, F, OuterRef, Q

    from openhpf.access.services import role_assign
    from openhpf.accounts.models import MemberAccount, PaidMonths
    from openhpf.applications import services as engine
    from openhpf.catalog.models import IdentityLevel, ServiceItemVersion
    from openhpf.core.actors import SystemActor
    from openhpf.core.codes import FreezeKind, MemberAccountStatus, RetentionClass
    from openhpf.core.models import Center
    from openhpf.core.verify import run_checks
    from openhpf.documents.models import DocType
    from openhpf.documents.services import document_store
    from openhpf.iam.services import staff_create
    from openhpf.ledger.models import SubAccount
    from openhpf.withdrawals.cards import card_add, card_verify
    from openhpf.withdrawals.models import BankCard

    sys_actor = SystemActor("bench")
    center = Center.objects.get()
    bd = center.business_date
    t0 = time.perf_counter()
    people = {}
    for name, role in (("wdb_teller", "teller"), ("wdb_rev", "reviewer")):
        user, _ = staff_create(username=name, password="pw-Bench-2026x", center=center, actor=sys_actor)
        role_assign(user=user, role=role, center=center, actor=sys_actor)
        people[name] = user
    teller, reviewer = people["wdb_teller"], people["wdb_rev"]
    # the center's rent item without a review level (its 秒批 version), in force from the business date
    current = ServiceItemVersion.objects.filter(item__code=RENT).order_by("-version").first()
    assert current is not None
    current.pk, current.version, current.review_stages = None, current.version + 1, []
    current.effective_from = bd
    current.save()
    # the members the rules will find eligible, chosen by one set-based query over what the rules read: the
    # member's own account (the latest opened, as the handler takes it) is normal, neither frozen nor held, and
    # its available balance is above the amount; taken evenly across the dataset (the dataset's balances are
    # the generated ones: a member whose latest account is a new one after a transfer has nothing on it)
    newer = MemberAccount.objects.filter(member_id=OuterRef("member_id")).filter(
        Q(opened_date__gt=OuterRef("opened_date")) | Q(opened_date=OuterRef("opened_date"), pk__gt=OuterRef("pk")))
    ids = list(MemberAccount.objects.filter(center=center, status=MemberAccountStatus.NORMAL,
                                            freeze_kind=FreezeKind.NONE, sub__frozen_amount=0, sub__hold_amount=0)
               .annotate(avail=F("sub__balance_current") + F("sub__balance_carried"))
               .filter(avail__gt=AMOUNT * 2).filter(~Exists(newer))
               .values_list("pk", flat=True).order_by("pk"))
    step = max(1, len(ids) // apps)
    accounts = list(MemberAccount.objects.filter(pk__in=ids[::step][:apps]).select_related("member").order_by("pk"))
    assert len(accounts) == apps, f"only {len(accounts)} eligible accounts with more than {AMOUNT * 2} fen"
    _say(f"  {connection.vendor}: {len(ids):,} eligible accounts, {apps} taken every {step:,}th")
    months = sum(1 << (m - 1) for m in range(1, bd.month + 1))
    filed = []
    for i, acct in enumerate(accounts):
        with transaction.atomic():
            PaidMonths.objects.update_or_create(account=acct, year=bd.year, defaults={"months": months, "back": 0})
            card = card_add(member=acct.member, card_no=f"62170{i:011d}", bank_code="ICBC", bank_name="工商银行",
                            holder_name=acct.member.name, actor=teller, business_date=bd)
            card_verify(card=card, actor=reviewer, business_date=bd)
            BankCard.objects.filter(pk=card.pk).update(created_on=bd - timedelta(days=60))
            app = engine.application_create(center=center, item_code=RENT, channel="counter",
                                            identity_level=IdentityLevel.COUNTER_CHECK, actor=teller,
                                            business_date=bd, member_id=acct.member_id,
                                            payload={"amount": AMOUNT, "months": 1, "no_own_home": True})
            for code in ("id_card", "bank_card"):
                doc = document_store(center=center, content=f"%PDF-1.4 {code} {i}".encode(),
                                     original_name=f"{code}.pdf", doc_type=DocType.ID_PROOF,
                                     retention=RetentionClass.LONG_30Y, actor=teller, business_date=bd)
                engine.application_attach(application=app, material_code=code, document=doc, actor=teller,
                                          business_date=bd)
            filed.append(app)
    setup_s = time.perf_counter() - t0
    _say(f"  {connection.vendor}: {apps} applications filed in {setup_s:.1f} s")

    times: list[float] = []
    outcomes: dict[str, int] = {}
    for app in filed:
        t = time.perf_counter()
        with transaction.atomic():
            app = engine.application_submit(application=app, actor=teller, business_date=bd)
        with transaction.atomic():
            app = engine.application_accept(application=app, actor=teller, business_date=bd)
        times.append((time.perf_counter() - t) * 1000)
        outcomes[app.state] = outcomes.get(app.state, 0) + 1
    held = sum(int(SubAccount.objects.get(pk=a.pk).hold_amount) for a in accounts)
    failed = [f"{c.name}: {c.detail}" for c in run_checks() if not c.ok and c.name != "audit.unsealed"]
    return {"db": connection.vendor, "members": MemberAccount.objects.count(), "apps": apps,
            "setup_s": round(setup_s, 1), "p50_ms": round(_pct(times, 0.5), 2), "p95_ms": round(_pct(times, 0.95), 2),
            "max_ms": round(max(times), 2), "outcomes": outcomes, "held": held, "expected_held": AMOUNT * apps,
            "verify_failed": failed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench wddecision")
    ap.add_argument("--members", type=int, default=1_000_000, help="members of the generated dataset")
    ap.add_argument("--apps", type=int, default=1000, help="applications decided (timed)")
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both")
    ap.add_argument("--reuse", action="store_true", help="start from a snapshot of the dataset of this size")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.apps)))
        return 0
    targets = db_targets(args.db, "wddecision")
    if targets is None:
        return 1
    work = ROOT / "var" / "bench" / "wddecision"
    work.mkdir(parents=True, exist_ok=True)
    print(f"withdrawal automatic decision (submit → rules → approved), {args.members:,} members, {args.apps} "
          f"applications; target p95 ≤ {TARGET_P95_MS:g} ms")
    print(f"{'db':<10} {'members':>10} {'apps':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  result")
    ok = True
    for url in targets:
        name = "sqlite" if url.startswith("sqlite") else "postgres"
        if not (args.reuse and _snapshot(name, url, args.members, work, save=False)):
            _say(f"  {name}: generating {args.members:,} members (not timed)")
            _prepare(url, args.members, work / name)
            if args.reuse:
                _snapshot(name, url, args.members, work, save=True)
        out = subprocess.run([sys.executable, "-m", "bench.bench_wd_decision", "--worker", url, "--apps",
                              str(args.apps)], cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
            ok = False
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        misses = []
        if r["p95_ms"] > TARGET_P95_MS:
            misses.append(f"p95 > {TARGET_P95_MS:g} ms")
        if r["outcomes"] != {"approved": r["apps"]}:
            misses.append(f"outcomes {r['outcomes']}")
        if r["held"] != r["expected_held"]:
            misses.append(f"held {r['held']} ≠ {r['expected_held']}")
        if r["verify_failed"]:
            misses.append("hpf verify: " + "; ".join(r["verify_failed"]))
        ok = ok and not misses
        print(f"{r['db']:<10} {r['members']:>10,} {r['apps']:>6} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8}  "
              f"{'PASS' if not misses else 'FAIL: ' + ', '.join(misses)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
