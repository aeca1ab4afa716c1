"""Jobs are named after the user's file, not the temporary copy the upload is read from; a rejected roster file
shows in the job list as 失败 with its error count and a link to its error list, never as 成功."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.conftest import grant_role
from openhpf.contributions.models import RemittanceImport
from openhpf.contributions.remittance.fileimport import roster_rows
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.jobs.models import Job

NAME = "汇缴清册 2026-11.csv"


@pytest.fixture
def tclient(client, center):
    user, _ = staff_create(username="jobs_teller", password="pw-Remit-2026", center=center, actor=SystemActor("t"))
    client.force_login(grant_role(user, "teller", center=center))
    emp = make_employer(center, 1)
    for i in range(1, 4):
        make_account(center, emp, i)
    return client


def _upload(client, rows, **extra):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    f = SimpleUploadedFile(NAME, buf.getvalue().encode("utf-8"))
    return client.post("/contributions/remittances/upload/", {"month": "2026-11", "file": f, **extra})


def test_a_rejected_upload_is_a_failed_job_named_after_the_file(center, tclient):
    rows = list(roster_rows(center=center, month="2026-11"))
    rows[2][7] = "1.00"
    rows[3][5] = "150%"
    r = _upload(tclient, rows)
    assert r.status_code == 200 and "校验未通过" in r.content.decode()
    imp = RemittanceImport.objects.get()
    assert imp.job_id is not None
    job = Job.objects.get(pk=imp.job_id)
    assert imp.file_name == NAME and imp.status == RemittanceImport.Status.REJECTED
    assert job.title == f"缴存清册校验「{NAME}」" and "hpf-upload" not in job.title
    assert job.status == Job.Status.FAILED and job.rejected and f"共 {imp.errors} 处错误" in job.error
    html = tclient.get("/jobs/").content.decode()
    assert NAME in html and "失败" in html and "成功" not in html
    assert f"错误清单（{imp.errors} 处）" in html and reverse("remit:import_errors", args=[imp.pk]) in html
    assert f"/jobs/{job.pk}/resume/" not in html and f"/jobs/{job.pk}/cancel/" not in html
    download = tclient.get(reverse("remit:import_errors", args=[imp.pk]))
    assert download.status_code == 200, download.content.decode()[-1500:]


def test_an_accepted_upload_names_both_its_jobs_after_the_file(center, tclient):
    r = _upload(tclient, list(roster_rows(center=center, month="2026-11")))
    res = r.context["result"]
    assert res.previewed
    r = tclient.post("/contributions/remittances/upload/", {"_step": "confirm", "import": res.import_id, "_ack": "1"})
    assert r.status_code == 302
    titles = sorted(Job.objects.filter(kind="contributions.remit_import").values_list("title", "status"))
    assert titles == [(f"缴存清册导入「{NAME}」", Job.Status.SUCCEEDED), (f"缴存清册校验「{NAME}」", Job.Status.SUCCEEDED)]
    assert set(RemittanceImport.objects.values_list("file_name", flat=True)) == {NAME}
    html = tclient.get("/jobs/").content.decode()
    assert html.count(NAME) >= 2 and 'class="badge bad"' not in html and "错误清单" not in html
