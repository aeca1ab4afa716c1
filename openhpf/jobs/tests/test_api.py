"""GET /api/v1/jobs/ pages like every other API list ({total, page, page_size, items}, the true total), keeps the
console's filter (state=problem: failed and interrupted jobs), refuses an unknown state in Chinese and a caller
without jobs.view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue
from openhpf.jobs.models import Job
from openhpf.jobs.runner import job_start

SYS = SystemActor("test")


def _headers(user) -> dict[str, str]:
    token, _ = api_token_issue(user=user, name="t", actor=SYS)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_jobs_api_pages_with_the_true_total_and_filters_problems(center, client):
    jobs = [job_start(kind="test.demo", title=f"作业{n}", center=center, actor=SYS) for n in range(23)]
    Job.objects.filter(pk__in=[j.pk for j in jobs[:3]]).update(status=Job.Status.FAILED)
    Job.objects.filter(pk=jobs[3].pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=2))
    user = grant_role(get_user_model().objects.create_user("jobreader", is_staff=True), "finance", center=center)
    h = _headers(user)
    body = client.get("/api/v1/jobs/", {"page": "3", "page_size": "10"}, **h).json()
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (23, 3, 10, 3)
    assert [j["id"] for j in body["items"]] == [j.pk for j in jobs[2::-1]]  # newest first: the oldest three last
    assert client.get("/api/v1/jobs/", {"page": "99", "page_size": "10"}, **h).json()["page"] == 3
    assert client.get("/api/v1/jobs/", {"page_size": "1000"}, **h).json()["page_size"] == 200
    problems = client.get("/api/v1/jobs/", {"state": "problem"}, **h).json()
    assert problems["total"] == 4 and {j["state"] for j in problems["items"]} == {"failed", "interrupted"}
    bad = client.get("/api/v1/jobs/", {"state": "broken"}, **h)
    assert bad.status_code == 400 and bad.json()["code"] == "STATE_INVALID" and "失败或中断" in bad.json()["message"]
    nobody = grant_role(get_user_model().objects.create_user("secadm", is_staff=True), "secadmin")
    assert client.get("/api/v1/jobs/", **_headers(nobody)).status_code == 403
