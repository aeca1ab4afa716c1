"""The security auditor's screens: before/after as a table of labels and values (role names, not codes; masked as
stored), the shared pager with the true total, the chain check as a job with progress, the xlsx export of the
filtered log (opens in openpyxl, watermarked, itself audited)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from openhpf.audit.models import AuditRecord
from openhpf.audit.services import audit_seal
from openhpf.conftest import grant_role
from openhpf.console.audit_tools import chain_job_run, chain_job_start
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.jobs.models import Job, JobStep

SYS = SystemActor("test")


@pytest.fixture
def auditor(center):
    user, _ = staff_create(username="aud1", password="pw-Test-2026x", center=center, actor=SYS)
    return grant_role(user, "secauditor")


@pytest.fixture
def teller(center):
    user, _ = staff_create(username="tel7", password="pw-Test-2026x", center=center, actor=SYS)
    return grant_role(user, "teller", center=center)


def test_before_after_is_a_table_of_labels_with_role_names(client, center, auditor, teller):
    client.force_login(auditor)
    html = client.get(reverse("audit:list"), {"action": "access.role.assign"}).content.decode()
    table = html.split('data-testid="audit-table"')[1]
    assert 'data-testid="audit-diff"' in table
    assert "<th scope=\"row\">角色</th>" in table and "<td>柜员</td>" in table and "安全审计员" in table
    assert "{'" not in table and "'role'" not in table  # no Python dict
    assert 'data-testid="pager-status"' in html and "共 2 条" in html  # the true total (teller + auditor grants)


def test_pager_walks_with_the_true_total(client, center, auditor):
    now = timezone.now()
    AuditRecord.objects.bulk_create([AuditRecord(center=center, actor="user:x", action="legacy.test.row",
                                                 object_type="x.y", object_id=str(i), created_at=now)
                                     for i in range(60)])
    client.force_login(auditor)
    html = client.get(reverse("audit:list"), {"action": "legacy.test.row", "page": "2"}).content.decode()
    assert "第 2 / 2 页 · 第 51–60 条，共 60 条" in html
    assert "action=legacy.test.row" in html  # the pager keeps the filter


def test_chain_check_runs_as_a_job_with_progress(client, center, auditor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        audit_seal()
    sealed = AuditRecord.objects.filter(seq__isnull=False).count()
    assert sealed > 0
    client.force_login(auditor)
    r = client.post(reverse("console:audit_chain"), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    job = Job.objects.get(kind="audit.chain_verify")
    assert r.status_code == 200 and job.status == Job.Status.PENDING
    assert '"step": "run"' in html and reverse("console:audit_chain_progress", args=[job.pk]) in html
    r = client.post(reverse("console:audit_chain"), {"step": "run", "job": job.pk}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    job.refresh_from_db()
    step = JobStep.objects.get(job=job)
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100
    assert step.done == step.total == sealed and job.result == {"checked": sealed, "breaches": []}
    html = client.get(reverse("console:audit_chain_progress", args=[job.pk])).content.decode()
    assert f"审计链完整：已校验 {sealed} 条封存记录" in html and "every 1s" not in html
    # without htmx the form post runs it and the audit page shows the outcome
    r = client.post(reverse("console:audit_chain"))
    assert r.status_code == 302 and "chain_job=" in r["Location"]
    page = client.get(r["Location"]).content.decode()
    progress_url = re.search(r'hx-get="(/audit-tools/chain/\d+/)"', page).group(1)
    assert "审计链完整" in client.get(progress_url).content.decode()


def test_progress_is_reported_chunk_by_chunk(center, auditor, monkeypatch, django_capture_on_commit_callbacks):
    import openhpf.audit.selectors as sel

    monkeypatch.setattr(sel, "VERIFY_CHUNK", 2)
    with django_capture_on_commit_callbacks(execute=True):
        audit_seal()
    seen: list[tuple[int, int]] = []
    checked, breaches = sel.audit_chain_verify(user=auditor, progress=lambda n, t: seen.append((n, t)))
    assert not breaches and sum(n for n, _ in seen) == checked and len(seen) == -(-checked // 2)
    job = chain_job_run(chain_job_start(actor=auditor), actor=auditor)
    assert job.status == Job.Status.SUCCEEDED and job.result is not None and job.result["checked"] == checked


def test_export_opens_in_openpyxl_is_watermarked_and_audited(client, center, auditor, teller):
    client.force_login(auditor)
    url = reverse("console:audit_export") + "?action=access.role.assign"
    r = client.post(url, {"reason": ""})
    assert r.status_code == 400 and "导出须填写用途" in r.content.decode()
    r = client.post(url, {"reason": "季度安全审计"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = [[c.value for c in row] for row in wb.active.iter_rows()]
    assert rows[0][0] == "审计日志" and "季度安全审计" in rows[1][0] and "aud1" in rows[1][0]
    assert rows[2][:4] == ["时间", "链序号", "操作人", "事件"]
    body = rows[3:]
    assert len(body) == 2 and {r[3] for r in body} == {"授予角色"}
    assert any("角色：柜员" in (r[8] or "") for r in body)
    assert all(c is None or isinstance(c, str) for row in rows for c in row)
    rec = AuditRecord.objects.filter(action="audit.records.export").get()
    assert rec.after is not None and rec.actor.endswith("aud1") and rec.after["reason"] == "季度安全审计" and rec.after["rows"] == 2
    client.force_login(teller)
    assert client.post(url, {"reason": "看看"}).status_code == 403
