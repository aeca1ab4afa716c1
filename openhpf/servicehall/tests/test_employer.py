"""The employer pages of the online hall (单位网厅): an agent signs in with password + one-time code, searches the
roster, hires (open, then unseal) and lets go (seal), confirms the month's roster or uploads a file (one bad row
reported by row and column, nothing created; fixed and resubmitted), sees the amount and the bank account to
pay, does a 补缴 and the July base adjustment. IDOR: another employer's numbers are "not found" on every route."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import get_resolver
from openpyxl import Workbook

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.audit.models import AuditRecord
from openhpf.contributions.models import Remittance, RemittanceImport
from openhpf.contributions.remittance.fileimport import roster_rows
from openhpf.core.actors import SystemActor
from openhpf.iam.services import employer_agent_create
from openhpf.iam.tests.test_portal import AGENT_PW, last_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(center):
    e1, e2 = make_employer(center, 1), make_employer(center, 2)
    a1 = [make_account(center, e1, n) for n in (1, 2)]
    b1 = make_account(center, e2, 3)
    for e, n in ((e1, 1), (e2, 2)):
        employer_agent_create(employer=e, login_id=f"agent{n}", name="王经办", phone=f"1370000000{n}",
                              password=AGENT_PW, actor=SystemActor("test"))
    return {"center": center, "e1": e1, "e2": e2, "a1": a1, "b1": b1}


def agent_sign_in(client, login: str = "agent1", phone: str = "13700000001") -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/hall/employer/login/", {"login": login, "password": AGENT_PW})
    assert r.status_code == 302, r.content.decode()
    r = client.post("/hall/employer/login/code/", {"code": last_code(phone)})
    assert r.status_code == 302 and r["Location"].endswith("/hall/employer/")


def test_an_agent_signs_in_and_searches_the_masked_roster(client, firms):
    assert client.get("/hall/employer/").status_code == 302
    agent_sign_in(client)
    a, b = firms["a1"]
    page = client.get("/hall/employer/").content.decode()
    assert a.account_no in page and b.account_no in page and firms["b1"].account_no not in page
    assert a.member.name not in page and a.member.id_number not in page  # masked
    found = client.get("/hall/employer/", {"q": b.account_no}).content.decode()
    assert b.account_no in found and a.account_no not in found
    found = client.get("/hall/employer/", {"q": a.member.id_number}).content.decode()
    assert a.account_no in found and b.account_no not in found


def test_hire_opens_then_leave_seals_then_hire_again_unseals(client, firms):
    agent_sign_in(client)
    idn = resident_id(40)
    form = {"name": "赵新人", "id_number": idn, "phone": "13912345678", "marital_status": "10", "base": "8000.00"}
    r = client.post("/hall/employer/hire/", form)
    assert r.status_code == 302, r.content.decode()
    acct = MemberAccount.objects.get(member__id_number=idn)
    assert (acct.employer_id, acct.status, acct.base) == (firms["e1"].pk, "01", 800000)
    assert (acct.employer_amount, acct.member_amount) == (96000, 96000)  # 8,000 元 × 12% each
    assert AuditRecord.objects.filter(actor__startswith="system:hall:agent:agent1").exists()
    assert client.post(f"/hall/employer/leave/{acct.account_no}/", {"reason": "离职"}).status_code == 302
    acct.refresh_from_db()
    assert acct.status == "02"
    r = client.post("/hall/employer/hire/", {**form, "base": "9000"})
    assert r.status_code == 302
    acct.refresh_from_db()
    assert (acct.status, acct.base) == ("01", 900000) and MemberAccount.objects.filter(member__id_number=idn).count() == 1
    bad = client.post("/hall/employer/hire/", {**form, "id_number": "123"})
    assert bad.status_code == 400 and "身份证号码" in bad.content.decode()


def test_the_month_roster_is_confirmed_and_the_payment_shown(client, firms):
    agent_sign_in(client)
    r = client.post("/hall/employer/remit/", {"month": "2026-11"})
    assert r.status_code == 302
    rem = Remittance.objects.get(employer=firms["e1"])
    assert (rem.status, rem.lines, rem.total) == ("confirmed", 2, 480000)  # 2 × 10,000 元 × (12% + 12%)
    page = client.get(r["Location"]).content.decode()
    assert "4,800.00 元" in page
    again = client.post("/hall/employer/remit/", {"month": "2026-11"})
    assert again.status_code == 422 and "已存在" in again.content.decode()
    assert "4,800.00" in client.get("/hall/employer/history/").content.decode()


def _roster_file(tmp_path: Path, center, employer, *, bad_base: bool) -> Path:
    rows = list(roster_rows(center=center, month="202611", employer=employer))
    if bad_base:
        rows[2][rows[0].index("缴存基数")] = "一万"
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    path = tmp_path / ("bad.xlsx" if bad_base else "good.xlsx")
    wb.save(path)
    return path


def test_an_upload_with_one_bad_row_is_refused_by_row_and_column_then_fixed_and_submitted(client, firms, tmp_path):
    agent_sign_in(client)
    c, e1 = firms["center"], firms["e1"]
    with _roster_file(tmp_path, c, e1, bad_base=True).open("rb") as f:
        r = client.post("/hall/employer/remit/upload/", {"month": "2026-11", "file": f})
    page = r.content.decode()
    assert r.status_code == 422 and "第 3 行" in page and "缴存基数" in page
    assert not Remittance.objects.exists()
    with _roster_file(tmp_path, c, e1, bad_base=False).open("rb") as f:
        r = client.post("/hall/employer/remit/upload/", {"month": "2026-11", "file": f})
    assert r.status_code == 302, r.content.decode()
    rem = Remittance.objects.get(employer=e1)
    assert (rem.lines, rem.total) == (2, 480000)
    assert RemittanceImport.objects.filter(status="accepted").count() == 1


def test_backpay_and_the_july_base_adjustment(client, center):
    e = make_employer(center, 1, business_date=date(2026, 9, 1))
    a = make_account(center, e, 1, business_date=date(2026, 9, 1))
    employer_agent_create(employer=e, login_id="agent1", name="王经办", phone="13700000001", password=AGENT_PW,
                          actor=SystemActor("test"))
    agent_sign_in(client)
    r = client.post("/hall/employer/backpay/", {"month": "2026-10", "reason": "漏缴"})
    assert r.status_code == 302, r.content.decode()
    rem = Remittance.objects.get(employer=e, biz_type="02")
    assert (rem.back_kind, rem.lines, rem.total) == ("full", 1, 240000)  # 10,000 元 × 24%
    none = client.post("/hall/employer/backpay/", {"month": "2026-10", "reason": ""})
    assert none.status_code == 422
    head = "个人账号,证件号码,姓名,新缴存基数\n"
    bad = (head + f"{a.account_no},{resident_id(99)},{a.member.name},12000\n").encode()
    r = client.post("/hall/employer/base/", {"file": _upload("bad.csv", bad)})
    assert r.status_code == 422 and "第 2 行" in r.content.decode()
    a.refresh_from_db()
    assert a.base == 1000000
    good = (head + f"{a.account_no},{a.member.id_number},{a.member.name},12000\n").encode()
    r = client.post("/hall/employer/base/", {"file": _upload("good.csv", good)})
    assert r.status_code == 302, r.content.decode()
    a.refresh_from_db()
    assert (a.base, a.employer_amount) == (1200000, 144000)  # 12,000 元 × 12%


def _upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_agent_cannot_reach_another_employer(client, firms, django_user_model):
    other = firms["b1"]
    rem = Remittance.objects.create(center=firms["center"], employer=firms["e2"], month="202611", biz_type="01",
                                    business_date=firms["center"].business_date, created_by="test")
    probes = {"leave": ("post", f"/hall/employer/leave/{other.account_no}/"),
              "pay": ("get", f"/hall/employer/remit/{rem.pk}/pay/")}
    with_args = {p.name for inc in get_resolver().url_patterns if getattr(inc, "namespace", None) == "hallemp"
                 for p in inc.url_patterns if "<" in str(p.pattern)}
    assert with_args == set(probes), f"list every employer route that takes a number here: {with_args ^ set(probes)}"
    # signed out: sent to the agent sign-in; a staff session: refused
    for _name, (method, path) in probes.items():
        r = getattr(client, method)(path)
        assert r.status_code == 302 and r["Location"].endswith("/hall/employer/login/")
    agent_sign_in(client)
    for name, (method, path) in probes.items():
        r = getattr(client, method)(path)
        assert r.status_code == 404, (name, r.status_code)
        assert other.account_no not in r.content.decode()
    other.refresh_from_db()
    assert other.status == "01"
    assert "没有符合条件的职工" in client.get("/hall/employer/", {"q": other.account_no}).content.decode()
    assert "暂无缴存记录" in client.get("/hall/employer/history/").content.decode()
    staff = django_user_model.objects.create_user("clerk", is_staff=True)
    c2 = client.__class__()
    c2.force_login(staff)
    assert c2.get("/hall/employer/").status_code == 403
