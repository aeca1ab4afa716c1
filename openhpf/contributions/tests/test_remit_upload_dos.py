"""DoS by upload (issue 13, item 6): a garbage roster of many rows is read in a stream with bounded memory and
stops after `ingest.max_errors` errors with a clear Chinese message; uploads over the policy's size or row limit
are refused; nothing is created and no uploaded copy is left behind; an import whose job died (中断) and is
cancelled moves to 失败."""

from __future__ import annotations

import csv
import io
import json
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.contributions.models import Remittance, RemittanceImport
from openhpf.contributions.remittance.fileimport import COLUMNS, JOB_KIND, remittance_import, roster_rows
from openhpf.core.actors import SystemActor
from openhpf.core.ingest import Limits, upload_dir
from openhpf.core.models import PolicyParameter
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.jobs.models import Job
from openhpf.jobs.runner import job_cancel, job_start

GARBAGE_ROWS = 200_000
MEMORY_BOUND = 40 * 1024 ** 2  # bytes of Python allocations at the peak, whatever the file's length


@pytest.fixture(autouse=True)
def own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"  # uploads and error files of this test only


@pytest.fixture
def world(center):
    emp = make_employer(center, 1)
    accts = [make_account(center, emp, i) for i in range(1, 6)]
    return emp, accts


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="upload_clerk", password="pw-Upload-2026", center=center, actor=SystemActor("t"))
    grant_role(user, "teller", center=center)
    token, _ = api_token_issue(user=user, name="t", actor=SystemActor("t"))
    return user, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _garbage(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([h for h, _, _ in COLUMNS])
        for i in range(rows):
            w.writerow(["", f"垃圾{i}", f"NOT-AN-ID-{i}", f"X{i:09d}", "abc", "zz%", "??", "一百", "n/a"])
    return path


def _nothing_created(center) -> None:
    assert not Remittance.objects.filter(center=center).exists()
    assert not upload_dir().is_dir() or not list(upload_dir().glob("upload-*"))


def test_garbage_roster_stops_early_in_bounded_memory(center, world, clerk, tmp_path):
    user, _ = clerk
    path = _garbage(tmp_path / "garbage.csv", GARBAGE_ROWS)
    assert path.stat().st_size > 8 * 1024 ** 2
    limits = Limits.for_upload(on=center.business_date, center=center)
    audit_before = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        res = remittance_import(center=center, path=path, month="2026-11", actor=user,
                                business_date=center.business_date, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - t0
    assert res.status == RemittanceImport.Status.REJECTED
    assert res.errors == 1000 and "错误已超过 1000 处，已停止校验" in res.message
    assert res.rows < 1000  # a few hundred rows read of 200,000: it stopped early
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MiB"
    assert elapsed < 60
    imp = RemittanceImport.objects.get(pk=res.import_id)
    assert imp.status == RemittanceImport.Status.REJECTED and imp.errors == 1000 and imp.remittances == 0
    assert imp.job_id is not None
    job = Job.objects.get(pk=imp.job_id)
    assert job.status == Job.Status.FAILED and job.rejected  # file refused: the job says 失败, not 成功
    assert Path(imp.error_file).is_file()
    _nothing_created(center)
    # only the job's start is audited: no business change
    assert set(AuditRecord.objects.filter(pk__gt=audit_before).values_list("action", flat=True)) <= {"job.start"}
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.startswith(f"remit_stage_{imp.pk}") or t.startswith(f"remit_res_{imp.pk}")]


def test_garbage_roster_through_the_api_and_the_console(center, world, clerk, client):
    user, h = clerk
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([h_ for h_, _, _ in COLUMNS])
    for i in range(3000):
        w.writerow(["", "垃圾", f"BAD{i}", f"X{i}", "abc", "zz", "zz", "q", "q"])
    body = buf.getvalue().encode("utf-8")
    r = client.post("/api/v1/contributions/imports", {"month": "2026-11", "file": SimpleUploadedFile("g.csv", body)},
                    **h)
    assert r.status_code == 200, r.content
    got = r.json()
    assert got["status"] == "rejected" and got["errors"] == 1000 and "已停止校验" in got["message"]
    client.force_login(user)
    r = client.post("/contributions/remittances/upload/", {"month": "2026-11",
                                                           "file": SimpleUploadedFile("g.csv", body)})
    assert r.status_code == 200 and "已停止校验" in r.content.decode()
    _nothing_created(center)


def test_upload_over_the_policy_size_is_refused_before_anything(center, world, clerk, client):
    _, h = clerk
    PolicyParameter.objects.create(center=center, key="upload.max_bytes", value_type="int", value=200,
                                   effective_from=date(2020, 1, 1), approved_by="test")
    rows = list(roster_rows(center=center, month="2026-11"))
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    r = client.post("/api/v1/contributions/imports",
                    {"month": "2026-11", "file": SimpleUploadedFile("r.csv", buf.getvalue().encode())}, **h)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "FILE_TOO_LARGE" and "超过上限" in r.json()["message"]
    assert not RemittanceImport.objects.exists()
    _nothing_created(center)


def test_upload_over_the_policy_rows_is_refused(center, world, clerk, client):
    _, h = clerk
    PolicyParameter.objects.create(center=center, key="upload.max_rows", value_type="int", value=3,
                                   effective_from=date(2020, 1, 1), approved_by="test")
    rows = list(roster_rows(center=center, month="2026-11"))
    assert len(rows) == 6
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    r = client.post("/api/v1/contributions/imports",
                    {"month": "2026-11", "file": SimpleUploadedFile("r.csv", buf.getvalue().encode())}, **h)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "FILE_TOO_MANY_ROWS"
    assert RemittanceImport.objects.get().status == RemittanceImport.Status.REJECTED
    _nothing_created(center)
    # the command line keeps the larger ingest limits: the same file is accepted there
    assert Limits.from_policy(on=center.business_date, center=center).max_rows > 3


def test_base_adjustment_upload_is_bounded(center, world, clerk, client):
    _, h = clerk
    PolicyParameter.objects.create(center=center, key="upload.max_bytes", value_type="int", value=100,
                                   effective_from=date(2020, 1, 1), approved_by="test")
    r = client.post("/api/v1/relief/base-adjustments",
                    {"year": 2026, "file": SimpleUploadedFile("b.csv", b"x" * 500)}, **h)
    assert r.status_code in (400, 403), r.content
    if r.status_code == 400:
        assert r.json()["code"] == "FILE_TOO_LARGE"
    _nothing_created(center)


def _dead_import(center, user, tmp_spool: bool = True) -> tuple[RemittanceImport, Job, Path]:
    """An import whose process was killed while it validated: its job running with an old heartbeat, its
    work table and its uploaded copy left behind."""
    imp = RemittanceImport.objects.create(center=center, month="202611", file_name="big.csv",
                                          business_date=center.business_date, created_by="upload_clerk")
    upload_dir().mkdir(parents=True, exist_ok=True)
    spool = upload_dir() / "upload-999999-dead-big.csv"
    spool.write_bytes(b"x" * 1000)
    job = job_start(kind=JOB_KIND, actor=user, center=center, title="缴存清册导入 big.csv",
                    params={"import": imp.pk, "file": str(spool), "month": "202611"})
    RemittanceImport.objects.filter(pk=imp.pk).update(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now() - timedelta(hours=1),
                                         heartbeat_at=timezone.now() - timedelta(hours=1), run_token="old")
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE remit_stage_{imp.pk} (seq BIGINT)")
    return imp, Job.objects.get(pk=job.pk), spool


def test_dead_import_shows_interrupted_and_cancel_fails_it(center, world, clerk, client):
    user, h = clerk
    grant_role(user, "finance", center=center)
    imp, job, spool = _dead_import(center, user)
    assert job.state == "interrupted" and job.state_label == "中断" and job.can_cancel
    # API
    got = {j["id"]: j for j in client.get("/api/v1/jobs/", **h).json()["items"]}[job.pk]
    assert got["status"] == "running" and got["state"] == "interrupted" and got["state_label"] == "中断"
    assert got["can_cancel"] and got["can_resume"]  # its uploaded copy is still there: 续跑 or 取消
    # console
    client.force_login(user)
    page = client.get("/jobs/").content.decode()
    assert "中断" in page and f"/jobs/{job.pk}/cancel/" in page
    # CLI
    out = io.StringIO()
    call_command("jobs", stdout=out)
    assert "中断" in out.getvalue()
    # cancel (API)
    r = client.post(f"/api/v1/jobs/{job.pk}/cancel", **h)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled" and r.json()["state_label"] == "已取消"
    imp.refresh_from_db()
    assert imp.status == RemittanceImport.Status.FAILED and imp.get_status_display() == "失败"
    assert not spool.exists()
    assert f"remit_stage_{imp.pk}" not in connection.introspection.table_names()
    assert AuditRecord.objects.filter(action="job.cancel", object_id=str(job.pk)).exists()
    # a second cancel, and a cancel of a live job, are refused
    r = client.post(f"/api/v1/jobs/{job.pk}/cancel", **h)
    assert r.status_code == 409 and r.json()["code"] == "JOB_NOT_CANCELLABLE"
    live = job_start(kind="test.live", actor=SystemActor("t"), center=center)
    Job.objects.filter(pk=live.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
    r = client.post(f"/api/v1/jobs/{live.pk}/cancel", **h)
    assert r.status_code == 409 and "运行中" in r.json()["message"]


def test_cancel_from_the_console_and_the_cli(center, world, clerk, client):
    user, _ = clerk
    grant_role(user, "finance", center=center)
    imp, job, _ = _dead_import(center, user)
    client.force_login(user)
    r = client.post(f"/jobs/{job.pk}/cancel/")
    assert r.status_code == 302 and "message" in r["Location"]
    imp.refresh_from_db()
    assert imp.status == RemittanceImport.Status.FAILED
    imp2, job2, _ = _dead_import(center, user)
    out = io.StringIO()
    call_command("jobs", "--cancel", str(job2.pk), "--as", "upload_clerk", stdout=out)
    assert "已取消" in out.getvalue()
    imp2.refresh_from_db()
    assert imp2.status == RemittanceImport.Status.FAILED


def test_a_teller_cannot_cancel(center, world, clerk):
    user, _ = clerk  # teller: jobs.view, not jobs.run
    _, job, _ = _dead_import(center, user)
    with pytest.raises(Exception) as e:
        job_cancel(job=job, actor=user)
    assert getattr(e.value, "status_code", None) == 403 or "权限" in str(e.value)
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_interrupted_follows_the_setting(center, settings):
    job = job_start(kind="test.x", actor=SystemActor("t"), center=center)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=30))
    job.refresh_from_db()
    settings.HPF_JOB_STALE_SECONDS = 60
    assert job.state == "running"
    settings.HPF_JOB_STALE_SECONDS = 10
    assert job.state == "interrupted"
    assert json.dumps(job.state)  # a lowercase word


def test_a_request_over_the_ceiling_is_not_even_received(center, world, clerk, client, settings):
    """Before any view runs (and before the center's policy is known), a request's files stop at
    HPF_UPLOAD_MAX_BYTES: the huge upload is dropped, not written to disk."""
    _, h = clerk
    settings.HPF_UPLOAD_MAX_BYTES = 5000
    r = client.post("/api/v1/contributions/imports",
                    {"month": "2026-11", "file": SimpleUploadedFile("big.csv", b"a,b\n" * 5000)}, **h)
    assert 400 <= r.status_code < 500, r.content
    assert not RemittanceImport.objects.exists()
    _nothing_created(center)
