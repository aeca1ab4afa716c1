"""Console pages of accounts: staff only, personal data masked (raw values never in the HTML), reads audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from openhpf.accounts.services import member_account_freeze
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import SystemActor
from openhpf.core.services import center_create
from openhpf.iam.services import staff_create
from openhpf.ledger.tests.factories import deposit

RAW_ID = "11010119900107123X"  # a valid resident ID; masked 110***********123X
RAW_PHONE = "13812341234"  # masked 138****1234
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def clerk(center):
    user, _ = staff_create(username="acctclerk", password="pw-Clerk-2026", center=center, actor=SystemActor("test"))
    return grant_role(user, "teller", center=center)


@pytest.fixture
def employer(center):
    return make_employer(center, 1, name="杭州云栖科技有限公司")


@pytest.fixture
def account(center, employer):
    return make_account(center, employer, 1, name="李建国", id_number=RAW_ID, phone=RAW_PHONE, base=1000000)


@pytest.fixture
def client_in(client, clerk):
    client.force_login(clerk)
    return client


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _audits(action: str):
    return list(AuditRecord.objects.filter(action=action).order_by("id"))


def _urls(employer, account) -> list[str]:
    return [
        reverse("accounts:employer_list"), reverse("accounts:employer_detail", args=[employer.account_no]),
        reverse("accounts:member_list"), reverse("accounts:member_detail", args=[account.account_no]),
        reverse("accounts:member_history", args=[account.account_no]),
    ]


# ---------------------------------------------------------------- access


def test_anonymous_is_sent_to_login(client, employer, account):
    for url in _urls(employer, account):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("console:login")), url


def test_non_staff_and_staff_without_center_get_403(client, employer, account, django_user_model, staff):
    client.force_login(django_user_model.objects.create_user("member9", password="pw-Member-2026"))
    for url in _urls(employer, account):
        assert client.get(url).status_code == 403, url
    client.force_login(staff)  # staff, but no StaffProfile with a center
    for url in _urls(employer, account):
        assert client.get(url).status_code == 403, url
    assert not _audits("accounts.member_account.view")


def test_accounts_of_another_center_are_not_found(client_in, employer, account):
    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=date(2026, 11, 30),
                          actor=SystemActor("test"), city="宁波")
    theirs = make_employer(other, 2)
    their_account = make_account(other, theirs, 2)
    assert client_in.get(reverse("accounts:employer_detail", args=[theirs.account_no])).status_code == 404
    assert client_in.get(reverse("accounts:member_detail", args=[their_account.account_no])).status_code == 404
    assert client_in.get(reverse("accounts:member_detail", args=["nope"])).status_code == 404
    r = client_in.get(reverse("accounts:employer_list"), {"q": theirs.name})
    assert theirs.account_no not in _html(r)


def test_menu_lights_up(client_in):
    html = _html(client_in.get(reverse("accounts:member_list")))
    for name in ("accounts:employer_list", "accounts:member_list", "jobs:list"):  # a teller: no ledger
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("accounts:member_list")}" class="active"' in html


# ---------------------------------------------------------------- employers


def test_employer_search_by_name_code_and_number(client_in, employer):
    url = reverse("accounts:employer_list")
    html = _html(client_in.get(url))
    assert "<html" in html and 'hx-get="/accounts/employers/"' in html
    assert 'data-testid="employer-total">共 1 个单位<' in html  # no condition: every employer, paged
    for q in ("云栖", employer.credit_code, employer.account_no):
        html = _html(client_in.get(url, {"q": q}))
        assert "<html" in html and employer.name in html and employer.account_no in html, q
    assert "未找到" in _html(client_in.get(url, {"q": "不存在的单位"}))


def test_employer_search_htmx_returns_only_the_results(client_in, employer):
    r = client_in.get(reverse("accounts:employer_list"), {"q": "云栖"}, **HX)
    html = _html(r)
    assert "<html" not in html and html.lstrip().startswith('<div id="results"')
    assert employer.name in html and reverse("accounts:employer_detail", args=[employer.account_no]) in html
    assert "HX-Request" in r["Vary"]


def test_employer_detail(client_in, clerk, employer, account, center):
    make_account(center, employer, 2, name="王小明")
    url = reverse("accounts:employer_detail", args=[employer.account_no])
    html = _html(client_in.get(url))
    assert employer.name in html and employer.credit_code in html and "正常" in html
    assert "12%" in html and "每月 15 日" in html
    assert 'data-testid="suspense-balance">0.00<' in html
    assert 'data-testid="members-normal">2<' in html
    # members listed with masked names; monthly amount 1,000,000 fen × 24% = 2,400.00 yuan each
    assert "李**" in html and "王**" in html and "李建国" not in html and "王小明" not in html
    assert account.account_no in html and "2,400.00" in html and "4,800.00" in html
    # the contact person is masked too
    assert "王经办" not in html and "13800000000" not in html
    [rec] = _audits("accounts.employer.view")
    assert rec.actor_user_id == clerk.pk and rec.object_id == str(employer.pk)
    assert account.account_no in rec.after["members"]


# ---------------------------------------------------------------- members


def test_member_search_by_name_id_phone_and_number_is_masked_and_audited(client_in, clerk, account):
    url = reverse("accounts:member_list")
    html = _html(client_in.get(url))
    assert "请输入查询条件" in html and 'hx-post="/accounts/members/"' in html
    assert not _audits("accounts.member.search")  # an empty form reads nothing
    for q in ("李", "李建", RAW_ID, RAW_ID.lower(), RAW_PHONE, account.account_no):
        html = _html(client_in.post(url, {"q": q}))
        assert account.account_no in html, q
        assert "李**" in html and "110***********123X" in html and "138****1234" in html
        assert "李建国" not in html and RAW_ID not in html.replace(f'value="{q}"', "") and RAW_PHONE not in html.replace(
            f'value="{q}"', "")
    recs = _audits("accounts.member.search")
    assert len(recs) == 6 and all(r.actor_user_id == clerk.pk for r in recs)
    assert recs[0].after == {"q_len": 1, "page": 1, "total": 1, "results": [account.account_no]}
    assert "未找到" in _html(client_in.post(url, {"q": "赵"}))


def test_member_search_htmx_partial_holds_no_raw_data(client_in, account):
    html = _html(client_in.post(reverse("accounts:member_list"), {"q": RAW_ID}, **HX))
    assert "<html" not in html and html.lstrip().startswith('<div id="results"')
    assert "110***********123X" in html and RAW_ID not in html and RAW_PHONE not in html and "李建国" not in html
    assert reverse("accounts:member_detail", args=[account.account_no]) in html


def test_member_detail_masked_and_audited(client_in, clerk, center, account):
    deposit(center, account.sub, 240000)
    html = _html(client_in.get(reverse("accounts:member_detail", args=[account.account_no])))
    assert 'data-testid="member-name">李**<' in html
    assert 'data-testid="member-id-number">110***********123X<' in html
    assert 'data-testid="member-phone">138****1234<' in html
    assert RAW_ID not in html and RAW_PHONE not in html and "李建国" not in html
    assert "杭州云栖科技有限公司" in html and "10,000.00 元" in html and "12%" in html
    assert 'data-testid="monthly-amount">2,400.00<' in html
    assert 'data-testid="balance">2,400.00<' in html and 'data-testid="available">2,400.00<' in html
    assert 'data-testid="member-status">正常<' in html
    # 明细账: the deposit row with its label, amount and balance
    assert "汇缴" in html and 'id="history"' in html
    [rec] = _audits("accounts.member_account.view")
    assert rec.actor_user_id == clerk.pk and rec.object_type == "accounts.memberaccount"
    assert rec.object_id == str(account.pk) and rec.after == {"clearance": 1, "history_page": 1}
    assert rec.center_id == center.pk and rec.business_date == center.business_date


def test_member_detail_shows_a_full_freeze_as_frozen(client_in, center, account):
    deposit(center, account.sub, 50000)
    member_account_freeze(account=account, kind="1", reason="法院冻结", actor=SystemActor("test"),
                          business_date=center.business_date)
    html = _html(client_in.get(reverse("accounts:member_detail", args=[account.account_no])))
    assert 'data-testid="member-status">冻结<' in html and "全部冻结" in html
    assert 'data-testid="available">0.00<' in html


def test_history_pages_with_htmx(client_in, clerk, center, account):
    for i in range(1, 26):
        deposit(center, account.sub, 100 * i)
    detail = reverse("accounts:member_detail", args=[account.account_no])
    history = reverse("accounts:member_history", args=[account.account_no])
    html = _html(client_in.get(detail))
    assert "第 1 / 2 页" in html and f'hx-get="{history}?page=2"' in html and f'href="{detail}?page=2"' in html
    assert "325.00" in html  # the newest row's balance: 1+2+…+25 yuan
    r = client_in.get(history, {"page": 2}, **HX)
    part = _html(r)
    assert "<html" not in part and part.lstrip().startswith('<div id="history"')
    assert "第 2 / 2 页" in part and f'hx-get="{history}?page=1"' in part
    assert part.count("<tr>") == 1 + 6 and "开户" in part  # header + the 5 oldest deposits + the opening row
    [rec] = _audits("accounts.member_account.history")
    assert rec.actor_user_id == clerk.pk and rec.object_id == str(account.pk) and rec.after == {"page": 2}
    # without JavaScript the link opens the detail page on that page; past the end shows the last page
    assert "第 2 / 2 页" in _html(client_in.get(detail, {"page": 2}))
    assert "第 2 / 2 页" in _html(client_in.get(history, {"page": 99}))
    assert "第 1 / 2 页" in _html(client_in.get(history, {"page": "x"}))


def test_member_page_offers_each_action_only_to_a_role_with_its_permission(client, center, account):
    """冻结/解冻 need accounts.freeze; 基数/比例调整 (and 封存…) accounts.change: a role without one does not see
    its links (a reviewer sees no 办理 at all; a role of freezes only sees 冻结 only)."""
    from openhpf.access.models import Permission, Role

    freezer = Role.objects.create(code="freezer", name="冻结专员", kind="business", clearance=1)
    freezer.permissions.set(Permission.objects.filter(code__in=["accounts.view", "accounts.freeze"]))
    url = reverse("accounts:member_detail", args=[account.account_no])
    links = {"act-freeze": "冻结", "act-change-base": "基数调整", "act-change-ratio": "比例调整"}
    for username, role, shown in (("t1", "teller", set(links)), ("r1", "reviewer", set()),
                                  ("f1", "freezer", {"act-freeze"})):
        user, _ = staff_create(username=username, password="pw-Member-2026", center=center, actor=SystemActor("test"))
        client.force_login(grant_role(user, role, center=center))
        html = _html(client.get(url))
        assert {t for t in links if f'data-testid="{t}"' in html} == shown, role
        assert ('data-testid="member-actions"' in html) == bool(shown), role
