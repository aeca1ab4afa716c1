"""Child workers die with their parent (issue 13, item 6): an orphaned encryption worker held a database
connection for 21 minutes after its parent was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from openhpf.security.bulk import BulkProtector, _set_pdeathsig

PARENT = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.test")
django.setup()
from openhpf.security.bulk import BulkProtector

p = BulkProtector(["id_number"])
p.submit([("id_number", "id_number")], [["110101199003070000"]]).result(timeout=30)  # the worker is up
print(" ".join(map(str, p.worker_pids)), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped by init) counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_worker_results_are_unchanged():
    with BulkProtector(["id_number"]) as p:
        out = p.submit([("id_number", "id_number")], [["110101199003070000", None]]).result(timeout=30)
    with BulkProtector(["id_number"], parallel=False) as q:
        here = q.submit([("id_number", "id_number")], [["110101199003070000", None]]).result()
    assert out[1] == here[1] and out[0][1] is None  # same blind index; ciphertexts differ by nonce


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_pdeathsig_is_available():
    assert _set_pdeathsig(0) is True  # 0 clears it again in this process


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 of a forked pool, Linux")
def test_worker_dies_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True,
                              cwd=settings.BASE_DIR, start_new_session=True)
    workers: list[int] = []
    try:
        workers = [int(x) for x in parent.stdout.readline().split()]
        assert workers and all(_alive(w) for w in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), f"orphaned workers still alive: {workers}"
    finally:
        if parent.poll() is None:
            parent.kill()
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
