from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.jobs.runner import Step, job_start, run_job
from openhpf.jobs.selectors import job_get, job_list
from openhpf.jobs.views import job_list_partial

# The partial is tested on its own: only Django's context processors, only the jobs URLs.
PARTIAL_SETTINGS = {
    "ROOT_URLCONF": "openhpf.jobs.tests.urls",
    "LOGIN_URL": "/login/",
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
        }
    ],
}


@pytest.fixture
def finished_job(center):
    job = job_start(kind="test.demo", title="演示作业", center=center, actor=SystemActor("test"))
    run_job(job, steps=[Step("one", lambda ctx: ctx.advance(2, total=2, cursor={"i": 2}))])
    return job


@pytest.mark.django_db
def test_job_list_and_get(center, finished_job):
    other = job_start(kind="test.other", actor=SystemActor("test"))
    assert list(job_list()) == [other, finished_job]
    assert list(job_list(center=center)) == [finished_job]
    assert list(job_list(limit=1)) == [other]
    got = job_get(finished_job.pk)
    assert [s.name for s in got.steps.all()] == ["one"]
    with pytest.raises(DomainError) as e:
        job_get(999999)
    assert e.value.code == "JOB_NOT_FOUND"


@pytest.mark.django_db
def test_jobs_command_lists_and_shows(finished_job):
    out = StringIO()
    call_command("jobs", stdout=out)
    assert "test.demo" in out.getvalue() and "成功" in out.getvalue() and "100%" in out.getvalue()
    out = StringIO()
    call_command("jobs", "--show", str(finished_job.pk), stdout=out)
    text = out.getvalue()
    assert "演示作业" in text and "one" in text and "作业完成" in text and "{'i': 2}" in text


@pytest.mark.django_db
@override_settings(**PARTIAL_SETTINGS)
def test_job_list_partial(finished_job):
    request = RequestFactory().get("/jobs/partial/")
    request.user = get_user_model().objects.create_user("clerk", password="x" * 12, is_staff=True)
    grant_role(request.user, "teller")
    response = job_list_partial(request)
    html = response.content.decode()
    assert response.status_code == 200
    for head in ("作业", "状态", "进度", "开始", "结束"):
        assert f"<th>{head}</th>" in html
    assert '<progress max="100" value="100">' in html
    assert "演示作业" in html and "成功" in html
    assert 'hx-get="/jobs/partial/"' in html

    request.user = AnonymousUser()
    response = job_list_partial(request)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
@override_settings(**PARTIAL_SETTINGS)
def test_job_list_partial_shows_the_newest_with_the_true_total_and_a_link_to_the_list(center):
    for i in range(25):
        job_start(kind="test.demo", title=f"作业{i}", center=center, actor=SystemActor("test"))
    request = RequestFactory().get("/jobs/partial/")
    request.user = get_user_model().objects.create_user("clerk2", password="x" * 12, is_staff=True)
    grant_role(request.user, "teller")
    html = job_list_partial(request).content.decode()
    assert html.count("<tr class=\"job-") == 20 and "作业5 <small>" in html and "作业4 <small>" not in html
    assert 'data-testid="jobs-more">最新 20 个，共 25 个' in html and 'href="/jobs/">全部作业</a>' in html
    request = RequestFactory().get("/jobs/partial/", {"state": "problem"})
    request.user = get_user_model().objects.get(username="clerk2")
    html = job_list_partial(request).content.decode()
    assert "暂无作业" in html and "jobs-more" not in html
