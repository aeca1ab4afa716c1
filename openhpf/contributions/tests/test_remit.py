"""Remittance (汇缴): roster files, receipts and suspense, posting, 预缴, 补缴, 退缴 (hpf verify after each)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction

from openhpf.accounts.calculations import monthly_amount, sql_monthly_amount
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.accounts.tests.factories import bad_check_digit, make_account, make_employer, resident_id
from openhpf.contributions.models import Receipt, Remittance, SuspenseMove
from openhpf.contributions.remittance.fileimport import remittance_import, roster_rows, roster_write
from openhpf.contributions.remittance.services import (
    back_payment_create,
    receipt_assign,
    receipt_record,
    remittance_change,
    remittance_confirm,
    remittance_create,
    remittance_hire,
    remittance_leave,
    remittance_post,
    remittance_refund,
    remittance_refund_submit,
    suspense_allocate,
)
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError, PermissionDenied
from openhpf.core.services import center_advance_business_date
from openhpf.ledger import sql
from openhpf.ledger.models import SubAccount, SubLedgerRow

SYS = SystemActor("test")
MONTH = "2026-11"


@pytest.fixture
def roster(center):
    """Two employers with 100 normal accounts each (base 10,000 元, 12% + 12%: 2,400 元 a month each)."""
    emps = [make_employer(center, n) for n in (1, 2)]
    accts = [make_account(center, emps[i % 2], i + 1) for i in range(200)]
    return emps, accts


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _import(center, path, **kw):
    return remittance_import(center=center, path=path, month=MONTH, actor=SYS, business_date=center.business_date, **kw)


def _balances(accts) -> dict[int, int]:
    return dict(SubAccount.objects.filter(pk__in=[a.pk for a in accts]).values_list("pk", "balance_current"))


@pytest.mark.parametrize("rounding", ["fen", "jiao", "yuan"])
def test_python_and_sql_amounts_agree(db, rounding):
    cases = [(b, r) for b in (228000, 1000000, 1234567, 3447000, 999999, 150050)
             for r in ("0.05", "0.07", "0.1", "0.115", "0.12", "0.0333")]
    for base, ratio in cases:
        got = sql.fetch(f"SELECT {sql_monthly_amount('x.b', Decimal(ratio), rounding)} FROM (SELECT CAST(%s AS BIGINT) AS b) x", [base])
        assert int(got[0][0]) == monthly_amount(base, Decimal(ratio), rounding), (base, ratio, rounding)


def test_bad_rows_reported_then_corrected_file_posts(center, roster, tmp_path):
    _emps, accts = roster
    rows = list(roster_rows(center=center, month=MONTH))
    assert len(rows) == 201
    bad = [r[:] for r in rows]
    bad[5][2] = bad_check_digit(bad[5][2])          # ID check digit
    bad[150][7] = "1199.99"                          # amount ≠ base × ratio
    res = _import(center, _write(tmp_path / "bad.csv", bad, "gbk"))
    assert not res.accepted and res.remittance_ids == []
    assert {(e["row"], e["code"]) for e in res.first_errors} == {(6, "ID_CHECKSUM"), (151, "AMOUNT_MISMATCH")}
    assert Remittance.objects.count() == 0
    from python_calamine import CalamineWorkbook

    got = CalamineWorkbook.from_path(res.error_file).get_sheet_by_index(0).to_python()
    assert got[0] == ["行号", "列", "错误代码", "错误信息"] and len(got) == 3
    assert got[1][1] == "证件号码" and got[2][1] == "单位月缴额"

    before = _balances(accts)
    res = _import(center, _write(tmp_path / "good.csv", rows))
    assert res.accepted and res.accepted_rows == 200 and len(res.remittance_ids) == 2
    assert res.total == 200 * 240000
    imp = Remittance.objects.get(pk=res.remittance_ids[0]).source_import
    with transaction.atomic():
        rc = receipt_record(center=center, amount=res.total, value_date=center.business_date - timedelta(days=2),
                            bank_ref="BANK-1", actor=SYS, business_date=center.business_date, source_import=imp,
                            post=False)
    assert rc.status == Receipt.Status.MATCHED
    out = remittance_post(actor=SYS, business_date=center.business_date, source_import=imp)
    assert out.lines == 200 and out.source == "receipt"
    after = _balances(accts)
    assert all(after[a.pk] - before[a.pk] == 240000 for a in accts)
    assert remittance_post(actor=SYS, business_date=center.business_date, source_import=imp).already_posted
    assert _balances(accts) == after
    rows_ = SubLedgerRow.objects.filter(sub_account_id__in=[a.pk for a in accts], biz_type="01")
    assert rows_.count() == 200 and {r.value_date for r in rows_} == {rc.value_date}
    assert set(MemberAccount.objects.filter(pk__in=[a.pk for a in accts]).values_list("paid_up_to", flat=True)) == {"202611"}
    assert set(Employer.objects.values_list("paid_up_to", flat=True)) == {"202611"}
    # the month is paid now: a second file is refused row by row
    res = _import(center, _write(tmp_path / "again.csv", rows[:3]))
    assert not res.accepted and {e["code"] for e in res.first_errors} >= {"MONTH_PAID", "REMITTANCE_EXISTS"}


def test_every_rule_reported_and_exclude_rejected(center, roster, tmp_path):
    emps, _accts = roster
    rows = list(roster_rows(center=center, month=MONTH))
    rows[1][1] = "李不符"                               # name
    rows[2][3] = "3301009999999999"                    # unknown account
    rows[4] = rows[3][:]                               # duplicate
    rows[5][4], rows[5][7], rows[5][8] = "99999.00", "11999.88", "11999.88"  # above the cap
    rows[6][5] = "0.15"                                # ratio above 12%
    rows[7][0] = emps[1].account_no if rows[7][0] == emps[0].account_no else emps[0].account_no  # employer
    rows[8][4] = "abc"                                 # money format
    res = _import(center, _write(tmp_path / "f.csv", rows))
    codes = {(e["row"], e["code"]) for e in res.first_errors}
    assert {(2, "NAME_MISMATCH"), (3, "ACCOUNT_UNKNOWN"), (4, "DUPLICATE"), (5, "DUPLICATE"),
            (6, "BASE_ABOVE_CAP"), (7, "RATIO_RANGE"), (7, "AMOUNT_MISMATCH"), (8, "EMPLOYER_MISMATCH"),
            (9, "MONEY_FORMAT")} <= codes
    assert not res.accepted and res.rejected_rows == 8
    res = _import(center, _write(tmp_path / "f.csv", rows), exclude_rejected=True)
    assert res.accepted and res.accepted_rows == 192
    assert sum(Remittance.objects.filter(pk__in=res.remittance_ids).values_list("lines", flat=True)) == 192


def test_xlsx_single_employer(center, roster, tmp_path):
    emps, _accts = roster
    path = tmp_path / "r.xlsx"
    assert roster_write(center=center, month=MONTH, path=path, employer=emps[0]) == 100
    res = _import(center, path, employer=emps[1])
    assert not res.accepted and {e["code"] for e in res.first_errors} == {"EMPLOYER_MISMATCH"}
    res = _import(center, path, employer=emps[0])
    assert res.accepted and res.total == 100 * 240000


def _confirmed(center, employer, month=MONTH, bd=None):
    bd = bd or center.business_date
    with transaction.atomic():
        r = remittance_create(employer=employer, month=month, actor=SYS, business_date=bd)
        return remittance_confirm(remittance=r, actor=SYS, business_date=bd)


def test_exact_receipt_posts_unmatched_goes_to_suspense_then_allocated(center, roster):
    emps, accts = roster
    bd = center.business_date
    r1 = _confirmed(center, emps[0])
    assert r1.lines == 100 and r1.total == 24000000
    with transaction.atomic():  # wrong amount: the employer's 暂存
        rc = receipt_record(center=center, amount=r1.total - 100, value_date=bd, bank_ref="X1", actor=SYS,
                            business_date=bd, payer_account=emps[0].account_no)
    assert rc.status == Receipt.Status.EMPLOYER_SUSPENSE
    with transaction.atomic():  # payer unknown: 暂收, then claimed
        rc2 = receipt_record(center=center, amount=100, value_date=bd, bank_ref="X2", actor=SYS, business_date=bd,
                             payer_name="不认识的公司")
        assert rc2.status == Receipt.Status.UNKNOWN_SUSPENSE
        with pytest.raises(DomainError) as e:
            remittance_post(actor=SYS, business_date=bd, remittance=r1)
        assert e.value.code == "NO_MONEY"
        receipt_assign(receipt=rc2, employer=emps[0], actor=SYS, business_date=bd)
    assert Employer.objects.get(pk=emps[0].pk).suspense_balance == r1.total
    before = _balances(accts)
    with transaction.atomic():
        out = suspense_allocate(remittance=r1, actor=SYS, business_date=bd)
    assert out.source == "suspense" and out.total == r1.total
    assert Employer.objects.get(pk=emps[0].pk).suspense_balance == 0
    assert sum(_balances(accts).values()) - sum(before.values()) == r1.total
    assert SuspenseMove.objects.filter(kind="allocate").count() == 1
    # the other employer pays the exact amount: posted at once, value date = the day the money arrived
    r2 = _confirmed(center, emps[1])
    arrived = bd - timedelta(days=3)
    with transaction.atomic():
        rc3 = receipt_record(center=center, amount=r2.total, value_date=arrived, bank_ref="X3", actor=SYS,
                             business_date=bd, employer=emps[1])
        again = receipt_record(center=center, amount=r2.total, value_date=arrived, bank_ref="X3", actor=SYS,
                               business_date=bd, employer=emps[1])
    assert rc3.status == again.status == Receipt.Status.POSTED and again.pk == rc3.pk
    r2.refresh_from_db()
    assert r2.status == Remittance.Status.POSTED and r2.value_date == arrived
    with pytest.raises(DomainError) as e, transaction.atomic():
        receipt_record(center=center, amount=1, value_date=bd, bank_ref="X3", actor=SYS, business_date=bd)
    assert e.value.code == "BANK_REF_CONFLICT"


def test_prepayment_waits_in_suspense_until_its_month(center, roster):
    emps, _accts = roster
    bd = center.business_date  # 2026-11-30
    r = _confirmed(center, emps[0], month="2026-12")
    with transaction.atomic():
        rc = receipt_record(center=center, amount=r.total, value_date=bd, bank_ref="P1", actor=SYS, business_date=bd,
                            employer=emps[0])
    assert rc.status == Receipt.Status.EMPLOYER_SUSPENSE  # not due: no account credited
    with pytest.raises(DomainError) as e:
        remittance_post(actor=SYS, business_date=bd, remittance=r)
    assert e.value.code == "PREPAYMENT_NOT_DUE"
    due = date(2026, 12, 1)
    center_advance_business_date(center=center, to=due, actor=SYS)  # its month has come
    with transaction.atomic():
        suspense_allocate(remittance=r, actor=SYS, business_date=due)
    r.refresh_from_db()
    assert r.status == Remittance.Status.POSTED and r.value_date == due
    assert set(SubLedgerRow.objects.filter(biz_type="01").values_list("value_date", flat=True)) == {due}


def test_back_payment_earns_from_the_day_money_arrives(center, roster):
    emps, accts = roster
    bd = center.business_date
    MemberAccount.objects.filter(employer=emps[0]).update(paid_up_to="202609", opened_date=date(2026, 8, 1))
    with transaction.atomic():
        r = back_payment_create(employer=emps[0], month="2026-10", back_kind="full", reason="漏缴补缴",
                                actor=SYS, business_date=bd)
        r = remittance_confirm(remittance=r, actor=SYS, business_date=bd)
    assert r.biz_type == "02" and r.is_back_payment and r.lines == 100
    arrived = date(2026, 11, 20)
    jishu0 = dict(SubAccount.objects.filter(pk=accts[0].pk).values_list("pk", "jishu_current"))[accts[0].pk]
    with transaction.atomic():
        receipt_record(center=center, amount=r.total, value_date=arrived, bank_ref="BP1", actor=SYS, business_date=bd,
                       employer=emps[0])
    row = SubLedgerRow.objects.get(sub_account_id=accts[0].pk, biz_type="02")
    assert row.value_date == arrived and row.amount == 240000
    days = (date(2027, 6, 30) - arrived).days + 1
    assert SubAccount.objects.get(pk=accts[0].pk).jishu_current - jishu0 == 240000 * days
    assert MemberAccount.objects.get(pk=accts[0].pk).paid_up_to == "202610"
    with pytest.raises(DomainError) as e, transaction.atomic():
        back_payment_create(employer=emps[0], month="2026-11", back_kind="adhoc", reason="x", actor=SYS,
                            business_date=bd, lines=[(accts[0].account_no, 100, 100)])
    assert e.value.code == "BACK_PAYMENT_MONTH"
    with transaction.atomic():
        d = back_payment_create(employer=emps[0], month="2026-08", back_kind="adhoc", reason="漏缴个别补缴",
                                actor=SYS, business_date=bd, lines=[(accts[0].account_no, 1000, 1000)])
    assert d.total == 2000


def test_roster_changes_hire_leave_base(center, roster, staff):
    emps, accts = roster
    bd = center.business_date
    with transaction.atomic():
        r = remittance_create(employer=emps[0], month=MONTH, actor=staff, business_date=bd)
        new = remittance_hire(remittance=r, name="赵新人", id_number=resident_id(900), base=800000, actor=staff,
                              business_date=bd)
        remittance_leave(remittance=r, account=accts[0], reason="离职", actor=staff, business_date=bd)
        remittance_change(remittance=r, account=accts[2], base=1200000, actor=staff, business_date=bd)
        r = remittance_confirm(remittance=r, actor=staff, business_date=bd)
    assert r.lines == 100 and new.status == "01"
    assert r.total == 99 * 240000 - 240000 + 288000 + 2 * 96000
    assert MemberAccount.objects.get(pk=accts[0].pk).status == "02"


def test_refund_needs_maker_checker(center, roster, staff, checker):
    from openhpf.approvals.services import command_approve

    emps, accts = roster
    bd = center.business_date
    r = _confirmed(center, emps[0])
    with transaction.atomic():
        receipt_record(center=center, amount=r.total, value_date=bd, bank_ref="R1", actor=SYS, business_date=bd,
                       employer=emps[0])
    r.refresh_from_db()
    before = sum(_balances(accts).values())
    with pytest.raises(DomainError) as e:
        remittance_refund(remittance=r, reason="错缴", actor=staff, business_date=bd)
    assert e.value.code == "APPROVAL_REQUIRED"
    with pytest.raises(PermissionDenied):  # nor can trusted code refund on its own: a refund moves money
        remittance_refund(remittance=r, reason="错缴", actor=SYS, business_date=bd)
    with transaction.atomic():
        cmd = remittance_refund_submit(remittance=r, reason="错缴", to="suspense", actor=staff, business_date=bd)
    with transaction.atomic():
        cmd = command_approve(command=cmd, actor=checker, business_date=bd)
    r.refresh_from_db()
    assert r.status == Remittance.Status.REFUNDED
    assert before - sum(_balances(accts).values()) == r.total
    assert Employer.objects.get(pk=emps[0].pk).suspense_balance == r.total
    assert MemberAccount.objects.get(pk=accts[0].pk).paid_up_to == ""  # November was its only paid month
