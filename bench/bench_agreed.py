"""Benchmark: 100,000 monthly 约定提取 payouts (issue 19, "Must show").

Set-up (not timed): a fresh database; the ledger-only center of `bench.ledger_fill` (N member accounts with
balances, set-based); N signed commercial-loan agreements (bulk, the repayment account SM4-encrypted like a
card, each a registered payee); the center's 专户 at the bank simulator (a real `hpf bank-sim` process); a
finance clerk who starts the day-end and a reviewer.

Every 100th repayment account (`--fail-every`) is closed at the bank: its item fails and its money comes back
to the member at the original value date (set-based, through the ledger's bulk apply).

Timed: the whole month's run — the day-end step's work (`agreed_run`: one INSERT … SELECT deciding every item,
the holds in one UPDATE, then the split, the release of the holds and the set-based posting Dr 201 / Cr 21903
through settlement's BDC103 batch), the checker's release (four eyes), the batch sent to the simulator, its
results fetched (BDC107/108) and posted (Dr 21903 / Cr 101, failed items back). Then `hpf verify`.

Target: ≤ 60 s on SQLite and on PostgreSQL.

    python -m bench agreed [--agreements 100000] [--fail-every 100] [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_ledger import db_targets

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _worker(db_url: str, n: int, fail_every: int = 0) -> dict:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from banksim.client import SimProcess
    from bench import ledger_fill
    from openhpf.access.services import role_assign
    from openhpf.accounts.models import MemberAccount
    from openhpf.approvals.services import command_approve
    from openhpf.audit.services import audit_seal
    from openhpf.core.actors import SystemActor
    from openhpf.core.models import Center
    from openhpf.core.verify import run_checks
    from openhpf.settlement.models import Instruction, Payee
    from openhpf.settlement.services import (
        bank_account_open,
        bank_channel_link_local,
        instruction_resolve,
        instruction_send,
    )
    from openhpf.withdrawals.agreed import agreed_run
    from openhpf.withdrawals.models import AgreedRun, Agreement


    t0 = time.perf_counter()
    filled = ledger_fill.fill(n)
    center = Center.objects.get(code=ledger_fill.CODE)
    bd = center.business_date
    sys_actor = SystemActor("bench")
    users = get_user_model()
    fin = users.objects.create_user("bench_fin", is_staff=True)
    rev = users.objects.create_user("bench_rev", is_staff=True)
    role_assign(user=fin, role="finance", center=center, actor=sys_actor)
    role_assign(user=rev, role="reviewer", center=center, actor=sys_actor)
    accts = list(MemberAccount.objects.filter(center=center).order_by("sub_id").values_list("sub_id", "member_id"))
    with transaction.atomic():
        Agreement.objects.bulk_create([Agreement(
            center=center, member_id=m, account_id=sub, loan_kind="commercial", contract_no=f"JK{i:08d}",
            bank_code="CCB", bank_name="建设银行", repay_account=f"6227{i:012d}", repay_last4=f"{i:012d}"[-4:],
            repay_name=f"借款人{i}", installment=1_500_00 + (i % 7) * 100_00,
            amount_rule="fixed" if i % 5 == 0 else "installment", fixed_amount=1_000_00 if i % 5 == 0 else 0,
            start_month=bd.replace(day=1), status="active", made_by="bench", checked_by="bench_rev")
            for i, (sub, m) in enumerate(accts, 1)], batch_size=5000)
        Payee.objects.bulk_create([Payee(center=center, account_no=f"6227{i:012d}", account_name=f"借款人{i}",
                                         kind="counterparty", source="约定提取", created_by="bench",
                                         approved_by="bench_rev") for i in range(1, len(accts) + 1)],
                                  batch_size=5000)
    with tempfile.TemporaryDirectory() as tmp, SimProcess(Path(tmp) / "bank.sqlite3") as sim:
        acct = bank_account_open(center=center, bank_code="ICBC", bank_name="工商银行", account_no="6222000000000001",
                                 account_name=center.name, actor=sys_actor, business_date=bd)
        bank_channel_link_local(center=center, bank_code="ICBC", url=f"{sim.url}/bdc", actor=sys_actor,
                                timeout_seconds=120)
        sim.control("/sim/accounts", {"account": acct.account_no, "name": center.name, "bank_code": "ICBC",
                                      "balance": 10**15})
        failing = list(range(fail_every, n + 1, fail_every)) if fail_every else []
        for i in failing:  # these repayment accounts are closed at the bank: their items fail and come back
            sim.control("/sim/accounts", {"account": f"6227{i:012d}", "name": f"借款人{i}", "bank_code": "CCB",
                                          "balance": 0, "status": "closed"})
        setup_s = time.perf_counter() - t0
        _say(f"  {connection.vendor}: {n:,} accounts and agreements set up in {setup_s:.1f} s")

        t1 = time.perf_counter()
        run = agreed_run(center=center, actor=SystemActor("dayend", on_behalf_of=fin), business_date=bd)
        t_run = time.perf_counter() - t1
        ins = Instruction.objects.get(center=center, seq=run.instruction_seq)
        assert ins.release_command is not None, "the run's batch waits for its release"
        command_approve(command=ins.release_command, actor=rev, business_date=bd)
        ins = instruction_send(instruction=Instruction.objects.get(pk=ins.pk), actor=fin, business_date=bd)
        t_send = time.perf_counter() - t1
        while not ins.is_final:
            ins = instruction_resolve(instruction=ins, actor=fin, business_date=bd)
            if not ins.is_final:
                time.sleep(0.2)
        total_s = time.perf_counter() - t1
    run = AgreedRun.objects.get(pk=run.pk)
    audit_seal()  # the periodic sealer, as on the timer (bench_ledger does the same)
    v0 = time.perf_counter()
    problems = [f"{c.name}: {c.detail} {c.breaches[:3]}" for c in run_checks()
                if not c.ok and c.name != "audit.unsealed"]
    return {"db": connection.vendor, "agreements": n, "setup_s": round(setup_s, 1), "fill": filled,
            "run_s": round(t_run, 1), "sent_s": round(t_send, 1), "total_s": round(total_s, 1),
            "paid": run.paid, "failed": run.failed, "skipped": run.skipped, "batch": ins.state,
            "failing": len(failing),
            "verify_s": round(time.perf_counter() - v0, 1), "verify_failed": problems}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="bench agreed")
    ap.add_argument("--agreements", type=int, default=100_000)
    ap.add_argument("--fail-every", type=int, default=100,
                    help="every n-th repayment account is closed at the bank (its item fails and comes back); 0: none")
    ap.add_argument("--db", choices=["sqlite", "postgres", "postgresql", "both"], default="both")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.db = "postgres" if args.db == "postgresql" else args.db
    if args.worker:
        print(json.dumps(_worker(args.worker, args.agreements, args.fail_every)))
        return 0
    targets = db_targets(args.db, "agreed")
    if targets is None:
        return 1
    ok = True
    print(f"约定提取 monthly run, {args.agreements:,} agreements (target ≤ {TARGET_S:.0f} s)")
    for url in targets:
        out = subprocess.run([sys.executable, "-m", "bench.bench_agreed", "--worker", url, "--agreements",
                              str(args.agreements), "--fail-every", str(args.fail_every)],
                             cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stdout[-3000:], out.stderr[-5000:], file=sys.stderr)
            ok = False
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        misses = []
        if r["total_s"] > TARGET_S:
            misses.append(f"> {TARGET_S:.0f} s")
        if (r["batch"] != "succeeded" or r["paid"] + r["failed"] + r["skipped"] != r["agreements"]
                or r["failed"] != r["failing"]):
            misses.append(f"batch {r['batch']}, paid {r['paid']}, failed {r['failed']}, skipped {r['skipped']}")
        if r["verify_failed"]:
            misses.append("hpf verify: " + "; ".join(r["verify_failed"]))
        ok = ok and not misses
        print(f"{r['db']:<10} run+post {r['run_s']:>6} s  sent {r['sent_s']:>6} s  total {r['total_s']:>6} s  "
              f"paid {r['paid']:,} failed {r['failed']:,} skipped {r['skipped']:,}  "
              f"{'PASS' if not misses else 'FAIL: ' + ', '.join(misses)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
