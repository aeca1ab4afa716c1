"""The legacy cut-over import: a clean extract loads and the invariants hold; a dirty one is refused whole."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from openhpf.accounts.cutover import ACCOUNT_FILE, EMPLOYER_FILE, MEMBER_FILE, CutoverInvalid, cutover_import
from openhpf.accounts.models import Employer, Member, MemberAccount
from openhpf.accounts.paidmonths import paid_months, paid_months_assumed, paid_months_assumed_list
from openhpf.core.actors import SystemActor
from openhpf.core.calendar import interest_year
from openhpf.core.codes import BizType
from openhpf.core.errors import DomainError
from openhpf.core.models import PolicyParameter
from openhpf.core.verify import run_checks
from openhpf.demo.synthetic import generate_extract
from openhpf.ledger.models import JournalEntry, SubAccount, SubLedgerRow

CUTOVER = date(2026, 11, 30)  # the business date of the conftest center
pytestmark = pytest.mark.django_db(transaction=True)


def _extract(tmp_path: Path, *, members: int = 300, employers: int = 20, dirty: bool = False, seed: int = 7,
             encoding: str = "utf-8-sig"):
    return generate_extract(out=tmp_path / "extract", employers=employers, members=members, seed=seed,
                            cutover_date=CUTOVER, base_cap=3447000, base_floor=228000, dirty=dirty, encoding=encoding)


def _nothing_written() -> None:
    assert Employer.objects.count() == 0
    assert Member.objects.count() == 0
    assert MemberAccount.objects.count() == 0
    assert SubAccount.objects.count() == 0
    assert SubLedgerRow.objects.count() == 0
    assert not JournalEntry.objects.filter(biz_type=BizType.CUTOVER_OPENING).exists()


def test_small_extract_loads_and_invariants_hold(center, tmp_path):
    gen = _extract(tmp_path)
    result = cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))

    assert (result.employers, result.members, result.accounts) == (20, 300, 300)
    assert Employer.objects.filter(center=center).count() == 20
    assert MemberAccount.objects.filter(center=center).count() == 300
    assert result.ok, [c for c in result.checks if not c.ok]
    assert all(r.ok for r in run_checks() if r.name != "audit.unsealed")

    # new numbers: center code + sequence; legacy numbers kept
    emp = Employer.objects.order_by("account_no").first()
    assert emp.account_no == "33010000000001" and emp.legacy_no == "DW00000001"
    acc = MemberAccount.objects.select_related("sub", "member", "employer").order_by("account_no").first()
    assert acc.account_no == "3301000000000001" and acc.legacy_no == "880000000000"
    assert acc.sub.account_no == acc.account_no

    # balances reconcile with the extract, the opening entry balances 10101 ↔ 201
    total = sum(s.balance for s in SubAccount.objects.all())
    assert total == gen.total_balance == result.total_carried + result.total_current
    entry = JournalEntry.objects.get(biz_type=BizType.CUTOVER_OPENING)
    assert entry.total == total
    assert {ln.account.code: (ln.debit, ln.credit) for ln in entry.lines.select_related("account")} == {
        "10101": (total, 0), "201": (0, total)}

    # 积数: legacy to date (base) + balance × days from the cut-over date to 6/30
    with (gen.directory / ACCOUNT_FILE).open(encoding="utf-8-sig") as fh:
        first = next(csv.DictReader(fh))
    ys, ye = interest_year(CUTOVER)
    days = (ye - CUTOVER).days + 1
    sub = acc.sub
    assert sub.year_start == ys
    assert sub.jishu_base_current == round(float(first["当年归集积数"]) * 100)
    assert sub.jishu_current == sub.jishu_base_current + sub.balance_current * days
    assert sub.jishu_carried == sub.jishu_base_carried + sub.balance_carried * days

    # monthly amounts from base × ratio, member data from the ID number
    assert acc.employer_amount + acc.member_amount > 0
    assert acc.member.birth_date.strftime("%Y%m%d") == acc.member.id_number[6:14]
    frozen = SubAccount.objects.filter(frozen_amount__gt=0).count()
    assert frozen == result.frozen_accounts == gen.frozen
    assert MemberAccount.objects.filter(status="02").count() == gen.sealed


def test_bad_row_in_each_file_rejects_everything_and_lists_every_error(center, tmp_path):
    gen = _extract(tmp_path, dirty=True, members=60, employers=10)
    errors = tmp_path / "errors.csv"
    with pytest.raises(CutoverInvalid) as info:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"),
                       error_file=errors)
    found = {(e.file, e.row, e.code) for e in info.value.report.errors}
    for file, line, code in gen.dirty_rows:
        assert (file, line, code) in found, (file, line, code, found)
    assert {f for f, _, _ in found} == {EMPLOYER_FILE, MEMBER_FILE, ACCOUNT_FILE}
    assert all(e.field for e in info.value.report.errors)  # every error names its column
    with errors.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["文件", "行号", "列", "错误代码", "错误信息"]
    assert len(rows) - 1 == info.value.sink.count == len(info.value.report.errors)
    _nothing_written()


def test_refused_into_a_non_empty_center_and_repeatable_into_an_empty_one(center, tmp_path):
    gen = _extract(tmp_path, members=30, employers=5, dirty=True)
    with pytest.raises(CutoverInvalid):
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    _nothing_written()
    clean = generate_extract(out=tmp_path / "clean", employers=5, members=30, seed=7, cutover_date=CUTOVER,
                             base_cap=3447000, base_floor=228000)
    cutover_import(center=center, directory=clean.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    with pytest.raises(DomainError) as info:
        cutover_import(center=center, directory=clean.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    assert info.value.code == "CUTOVER_CENTER_NOT_EMPTY"
    assert Employer.objects.count() == 5


def test_gbk_files_are_accepted(center, tmp_path):
    gen = _extract(tmp_path, members=40, employers=5, encoding="gbk")
    raw = (gen.directory / MEMBER_FILE).read_bytes()
    assert "姓名".encode("gbk") in raw[:20]
    result = cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    assert result.members == 40
    names = set(Member.objects.values_list("name", flat=True))
    with (gen.directory / MEMBER_FILE).open(encoding="gbk") as fh:
        assert names == {r["姓名"] for r in csv.DictReader(fh)}


def test_command_prints_every_error_and_exits_1(center, tmp_path, capsys):
    gen = _extract(tmp_path, members=20, employers=5, dirty=True)
    with pytest.raises(SystemExit) as info:
        call_command("cutover", "import", str(gen.directory), "--cutover-date", CUTOVER.isoformat(),
                     "--center", center.code, "--errors", str(tmp_path / "e.csv"), "--no-progress")
    assert info.value.code == 1
    out = capsys.readouterr().out
    assert "USCC_CHECKSUM" in out and "ID_CHECKSUM" in out and "EMPLOYER_UNKNOWN" in out
    assert "未写入任何业务数据" in out
    _nothing_written()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics of PostgreSQL")
def test_loaded_tables_carry_planner_statistics(center, tmp_path):
    """The load analyzes the tables it fills, inside its transaction: the joins of its later steps (and whatever
    runs after it, before autovacuum comes by) are planned for the rows really there, not for an empty table."""
    gen = _extract(tmp_path, members=120, employers=10)
    cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    tables = ["accounts_employer", "accounts_member", "ledger_subaccount", "accounts_memberaccount",
              "ledger_subledgerrow"]
    with connection.cursor() as cur:
        cur.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", [tables])
        counted = dict(cur.fetchall())
    assert counted["accounts_employer"] == 10 and counted["accounts_member"] == 120
    assert counted["ledger_subaccount"] == counted["accounts_memberaccount"] == 120
    assert counted["ledger_subledgerrow"] >= SubLedgerRow.objects.exclude(amount=0).count() > 0


def test_ratios_are_loaded_with_integer_arithmetic_never_a_float_division(center, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gen = _extract(tmp_path, members=30, employers=5)
    with CaptureQueriesContext(connection) as queries:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    loads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith(("INSERT INTO accounts_employer", "INSERT INTO accounts_memberaccount"))]
    assert loads and not [s for s in loads if "10000.0" in s]  # was "s.er_e4 / 10000.0" on SQLite
    with (gen.directory / ACCOUNT_FILE).open(encoding="utf-8-sig") as fh:
        staged = {r["个人账号(原)"]: (r["单位缴存比例"], r["个人缴存比例"]) for r in csv.DictReader(fh)}
    for legacy, er, mr in MemberAccount.objects.values_list("legacy_no", "employer_ratio", "member_ratio"):
        assert (er, mr) == tuple(Decimal(x) for x in staged[legacy])


def test_cutover_builds_no_sql_text_with_percent_formatting():
    from openhpf.accounts import cutover
    from openhpf.core.tests.sqltext import percent_s_holes

    assert percent_s_holes(cutover) == []


def test_a_file_over_the_row_limit_is_refused_and_nothing_is_written(center, tmp_path):
    PolicyParameter.objects.create(center=center, key="ingest.max_rows", value_type="int", value=25,
                                   effective_from=CUTOVER, approved_by="test")
    gen = _extract(tmp_path, members=30, employers=5)
    with pytest.raises(DomainError) as info:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    assert info.value.code == "FILE_TOO_MANY_ROWS" and "25" in info.value.message
    _nothing_written()


def test_a_file_over_the_byte_limit_is_refused_before_anything_is_read(center, tmp_path):
    from openhpf.core.models import PolicyParameter
    from openhpf.jobs.models import Job

    gen = _extract(tmp_path, members=30, employers=5)
    size = (gen.directory / MEMBER_FILE).stat().st_size
    PolicyParameter.objects.create(center=center, key="ingest.max_bytes", value_type="int", value=size - 1,
                                   effective_from=CUTOVER, approved_by="test")
    with pytest.raises(DomainError) as info:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    assert info.value.code == "FILE_TOO_LARGE" and MEMBER_FILE in info.value.message
    assert not Job.objects.filter(kind="accounts.cutover").exists()
    _nothing_written()


def _with_paid_ranges(gen, ranges: dict[int, tuple[str, str]]) -> dict[int, str]:
    """Rewrite rows of the account file: {data row index: (缴至年月, 缴存月份)}; returns the
    legacy account numbers of those rows."""
    path = gen.directory / ACCOUNT_FILE
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    paid, given, legacy = head.index("缴至年月"), head.index("缴存月份"), head.index("个人账号(原)")
    for i, row in enumerate(rows[1:], 1):
        row[paid], row[given] = ranges.get(i, (row[paid], row[given]))
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return {i: rows[i][legacy] for i in ranges}


def test_paid_month_ranges_are_kept_and_missing_ones_assumed_and_flagged(center, tmp_path):
    gen = _extract(tmp_path, members=20, employers=3)
    legacy = _with_paid_ranges(gen, {1: ("202610", "202401-202407;202409-202610"), 2: ("202610", ""),
                                     3: ("202610", "202212；2023-02-2023-04,202306;202308-202309;202610")})
    cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    given = MemberAccount.objects.get(legacy_no=legacy[1])
    assumed = MemberAccount.objects.get(legacy_no=legacy[2])
    months = set(paid_months(given))
    assert "202408" not in months and {"202401", "202407", "202409", "202610"} <= months and len(months) == 7 + 26
    assert given.paid_up_to == "202610" and paid_months_assumed(given) is None
    many = MemberAccount.objects.get(legacy_no=legacy[3])  # five ranges, one of them a single month
    assert sorted(paid_months(many)) == ["202212", "202302", "202303", "202304", "202306", "202308", "202309",
                                         "202610"] and paid_months_assumed(many) is None
    flag = paid_months_assumed(assumed)
    assert flag is not None and flag.source == "cutover" and flag.last_month == "202610"
    assert min(paid_months(assumed)) == flag.first_month == f"{assumed.opened_date:%Y%m}"
    assert assumed.account_no in {x.account_no for x in paid_months_assumed_list(center_id=center.pk)}


def test_paid_month_ranges_must_end_at_the_paid_up_to_month(center, tmp_path):
    gen = _extract(tmp_path, members=20, employers=3)
    _with_paid_ranges(gen, {3: ("202610", "202401-202609"), 4: ("202610", "202405-202401")})
    with pytest.raises(CutoverInvalid) as info:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"))
    found = {(e.row, e.code) for e in info.value.report.errors}
    assert (4, "PAID_MONTHS_LAST") in found and (5, "PAID_MONTHS_FORMAT") in found
    _nothing_written()


def test_cell_errors_of_the_account_file_come_back_with_row_and_column_and_are_capped(center, tmp_path):
    """The account file (staged by a worker process of its own on PostgreSQL) reports every bad cell by file, row
    and column; past the per-rule cap an error is only counted, and the error file says how many were left out."""
    from openhpf.core.models import PolicyParameter

    PolicyParameter.objects.create(center=center, key="ingest.max_errors_per_rule", value_type="int", value=3,
                                   effective_from=CUTOVER, approved_by="test")
    gen = _extract(tmp_path, members=30, employers=5)
    path = gen.directory / ACCOUNT_FILE
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    base, opened = rows[0].index("缴存基数"), rows[0].index("开户日期")
    for line in range(2, 9):  # 7 bad bases: 3 listed, 4 counted
        rows[line - 1][base] = "abc"
    rows[9][opened] = "2026-02-30"  # line 10
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    errors = tmp_path / "errors.csv"
    with pytest.raises(CutoverInvalid) as info:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"),
                       error_file=errors)
    found = [(e.file, e.row, e.field, e.code) for e in info.value.report.errors]
    assert found == [(ACCOUNT_FILE, line, "缴存基数", "MONEY_FORMAT") for line in (2, 3, 4)] + [
        (ACCOUNT_FILE, 10, "开户日期", "DATE_FORMAT")]
    assert info.value.sink.count == 8 and not info.value.sink.file_level
    with errors.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert [r[1] for r in lines[1:5]] == ["2", "3", "4", "10"]
    assert lines[-1][3] == "ERRORS_LEFT_OUT" and "4" in lines[-1][4]
    _nothing_written()


def test_set_based_checks_list_their_errors_in_rule_order_each_capped(center, tmp_path):
    """The set-based checks (two at a time on PostgreSQL) list their errors as if run one after the other: rule
    by rule, each rule's rows in file order, each rule stopped at its cap with a note in the error file."""
    PolicyParameter.objects.create(center=center, key="ingest.max_errors_per_rule", value_type="int", value=2,
                                   effective_from=CUTOVER, approved_by="test")
    gen = _extract(tmp_path, members=30, employers=5)
    path = gen.directory / ACCOUNT_FILE
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    for line in (3, 5, 7):  # a negative 上年结转余额 on three rows, a 冻结金额 without a 冻结标志 on two
        rows[line - 1][head.index("上年结转余额")] = "-1.00"
    for line in (4, 6):
        rows[line - 1][head.index("冻结标志")] = "0"
        rows[line - 1][head.index("冻结金额")] = "0.01"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    errors = tmp_path / "errors.csv"
    with pytest.raises(CutoverInvalid) as info:
        cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=SystemActor("test"),
                       error_file=errors)
    found = [(e.row, e.code) for e in info.value.report.errors]
    assert found == [(3, "BALANCE_NEGATIVE"), (5, "BALANCE_NEGATIVE"), (4, "FREEZE_KIND_AMOUNT"),
                     (6, "FREEZE_KIND_AMOUNT")]
    with errors.open(encoding="utf-8-sig") as fh:
        notes = [r for r in csv.reader(fh) if r[3] == "ERRORS_LEFT_OUT"]
    # a rule that reached its cap is noted (its query stops there, so more may lie beyond), in rule order
    assert [n[2] for n in notes] == ["上年结转余额", "冻结金额"] and all("上限 2 处" in n[4] for n in notes)
    _nothing_written()
