"""续跑 of a roster import (缴存清册导入) whose process died. Such a job showed as 中断 with 取消 only: the import kind
registered no resume, so the console, `GET /api/v1/jobs/` and `hpf jobs --resume` refused it and the clerk had to
upload the file again. Now an interrupted (or failed) import job whose file is still there is resumed like other
jobs: it runs the import again from its first step (the rows staged before the crash are not trusted), creates its
remittances once, and a second resume is refused."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.contributions.models import Remittance, RemittanceImport
from openhpf.contributions.remittance.fileimport import JOB_KIND, roster_write
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.iam.services import staff_create
from openhpf.jobs.models import Job, JobStep
from openhpf.jobs.runner import job_resume_registered, job_start

MONTH = "2026-11"


@pytest.fixture(autouse=True)
def own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="resume_clerk", password="pw-Resume-2026", center=center, actor=SystemActor("t"))
    grant_role(user, "finance", center=center)  # contributions.remit and jobs.run
    return user


@pytest.fixture
def roster(center, tmp_path) -> Path:
    emp = make_employer(center, 1)
    for i in range(1, 6):
        make_account(center, emp, i)
    path = tmp_path / "roster.csv"
    assert roster_write(center=center, month=MONTH, path=path) == 5
    return path


def _killed_import(center, user, path: Path, *, staged: bool = True) -> tuple[RemittanceImport, Job]:
    """An import whose process was killed in its validate step: the import 校验中, the job running with an old
    heartbeat, its stage step done (what the dead run staged is gone with its memory)."""
    imp = RemittanceImport.objects.create(center=center, month="202611", file_name=path.name,
                                          business_date=center.business_date, created_by="user:resume_clerk")
    job = job_start(kind=JOB_KIND, actor=user, center=center, business_date=center.business_date,
                    title=f"缴存清册导入 {path.name}", params={"import": imp.pk, "file": str(path), "month": "202611"})
    RemittanceImport.objects.filter(pk=imp.pk).update(job_id=job.pk)
    if staged:
        JobStep.objects.create(job=job, order=1, name="stage", weight=4, status=JobStep.Status.DONE)
        JobStep.objects.create(job=job, order=2, name="validate", weight=2, status=JobStep.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now() - timedelta(hours=1),
                                         heartbeat_at=timezone.now() - timedelta(hours=1), run_token="dead")
    return imp, Job.objects.get(pk=job.pk)


def test_an_interrupted_roster_import_is_resumed_and_creates_its_remittances_once(center, clerk, roster):
    imp, job = _killed_import(center, clerk, roster)
    assert job.state_label == "中断" and job.can_resume
    job = job_resume_registered(job=job, actor=clerk)
    assert job.status == Job.Status.SUCCEEDED and job.state_label == "成功"
    imp.refresh_from_db()
    assert imp.status == RemittanceImport.Status.ACCEPTED and imp.rows == 5 and imp.accepted_rows == 5
    assert Remittance.objects.filter(source_import=imp).count() == 1
    assert Remittance.objects.get(source_import=imp).lines == 5
    with pytest.raises(DomainError) as e:  # done: a second resume is refused and creates nothing
        job_resume_registered(job=job, actor=clerk)
    assert e.value.code == "JOB_NOT_RESUMABLE"
    assert Remittance.objects.filter(source_import=imp).count() == 1


def test_resume_from_the_console_and_the_cli(center, clerk, roster, client):
    _imp, job = _killed_import(center, clerk, roster)
    client.force_login(clerk)
    page = client.get("/jobs/").content.decode()
    assert f"/jobs/{job.pk}/resume/" in page
    r = client.post(f"/jobs/{job.pk}/resume/")
    assert r.status_code == 302 and "message" in r["Location"]
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
    Remittance.objects.all().delete()
    RemittanceImport.objects.all().delete()
    _imp2, job2 = _killed_import(center, clerk, roster, staged=False)
    out = io.StringIO()
    call_command("jobs", "--resume", str(job2.pk), "--as", "resume_clerk", stdout=out)
    assert "成功" in out.getvalue()


def test_an_import_whose_file_is_gone_cannot_be_resumed(center, clerk, roster):
    imp, job = _killed_import(center, clerk, roster)
    roster.unlink()
    assert job.state_label == "中断" and not job.can_resume and job.can_cancel
    with pytest.raises(CommandError) as e:
        call_command("jobs", "--resume", str(job.pk), "--as", "resume_clerk")
    assert "重新上传" in str(e.value)
    imp.refresh_from_db()
    assert imp.status == RemittanceImport.Status.VALIDATING and not Remittance.objects.exists()
