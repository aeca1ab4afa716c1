"""Selectors of accounts: search and detail scoped by center, personal data masked, history newest first."""

from datetime import date
from decimal import Decimal

import pytest

from openhpf.accounts import selectors
from openhpf.accounts.services import member_account_freeze, member_account_seal
from openhpf.audit.models import AuditRecord
from openhpf.conftest import grant_role
from openhpf.core.actors import AgentActor, MemberActor, SystemActor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.personal import personal_read
from openhpf.core.services import center_create
from openhpf.iam.services import employer_agent_create, member_principal_create, staff_create
from openhpf.ledger.models import SubAccount
from openhpf.ledger.tests.factories import deposit

from .factories import credit_code, make_account, make_employer, resident_id

BD = date(2026, 11, 30)


@pytest.fixture
def world(center):
    e1 = make_employer(center, 1, name="西湖科技有限公司")
    e2 = make_employer(center, 2, name="钱塘贸易有限公司")
    a1 = make_account(center, e1, 1, name="张三", phone="13912345678")
    a2 = make_account(center, e1, 2, name="张三丰")
    a3 = make_account(center, e2, 3, name="李四")
    other = center_create(code="330200", name="宁波住房公积金管理中心", business_date=BD, actor=SystemActor("test"))
    make_account(other, make_employer(other, 9, name="西湖科技宁波分公司"), 4, name="张三")
    return {"e1": e1, "e2": e2, "a1": a1, "a2": a2, "a3": a3, "other": other}


def test_member_search(center, world):
    a1 = world["a1"]
    assert [r.account_no for r in selectors.member_search(actor=SystemActor("test"), center=center, q=a1.account_no)] == [a1.account_no]
    assert [r.account_no for r in selectors.member_search(actor=SystemActor("test"), center=center, q=resident_id(1))] == [a1.account_no]
    assert [r.account_no for r in selectors.member_search(actor=SystemActor("test"), center=center, q=resident_id(1).lower())] == [a1.account_no]
    assert [r.account_no for r in selectors.member_search(actor=SystemActor("test"), center=center, q="13912345678")] == [a1.account_no]
    by_name = selectors.member_search(actor=SystemActor("test"), center=center, q="张三")
    assert [r.account_no for r in by_name] == [a1.account_no, world["a2"].account_no]  # the other center's 张三 is not here
    r = by_name[0]
    assert (r.name, r.phone, r.employer_name, r.status_label) == ("张*", "139****5678", "西湖科技有限公司", "正常")
    assert r.id_number == resident_id(1)[:3] + "*" * 11 + resident_id(1)[-4:]
    assert selectors.member_search(actor=SystemActor("test"), center=center, q=resident_id(1)[:10]) == []  # no partial ID match
    assert selectors.member_search(actor=SystemActor("test"), center=center, q="  ") == []
    assert len(selectors.member_search(actor=SystemActor("test"), center=center, q="张", limit=1)) == 1


def test_member_search_orders_active_first(center, staff, world):
    member_account_seal(account=world["a1"], reason="离职", actor=staff, business_date=BD)
    assert [r.status for r in selectors.member_search(actor=SystemActor("test"), center=center, q="张三")] == ["01", "02"]


def test_employer_search(center, world):
    assert [e.name for e in selectors.employer_search(user=SystemActor("test"), center=center, q="西湖")] == ["西湖科技有限公司"]
    assert [e.account_no for e in selectors.employer_search(user=SystemActor("test"), center=center, q=credit_code(2))] == [world["e2"].account_no]
    assert [e.name for e in selectors.employer_search(user=SystemActor("test"), center=center, q=world["e1"].account_no)] == ["西湖科技有限公司"]
    assert selectors.employer_search(user=SystemActor("test"), center=center, q="") == []


def test_member_account_detail_masked_with_balances(center, staff, world):
    a1 = world["a1"]
    sub = SubAccount.objects.get(pk=a1.pk)
    deposit(center, sub, 240000)
    member_account_freeze(account=a1, kind="2", amount=40000, reason="协助冻结", actor=staff, business_date=BD)
    d = selectors.member_account_detail(actor=SystemActor("test"), account=a1)
    assert (d.name, d.phone, d.id_number) == ("张*", "139****5678", "330***********" + resident_id(1)[-4:])
    assert (d.balance, d.balance_current, d.balance_carried, d.frozen_amount, d.hold_amount, d.available) == (
        240000, 240000, 0, 40000, 0, 200000)
    assert (d.freeze_kind, d.freeze_label, d.status_label) == ("2", "部分冻结", "正常")
    assert (d.employer_no, d.base, d.monthly_amount, d.employer_ratio) == (world["e1"].account_no, 1000000, 240000,
                                                                          "0.1200")
    assert d.as_dict()["birth_date"] == date(1990, 1, 1)


def test_full_freeze_reports_status_06(center, staff, world):
    member_account_freeze(account=world["a3"], kind="1", reason="司法冻结", actor=staff, business_date=BD)
    d = selectors.member_account_detail(actor=SystemActor("test"), account=world["a3"])
    assert (d.status, d.status_label, d.freeze_label) == ("01", "冻结", "全部冻结")


def test_account_history_newest_first_paginated(center, staff, world):
    a1 = world["a1"]
    sub = SubAccount.objects.get(pk=a1.pk)
    for amount in (100, 200, 300):
        deposit(center, sub, amount)
    member_account_seal(account=a1, reason="离职", actor=staff, business_date=BD)
    p1 = selectors.account_history(actor=SystemActor("test"), account=a1, page=1, page_size=2)
    assert p1.total == 5 and p1.pages == 3
    assert [(r.biz_type, r.amount, r.balance_after) for r in p1.items] == [("05", 0, 600), ("01", 300, 600)]
    assert p1.items[1].voucher_no.startswith("记-202611-") and p1.items[0].voucher_no == ""
    p3 = selectors.account_history(actor=SystemActor("test"), account=a1, page=3, page_size=2)
    assert [(r.biz_type, r.biz_label) for r in p3.items] == [("03", "开户")]
    assert selectors.account_history(actor=SystemActor("test"), account=a1, page=9, page_size=2).items == []


def test_employer_detail_counts(center, staff, world):
    member_account_seal(account=world["a2"], reason="离职", actor=staff, business_date=BD)
    member_account_freeze(account=world["a1"], kind="1", reason="冻结", actor=staff, business_date=BD)
    d = selectors.employer_detail(actor=SystemActor("test"), employer=world["e1"])
    assert (d.members_normal, d.members_sealed, d.members_frozen, d.monthly_amount) == (1, 1, 1, 240000)
    assert (d.contact_name, d.contact_phone, d.employer_ratio) == ("王**", "138****0000", "0.1200")
    assert d.counts == {"01": 1, "02": 1}
    assert selectors.employer_detail(actor=SystemActor("test"), employer=world["e2"]).members_normal == 1


def test_get_is_scoped_by_center(center, world):
    other = world["other"]
    assert selectors.member_account_get(user=SystemActor("test"), center=center, account_no=world["a1"].account_no).pk == world["a1"].pk
    with pytest.raises(DomainError) as e:
        selectors.member_account_get(user=SystemActor("test"), center=other, account_no=world["a1"].account_no)
    assert e.value.code == "ACCOUNT_UNKNOWN"
    with pytest.raises(DomainError) as e:
        selectors.employer_get(user=SystemActor("test"), center=other, account_no=world["e1"].account_no)
    assert e.value.code == "EMPLOYER_UNKNOWN"
    assert Decimal(selectors.employer_detail(actor=SystemActor("test"), employer=world["e1"]).member_ratio) == Decimal("0.12")


# ---------------------------------------------------------------- personal reads (core.personal) per channel


def _principals(world):
    member = member_principal_create(member=world["a1"].member, password="Member-Pass-2026", actor=SystemActor("t"))
    agent = employer_agent_create(employer=world["e1"], login_id="sel-agent", name="王经办", phone="13700000009",
                                  password="Agent-Pass-2026", actor=SystemActor("t"))
    return MemberActor(member), AgentActor(agent)


def _reads(action: str) -> list:
    return list(AuditRecord.objects.filter(action=action).order_by("pk"))


def test_staff_reads_are_audited_with_what_they_returned(center, staff, world):
    rows = selectors.member_search(center=center, q="张三", actor=staff)
    [rec] = _reads("accounts.member.search")
    assert rec.actor_user_id == staff.pk and rec.actor_kind == "staff" and rec.center_id == center.pk
    assert rec.after == {"q_len": 2, "results": [r.account_no for r in rows]} and len(rows) == 2
    assert rec.business_date == center.business_date
    selectors.account_history(account=world["a1"], actor=staff, page=1)
    [rec] = _reads("accounts.member_account.history")
    assert (rec.object_type, rec.object_id, rec.after) == ("accounts.memberaccount", str(world["a1"].pk), {"page": 1})


def test_a_staff_search_sees_only_its_center_and_masks(center, staff, world):
    local, _ = staff_create(username="local1", password="pw-Local-2026x", center=center, actor=SystemActor("t"))
    grant_role(local, "teller", center=center)
    rows = selectors.member_search(center=center, q="张三", actor=local)
    assert {r.name for r in rows} == {"张*", "张**"}  # masked at the teller's clearance
    assert selectors.member_search(center=world["other"], q="张三", actor=staff) != []  # a role at every center
    with pytest.raises(PermissionDenied):  # no role at the other center
        selectors.member_search(center=world["other"], q="张三", actor=local)


def test_members_and_agents_read_only_their_own_and_are_not_audited(center, world):
    member, agent = _principals(world)
    d = selectors.member_account_detail(account=world["a1"], actor=member)
    assert d.account_no == world["a1"].account_no and d.name == "张*"
    with pytest.raises(DomainError) as e:  # someone else's account is "not found", never "forbidden"
        selectors.member_account_detail(account=world["a2"], actor=member)
    assert e.value.code == "NOT_FOUND"
    page = selectors.employer_members(employer=world["e1"], actor=agent)
    assert {r.account_no for r in page.items} == {world["a1"].account_no, world["a2"].account_no}
    with pytest.raises(DomainError):
        selectors.employer_members(employer=world["e2"], actor=agent)
    with pytest.raises(PermissionDenied):  # the search is no portal read
        selectors.member_search(center=center, q="张三", actor=member)
    assert not _reads("accounts.member_account.view") and not _reads("accounts.employer.members")


def test_a_personal_read_takes_its_actor_and_an_event_of_the_catalogue():
    with pytest.raises(TypeError):  # a string, even one spelling a catalogued read, is no event
        personal_read("accounts.member.search")  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # an event of the catalogue that is no read of personal data
        personal_read(AuditEvent.LEDGER_ENTRY_POST)
    with pytest.raises(TypeError):
        personal_read(AuditEvent.ACCOUNTS_MEMBER_SEARCH)(lambda *, actor: None)
