"""Annual base adjustment (年度基数调整) and per-employer ratio adjustment (比例调整)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from openhpf.accounts.calculations import monthly_amounts
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.accounts.tests.factories import make_account, make_employer, resident_id
from openhpf.audit.models import AuditRecord
from openhpf.contributions.models import BaseAdjustment
from openhpf.contributions.remittance.adjustments import (
    base_adjust_file,
    base_file_parse,
    employer_ratio_adjust,
)
from openhpf.core.actors import SystemActor
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError, PermissionDenied, ValidationReport
from openhpf.ledger.models import SubLedgerRow

HEAD = "个人账号,证件号码,姓名,新缴存基数\n"


def _csv(*lines):
    return (HEAD + "\n".join(",".join(str(x) for x in ln) for ln in lines) + "\n").encode("utf-8")


def _line(acct, base_yuan):
    return (acct.account_no, acct.member.id_number, acct.member.name, base_yuan)


@pytest.fixture
def three(center):
    emp = make_employer(center, 1)
    return [make_account(center, emp, n) for n in (1, 2, 3)]


def test_clamp_mode_clamps_to_cap_and_floor_and_recomputes(center, three):
    a, b, c = three
    content = _csv(_line(a, "50000.00"), _line(b, "8000.50"), _line(c, "1000"))
    adj = base_adjust_file(center=center, content=content, name="2026基数.csv", year=2026, actor=SystemActor("test"),
                           business_date=center.business_date)
    assert (adj.rows, adj.changed, adj.clamped, adj.mode) == (3, 3, 2, "clamp")
    bases = dict(MemberAccount.objects.values_list("account_no", "base"))
    assert bases == {a.account_no: 3447000, b.account_no: 800050, c.account_no: 228000}
    for acct in MemberAccount.objects.all():  # the SQL twin agrees with the Python rule
        assert (acct.employer_amount, acct.member_amount) == monthly_amounts(acct.base, acct.employer_ratio,
                                                                             acct.member_ratio)
    assert MemberAccount.objects.get(pk=a.pk).employer_amount == 413640  # 34,470 × 12%
    rows = SubLedgerRow.objects.filter(biz_type=BizType.BASE_ADJUST)
    assert rows.count() == 3 and set(rows.values_list("amount", flat=True)) == {0}
    assert AuditRecord.objects.filter(action="contributions.base_adjustment.apply").count() == 1
    # the same file again changes nothing (bases already equal): no new detail rows
    again = base_adjust_file(center=center, content=content, name="2026基数.csv", year=2026, actor=SystemActor("test"),
                             business_date=center.business_date)
    assert again.changed == 0 and SubLedgerRow.objects.filter(biz_type=BizType.BASE_ADJUST).count() == 3


def test_reject_mode_lists_every_error_and_writes_nothing(center, three):
    a, b, c = three
    content = _csv(
        _line(a, "50000"),                                     # row 2: above the cap
        (b.account_no, resident_id(99), b.member.name, "9000"),  # row 3: ID does not match
        ("330100999999999999", resident_id(5), "某人", "9000"),    # row 4: unknown account
        (c.account_no, c.member.id_number, "别人", "9000"),        # row 5: name does not match
        _line(c, "abc"),                                       # row 6: not money
        _line(b, "1000"),                                      # row 7: below the floor (and 2nd row of b)
    )
    with pytest.raises(ValidationReport) as exc:
        base_adjust_file(center=center, content=content, name="x.csv", year=2026, actor=SystemActor("test"),
                         business_date=center.business_date, mode="reject")
    codes = sorted((e.row, e.code) for e in exc.value.errors)
    assert codes == [(2, "BASE_OUT_OF_RANGE"), (3, "ID_MISMATCH"), (4, "ACCOUNT_UNKNOWN"), (5, "NAME_MISMATCH"),
                     (6, "MONEY_INVALID"), (7, "BASE_OUT_OF_RANGE"), (7, "DUPLICATE_ROW")]
    assert not BaseAdjustment.objects.exists()
    assert set(MemberAccount.objects.values_list("base", flat=True)) == {1000000}
    assert not SubLedgerRow.objects.filter(biz_type=BizType.BASE_ADJUST).exists()


def test_policy_reject_mode_from_a_center_row(center, three):
    from openhpf.core.models import PolicyParameter

    PolicyParameter.objects.create(center=center, key="contribution.base.clamp", value_type="str", value="reject",
                                   effective_from=date(2026, 7, 1), approved_by="test")
    a = three[0]
    with pytest.raises(ValidationReport) as exc:
        base_adjust_file(center=center, content=_csv(_line(a, "40000")), name="x.csv", year=2026,
                         actor=SystemActor("test"), business_date=center.business_date)
    assert [e.code for e in exc.value.errors] == ["BASE_OUT_OF_RANGE"]


def test_xlsx_file(center, three):
    a = three[0]
    wb = Workbook()
    ws = wb.active
    ws.append(["个人账号", "证件号码", "姓名", "新缴存基数"])
    ws.append([a.account_no, a.member.id_number, a.member.name, 12345.67])
    buf = io.BytesIO()
    wb.save(buf)
    rows = base_file_parse(content=buf.getvalue(), name="b.xlsx")
    assert rows[0].base == 1234567 and rows[0].row == 2
    adj = base_adjust_file(center=center, content=buf.getvalue(), name="b.xlsx", year=2026, actor=SystemActor("test"),
                           business_date=center.business_date)
    assert adj.changed == 1 and MemberAccount.objects.get(pk=a.pk).base == 1234567


def test_missing_columns_and_permission(center, three, django_user_model):
    with pytest.raises(DomainError) as exc:
        base_file_parse(content="个人账号,姓名\n1,2\n".encode(), name="x.csv")
    assert exc.value.code == "FILE_COLUMNS"
    nobody = django_user_model.objects.create_user("nobody", password="x")
    with pytest.raises(PermissionDenied) as denied:
        base_adjust_file(center=center, content=_csv(_line(three[0], "9000")), name="x.csv", year=2026,
                         actor=nobody, business_date=center.business_date)
    assert denied.value.code == "FORBIDDEN"


def test_employer_ratio_adjust_all_accounts(center, three):
    emp = three[0].employer
    n = employer_ratio_adjust(employer=emp, employer_ratio="0.08", member_ratio="0.07", actor=SystemActor("test"),
                              business_date=center.business_date)
    assert n == 3
    e = Employer.objects.get(pk=emp.pk)
    assert (e.employer_ratio, e.member_ratio) == (Decimal("0.08"), Decimal("0.07"))
    for acct in MemberAccount.objects.all():
        assert (acct.employer_ratio, acct.member_ratio) == (Decimal("0.08"), Decimal("0.07"))
        assert (acct.employer_amount, acct.member_amount) == (80000, 70000)
    with pytest.raises(DomainError) as exc:
        employer_ratio_adjust(employer=emp, employer_ratio="0.04", member_ratio="0.04", actor=SystemActor("test"),
                              business_date=center.business_date)
    assert exc.value.code == "RATIO_TOO_LOW"


def test_gbk_file_with_header_synonyms_and_money_errors_listed_together(center, three):
    a, b, c = three
    text = ("个人账号, 证件号码 ,姓名,新缴存基数（元）\n"
            f"{a.account_no},{a.member.id_number},{a.member.name},\"9,000.5\"\n"
            f"{b.account_no},{b.member.id_number},{b.member.name},9000.123\n"
            f"{c.account_no},{c.member.id_number},{c.member.name},九千\n")
    report = ValidationReport()
    rows = base_file_parse(content=text.encode("gbk"), name="基数.csv", report=report)
    assert [(r.row, r.base) for r in rows] == [(2, 900050)]
    assert [(e.row, e.code, e.field) for e in report.errors] == [(3, "MONEY_INVALID", "base"), (4, "MONEY_INVALID", "base")]
    assert "两位小数" in report.errors[0].message and report.errors[0].message.startswith("第 3 行")


def test_a_file_over_the_byte_limit_is_refused_and_nothing_is_written(center, three):
    from openhpf.core.models import PolicyParameter

    content = _csv(_line(three[0], "9000"))
    PolicyParameter.objects.create(center=center, key="ingest.max_bytes", value_type="int", value=len(content) - 1,
                                   effective_from=center.business_date, approved_by="test")
    with pytest.raises(DomainError) as exc:
        base_adjust_file(center=center, content=content, name="x.csv", year=2026, actor=SystemActor("test"),
                         business_date=center.business_date)
    assert exc.value.code == "FILE_TOO_LARGE"
    assert not BaseAdjustment.objects.exists()


def test_every_check_stops_after_the_policy_number_of_errors(center, three):
    from openhpf.core.models import PolicyParameter

    PolicyParameter.objects.create(center=center, key="ingest.max_errors_per_rule", value_type="int", value=2,
                                   effective_from=center.business_date, approved_by="test")
    unknown = [(f"33010099999999{i:02d}", resident_id(i), "某人", "9000") for i in range(5)]
    a = three[0]
    with pytest.raises(ValidationReport) as exc:
        base_adjust_file(center=center, content=_csv(*unknown, (a.account_no, a.member.id_number, "别人", "9000")),
                         name="x.csv", year=2026, actor=SystemActor("test"), business_date=center.business_date)
    assert [(e.row, e.code) for e in exc.value.errors] == [(2, "ACCOUNT_UNKNOWN"), (3, "ACCOUNT_UNKNOWN"),
                                                           (7, "NAME_MISMATCH")]


def test_adjustments_build_no_sql_text_with_percent_formatting():
    from openhpf.contributions.remittance import adjustments
    from openhpf.core.tests.sqltext import percent_s_holes

    assert percent_s_holes(adjustments) == []


def test_preview_shows_before_and_after_and_writes_nothing(center, three):
    from openhpf.contributions.remittance.adjustments import base_adjust_file_preview

    a, b, c = three
    content = _csv(_line(a, "50000.00"), _line(b, "8000.50"), _line(c, "10000"))
    p = base_adjust_file_preview(center=center, content=content, name="2026基数.csv", year=2026,
                                 actor=SystemActor("test"), business_date=center.business_date)
    assert (p.rows, p.changed, p.clamped, p.effective_date) == (3, 2, 1, date(2026, 7, 1))
    first = p.lines[0]
    assert (first.row, first.account_no, first.base_before, first.base_after, first.clamped) == \
        (2, a.account_no, 1000000, 3447000, True)
    assert first.monthly_after == sum(monthly_amounts(3447000, a.employer_ratio, a.member_ratio))
    assert p.monthly_before == sum(x.employer_amount + x.member_amount for x in three)
    assert not p.lines[2].clamped and p.lines[2].base_before == p.lines[2].base_after
    # nothing written: no adjustment, no staged lines, bases as they were, no detail rows, no audit row
    assert not BaseAdjustment.objects.exists()
    from openhpf.contributions.models import BaseAdjustmentLine
    assert not BaseAdjustmentLine.objects.exists()
    assert set(MemberAccount.objects.values_list("base", flat=True)) == {1000000}
    assert not SubLedgerRow.objects.filter(biz_type=BizType.BASE_ADJUST).exists()
    assert not AuditRecord.objects.filter(action="contributions.base_adjustment.apply").exists()


def test_an_employers_file_refuses_other_employers_people(center, three):
    other = make_account(center, make_employer(center, 2), 9)
    a = three[0]
    content = _csv(_line(a, "9000"), _line(other, "9000"))
    with pytest.raises(ValidationReport) as exc:
        base_adjust_file(center=center, content=content, name="x.csv", year=2026, actor=SystemActor("test"),
                         business_date=center.business_date, employer=a.employer)
    assert [(e.row, e.code) for e in exc.value.errors] == [(3, "ACCOUNT_OTHER_EMPLOYER")]
    assert "不属于单位" in exc.value.errors[0].message and not BaseAdjustment.objects.exists()
    adj = base_adjust_file(center=center, content=_csv(_line(a, "9000")), name="x.csv", year=2026,
                           actor=SystemActor("test"), business_date=center.business_date, employer=a.employer)
    assert adj.changed == 1
