"""补缴 and late 汇缴 for a past month: who is on the month's roster (opening, unsealing and sealing dates),
each 补缴 line checked against the month's base × ratio and cap/floor and the account's period with the
employer, sealed members back-paid, accounts opened while the employer is in 缓缴, and 补缴/退缴 labelled and
reported apart from 汇缴."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from openhpf.accounts import services as accounts_services
from openhpf.accounts.models import MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.approvals.services import command_approve
from openhpf.contributions.models import Remittance, RemittanceLine
from openhpf.contributions.remittance.fileimport import remittance_import, roster_rows
from openhpf.contributions.remittance.services import (
    back_payment_create,
    receipt_record,
    remittance_cancel,
    remittance_confirm,
    remittance_create,
    remittance_refund_submit,
)
from openhpf.core.actors import SystemActor
from openhpf.core.codes import EmployerStatus
from openhpf.core.errors import DomainError
from openhpf.core.models import PolicyParameter
from openhpf.finance.periods import parse_period
from openhpf.finance.selectors import statement
from openhpf.ledger.models import JournalEntry, SubAccount

SYS = SystemActor("test")
BD = date(2026, 11, 30)


def _history(center):
    """Employer E on 2026-11-30 (business date): `early` opened 2026-08-10, `october` opened 2026-10-20,
    `november` opened 2026-11-05, `moved` opened at employer F in 2025 and unsealed at E on 2026-10-15, `left`
    opened 2026-06-01 and sealed at E on 2026-10-12. Everyone is paid up to 2026-08."""
    e, f = make_employer(center, 1), make_employer(center, 2)
    early, october, november, left = (make_account(center, e, n) for n in (1, 2, 3, 4))
    moved = make_account(center, f, 5)
    for acct, opened in ((early, date(2026, 8, 10)), (october, date(2026, 10, 20)), (november, date(2026, 11, 5)),
                         (left, date(2026, 6, 1)), (moved, date(2025, 3, 1))):
        MemberAccount.objects.filter(pk=acct.pk).update(opened_date=opened)
    with transaction.atomic():
        accounts_services.member_account_seal(account=moved, reason="离职", actor=SYS, business_date=date(2026, 9, 1))
        accounts_services.member_account_unseal(account=MemberAccount.objects.get(pk=moved.pk), employer=e, actor=SYS,
                                                business_date=date(2026, 10, 15))
        accounts_services.member_account_seal(account=left, reason="离职", actor=SYS, business_date=date(2026, 10, 12))
    MemberAccount.objects.filter(pk__in=[a.pk for a in (early, october, november, left, moved)]).update(
        paid_up_to="202608")
    return e, {"early": early, "october": october, "november": november, "moved": moved, "left": left}


def _roster_ids(r: Remittance) -> set[int]:
    return set(RemittanceLine.objects.filter(remittance=r).values_list("account_id", flat=True))


def _names(r: Remittance, accts: dict) -> set[str]:
    ids = _roster_ids(r)
    return {name for name, a in accts.items() if a.pk in ids}


# ---------------------------------------------------------------- item 4: the roster of a past month


def test_late_remittance_bills_only_people_employed_in_that_month(center):
    e, accts = _history(center)
    with transaction.atomic():
        sep = remittance_create(employer=e, month="2026-09", actor=SYS, business_date=BD)
    # hired in October / November, or moved here in October: not employed by E in September; `left` worked
    # there in September (sealed in October), so September is owed for them
    assert _names(sep, accts) == {"early", "left"}
    with transaction.atomic():
        nov = remittance_create(employer=e, month="2026-11", actor=SYS, business_date=BD)
    assert _names(nov, accts) == {"early", "october", "november", "moved"}


def test_full_back_payment_follows_opening_and_sealing_dates(center):
    e, accts = _history(center)
    with transaction.atomic():
        oct_ = back_payment_create(employer=e, month="2026-10", back_kind="full", reason="漏缴补缴", actor=SYS,
                                   business_date=BD)
    # the seal month is not owed by default (contribution.backpay.seal_month_owed)
    assert _names(oct_, accts) == {"early", "october", "moved"}
    with transaction.atomic():
        sep = back_payment_create(employer=e, month="2026-09", back_kind="full", reason="漏缴补缴", actor=SYS,
                                  business_date=BD)
    assert _names(sep, accts) == {"early", "left"}


# ---------------------------------------------------------------- item 6: sealed accounts back-paid


def test_sealed_member_back_paid_for_months_worked_and_posted(center):
    e, accts = _history(center)
    left = accts["left"]
    with transaction.atomic():
        r = back_payment_create(employer=e, month="2026-09", back_kind="adhoc", reason="离职前漏缴", actor=SYS,
                                business_date=BD, lines=[(left.account_no, 120000, 120000)])
        r = remittance_confirm(remittance=r, actor=SYS, business_date=BD)
        receipt_record(center=center, amount=r.total, value_date=BD, bank_ref="BP-LEFT", actor=SYS,
                       business_date=BD, employer=e)
    r.refresh_from_db()
    assert r.status == Remittance.Status.POSTED
    assert SubAccount.objects.get(pk=left.pk).balance_current == 240000
    acct = MemberAccount.objects.get(pk=left.pk)
    # the month is paid now, so the account's own paid-up-to (the last month paid) moves; it stays sealed
    assert acct.status == "02" and acct.paid_up_to == "202609"
    with pytest.raises(DomainError) as err, transaction.atomic():  # the seal month (policy: not owed)
        back_payment_create(employer=e, month="2026-10", back_kind="adhoc", reason="x", actor=SYS,
                            business_date=BD, lines=[(left.account_no, 120000, 120000)])
    assert err.value.code == "BACK_PAYMENT_PERIOD" and err.value.row == 1


def test_seal_month_owed_is_a_policy_value(center):
    e, accts = _history(center)
    PolicyParameter.objects.create(center=center, key="contribution.backpay.seal_month_owed", value_type="bool",
                                   value=True, effective_from=date(2026, 1, 1), approved_by="test", source="测试")
    with transaction.atomic():
        oct_ = back_payment_create(employer=e, month="2026-10", back_kind="full", reason="漏缴补缴", actor=SYS,
                                   business_date=BD)
    assert _names(oct_, accts) == {"early", "october", "moved", "left"}
    with pytest.raises(DomainError) as err, transaction.atomic():  # the full one already bills `left`'s October
        back_payment_create(employer=e, month="2026-10", back_kind="adhoc", reason="离职当月", actor=SYS,
                            business_date=BD, lines=[(accts["left"].account_no, 120000, 120000)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT"
    with transaction.atomic():
        remittance_cancel(remittance=oct_, actor=SYS, business_date=BD, reason="改为个别补缴")
        adhoc = back_payment_create(employer=e, month="2026-10", back_kind="adhoc", reason="离职当月", actor=SYS,
                                    business_date=BD, lines=[(accts["left"].account_no, 120000, 120000)])
    assert adhoc.total == 240000


# ---------------------------------------------------------------- item 5: 补缴 lines checked


def test_back_payment_line_over_the_monthly_amount_is_refused(center):
    e, accts = _history(center)
    early = accts["early"]  # base 10,000 元, 12% + 12%: 1,200 元 each side
    with pytest.raises(DomainError) as err, transaction.atomic():
        back_payment_create(employer=e, month="2026-09", back_kind="adhoc", reason="x", actor=SYS, business_date=BD,
                            lines=[(early.account_no, 100000, 100000), (early.account_no, 100000000, 0)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT" and err.value.row == 2 and err.value.field == "employer_amount"
    # the first line took 1,000 元 of the month's 1,200 元 (10,000 元 × 12%): 200 元 are left
    assert "尚欠的 200.00 元" in str(err.value) and "已缴 1,000.00 元" in str(err.value)
    with pytest.raises(DomainError) as err, transaction.atomic():
        back_payment_create(employer=e, month="2026-09", back_kind="adhoc", reason="x", actor=SYS, business_date=BD,
                            lines=[(early.account_no, 120000, 120001)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT" and err.value.field == "member_amount"
    assert not Remittance.objects.filter(biz_type="02").exists()


def test_back_payment_month_outside_the_account_period_is_refused(center):
    e, accts = _history(center)
    with pytest.raises(DomainError) as err, transaction.atomic():
        back_payment_create(employer=e, month="2000-01", back_kind="adhoc", reason="x", actor=SYS, business_date=BD,
                            lines=[(accts["early"].account_no, 1000, 1000)])
    assert err.value.code == "BACK_PAYMENT_PERIOD" and err.value.row == 1
    assert "2000" in str(err.value)
    with pytest.raises(DomainError) as err, transaction.atomic():  # moved here in October 2026
        back_payment_create(employer=e, month="2026-09", back_kind="adhoc", reason="x", actor=SYS, business_date=BD,
                            lines=[(accts["moved"].account_no, 1000, 1000)])
    assert err.value.code == "BACK_PAYMENT_PERIOD"


def test_full_back_payment_uses_the_cap_in_force_for_its_month(center):
    e = make_employer(center, 1)
    rich = make_account(center, e, 1, base=3400000)  # 34,000 元: within the 2026-07-01 cap of 34,470 元
    MemberAccount.objects.filter(pk=rich.pk).update(opened_date=date(2025, 1, 10), paid_up_to="202605")
    with transaction.atomic():
        r = back_payment_create(employer=e, month="2026-06", back_kind="full", reason="漏缴补缴", actor=SYS,
                                business_date=BD)
    line = RemittanceLine.objects.get(remittance=r)
    assert line.base == 3300000  # the cap in force in June 2026 (from 2025-07-01)
    assert (line.employer_amount, line.member_amount) == (396000, 396000)
    assert r.total == 792000


def test_difference_back_payment_is_bounded_by_the_base_change(center):
    e = make_employer(center, 1)
    a = make_account(center, e, 1)  # 10,000 元
    MemberAccount.objects.filter(pk=a.pk).update(opened_date=date(2026, 8, 3), paid_up_to="202608")
    with pytest.raises(DomainError) as err, transaction.atomic():  # a month never paid has no difference
        back_payment_create(employer=e, month="2026-09", back_kind="difference", reason="基数差额", actor=SYS,
                            business_date=BD, lines=[(a.account_no, 100, 100)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT" and err.value.field == "back_kind"
    MemberAccount.objects.filter(pk=a.pk).update(paid_up_to="202609")
    with transaction.atomic():
        r = remittance_create(employer=e, month="2026-10", actor=SYS, business_date=BD)
        r = remittance_confirm(remittance=r, actor=SYS, business_date=BD)
        receipt_record(center=center, amount=r.total, value_date=BD, bank_ref="OCT", actor=SYS, business_date=BD,
                       employer=e)
    # no base change yet: nothing is owed as a difference for October
    with pytest.raises(DomainError) as err, transaction.atomic():
        back_payment_create(employer=e, month="2026-10", back_kind="difference", reason="基数差额", actor=SYS,
                            business_date=BD, lines=[(a.account_no, 100, 100)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT"
    with transaction.atomic():
        accounts_services.member_account_change_base(account=a, base=1200000, actor=SYS, business_date=BD)
    with pytest.raises(DomainError) as err, transaction.atomic():
        back_payment_create(employer=e, month="2026-10", back_kind="difference", reason="基数差额", actor=SYS,
                            business_date=BD, lines=[(a.account_no, 24001, 24000)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT" and err.value.field == "employer_amount"
    with transaction.atomic():  # the lines may be left out: derived from the base change
        d = back_payment_create(employer=e, month="2026-10", back_kind="difference", reason="基数差额", actor=SYS,
                                business_date=BD)
    assert d.total == 48000 and d.lines == 1
    with pytest.raises(DomainError) as err, transaction.atomic():  # confirmed: the difference is taken
        back_payment_create(employer=e, month="2026-10", back_kind="difference", reason="基数差额", actor=SYS,
                            business_date=BD, lines=[(a.account_no, 1, 0)])
    assert err.value.code == "BACK_PAYMENT_AMOUNT"


# ---------------------------------------------------------------- item 15: hiring during 缓缴


def test_account_opened_while_the_employer_is_deferred(center):
    e = make_employer(center, 1)
    with transaction.atomic():
        e = accounts_services.employer_defer(employer=e, actor=SYS, business_date=BD, reason="经营困难缓缴")
    assert e.status == EmployerStatus.DEFERRED
    acct = make_account(center, e, 7)
    assert acct.status == "01" and acct.employer_id == e.pk
    with transaction.atomic():
        accounts_services.employer_suspend(employer=e, actor=SYS, business_date=BD, reason="停业")
    with pytest.raises(DomainError) as err:
        make_account(center, e, 8, id_number=resident_id(8))
    assert err.value.code == "EMPLOYER_NOT_NORMAL"


# ---------------------------------------------------------------- item 20: vouchers and the 业务状况表


def test_back_payment_voucher_is_labelled_and_refunds_reported_apart(center, staff, checker):
    e, _accts = _history(center)
    with transaction.atomic():
        r = back_payment_create(employer=e, month="2026-09", back_kind="full", reason="漏缴补缴", actor=SYS,
                                business_date=BD)
        r = remittance_confirm(remittance=r, actor=SYS, business_date=BD)
        receipt_record(center=center, amount=r.total, value_date=BD, bank_ref="BP9", actor=SYS, business_date=BD,
                       employer=e)
        nov = remittance_create(employer=e, month="2026-11", actor=SYS, business_date=BD)
        nov = remittance_confirm(remittance=nov, actor=SYS, business_date=BD)
        receipt_record(center=center, amount=nov.total, value_date=BD, bank_ref="NOV", actor=SYS, business_date=BD,
                       employer=e)
    descriptions = list(JournalEntry.objects.filter(biz_type="02").values_list("description", flat=True))
    assert descriptions and all(d.startswith("补缴入账") for d in descriptions), descriptions
    assert JournalEntry.objects.filter(biz_type="01", description__startswith="汇缴入账").exists()
    with transaction.atomic():
        cmd = remittance_refund_submit(remittance=nov, reason="错缴", to="suspense", actor=staff, business_date=BD)
    with transaction.atomic():
        command_approve(command=cmd, actor=checker, business_date=BD)
    st = statement("business", center=center, period=parse_period("2026-11", default=BD), user=SYS)
    fund = {row.label: row.values for row in st.sections[0].rows}
    assert fund["汇缴（01）"] == [nov.total, nov.total]
    assert fund["补缴（02）"] == [r.total, r.total]
    assert fund["退缴（冲回汇缴，01）"] == [-nov.total, -nov.total]
    assert fund["缴存额（汇缴、补缴、转入）"] == [nov.total + r.total] * 2
    assert fund["退缴额"] == [nov.total] * 2
    assert st.balanced


def test_back_payment_from_the_command_line(center, capsys):
    e, accts = _history(center)
    with pytest.raises(CommandError, match=r"BACK_PAYMENT_AMOUNT.*第 1 行"):
        call_command("remit", "back", "--employer", e.account_no, "--month", "2026-09", "--kind", "adhoc",
                     "--reason", "漏缴", "--line", f"{accts['early'].account_no}:1000000:0")
    with pytest.raises(CommandError, match=r"BACK_PAYMENT_PERIOD"):
        call_command("remit", "back", "--employer", e.account_no, "--month", "2026-09", "--kind", "adhoc",
                     "--reason", "漏缴", "--line", f"{accts['november'].account_no}:1200:1200")
    call_command("remit", "back", "--employer", e.account_no, "--month", "2026-09", "--kind", "adhoc",
                 "--reason", "离职前漏缴", "--line", f"{accts['left'].account_no}:1200:1200", "--confirm")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["status"] == "confirmed" and out["lines"] == 1 and out["total_yuan"] == "2400.00"


def test_late_roster_file_and_its_export_follow_the_month(center, tmp_path):
    e, accts = _history(center)
    rows = list(roster_rows(center=center, month="2026-09"))
    assert {r[3] for r in rows[1:]} == {accts["early"].account_no}  # `left` is sealed: its month is a 补缴
    current = list(roster_rows(center=center, month="2026-11"))
    full = current[:1] + [r for r in current[1:] if r[3] in (accts["early"].account_no, accts["november"].account_no)]
    path = tmp_path / "sep.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(full)
    res = remittance_import(center=center, path=path, month="2026-09", actor=SYS, business_date=BD, employer=e)
    assert not res.accepted
    assert [x["code"] for x in res.first_errors] == ["ACCOUNT_NOT_ON_ROSTER"], res.first_errors
    assert accts["november"].account_no in res.first_errors[0]["message"]
