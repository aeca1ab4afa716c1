"""The synthetic center grows real history through the services: remittances, hires and leavers, base and ratio
changes, late payers and their back-payments, over-payments through 暂存, accrual and one 6/30 settlement."""

import json
import shutil
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Sum

from openhpf.accounts.models import MemberAccount
from openhpf.audit.models import AuditRecord
from openhpf.contributions.models import Remittance, SuspenseMove
from openhpf.contributions.relief.arrears import arrears_list
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType, MemberAccountStatus
from openhpf.core.errors import DomainError
from openhpf.core.models import Center
from openhpf.demo import simulate
from openhpf.demo.simulate import Rates, month_start_after, simulate_months
from openhpf.jobs.models import Job
from openhpf.ledger.models import JournalLine, PostingBatch, SubAccount, SubLedgerRow

CUTOVER = date(2026, 8, 31)
CUTOVER_TWO = date(2027, 5, 31)  # 14 months from 2026-09 to 2027-10 cross one 6/30 (2027) and one July
# a 20-employer center sees every kind of event within 14 months at these rates (the defaults are 0.02 / 0.01)
RATES = Rates(late=0.05, overpay=0.05)
SEED = 7


@pytest.mark.django_db(transaction=True)
def test_generate_months_continues_through_the_services_across_year_end(tmp_path, capsys):
    call_command("generate", "--employers", "4", "--members", "40", "--seed", "11", "--cutover-date", "2027-04-30",
                 "--out", str(tmp_path / "x"), "--no-progress", "--months", "3")
    months = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [m["month"] for m in months] == ["2027-05", "2027-06", "2027-07"]
    assert all(m["rows"] > 0 and m["amount"] > 0 for m in months)
    assert [m["settled"] is not None for m in months] == [False, True, False] and months[1]["settled"] > 0
    assert Remittance.objects.filter(status="posted").count() == sum(m["remittances"] + m["back_payments"] for m in months)
    assert PostingBatch.objects.filter(biz_type=BizType.INTEREST, status="posted").count() == 1
    assert SubLedgerRow.objects.filter(biz_type=BizType.REMITTANCE, value_date=date(2027, 7, 15)).exists()
    assert Center.objects.get().business_date == date(2027, 8, 1)  # the 7/31 day-end has run


def _totals() -> dict:
    """Everything the history left in the ledger and the accounts, as plain numbers."""
    gl = JournalLine.objects.values("account__code").annotate(d=Sum("debit"), c=Sum("credit"), n=Count("id"))
    rows = SubLedgerRow.objects.values("biz_type").annotate(a=Sum("amount"), n=Count("id"))
    subs = SubAccount.objects.aggregate(cur=Sum("balance_current"), car=Sum("balance_carried"),
                                        jc=Sum("jishu_current"), jk=Sum("jishu_carried"))
    accts = MemberAccount.objects.values("status").annotate(n=Count("sub_id"), b=Sum("base"))
    rems = Remittance.objects.values("biz_type", "back_kind", "status", "month").annotate(n=Count("id"), t=Sum("total"))
    return {"gl": sorted((r["account__code"], r["d"], r["c"], r["n"]) for r in gl),
            "rows": sorted((r["biz_type"], r["a"], r["n"]) for r in rows), "subs": subs,
            "accounts": sorted((r["status"], r["n"], r["b"]) for r in accts),
            "remittances": sorted((r["biz_type"], r["back_kind"], r["status"], r["month"], r["n"], r["t"]) for r in rems),
            "suspense": sorted(SuspenseMove.objects.values_list("kind", "amount"))}


def _generate(tmp_path):
    call_command("generate", "--employers", "20", "--members", "300", "--seed", str(SEED), "--cutover-date",
                 CUTOVER.isoformat(), "--out", str(tmp_path / "gen"), "--no-progress")


@pytest.mark.django_db(transaction=True)
def test_fourteen_months_of_history_hires_leavers_back_payments_arrears_one_settlement(tmp_path):
    _generate(tmp_path)
    center = Center.objects.get()
    months = []
    for _ in range(14):  # month by month, looking at the 催缴 list on the way
        (m,) = simulate_months(center=center, months=1, actor=SystemActor("test"), seed=SEED, rates=RATES).months
        months.append(m)
        center.refresh_from_db()
        if m.late:  # by next month's pay day every late employer is past its deadline and on the 催缴 list
            next_pay = (center.business_date + timedelta(days=1)).replace(day=15)
            owed = arrears_list(center=center, month=m.month, user=SystemActor("test"), on=next_pay, with_members=False)
            assert set(m.late) <= {e.account_no for e in owed.employers}
            assert all(e.months == 1 and e.amount > 0 for e in owed.employers if e.account_no in m.late)
    assert [m.month for m in months][::13] == ["2026-09", "2027-10"]
    assert all(m.rows > 0 and m.amount > 0 for m in months)

    # hires and leavers went through the roster services: 开户 / 启封 / 封存 detail rows, account states
    after = {"business_date__gt": CUTOVER}
    hires, rehires, leavers = (sum(getattr(m, f) for m in months) for f in ("hires", "rehires", "leavers"))
    assert hires > rehires > 0 and leavers > 0
    assert SubLedgerRow.objects.filter(biz_type=BizType.OPEN, **after).count() == hires - rehires
    assert MemberAccount.objects.filter(opened_date__gt=CUTOVER).count() == hires - rehires
    assert SubLedgerRow.objects.filter(biz_type=BizType.UNSEAL, **after).count() == rehires
    assert SubLedgerRow.objects.filter(biz_type=BizType.SEAL, **after).count() == leavers
    still_sealed = MemberAccount.objects.filter(status=MemberAccountStatus.SEALED, sealed_date__gt=CUTOVER).count()
    assert 0 < still_sealed <= leavers
    assert sum(m.base_changes for m in months) > 0 and sum(m.ratio_changes for m in months) > 0

    # back-payments (补缴, type 02): full ones for the late months, difference ones for back-dated raises
    back = Remittance.objects.filter(biz_type=BizType.BACK_PAYMENT, status=Remittance.Status.POSTED)
    assert back.count() == sum(m.back_payments for m in months) > 0
    assert back.filter(back_kind="difference").count() == sum(m.differences for m in months) > 0
    assert back.exclude(reason="").count() == back.count()
    rows02 = SubLedgerRow.objects.filter(biz_type=BizType.BACK_PAYMENT)
    assert rows02.aggregate(s=Sum("amount"))["s"] == sum(m.back_paid for m in months)
    assert SubLedgerRow.objects.filter(biz_type=BizType.REMITTANCE, **after).aggregate(s=Sum("amount"))["s"] == sum(
        m.amount for m in months)

    # late employers: on the 催缴 list (above), back-paid in full next month, then off the list
    late_months = [(a, b) for a, b in pairwise(months) if a.late]
    assert late_months
    for m, nxt in late_months:
        assert set(nxt.arrears_cleared) == set(m.late)
        assert back.filter(back_kind="full", month=m.month.replace("-", ""),
                           employer__account_no__in=m.late).count() == len(m.late)
        owed = arrears_list(center=center, month=m.month, user=SystemActor("test"), with_members=False)
        assert not {e.account_no for e in owed.employers} & set(m.late)
    if months[-1].late:  # the last month's late payers still owe it
        owed = arrears_list(center=center, month=months[-1].month, user=SystemActor("test"),
                            on=date(2027, 11, 15), with_members=False)
        assert set(months[-1].late) <= {e.account_no for e in owed.employers}

    # over-payments went to 暂存 and were allocated from it
    assert sum(m.overpaid for m in months) > 0
    assert SuspenseMove.objects.filter(kind=SuspenseMove.Kind.IN).count() >= sum(m.overpaid for m in months)
    assert SuspenseMove.objects.filter(kind=SuspenseMove.Kind.ALLOCATE).count() == sum(m.allocated for m in months)

    # one 6/30 in the history: settled once
    assert [m.month for m in months if m.settled is not None] == ["2027-06"]
    assert PostingBatch.objects.filter(biz_type=BizType.INTEREST, status="posted").count() == 1



@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simulation_crosses_two_6_30s_through_dayend_with_the_interest_of_each_account(tmp_path):
    """The business date moves only by day-end, every day; the 6/30 day-ends settle, and the second year's interest
    of every account equals its 积数 recomputed from its detail rows (1.5 % / 360, HALF_UP once)."""
    call_command("generate", "--employers", "4", "--members", "40", "--seed", "5", "--cutover-date", "2027-05-31",
                 "--out", str(tmp_path / "g"), "--no-progress")
    center = Center.objects.get()
    assert not hasattr(simulate, "interest_settle") and not hasattr(simulate, "interest_accrue")
    months = simulate_months(center=center, months=13, actor=SystemActor("test"), seed=5).months
    assert [(m.month, m.settled is not None) for m in months if m.month.endswith("-06")] == [
        ("2027-06", True), ("2028-06", True)]
    assert Center.objects.get().business_date == date(2028, 7, 1)
    days = (date(2028, 7, 1) - CUTOVER_TWO).days
    jobs = Job.objects.filter(kind="settlement.dayend", status=Job.Status.SUCCEEDED)
    assert jobs.count() == days and jobs.filter(business_date=date(2028, 6, 30)).exists()
    settle = AuditRecord.objects.filter(action="contributions.interest.settle").order_by("pk")
    assert [r.business_date for r in settle] == [date(2027, 6, 30), date(2028, 6, 30)]
    # each settlement was made by its 6/30 day-end's settlement step
    assert [(jobs.get(business_date=r.business_date).result or {}).get("settled") for r in settle] == [
        m.settled for m in months if m.settled is not None]

    ys, ye = date(2027, 7, 1), date(2028, 6, 30)  # a leap year: 366 days
    total = 0
    for sub in SubAccount.objects.all():
        before = SubLedgerRow.objects.filter(sub_account=sub, business_date__lt=ys).order_by("-id").first()
        jishu = (before.balance_after if before else 0) * 366
        rows = SubLedgerRow.objects.filter(sub_account=sub, business_date__gte=ys, business_date__lte=ye)
        jishu += sum(r.amount * ((ye - max(r.value_date, ys)).days + 1) for r in rows if r.biz_type != BizType.INTEREST)
        expected = (jishu * 3 * 2 + 200 * 360) // (200 * 360 * 2)  # HALF_UP of jishu × 3/200 / 360 (jishu ≥ 0)
        got = rows.filter(biz_type=BizType.INTEREST).aggregate(s=Sum("amount"))["s"] or 0
        assert got == expected, (sub.account_no, got, expected)
        total += got
    (second,) = [m.settled for m in months if m.month == "2028-06"]
    assert second is not None and total == second > 0


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_history_split_or_not(tmp_path, capsys):
    """The same seed on the same cut-over gives the same ledger, whether the months run in one go or not."""
    from openhpf.conftest import _reseed_if_flushed

    def generate():
        call_command("generate", "--employers", "8", "--members", "120", "--seed", "3", "--cutover-date",
                     "2027-05-31", "--out", str(tmp_path / "gen"), "--no-progress")

    def start_over():
        """An empty database, and no anchors of the audit chain the day-ends sealed in the one flushed."""
        call_command("flush", "--no-input")
        _reseed_if_flushed()
        shutil.rmtree(settings.HPF_AUDIT_ANCHOR_DIR, ignore_errors=True)

    busy = ["--late-rate", "0.2", "--overpay-rate", "0.2", "--change-rate", "0.05", "--difference-share", "0.5"]
    generate()
    capsys.readouterr()
    call_command("simulate", "--months", "1", "--seed", "5", *busy)
    call_command("simulate", "--months", "2", "--seed", "5", *busy)
    split = [m for line in capsys.readouterr().out.strip().splitlines() for m in json.loads(line)]
    first = _totals()
    assert sum(m["hires"] + m["leavers"] + m["back_payments"] + m["allocated"] for m in split) > 0
    assert len(first["remittances"]) > 3 and first["suspense"]

    start_over()
    generate()
    capsys.readouterr()
    call_command("simulate", "--months", "3", "--seed", "5", *busy)
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == split
    assert _totals() == first

    start_over()  # another seed, another history
    generate()
    call_command("simulate", "--months", "3", "--seed", "6", *busy)
    assert _totals() != first


def test_rates_are_shares():
    with pytest.raises(DomainError) as e:
        Rates(leave=1.5)
    assert e.value.code == "RATE_RANGE"


def test_month_sequence_has_no_gaps_over_years():
    months = [month_start_after(date(2024, 11, 1), i) for i in range(40)]
    assert months[0] == date(2024, 11, 1) and months[-1] == date(2028, 2, 1)
    assert all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in pairwise(months))
