"""The console shell: login, logout, home with the center and business date, the menu."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from openhpf.conftest import grant_role
from openhpf.console.context import console
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="webclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


def test_home_requires_login(client, db):
    r = client.get("/")
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("console:login")) and "next=/" in r["Location"]


def test_login_page_is_chinese(client, db):
    r = client.get("/login/")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'lang="zh-CN"' in html and "用户名" in html and "密码" in html
    assert 'name="viewport"' in html and "vendor/htmx.min.js" in html and "css/console.css" in html


def test_login_then_home_shows_center_and_business_date(client, clerk, center):
    r = client.post("/login/", {"username": "webclerk", "password": "pw-Clerk-2026"})
    assert r.status_code == 302 and r["Location"] == reverse("console:home")
    html = client.get("/").content.decode()
    assert center.name in html and center.business_date.strftime("%Y-%m-%d") in html
    for label in ("首页", "单位", "个人", "作业"):  # a teller's menu (console/nav.py shows items by permission)
        assert f">{label}<" in html
    for label in ("账务", "审计"):
        assert f">{label}<" not in html
    assert 'id="jobs-panel"' in html


def test_wrong_password_and_non_staff_are_refused(client, db, django_user_model, clerk):
    r = client.post("/login/", {"username": "webclerk", "password": "wrong-password"})
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    django_user_model.objects.create_user("member1", password="pw-Member-2026")
    r = client.post("/login/", {"username": "member1", "password": "pw-Member-2026"})
    assert r.status_code == 200 and "不是业务人员账号" in r.content.decode()


def test_non_staff_session_gets_403(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_user("member2", password="pw-Member-2026"))
    assert client.get("/").status_code == 403


def test_staff_without_center_sees_a_notice(client, staff):
    client.force_login(staff)
    r = client.get("/")
    assert r.status_code == 200 and "尚未归属管理中心" in r.content.decode()


def test_logout_is_post(client, clerk):
    client.force_login(clerk)
    r = client.post("/logout/")
    assert r.status_code == 302 and r["Location"] == reverse("console:login")
    assert client.get("/").status_code == 302


def test_context_processor(rf: RequestFactory, clerk, center, staff):
    from django.contrib.auth.models import AnonymousUser

    req = rf.get("/")
    req.user = AnonymousUser()
    assert console(req) == {}
    req.user = clerk
    ctx = console(req)
    assert ctx["hpf_center"] == center and ctx["hpf_business_date"] == center.business_date
    assert ctx["hpf_nav"][0].label == "首页" and ctx["hpf_nav"][0].active
    req.user = staff  # no profile
    ctx = console(req)
    assert ctx["hpf_center"] is None and ctx["hpf_business_date"] is None
