"""Uploads (issue 13, DoS by upload): a file a user sends is checked against the upload limits before and while
it is copied, the copy is removed on every exit (exception, SIGTERM, a kill -9 then a sweep), and a garbage file
stops being read after `ingest.max_errors` errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from openhpf.core.error_codes import ErrorCode
from openhpf.core.errors import DomainError
from openhpf.core.ingest import (
    UPLOAD_PREFIX,
    ErrorSink,
    Limits,
    TooManyErrors,
    sweep_uploads,
    upload_dir,
    upload_spool,
)
from openhpf.core.models import PolicyParameter


class FakeUpload:
    """What Django's UploadedFile offers a view: a name, a declared size and chunks."""

    def __init__(self, name: str, chunks: list[bytes], size: int | None = None) -> None:
        self.name = name
        self._chunks = chunks
        self.size = sum(map(len, chunks)) if size is None else size

    def chunks(self):
        yield from self._chunks


def test_spool_refuses_a_declared_oversize_before_writing(tmp_path):
    up = FakeUpload("清册.csv", [b"x" * 10], size=10_000)
    with pytest.raises(DomainError) as e, upload_spool(up, limits=Limits(max_bytes=1000), directory=tmp_path):
        pytest.fail("the block must not run")
    assert e.value.code == ErrorCode.FILE_TOO_LARGE and "超过上限" in e.value.message
    assert list(tmp_path.iterdir()) == []


def test_spool_refuses_a_size_that_lied_and_removes_the_part_written(tmp_path):
    up = FakeUpload("r.csv", [b"a" * 600, b"b" * 600], size=10)  # declared 10 bytes, sends 1200
    with pytest.raises(DomainError) as e, upload_spool(up, limits=Limits(max_bytes=1000), directory=tmp_path):
        pytest.fail("the block must not run")
    assert e.value.code == ErrorCode.FILE_TOO_LARGE
    assert list(tmp_path.iterdir()) == []


def test_spool_refuses_other_types(tmp_path):
    with pytest.raises(DomainError) as e, upload_spool(FakeUpload("x.exe", [b"MZ"]), limits=Limits(),
                                                      directory=tmp_path):
        pytest.fail("the block must not run")
    assert e.value.code == ErrorCode.FILE_TYPE


def test_spool_is_removed_when_the_work_fails(tmp_path):
    seen: list[Path] = []
    with pytest.raises(RuntimeError), upload_spool(FakeUpload("../../etc/r.csv", [b"a,b\n1,2\n"]), limits=Limits(),
                                                   directory=tmp_path) as path:
        seen.append(path)
        assert path.parent == tmp_path and path.read_bytes() == b"a,b\n1,2\n"
        assert path.name.startswith(f"{UPLOAD_PREFIX}{os.getpid()}-") and path.name.endswith("-r.csv")
        raise RuntimeError("boom")
    assert not seen[0].exists() and list(tmp_path.iterdir()) == []


SIGTERM_SCRIPT = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.test")
django.setup()
from pathlib import Path
from openhpf.core.ingest import Limits, upload_spool

class Up:
    name, size = "r.csv", 6
    def chunks(self):
        yield b"a,b\\n1\\n"

with upload_spool(Up(), limits=Limits(), directory=Path(sys.argv[1])) as path:
    print(path, flush=True)
    time.sleep(60)
"""


def test_spool_is_removed_on_sigterm(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT, str(tmp_path)], stdout=subprocess.PIPE,
                            text=True, cwd=settings.BASE_DIR, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        path = Path(proc.stdout.readline().strip())
        assert path.is_file()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_sweep_removes_what_a_killed_process_left(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = tmp_path / f"{UPLOAD_PREFIX}{dead.pid}-abc-r.csv"
    orphan.write_bytes(b"x" * 100)
    mine = tmp_path / f"{UPLOAD_PREFIX}{os.getpid()}-def-r.csv"  # a live process's file stays
    mine.write_bytes(b"y")
    old = tmp_path / f"{UPLOAD_PREFIX}{os.getpid()}-old-r.csv"  # …unless older than the age limit
    old.write_bytes(b"z")
    os.utime(old, (time.time() - 3 * 24 * 3600,) * 2)
    assert sweep_uploads(tmp_path) == 2
    assert not orphan.exists() and mine.exists() and not old.exists()


def test_upload_dir_is_under_var_dir():
    assert upload_dir() == Path(settings.VAR_DIR) / "uploads"


def test_error_sink_stops_past_max_errors(tmp_path):
    sink = ErrorSink(path=tmp_path / "e.csv", with_file=False, stop_after=3)
    for i in range(3):
        sink.add("", i + 2, "姓名", ErrorCode.REQUIRED, "姓名不能为空")
    with pytest.raises(TooManyErrors) as e:
        sink.add("", 9, "姓名", ErrorCode.REQUIRED, "姓名不能为空")
    assert e.value.code == ErrorCode.TOO_MANY_ERRORS and "已超过 3 处" in e.value.message
    assert sink.count == 3 and sink.stopped and sink.truncated
    sink.close()
    text = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert "TOO_MANY_ERRORS" in text.splitlines()[-1]


@pytest.mark.django_db
def test_upload_limits_come_from_policy(center):
    on = date(2026, 1, 1)
    got = Limits.for_upload(on=on, center=center)
    assert got.max_bytes == 64 * 1024 ** 2 and got.max_rows == 500_000 and got.max_errors == 1000
    assert Limits.from_policy(on=on, center=center).max_rows == 5_000_000  # the command line keeps its own
    PolicyParameter.objects.create(center=center, key="upload.max_rows", value_type="int", value=10,
                                   effective_from=on, approved_by="test")
    assert Limits.for_upload(on=on, center=center).max_rows == 10
