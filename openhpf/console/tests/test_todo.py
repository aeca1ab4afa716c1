"""待办 (core.todo): every registered queue seeded, each count equal to what its queue page lists through the
same selector, each link opening that list; every role sees only the queues it may open, and its home page
(with every panel it loads) answers 200."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from openhpf.access.selectors import has_permission
from openhpf.accounts.models import Employer
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.applications.models import State
from openhpf.applications.rating_selectors import followup_page
from openhpf.applications.selectors import queue_page
from openhpf.applications.tests.factories import make_application
from openhpf.applications.todo import AMBER, MINE, RED, TO_ACCEPT
from openhpf.approvals.models import PendingCommand
from openhpf.approvals.selectors import commands_pending_page
from openhpf.conftest import grant_role
from openhpf.contributions.models import HardshipApplication, Receipt
from openhpf.contributions.relief.arrears import arrears_list
from openhpf.contributions.relief.hardship import hardship_page
from openhpf.contributions.remittance.services import receipt_record
from openhpf.contributions.selectors import unknown_receipts
from openhpf.contributions.tests.relief_helpers import set_paid
from openhpf.core.actors import SystemActor
from openhpf.core.todo import registered_todos, todo_count, todos_for
from openhpf.iam.services import staff_create
from openhpf.jobs.models import Job
from openhpf.jobs.runner import job_start
from openhpf.jobs.selectors import job_list
from openhpf.loans.collection import case_page
from openhpf.loans.models import CollateralEvent, Loan
from openhpf.loans.tests.factories import make_active_loan
from openhpf.loans.watch import warnings_open
from openhpf.reconciliation.selectors import item_list
from openhpf.reconciliation.tests.test_console_day import NO, _csv, _upload
from openhpf.reconciliation.tests.test_services import D0, D3, OPENING, _post
from openhpf.settlement.models import Notice
from openhpf.settlement.selectors import notices
from openhpf.settlement.services import bank_account_open
from openhpf.withdrawals.selectors import overdue_withdrawals

SYS = SystemActor("test")
ROLES = ("teller", "reviewer", "approver", "finance", "inspector", "leader", "sysadmin", "secadmin", "secauditor")


def _staff(center, name: str, role: str):
    user, _ = staff_create(username=name, password="pw-Todo-2026x", center=center, actor=SYS)
    return grant_role(user, role, center=None if role in ("sysadmin", "secadmin", "secauditor") else center)


@pytest.fixture
def people(center):
    return {role: _staff(center, f"todo_{role}", role) for role in ROLES}


@pytest.fixture
def queues(center, people, client):
    """Every queue of the 待办 panel with something in it (and something just outside it)."""
    bd = center.business_date
    teller, reviewer, fin = people["teller"], people["reviewer"], people["finance"]
    # 待复核: two by the teller, one by the reviewer itself (not its to do)
    for maker in (teller, teller, reviewer):
        PendingCommand.objects.create(center=center, name="ledger.entry.manual", params={}, summary="手工记账",
                                      maker=maker, made_at=timezone.now(), business_date=bd)
    # 待认领暂收 and 未达账项 on a 专户: a receipt with an unknown payer, a bank fee the books have not got
    acct = bank_account_open(center=center, bank_code="102", bank_name="工商银行杭州分行", account_no=NO,
                             account_name="", actor=SYS, business_date=D0)
    _post(center, acct, D0, [("in", OPENING, "")], description="期初余额")
    for i in range(3):
        r = receipt_record(center=center, amount=10_000 + i, value_date=bd, bank_ref=f"U-{i}", actor=SYS,
                           business_date=bd, payer_account=f"95580000000000{i:02d}", payer_name="王小明")
        assert r.status == Receipt.Status.UNKNOWN_SUSPENSE
    _post(center, acct, D3, [("in", 1000_00, "B1")])
    client.force_login(fin)
    _upload(client, _csv(("B1", "收", 1000_00), ("F1", "付", 15_00), ("F2", "付", 25_00)))
    client.post(reverse("reconciliation:run"), {"account_no": NO, "date": D3.isoformat()}, follow=True)
    client.logout()
    # 待财务处理通知: two queued, one done
    for i, status in enumerate((Notice.Status.QUEUE, Notice.Status.QUEUE, Notice.Status.DONE)):
        Notice.objects.create(center=center, notice_id=f"N{i}", bank_account=acct, date=bd, bank_seq=f"S{i}",
                              direction="in", amount=100 + i, status=status, business_date=bd)
    # 欠缴单位: payday 15 (deadline 11-20 passed) owing; payday 10 paid up
    e1 = make_employer(center, 1, payday=15)
    set_paid(make_account(center, e1, 1), "202609")
    e2 = make_employer(center, 2, payday=10)
    set_paid(make_account(center, e2, 2), "202611")
    Employer.objects.filter(pk__in=[e1.pk, e2.pk]).update(paid_up_to="202609")
    # 缓缴到期: one in force ending in 20 days, one in 200 days, one pending ending in 10
    e3 = make_employer(center, 3, payday=10)
    for hstatus, days in ((HardshipApplication.Status.ACTIVE, 20), (HardshipApplication.Status.ACTIVE, 200),
                          (HardshipApplication.Status.PENDING, 10)):
        HardshipApplication.objects.create(center=center, employer=e3, kind="reduce", status=hstatus,
                                           employer_ratio=Decimal("0.05"), member_ratio=Decimal("0.05"),
                                           valid_from=bd - timedelta(days=100), valid_to=bd + timedelta(days=days),
                                           reason="经营困难", applied_by="t", applied_on=bd)
    # 失败或中断的作业: one failed, one running with a dead heartbeat, one succeeded
    jobs = [job_start(kind="test.todo", actor=SYS, center=center, title=f"作业{i}") for i in range(3)]
    Job.objects.filter(pk=jobs[0].pk).update(status=Job.Status.FAILED)
    Job.objects.filter(pk=jobs[1].pk).update(status=Job.Status.RUNNING,
                                             heartbeat_at=timezone.now() - timedelta(hours=1))
    Job.objects.filter(pk=jobs[2].pk).update(status=Job.Status.SUCCEEDED)
    # 办件: one submitted (待受理); one approved, held by the teller to carry out (due in 3 days); under review: one
    # due tomorrow (即将超期), one past its promised date (已超期); one completed (no queue)
    member = make_account(center, e3, 3)
    make_application(center, member, teller, state=State.SUBMITTED, accepted_on=None, legal_due=None,
                     promised_due=None)
    make_application(center, member, teller, state=State.APPROVED, assignee=teller)
    make_application(center, member, teller, legal_due=bd + timedelta(days=1))
    make_application(center, member, teller, promised_due=bd - timedelta(days=1))
    make_application(center, member, teller, state=State.COMPLETED, promised_due=bd - timedelta(days=5))
    # 抵押物预警待处置: one seizure waiting, one disposed of
    loan = make_active_loan(center, member, post=False)  # no posting: the 专户 here is reconciled to the fen
    Loan.objects.filter(pk=loan.pk).update(outstanding=0)  # so hpf verify's loan control holds without one
    for ref, handling in (("CF1", "warning"), ("CF2", "closed")):
        CollateralEvent.objects.create(center=center, loan=loan, status="seized", on=bd, source_ref=ref,
                                       handling=handling, created_by="t")
    return acct


def _page_rows(center, user, key: str) -> int:
    """What each queue page lists, through the selector the page itself calls (without its display limit)."""
    if key == "approvals.pending":
        return commands_pending_page(center=center, checker=user).total
    if key == "contributions.unknown_receipts":
        page, _ = unknown_receipts(center=center, actor=user)
        return page.total
    if key == "settlement.notices_queue":
        return notices(center=center, user=user, status=Notice.Status.QUEUE).count()
    if key == "reconciliation.open_items":
        return len(item_list(center=center, user=user, state="open", limit=5000))
    if key == "contributions.arrears":
        return len(arrears_list(center=center, month="2026-11", user=user, with_members=False).employers)
    if key == "contributions.hardship_expiring":
        return hardship_page(center=center, user=user, expiring_within=30).total
    if key == "jobs.problems":
        return len(job_list(user=user, state="problem", limit=10_000))
    if key == "applications.followups":
        return followup_page(center=center, user=user).total
    if key.startswith("applications."):
        f = {"applications.to_accept": TO_ACCEPT, "applications.mine": MINE, "applications.amber": AMBER,
             "applications.red": RED}[key]
        queue, _ = queue_page(center=center, actor=user, f=f, business_date=center.business_date)
        return queue.total
    if key == "loans.collateral_warnings":
        return len(warnings_open(center))
    if key == "withdrawals.overdue":
        return overdue_withdrawals(center, center.business_date).count()
    if key == "loans.cases":
        return case_page(actor=user, center=center, state="open").total
    raise AssertionError(f"a queue without its page count in this test: {key}")


EXPECTED = {"approvals.pending": 2, "contributions.unknown_receipts": 3, "settlement.notices_queue": 2,
            "reconciliation.open_items": 5,  # the fees F1, F2 and the 3 unknown receipts the bank has not shown
            "contributions.arrears": 1, "contributions.hardship_expiring": 1,
            "jobs.problems": 2, "applications.to_accept": 1, "applications.mine": 1, "applications.amber": 1,
            "applications.red": 1,
            "applications.followups": 0,  # a 差评's follow-up: applications/tests/test_ratings.py counts one
            "withdrawals.overdue": 0,  # withdrawals past their 3 日: withdrawals/tests/test_counter.py
            "loans.collateral_warnings": 1,
            "loans.cases": 0}  # open collection cases: loans/tests/test_overdue.py counts one


def test_every_count_equals_its_queue(center, people, queues):
    assert {s.key for s in registered_todos()} == set(EXPECTED)
    for spec in registered_todos():
        holder = next(u for r, u in people.items() if r in ("reviewer", "finance", "leader", "teller")
                      and has_permission(u, spec.permission, center=center))
        counted = todo_count(spec.key, holder, center)
        assert counted.n == _page_rows(center, holder, spec.key) == EXPECTED[spec.key], spec.key
    assert todo_count("contributions.arrears", people["leader"], center).query == {"month": "2026-11"}


def test_links_open_the_queue_with_as_many_rows(client, center, people, queues):
    fin = people["finance"]
    client.force_login(fin)
    todos = {t.key: t for t in todos_for(fin, center)}
    for key in ("reconciliation.open_items", "contributions.unknown_receipts", "jobs.problems",
                "contributions.arrears", "contributions.hardship_expiring", "settlement.notices_queue"):
        r = client.get(todos[key].url)
        assert r.status_code == 200, (key, todos[key].url)
    client.force_login(people["teller"])
    t = {t.key: t for t in todos_for(people["teller"], center)}["loans.collateral_warnings"]
    r = client.get(t.url)
    assert r.status_code == 200 and r.content.decode().count('data-testid="warning-row"') == t.count == 1
    client.force_login(people["reviewer"])
    r = client.get(reverse("approvals:pending") + "?others=1")
    assert r.content.decode().count('data-testid="pending-row"') == 2
    r = client.get(reverse("approvals:pending"))
    assert r.content.decode().count('data-testid="pending-row"') == 3


def _todo_keys(html: str) -> set[str]:
    return set(re.findall(r'data-todo="([\w.]+)"', html))


def test_each_role_sees_its_own_todo_and_every_panel_works(client, center, people, queues):
    seen = {}
    for role, user in people.items():
        client.force_login(user)
        r = client.get(reverse("console:home"))
        html = r.content.decode()
        assert r.status_code == 200, role
        seen[role] = _todo_keys(html)
        # every htmx panel the page loads answers 200 for this role (the jobs panel was a 403 behind a spinner)
        for url in re.findall(r'hx-get="([^"]+)"', html):
            assert client.get(url.replace("&amp;", "&")).status_code == 200, (role, url)
        if role in ("secadmin", "secauditor"):
            assert 'id="jobs-panel"' not in html
        # the numbers shown are the counts
        for t in todos_for(user, center):
            assert f'data-todo="{t.key}"' in html
    assert seen["reviewer"] >= {"approvals.pending"} and "settlement.notices_queue" not in seen["reviewer"]
    assert seen["finance"] >= {"settlement.notices_queue", "reconciliation.open_items",
                               "contributions.unknown_receipts", "jobs.problems"}
    assert seen["teller"] == {"contributions.arrears", "contributions.hardship_expiring", "jobs.problems",
                              "applications.to_accept", "applications.mine", "applications.amber",
                              "applications.red", "withdrawals.overdue", "loans.collateral_warnings",
                              "loans.cases"}
    assert seen["secadmin"] == seen["secauditor"] == set()
    assert seen["sysadmin"] == {"jobs.problems"}  # 三员分立: the system's jobs, no business queue


def test_a_broken_queue_shows_without_a_number_and_the_others_stay(center, people, queues, client):
    from openhpf.core import todo

    def broken(center, user):
        raise RuntimeError("boom")

    todo.register_todo("test.broken", "坏队列", "accounts.view", count=broken, url_name="console:home", order=1)
    try:
        client.force_login(people["teller"])
        html = client.get(reverse("console:home")).content.decode()
        assert "暂无法统计" in html and 'data-todo="contributions.arrears"' in html
    finally:
        todo._TODOS.pop("test.broken")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_counts_match_the_queues_on_a_simulated_center(tmp_path, client):
    """待办 counts match the underlying queues on a generated center after simulated months (late payers, unknown
    receipts, a hardship application): for every role, each count equals its queue page's selector, the home
    page shows it, and its link opens."""
    from datetime import date as _date

    from openhpf.core.models import Center
    from openhpf.demo.simulate import Rates, simulate_months
    from openhpf.demo.synthetic import generate_center

    generate_center(employers=30, members=400, seed=7, cutover_date=_date(2026, 8, 31), out=tmp_path / "gen",
                    actor=SYS)
    center = Center.objects.get()
    simulate_months(center=center, months=2, actor=SYS, seed=7, rates=Rates(late=0.3, overpay=0.3))
    center.refresh_from_db()
    people = {role: _staff(center, f"big_{role}", role) for role in ROLES}
    nonzero = set()
    for role, user in people.items():
        client.force_login(user)
        html = client.get(reverse("console:home")).content.decode()
        for t in todos_for(user, center):
            counted = todo_count(t.key, user, center)
            if t.key == "contributions.arrears":
                month = counted.query["month"]
                expected = len(arrears_list(center=center, month=month, user=user, with_members=False).employers)
            else:
                expected = _page_rows(center, user, t.key)
            assert t.count == counted.n == expected, (role, t.key)
            assert re.search(rf'data-todo="{re.escape(t.key)}".*?data-testid="todo-count">{t.count}<', html, re.S)
            assert t.url and client.get(t.url).status_code == 200, (role, t.key)
            if t.count:
                nonzero.add(t.key)
    assert "contributions.arrears" in nonzero, nonzero  # the simulation leaves late payers
