"""The relief API (/api/v1/relief/) with a staff bearer token, and the console pages."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openhpf.accounts.models import Employer, MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.iam.services import api_token_issue, staff_create
from openhpf.ledger.tests.factories import deposit

from .relief_helpers import set_paid


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="reliefclerk", password="pw-Relief-2026x", center=center, actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def auth(clerk):
    plaintext, _ = api_token_issue(user=clerk, name="测试", actor=SystemActor("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def test_api_round_trip(client, center, auth):
    emp = make_employer(center, 1)
    a = make_account(center, emp, 1)
    deposit(center, a.sub, 100_000)
    csv = f"个人账号,证件号码,姓名,新缴存基数\n{a.account_no},{a.member.id_number},{a.member.name},9000\n"
    r = client.post("/api/v1/relief/base-adjustments", {"year": 2026, "file": SimpleUploadedFile("b.csv", csv.encode())},
                    **auth)
    assert r.status_code == 200, r.content
    assert r.json()["changed"] == 1 and MemberAccount.objects.get(pk=a.pk).base == 900000
    bad = csv.replace(a.member.name, "别人")
    r = client.post("/api/v1/relief/base-adjustments", {"year": 2026, "file": SimpleUploadedFile("b.csv", bad.encode())},
                    **auth)
    assert r.status_code == 422 and r.json()["code"] == "VALIDATION"
    assert r.json()["details"]["errors"][0]["code"] == "NAME_MISMATCH"
    r = client.post(f"/api/v1/relief/employers/{emp.account_no}/ratio", {"employer_ratio": "0.10",
                    "member_ratio": "0.10"}, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json() == {"accounts": 1}
    r = client.post("/api/v1/relief/hardship", {
        "employer_no": emp.account_no, "kind": "defer", "valid_from": "2026-12-01", "valid_to": "2027-02-28",
        "reason": "停产", "files": [SimpleUploadedFile("决议.pdf", b"%PDF-1.4 x")]}, **auth)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "pending" and r.json()["command_id"]
    r = client.post("/api/v1/relief/flexible", {"name": "灵活", "id_number": resident_id(50), "base": 600000,
                    "ratio": "0.10", "start": "2026-12-01"}, content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    no = r.json()["agreement_no"]
    assert client.get("/api/v1/relief/flexible/expected?month=2026-12", **auth).json()[0]["amount"] == 120000
    r = client.post(f"/api/v1/relief/flexible/{no}/suspend", {"reason": "暂停"}, content_type="application/json",
                    **auth)
    assert r.json()["status"] == "suspended"
    r = client.get(f"/api/v1/relief/accounts/{a.account_no}/transactions?biz_type=01", **auth)
    assert r.json()["total"] == 1 and r.json()["items"][0]["amount"] == 100_000
    r = client.post(f"/api/v1/relief/accounts/{a.account_no}/statements?year=2026", **auth)
    assert r.status_code == 200 and len(r.json()["sm3"]) == 64
    r = client.get(f"/api/v1/relief/employers/{emp.account_no}/remittance-history", **auth)
    assert r.json()[0]["amount"] == 100_000
    r = client.get("/api/v1/relief/arrears?month=2026-11", **auth)
    assert r.status_code == 200 and r.json()["employers"] == []


def test_console_pages(client, center, clerk):
    emp = make_employer(center, 1, payday=10)
    Employer.objects.filter(pk=emp.pk).update(paid_up_to="202610")
    set_paid(make_account(center, emp, 1), "202610")
    client.force_login(clerk)
    r = client.get("/relief/arrears/?month=2026-11&members=1")
    assert r.status_code == 200
    body = r.content.decode()
    assert emp.account_no in body and "2,400.00" in body
    r = client.get("/relief/hardship/")
    assert r.status_code == 200 and "缓缴" in r.content.decode()
    assert date(2026, 11, 30) == center.business_date


def test_paid_months_of_an_account(client, center, auth):
    emp = make_employer(center, 3)
    a = set_paid(make_account(center, emp, 3), "202610", opened=date(2026, 7, 1))
    r = client.get(f"/api/v1/relief/accounts/{a.account_no}/paid-months?upto=2026-10", **auth)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["paid_up_to"] == "202610" and body["continuity"] == 4 and body["assumed"] is None
    assert body["months"] == {"202607": "paid", "202608": "paid", "202609": "paid", "202610": "paid"}


def test_hardship_list_api_pages_with_the_true_total(client, center, auth):
    for n in (11, 12, 13):
        emp = make_employer(center, n)
        r = client.post("/api/v1/relief/hardship", {
            "employer_no": emp.account_no, "kind": "defer", "valid_from": "2026-12-01", "valid_to": "2027-02-28",
            "reason": "停产", "files": [SimpleUploadedFile("决议.pdf", b"%PDF-1.4 x")]}, **auth)
        assert r.status_code == 200, r.content
    body = client.get("/api/v1/relief/hardship?page=99&page_size=2", **auth).json()
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (3, 2, 2, 1)  # past the end: last
    body = client.get(f"/api/v1/relief/hardship?employer_no={emp.account_no}&status=pending", **auth).json()
    assert body["total"] == 1 and body["items"][0]["employer_no"] == emp.account_no
    r = client.get("/api/v1/relief/hardship?kind=zz", **auth)
    assert r.status_code == 400 and "申请类型代码不正确" in r.json()["message"]
