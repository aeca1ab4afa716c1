"""The synthetic center generator: deterministic for a seed, valid IDs, and loaded through the cut-over import."""

from __future__ import annotations

import csv
import hashlib
from datetime import date

import pytest
from django.core.management import call_command
from stdnum.cn import ric, uscc

from openhpf.accounts.cutover import ACCOUNT_FILE, EMPLOYER_FILE, MEMBER_FILE
from openhpf.accounts.models import Employer, MemberAccount
from openhpf.core.models import Center
from openhpf.demo import synthetic
from openhpf.demo.synthetic import generate_extract

CUTOVER = date(2026, 11, 30)


def _digest(directory) -> dict[str, str]:
    return {f: hashlib.sha256((directory / f).read_bytes()).hexdigest() for f in (EMPLOYER_FILE, MEMBER_FILE, ACCOUNT_FILE)}


def _gen(out, seed):
    return generate_extract(out=out, employers=15, members=400, seed=seed, cutover_date=CUTOVER, base_cap=3447000,
                            base_floor=228000)


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a, b, c = _gen(tmp_path / "a", 11), _gen(tmp_path / "b", 11), _gen(tmp_path / "c", 12)
    assert _digest(a.directory) == _digest(b.directory)
    assert _digest(a.directory) != _digest(c.directory)
    assert a.total_balance == b.total_balance


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_the_extract_is_the_same_whether_its_runs_are_written_in_turn_or_side_by_side(tmp_path, monkeypatch, encoding):
    """The member runs written by forked processes side by side give the very files written in turn in one
    process (one header, one BOM), with no ID number twice across the runs."""
    def gen(out, parallel_from):
        monkeypatch.setattr(synthetic, "PARALLEL_FROM", parallel_from)
        return generate_extract(out=out, employers=30, members=3001, seed=5, cutover_date=CUTOVER, base_cap=3447000,
                                base_floor=228000, dirty=True, encoding=encoding)

    side, turn = gen(tmp_path / "side", 1), gen(tmp_path / "turn", 10**9)
    assert _digest(side.directory) == _digest(turn.directory)
    assert (side.sealed, side.frozen, side.total_balance) == (turn.sealed, turn.frozen, turn.total_balance)
    assert sorted(side.dirty_rows) == sorted(turn.dirty_rows) and len(side.dirty_rows) == 7
    assert sorted(p.name for p in side.directory.iterdir()) == sorted([EMPLOYER_FILE, MEMBER_FILE, ACCOUNT_FILE])
    with (side.directory / MEMBER_FILE).open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 3002 and rows[0][0] == "姓名"
    for f in (MEMBER_FILE, ACCOUNT_FILE):
        assert (side.directory / f).read_bytes().count(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    ids = [r[2] for r in rows[1:]]
    assert len(set(ids)) == len(ids)
    with (side.directory / ACCOUNT_FILE).open(encoding=encoding, newline="") as fh:
        accounts = list(csv.reader(fh))[1:]
    legacy = [f"{880000000000 + i}" for i in range(3001)]
    legacy[8] = legacy[7]  # the dirty extract's duplicate account number
    assert [a[0] for a in accounts] == legacy


def test_generated_identities_are_valid_and_figures_consistent(tmp_path):
    gen = _gen(tmp_path / "x", 3)
    with (gen.directory / MEMBER_FILE).open(encoding="utf-8-sig") as fh:
        people = list(csv.DictReader(fh))
    assert len(people) == 400 and len({p["证件号码"] for p in people}) == 400
    assert all(ric.is_valid(p["证件号码"]) for p in people)
    with (gen.directory / EMPLOYER_FILE).open(encoding="utf-8-sig") as fh:
        assert all(uscc.is_valid(r["统一社会信用代码"]) for r in csv.DictReader(fh))
    with (gen.directory / ACCOUNT_FILE).open(encoding="utf-8-sig") as fh:
        accounts = list(csv.DictReader(fh))
    days_done = (CUTOVER - date(2026, 7, 1)).days
    for r in accounts:
        assert 228000 <= round(float(r["缴存基数"]) * 100) <= 3447000
        assert 0.05 <= float(r["单位缴存比例"]) <= 0.12
        carried = round(float(r["上年结转余额"]) * 100)
        assert round(float(r["上年结转积数"]) * 100) == carried * days_done
        assert float(r["当年归集余额"]) >= 0 and float(r["冻结金额"]) <= carried / 100 + float(r["当年归集余额"])
    assert sum(r["账户状态"] == "02" for r in accounts) == gen.sealed > 0


@pytest.mark.django_db(transaction=True)
def test_generate_command_creates_center_loads_and_verify_passes(tmp_path, capsys):
    call_command("generate", "--employers", "8", "--members", "150", "--seed", "5", "--cutover-date", "2026-11-30",
                 "--out", str(tmp_path / "gen"), "--center", "330200", "--no-progress")
    center = Center.objects.get(code="330200")
    assert center.business_date == CUTOVER and center.name == "演示住房公积金管理中心"
    assert Employer.objects.filter(center=center).count() == 8
    assert MemberAccount.objects.filter(center=center).count() == 150
    capsys.readouterr()
    call_command("verify")  # exits non-zero on any breach
    out = capsys.readouterr().out
    assert "[OK  ] ledger.jishu" in out and "FAIL" not in out


@pytest.mark.django_db(transaction=True)
def test_generate_no_load_writes_files_only(tmp_path):
    call_command("generate", "--employers", "3", "--members", "10", "--seed", "1", "--cutover-date", "2026-11-30",
                 "--out", str(tmp_path / "gen"), "--no-load", "--no-progress")
    assert (tmp_path / "gen" / ACCOUNT_FILE).exists()
    assert not Center.objects.filter(code="330100").exists()


@pytest.mark.django_db(transaction=True)
def test_demo_is_idempotent(capsys, django_user_model):
    call_command("demo", "--employers", "5", "--members", "60", "--cutover-date", "2026-11-30", "--months", "0",
                 "--no-progress")
    first = capsys.readouterr().out
    assert "已建立演示中心" in first and "teller1" in first
    assert "本地核验库：新填充 60 名职工" in first  # the verification sources answer for the demo members
    assert django_user_model.objects.filter(username__in=["teller1", "reviewer1", "finance1", "auditor1", "admin"]).count() == 5
    call_command("demo", "--no-progress")
    second = capsys.readouterr().out
    assert "演示中心已存在" in second and "demo-Teller-2026" in second
    assert Employer.objects.count() == 5
