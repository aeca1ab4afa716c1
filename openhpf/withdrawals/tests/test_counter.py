"""The withdrawal counter end to end on the screens: intake of 07 through the reason's form (every rule's result on
the 核对 page), review in the work queue (the 提取 section: 元, the card masked, the hold, the 3 日 limit), 办理
from the detail through the bank simulator; the member's history panel (audited); the 3 日 limit tracked (the
overdue list and its 待办 count); the 司法扣划 panel and form; each view refused (403) to a role without its
permission. `hpf verify` runs after each test (openhpf/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openhpf.accounts.services import member_account_freeze
from openhpf.applications.models import Application, State
from openhpf.approvals.services import command_approve
from openhpf.audit.models import AuditRecord
from openhpf.conftest import business_day, grant_role
from openhpf.core.models import Center
from openhpf.core.todo import todo_count
from openhpf.iam.models import StaffProfile
from openhpf.ledger.models import SubAccount
from openhpf.withdrawals.handlers import RENT
from openhpf.withdrawals.models import CourtDeduction

from .conftest import BALANCE, file, verified_card

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    """A console session of `user`, who works at the test center (their StaffProfile)."""
    center = Center.objects.order_by("pk").first()
    StaffProfile.objects.get_or_create(user=user, defaults={"center": center, "display_name": user.username})
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def cashier(world, django_user_model):
    """A counter clerk who also pays (柜员 + 财务 at this center): the 办理 button pays through settlement."""
    return grant_role(django_user_model.objects.create_user("wd_cashier", is_staff=True), "teller", "finance",
                      center=world["center"])


def _files():
    return {"m_id_card": SimpleUploadedFile("id.pdf", b"%PDF-1.4 id"),
            "m_bank_card": SimpleUploadedFile("card.pdf", b"%PDF-1.4 card")}


def test_intake_review_and_payment_of_a_rent_withdrawal_on_the_screens(world, cashier, bank, sim,
                                                                       django_capture_on_commit_callbacks):
    w = world
    verified_card(w)
    teller, reviewer, pays = _client(w["teller"]), _client(w["r1"]), _client(cashier)
    assert f"?item={RENT}" in teller.get(reverse("applications:intake_items")).content.decode()
    url = reverse("applications:intake") + f"?item={RENT}"
    page = teller.get(url)
    body = page.content.decode()
    assert "提取金额（元）" in body and "租房月数" in body and "本人及配偶在本市无自有住房" in body
    data = {"_token": page.context["token"], "_step": "review", "account_no": w["acct"].account_no,
            "p_amount": "6000.00", "p_months": "3", "p_no_own_home": "1", "p_lease_registered": "0", **_files()}
    r = teller.post(url, data)
    body = r.content.decode()
    assert r.status_code == 200, body[:2000]
    assert "6,000.00 元" in body and "提交并受理" in body
    for code in ("STATUS", "CARD", "FROZEN", "MONTHS", "OWN_HOME", "CAP", "FREQUENCY", "AVAILABLE"):
        assert f"规则 {code}" in body, code  # every rule's result shown before submitting
    assert "近期登记或变更过银行卡（未满规定天数），转人工审核（转人工审核）" in body  # the card registered this month
    assert not Application.objects.exists()  # 核对 wrote nothing
    confirm = {k: v for k, v in data.items() if not k.startswith("m_")} | {"_step": "confirm"}
    assert teller.post(url, confirm).status_code == 302
    app = Application.objects.get()
    assert app.state == State.UNDER_REVIEW and app.amount == 600_000 and app.payload["no_own_home"] is True
    detail = reverse("applications:detail", args=[app.number])
    body = reviewer.get(detail).content.decode()
    assert "07 房租" in body and "**** **** **** 1234" in body and "6217000000001234" not in body
    assert "剩余 3 日" in body  # 受理 today: 3 日 left
    r = reviewer.post(reverse("applications:act", args=[app.number]), {"action": "review", "decision": "pass",
                                                                       "reason": "材料齐全"})
    assert r.status_code == 302
    body = reviewer.get(detail).content.decode()
    assert "已预留金额" in body and "6,000.00 元" in body
    assert "剩 3 日" in reviewer.get(reverse("applications:queue")).content.decode()  # days left in the queue
    with django_capture_on_commit_callbacks(execute=True):
        r = pays.post(reverse("applications:act", args=[app.number]), {"action": "execute"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.state == State.COMPLETED
    panel = teller.get(reverse("withdrawals:member_history", args=[w["acct"].account_no]),
                       HTTP_HX_REQUEST="true").content.decode()
    assert app.number in panel and "07 房租" in panel and "已支付" in panel and app.payouts.get().bank_seq in panel
    assert AuditRecord.objects.filter(action="withdrawals.history.read").count() == 1


def test_the_member_page_loads_the_history_and_court_panels_and_roles_without_permission_get_403(
        world, django_user_model):
    w = world
    teller = _client(w["teller"])
    page = teller.get(reverse("accounts:member_detail", args=[w["acct"].account_no])).content.decode()
    for name in ("member_history", "member_court"):
        assert reverse(f"withdrawals:{name}", args=[w["acct"].account_no]) in page
    auditor = _client(grant_role(django_user_model.objects.create_user("wd_aud", is_staff=True), "secauditor"))
    assert auditor.get(reverse("withdrawals:member_history", args=[w["acct"].account_no])).status_code == 403
    assert auditor.get(reverse("withdrawals:overdue")).status_code == 403
    reviewer = _client(w["r1"])
    assert reviewer.get(reverse("withdrawals:court_new", args=[w["acct"].account_no])).status_code == 403
    assert teller.post(reverse("withdrawals:court_pay", args=["SF202611300001"])).status_code == 403
    assert _client(w["fin"]).get(reverse("applications:queue")).status_code == 403


def test_the_three_day_limit_is_shown_and_an_overdue_withdrawal_is_tracked(world):
    w = world
    verified_card(w)
    app = file(w, RENT, {"amount": 600_000, "months": 3, "no_own_home": True})
    assert app.state == State.UNDER_REVIEW and app.legal_due is not None
    teller = _client(w["teller"])
    center = Center.objects.get(pk=w["center"].pk)
    assert todo_count("withdrawals.overdue", w["teller"], center).n == 0
    later = date.fromordinal(app.legal_due.toordinal() + 2)
    with business_day(w["center"], later):
        center = Center.objects.get(pk=w["center"].pk)
        assert todo_count("withdrawals.overdue", w["teller"], center).n == 1
        body = teller.get(reverse("withdrawals:overdue")).content.decode()
        assert app.number in body and "已超期 2 日" in body
        queue = teller.get(reverse("applications:queue")).content.decode()
        assert app.number in queue and "超期 2 日" in queue and "sla-red" in queue  # the queue: red, days over
        panel = teller.get(reverse("withdrawals:member_history", args=[w["acct"].account_no]),
                           HTTP_HX_REQUEST="true").content.decode()
        assert 'data-testid="overdue"' in panel
        detail = _client(w["r1"]).get(reverse("applications:detail", args=[app.number])).content.decode()
        assert "已超期 2 日" in detail


def test_court_deduction_on_the_member_page(world, cashier, bank, sim, django_capture_on_commit_callbacks):
    w = world
    teller, pays = _client(w["teller"]), _client(cashier)
    url = reverse("withdrawals:court_new", args=[w["acct"].account_no])
    form = {"document_no": "（2026）浙0102执88号", "court": "杭州市上城区人民法院", "amount": "1,000.50",
            "payee_account": "3301040160000012345", "payee_name": "杭州市上城区人民法院", "payee_bank": "工商银行"}
    r = teller.post(url, form)
    assert r.status_code == 422 and "未冻结" in r.content.decode() and not CourtDeduction.objects.exists()
    member_account_freeze(account=w["acct"], kind="2", amount=500_000, reason="法院协助冻结", actor=w["teller"],
                          business_date=w["center"].business_date)
    r = teller.post(url, {**form, "amount": "5000.01"})
    assert r.status_code == 422 and "超过" in r.content.decode() and not CourtDeduction.objects.exists()
    assert teller.post(url, form).status_code == 302
    d = CourtDeduction.objects.get()
    assert d.amount == 100_050 and d.state == CourtDeduction.State.PENDING
    command_approve(command=d.command_id, actor=w["r2"], business_date=w["center"].business_date)
    panel_url = reverse("withdrawals:member_court", args=[w["acct"].account_no])
    panel = pays.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert "待付款" in panel and 'data-testid="court-pay"' in panel and "1,000.50" in panel
    with django_capture_on_commit_callbacks(execute=True):
        assert pays.post(reverse("withdrawals:court_pay", args=[d.number])).status_code == 302
    d.refresh_from_db()
    assert d.state == CourtDeduction.State.PAID
    panel = teller.get(panel_url, HTTP_HX_REQUEST="true").content.decode()
    assert "已扣划" in panel and 'data-testid="court-pay"' not in panel
    assert AuditRecord.objects.filter(action="withdrawals.court.read").count() == 2
    assert SubAccount.objects.get(pk=w["acct"].pk).balance == BALANCE - 100_050
