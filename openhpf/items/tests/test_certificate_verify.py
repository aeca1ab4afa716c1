"""The public verification of a 缴存使用证明 (page and JSON API): masked facts, full facts with the printed code
(audited, rate-limited), an uploaded copy verified or rejected as modified; the counter's issue; the member's hall
pages (sign-in with password + code, apply, download) kept apart from staff sessions."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import staff_create
from openhpf.items import certificate as cert_mod
from openhpf.items.certificate_models import Certificate

from .certificate_fixtures import (  # noqa: F401
    MEMBER_PW,
    bearer,
    empty_rate_limits_fixture,
    last_code,
    member_token,
    people_fixture,
)


@pytest.fixture
def issued(client, people, monkeypatch):
    """A certificate of member A, with the code printed on it (caught as it is drawn)."""
    codes: list[str] = []
    real = cert_mod.new_code

    def spy() -> str:
        codes.append(real())
        return codes[-1]

    monkeypatch.setattr(cert_mod, "new_code", spy)
    token = member_token(client, people["a"].account_no, "13900000001")
    body = client.post("/api/v1/member/certificates", {"purpose": "remote_loan"}, content_type="application/json",
                       **bearer(token)).json()
    cert = Certificate.objects.get(number=body["certificate"]["number"])
    pdf = client.get(f"/api/v1/member/certificates/{cert.number}/pdf", **bearer(token)).content
    return {"cert": cert, "code": codes[-1], "pdf": pdf, "token": token}


def test_public_page_masks_unless_the_code_is_typed(client, issued):
    cert, code = issued["cert"], issued["code"]
    page = client.get(f"/verify/{cert.number}/").content.decode()
    assert "张**" in page and "张三丰" not in page and cert.account.member.id_number not in page
    assert "12,345.67 元" in page and "15 个月" in page and "2025年11月" in page and "正常" in page
    assert "本中心无该职工的住房公积金个人住房贷款记录" in page
    full = client.post(f"/verify/{cert.number}/", {"action": "code", "code": f"{code[:4]}-{code[4:].lower()}"})
    text = full.content.decode()
    assert full.status_code == 200 and "张三丰" in text and cert.account.member.id_number in text
    assert AuditRecord.objects.filter(action="items.certificate.verify_full", object_id=str(cert.pk)).exists()
    wrong = client.post(f"/verify/{cert.number}/", {"action": "code", "code": "AAAA-AAAA"})
    assert wrong.status_code == 422 and "张三丰" not in wrong.content.decode() and "验证码不正确" in wrong.content.decode()
    assert client.get("/verify/ZM2026113000000000000/").status_code == 404


def test_the_api_gives_masked_then_full_facts(client, issued):
    cert, code = issued["cert"], issued["code"]
    r = client.get(f"/api/v1/verify/certificates/{cert.number}").json()
    facts = {f["label"]: f["value"] for f in r["facts"]}
    assert not r["full"] and facts["姓名"] == "张**" and facts["单位缴存比例"].endswith("%")
    r = client.post(f"/api/v1/verify/certificates/{cert.number}/code", {"code": code}, content_type="application/json")
    assert r.status_code == 200 and r.json()["full"]
    assert {f["label"]: f["value"] for f in r.json()["facts"]}["姓名"] == "张三丰"
    r = client.post(f"/api/v1/verify/certificates/{cert.number}/code", {"code": "XXXXXXXX"},
                    content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "CERTIFICATE_CODE_WRONG"


def test_a_wrong_code_is_rate_limited(client, issued, settings):
    settings.HPF_RATE_LIMITS = {"login": "5/300", "login_ip": "100/300"}
    cert, code = issued["cert"], issued["code"]
    url = f"/api/v1/verify/certificates/{cert.number}/code"
    statuses = [client.post(url, {"code": "WRONG000"}, content_type="application/json").status_code
                for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    # past the limit even the right code is refused, and nothing personal is shown
    r = client.post(url, {"code": code}, content_type="application/json")
    assert r.status_code == 429 and "张三丰" not in r.content.decode()
    assert AuditRecord.objects.filter(action="items.certificate.code_fail").count() == 5


def test_an_uploaded_copy_is_verified_and_a_modified_one_rejected(client, issued):
    cert, pdf = issued["cert"], issued["pdf"]
    ok = client.post(f"/verify/{cert.number}/", {"action": "file", "file": SimpleUploadedFile("c.pdf", pdf)})
    assert ok.status_code == 200 and "验证通过" in ok.content.decode()
    modified = re.sub(rb"/Title \(", b"/Title (X", pdf, count=1) if b"/Title (" in pdf else pdf[:-10] + b"0" * 10
    assert modified != pdf
    bad = client.post(f"/verify/{cert.number}/", {"action": "file", "file": SimpleUploadedFile("c.pdf", modified)})
    assert "文件已被修改或非本中心出具" in bad.content.decode() and "验证通过" not in bad.content.decode()
    r = client.post(f"/api/v1/verify/certificates/{cert.number}/file",
                    {"file": SimpleUploadedFile("c.pdf", modified)})
    assert r.status_code == 200 and r.json()["ok"] is False and r.json()["message"] == "文件已被修改或非本中心出具"
    r = client.post(f"/api/v1/verify/certificates/{cert.number}/file", {"file": SimpleUploadedFile("c.pdf", pdf)})
    assert r.json()["ok"] is True and r.json()["message"] == "验证通过"
    assert AuditRecord.objects.filter(action="items.certificate.verify_file").count() == 4


def test_a_clerk_issues_it_at_the_counter(client, people, center):
    user, _ = staff_create(username="certclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    client.force_login(user)
    b = people["b"]
    page = client.get(f"/items/certificates/issue/{b.account_no}/")
    assert page.status_code == 200 and "证明用途" in page.content.decode()
    r = client.post(f"/items/certificates/issue/{b.account_no}/", {"purpose": "loan", "note": "本地购房"})
    assert r.status_code == 302, r.content.decode()
    cert = Certificate.objects.get(account=b)
    assert cert.application.channel == "counter" and cert.application.applicant_kind == "staff"
    assert cert.application.state == "completed"
    shown = client.get(r["Location"]).content.decode()
    assert cert.number in shown and "张*" in shown
    pdf = client.get(f"/items/certificates/{cert.number}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditRecord.objects.filter(action="items.certificate.download", actor_user_id=user.pk,
                                      object_id=str(cert.pk)).exists()
    bad = client.post(f"/items/certificates/issue/{b.account_no}/", {"purpose": "nope"})
    assert bad.status_code == 200 and Certificate.objects.count() == 1


def test_member_hall_pages(client, people, django_user_model):
    a = people["a"]
    assert client.get("/hall/")["Location"].endswith("/hall/login/")
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/hall/login/", {"login": a.account_no, "password": MEMBER_PW})
    assert r.status_code == 302 and "/hall/login/code/" in r["Location"]
    assert client.post("/hall/login/code/", {"code": "000000"}).status_code == 400
    r = client.post("/hall/login/code/", {"code": last_code("13900000001")})
    assert r.status_code == 302 and client.cookies["hpf_hall"]["httponly"]
    assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value  # no staff session
    home = client.get("/hall/").content.decode()
    assert "开具缴存使用证明" in home and "张**" in home
    r = client.post("/hall/certificates/apply/", {"purpose": "remote_loan", "note": ""})
    assert r.status_code == 302
    cert = Certificate.objects.get(account=a)
    assert cert.number in client.get("/hall/").content.decode()
    pdf = client.get(f"/hall/certificates/{cert.number}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.post("/hall/logout/")
    assert client.get(f"/hall/certificates/{cert.number}.pdf").status_code == 302
    # a staff session opens nothing of the hall
    staff_user = django_user_model.objects.create_user("hallstaff", password="pw-Staff-2026", is_staff=True)
    client.force_login(staff_user)
    assert client.get("/hall/").status_code == 403


def test_another_member_gets_404_on_the_hall_download(client, people, issued):
    b = people["b"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/hall/login/", {"login": b.account_no, "password": MEMBER_PW})
    client.post("/hall/login/code/", {"code": last_code("13900000002")})
    assert client.get(f"/hall/certificates/{issued['cert'].number}.pdf").status_code == 404


def test_the_member_page_offers_the_counter_issue(client, people, center):
    user, _ = staff_create(username="certclerk2", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    grant_role(user, "teller", center=center)
    client.force_login(user)
    page = client.get(f"/accounts/members/{people['b'].account_no}/").content.decode()
    assert f"/items/certificates/issue/{people['b'].account_no}/" in page
