"""The COB for real (`make test-slow`):

- kill -9: `hpf loan cob` runs in a subprocess on a file SQLite database holding the benchmark's loan book (bench
  loancob's set-based builder, small chunks so every step has many) and is sent SIGKILL in the middle of a step
  chosen at random; a second `hpf loan cob` finishes the job: every installment due is copied once, the overdue
  principal is moved to 122 once, the lock is gone and `hpf verify` holds;
- concurrency (PostgreSQL, two connections): a counter repayment while the COB holds the loan gets LOAN_IN_COB at
  once, and succeeds after the COB."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection, transaction

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import finance_clerk, grant_role
from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.jobs import dayend

from ..cob import run_cob
from ..models import Loan, LoanDue, LoanPayment
from ..repay import repayment_counter
from .factories import make_active_loan

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
HPF = [sys.executable, "-c", "from openhpf.cli import main; main()"]
LOANS = int(os.environ.get("HPF_TEST_KILL_LOANS", "20000"))
STEPS = ["loan_due", "loan_overdue", "loan_classify", "loan_reserve", "loan_remind", "loan_release"]
COB = "from openhpf.loans import cob; cob.CHUNK = 200; from django.core.management import call_command; " \
      "call_command('loan', 'cob', '--quiet')"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    p = subprocess.run([*HPF, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise AssertionError(f"hpf {' '.join(args)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return p


def _q(db: Path, query: str) -> list[tuple]:
    for _ in range(500):
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
            try:
                return con.execute(query).fetchall()
            finally:
                con.close()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e):
                raise
            time.sleep(0.002)
    raise AssertionError("database stayed locked")


def test_sigkill_mid_step_then_rerun_once(tmp_path):
    db = tmp_path / "hpf.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "HPF_VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "openhpf.settings.dev", "PYTHONPATH": str(ROOT)}
    _run(env, "migrate", "-v0")
    _run(env, "shell", "-c", f"from bench import ledger_fill, bench_loancob; ledger_fill.fill({LOANS}); "
         f"bench_loancob._book({LOANS}, 6)")
    (d,), = _q(db, "SELECT business_date FROM core_center")
    victim = random.choice(STEPS[:-1])
    proc = subprocess.Popen([*HPF, "shell", "-c", COB], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline, killed = time.time() + 300, False
    while time.time() < deadline and proc.poll() is None:
        rows = _q(db, f"SELECT done FROM jobs_jobstep WHERE name = '{victim}' AND status = 'running'")
        if rows and rows[0][0] > 0:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    proc.wait()
    assert killed, f"the COB ended before step {victim} could be interrupted"
    assert _q(db, "SELECT COUNT(*) FROM loans_loan WHERE cob_date IS NOT NULL")[0][0] > 0  # the lock stayed
    _run(env, "shell", "-c", COB)  # the rerun resumes the interrupted job
    assert _q(db, "SELECT status FROM jobs_job WHERE kind = 'loans.cob'") == [("succeeded",)]
    assert _q(db, f"SELECT COUNT(*) FROM loans_loandue WHERE due_date = '{d}'") == [(LOANS // 10,)]
    assert _q(db, "SELECT COUNT(*) FROM (SELECT loan_id, period FROM loans_loandue GROUP BY loan_id, period "
                  "HAVING COUNT(*) > 1)") == [(0,)]
    # every missed installment overdue once: the 1 % that missed yesterday's, the 1 % overdue before
    assert _q(db, "SELECT COUNT(*) FROM loans_loandue WHERE overdue_on IS NULL AND due_date < "
                  f"'{d}'") == [(0,)]
    (gl122,), = _q(db, "SELECT SUM(l.debit) - SUM(l.credit) FROM ledger_journalline l JOIN ledger_glaccount a "
                       "ON a.id = l.account_id WHERE a.code = '122'")
    (loans122,), = _q(db, "SELECT SUM(overdue_principal) FROM loans_loan")
    (dues122,), = _q(db, "SELECT SUM(principal - paid_principal) FROM loans_loandue WHERE overdue_on IS NOT NULL")
    assert gl122 == loans122 == dues122
    assert _q(db, "SELECT COUNT(*) FROM ledger_journalentry WHERE source = 'loans'") == [(1,)]
    assert _q(db, "SELECT COUNT(*) FROM loans_loan WHERE cob_date IS NOT NULL") == [(0,)]
    assert _q(db, f"SELECT COUNT(*) FROM (SELECT loan_id FROM loans_loanclasschange WHERE \"on\" = '{d}' "
                  "GROUP BY loan_id HAVING COUNT(*) > 1)") == [(0,)]
    _run(env, "verify")


@pytest.mark.django_db(transaction=True)
def test_counter_repayment_409_during_cob_then_accepted(center, bank, django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL")
    acct = make_account(center, make_employer(center, 1), 1)
    ln = make_active_loan(center, acct, first_due=date(2026, 11, 30), disbursed_on=date(2026, 10, 30))
    teller = grant_role(django_user_model.objects.create_user("cc_teller", is_staff=True), "teller", center=center)
    inside, go_on = threading.Event(), threading.Event()
    original = dayend._STEPS["loan_classify"]

    def held(day, ctx):
        inside.set()
        assert go_on.wait(60)
        return original.run(day, ctx)

    dayend._STEPS["loan_classify"] = dayend.DayendStep(name=original.name, order=original.order, label=original.label,
                                                       run=held, weight=original.weight, app=original.app)
    errors: list[BaseException] = []

    def cob() -> None:
        try:
            run_cob(center=center, actor=finance_clerk())
        except BaseException as e:  # reported by the main thread
            errors.append(e)
        finally:
            connection.close()

    try:
        t = threading.Thread(target=cob)
        t.start()
        assert inside.wait(60)
        with pytest.raises(DomainError) as e, transaction.atomic(durable=True):
            repayment_counter(loan_number=ln.number, amount=413_557, reference="GT-1", actor=teller, business_date=center.business_date)
        assert e.value.code == ErrorCode.LOAN_IN_COB and e.value.code.status == 409
        go_on.set()
        t.join(120)
    finally:
        dayend._STEPS["loan_classify"] = original
        go_on.set()
    assert not errors
    assert Loan.objects.get(pk=ln.pk).cob_date is None
    assert LoanDue.objects.get(loan=ln).due_date == date(2026, 11, 30)
    with transaction.atomic(durable=True):
        p = repayment_counter(loan_number=ln.number, amount=413_557, reference="GT-1", actor=teller, business_date=center.business_date)
    assert (p.interest, p.principal) == (237_500, 176_057) and LoanPayment.objects.count() == 1
