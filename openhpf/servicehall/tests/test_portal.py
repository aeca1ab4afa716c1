"""The member portal: first-time registration, the home figures, the 明细 filters and the 年度对账单, an online
rent withdrawal (一次告知 before submitting, face step-up, the engine), approved and paid, then rated; own data
and the phone change; the inbox; 长辈模式."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from openhpf.accounts.models import Member
from openhpf.applications import services as engine
from openhpf.applications.models import Application, Rating, State
from openhpf.audit.models import AuditRecord
from openhpf.core.actors import SystemActor
from openhpf.iam.models import MemberPrincipal
from openhpf.iam.services import member_principal_create
from openhpf.items.tests.certificate_fixtures import (  # noqa: F401
    MEMBER_PW,
    empty_rate_limits_fixture,
    last_code,
    people_fixture,
)
from openhpf.ledger.models import SubAccount
from openhpf.settlement.models import Instruction
from openhpf.settlement.services import instruction_send
from openhpf.settlement.tests.conftest import bank, sim  # noqa: F401
from openhpf.verification import models as vm
from openhpf.withdrawals.handlers import RENT
from openhpf.withdrawals.tests.conftest import BALANCE, verified_card, world  # noqa: F401

pytestmark = pytest.mark.django_db
NEW_PW = "Portal-Pass-2026"


def sign_in(client, login: str, phone: str, password: str = MEMBER_PW) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/hall/login/", {"login": login, "password": password})
    assert r.status_code == 302, r.content.decode()
    r = client.post("/hall/login/code/", {"code": last_code(phone)})
    assert r.status_code == 302


def test_first_time_registration_checks_the_account_and_sends_a_code(client, people):
    a = people["a"]
    MemberPrincipal.objects.filter(member=a.member).delete()
    m = a.member
    wrong = client.post("/hall/register/", {"name": m.name, "id_number": m.id_number, "account_no": a.account_no,
                                            "phone": "13900009999"})
    assert wrong.status_code == 400 and "与登记信息不一致" in wrong.content.decode()
    assert AuditRecord.objects.filter(action="iam.member.register.mismatch").count() == 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/hall/register/", {"name": m.name, "id_number": m.id_number.lower(),
                                            "account_no": a.account_no, "phone": "139 0000 0001"})
    assert r.status_code == 302 and r["Location"].endswith("/hall/register/code/")
    code = last_code("13900000001")
    weak = client.post("/hall/register/code/", {"code": code, "password": "short", "password2": "short"})
    assert weak.status_code == 400 and "密码" in weak.content.decode()
    bad = client.post("/hall/register/code/", {"code": "000000" if code != "000000" else "111111",
                                               "password": NEW_PW, "password2": NEW_PW})
    assert bad.status_code == 400 and "还可尝试 4 次" in bad.content.decode()
    assert not MemberPrincipal.objects.filter(member=m).exists()
    ok = client.post("/hall/register/code/", {"code": code, "password": NEW_PW, "password2": NEW_PW})
    assert ok.status_code == 302 and ok["Location"].endswith("/hall/login/")
    assert MemberPrincipal.objects.filter(member=m).exists()
    assert AuditRecord.objects.filter(action="iam.member.register.begin").count() == 1
    assert AuditRecord.objects.filter(action="iam.member_principal.create").count() == 3  # the fixture's two + this
    # registered: the code is spent, and registering again is refused
    again = client.post("/hall/register/", {"name": m.name, "id_number": m.id_number, "account_no": a.account_no,
                                            "phone": "13900000001"})
    assert again.status_code == 400 and "已开通" in again.content.decode()
    sign_in(client, a.account_no, "13900000001", NEW_PW)
    assert client.get("/hall/").status_code == 200


def test_home_shows_balances_monthly_amounts_paid_up_to_and_continuity(client, people):
    a = people["a"]
    sign_in(client, a.account_no, "13900000001")
    html = client.get("/hall/").content.decode()
    # deposited 12,345.67 元, all this year's; base 10,000.00 元 at 12% + 12%: 1,200.00 + 1,200.00
    assert "12,345.67" in html and "2,400.00 元（单位 1,200.00 元 + 个人 1,200.00 元）" in html
    assert "2025年11月" in html
    assert "15 个月" in html  # 2024-09 … 2025-11 without a gap (the gap of 2024-07/08 breaks it)
    assert "您没有住房公积金贷款" in html


def test_history_filters_pages_and_the_annual_statement(client, people):
    a = people["a"]
    sign_in(client, a.account_no, "13900000001")
    page = client.get(f"/hall/history/?account={a.account_no}")
    assert page.status_code == 200 and "12,345.67" in page.content.decode()
    none = client.get(f"/hall/history/?account={a.account_no}&kind=withdrawal")
    assert "没有符合条件的明细" in none.content.decode()
    bad = client.get(f"/hall/history/?account={a.account_no}&date_from=2026-12-01&date_to=2026-01-01")
    assert "起始日期不能晚于截止日期" in bad.content.decode()
    year = a.center.business_date.year
    pdf = client.get(f"/hall/statement/{a.account_no}.pdf?year={year}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/hall/statement/{people['b'].account_no}.pdf?year={year}").status_code == 404
    assert client.get(f"/hall/statement/{a.account_no}.pdf?year={year + 1}").status_code == 404


def _portal_member(w):
    member_principal_create(member=w["member"], password=MEMBER_PW, actor=SystemActor("test"))
    return w["member"]


def photos() -> dict[str, SimpleUploadedFile]:
    return {f"material_{code}": SimpleUploadedFile(f"{code}.jpg", b"\xff\xd8\xff\xe0 photo " + code.encode(),
                                                   content_type="image/jpeg") for code in ("id_card", "bank_card")}


RENT_FORM = {"amount": "6000.00", "months": "3", "no_own_home": "1", "lease_registered": "0"}


def test_rent_withdrawal_online_preview_submit_approve_pay_and_rate(client, world, bank, sim):  # noqa: F811
    w = world
    m = _portal_member(w)
    verified_card(w)
    sign_in(client, w["acct"].account_no, m.phone)
    retire = client.get("/hall/withdraw/retire/").content.decode()
    assert "离退休证明方式" in retire and "离退休证明" in retire and 'accept="image/*' in retire
    page = client.get("/hall/withdraw/rent/")
    assert page.status_code == 200 and 'capture="environment"' in page.content.decode()
    assert "**** **** **** 1234" in page.content.decode()
    # 一次告知: every rule's result, nothing written
    before = (Application.objects.count(), AuditRecord.objects.count())
    r = client.post("/hall/withdraw/rent/", {**RENT_FORM, "action": "preview"})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="rule-results"' in html
    assert "不超过租房提取限额" in html and "需人工审核" in html  # the card was registered this month
    assert html.count('class="ok"') >= 5 and "人脸核验并提交申请" in html
    assert (Application.objects.count(), AuditRecord.objects.count()) == before
    over = client.post("/hall/withdraw/rent/", {**RENT_FORM, "amount": "7000.00", "action": "preview"})
    assert "提取金额超过租房提取限额" in over.content.decode() and 'data-testid="blocked"' in over.content.decode()
    # no face on file: the step-up refuses, nothing filed
    refused = client.post("/hall/withdraw/rent/", {**RENT_FORM, "action": "submit"})
    assert refused.status_code == 400 and "人脸核验未通过" in refused.content.decode()
    assert Application.objects.count() == before[0]
    vm.FaceResult.objects.create(subject=m.id_number, score=95, live=True)
    missing = client.post("/hall/withdraw/rent/", {**RENT_FORM, "action": "submit"})
    assert "缺少申请材料：身份证件" in missing.content.decode() and Application.objects.count() == before[0]
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/hall/withdraw/rent/", {**RENT_FORM, "action": "submit", **photos()})
    assert r.status_code == 302, r.content.decode()
    app = Application.objects.get(member_id=m.pk, item_code=RENT)
    assert app.channel == "web" and app.identity_level == 3 and app.state == State.SUBMITTED
    assert app.amount == 600_000 and app.applicant_kind == "member"
    # the center accepts, reviews, pays (services, as the counter and day-end would)
    day = w["center"].business_date
    app = engine.application_accept(application=app, actor=w["teller"], business_date=day)
    app = engine.application_review(application=app, actor=w["r1"], business_date=day, decision="pass")
    app = engine.application_execute(application=app, actor=w["fin"], business_date=day)
    instruction_send(instruction=Instruction.objects.get(seq=(app.result or {})["instruction"]), actor=w["fin"],
                     business_date=day)
    app.refresh_from_db()
    assert app.state == State.COMPLETED
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE - 600_000
    detail = client.get(f"/hall/applications/{app.number}/").content.decode()
    assert "已办结" in detail and "评价本次服务" in detail and "6,000.00 元" in detail
    assert app.number in client.get("/hall/applications/").content.decode()
    r = client.post(f"/hall/applications/{app.number}/", {"level": "very_satisfied", "comment": "很方便"})
    assert r.status_code == 302
    assert Rating.objects.get(application=app).level == "very_satisfied"
    assert "非常满意" in client.get(f"/hall/applications/{app.number}/").content.decode()
    inbox = client.get("/hall/inbox/").content.decode()
    assert app.number in inbox and "验证码为" not in inbox and "登录验证码" not in inbox


def test_own_data_is_masked_and_the_phone_changes_after_a_code_to_the_new_number(client, people):
    a = people["a"]
    sign_in(client, a.account_no, "13900000001")
    html = client.get("/hall/me/").content.decode()
    assert "13900000001" not in html and a.member.id_number not in html and "张**" in html
    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post("/hall/me/", {"phone": "13712345678"})
    assert r.status_code == 302
    code = last_code("13712345678")
    wrong = client.post("/hall/me/phone/", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and Member.objects.get(pk=a.member_id).phone == "13900000001"
    assert client.post("/hall/me/phone/", {"code": code}).status_code == 302
    assert Member.objects.get(pk=a.member_id).phone == "13712345678"
    rec = AuditRecord.objects.filter(action="accounts.member.change", actor_kind="member").get()
    assert rec.object_id == str(a.member_id)


def test_elder_mode_is_a_cookie_of_the_hall(client, people):
    sign_in(client, people["a"].account_no, "13900000001")
    assert 'class="hall"' in client.get("/hall/").content.decode()
    r = client.post("/hall/elder/", {"next": "/hall/history/"})
    assert r.status_code == 302 and r["Location"] == "/hall/history/"
    assert 'class="hall elder"' in client.get("/hall/").content.decode()
    assert client.post("/hall/elder/", {"next": "https://evil.example/"})["Location"] == "/hall/"
    assert 'class="hall"' in client.get("/hall/").content.decode()
