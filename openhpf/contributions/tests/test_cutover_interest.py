"""The cut-over's opening accrued interest payable (期初应付利息): without it the first month-end accrual booked
every day since 7/1 as that month's expense. Computed from the legacy 积数 to the cut-over, or the legacy figure."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openhpf.accounts.cutover import ACCOUNT_FILE, cutover_import
from openhpf.accounts.models import MemberAccount
from openhpf.contributions.interest.calculations import interest_of
from openhpf.contributions.interest.services import interest_accrue
from openhpf.core.actors import SystemActor
from openhpf.core.services import center_advance_business_date
from openhpf.demo.synthetic import generate_extract
from openhpf.ledger.models import JournalEntry
from openhpf.ledger.selectors import gl_balance

CUTOVER = date(2026, 11, 30)  # the business date of the conftest center
R = Fraction(3, 200)
ACTOR = SystemActor("test")
pytestmark = pytest.mark.django_db(transaction=True)


def _extract(tmp_path: Path):
    return generate_extract(out=tmp_path / "extract", employers=5, members=40, seed=11, cutover_date=CUTOVER,
                            base_cap=3447000, base_floor=228000)


def _fen(yuan: str) -> int:
    return int(Decimal(yuan.replace(",", "")) * 100)


def _legacy(directory: Path) -> list[tuple[int, int, int, int]]:
    """(当年归集积数, 上年结转积数 in 分·天, 当年归集, 上年结转 in 分) of each account of the extract."""
    with (directory / ACCOUNT_FILE).open(encoding="utf-8-sig") as fh:
        return [(_fen(r["当年归集积数"]), _fen(r["上年结转积数"]), _fen(r["当年归集余额"]), _fen(r["上年结转余额"]))
                for r in csv.DictReader(fh)]


def _earned(jc: int, jk: int) -> int:
    return interest_of(jishu_current=jc, jishu_carried=jk, rate_current=R, rate_carried=R, day_basis=360)


def test_opening_accrued_interest_is_computed_and_the_first_accrual_books_only_the_days_since(center, tmp_path):
    gen = _extract(tmp_path)
    legacy = _legacy(gen.directory)
    to_cutover = sum(_earned(jc, jk) for jc, jk, _, _ in legacy)                 # 7/1 … 11/29
    to_month_end = sum(_earned(jc + c, jk + k) for jc, jk, c, k in legacy)      # … 11/30, one more day
    assert to_cutover > 0 and to_month_end > to_cutover

    result = cutover_import(center=center, directory=gen.directory, cutover_date=CUTOVER, actor=ACTOR)
    assert result.ok and MemberAccount.objects.count() == 40
    assert result.openings["accrued_interest"]["amount"] == to_cutover
    assert result.openings["accrued_interest"]["computed"] is True
    assert gl_balance(center=center, code_prefix="211") == -to_cutover                # credit
    assert gl_balance(center=center, code_prefix="41101") == to_cutover

    center_advance_business_date(center=center, to=date(2026, 12, 1), actor=ACTOR)
    center.refresh_from_db()
    entry = interest_accrue(center=center, year=2026, month=11, actor=ACTOR)
    assert entry is not None and entry.total == to_month_end - to_cutover            # the day 11/30 only
    assert gl_balance(center=center, code_prefix="211") == -to_month_end


def test_the_legacy_figure_is_taken_as_given(center, tmp_path):
    gen = _extract(tmp_path)
    call_command("cutover", "import", str(gen.directory), "--cutover-date", "2026-11-30", "--no-progress",
                 "--accrued-interest", "1,234.56", "--errors", str(tmp_path / "errors.csv"))
    entry = JournalEntry.objects.get(source="interest.opening")
    assert entry.total == 123456 and entry.business_date == CUTOVER
    assert gl_balance(center=center, code_prefix="211") == -123456


@pytest.mark.parametrize("figure", ["1234.565", "-1", "abc"])
def test_a_bad_figure_is_refused_and_nothing_is_loaded(center, tmp_path, figure):
    gen = _extract(tmp_path)
    with pytest.raises(CommandError, match="CUTOVER_ACCRUED_INTEREST"):
        call_command("cutover", "import", str(gen.directory), "--cutover-date", "2026-11-30", "--no-progress",
                     "--accrued-interest", figure, "--errors", str(tmp_path / "errors.csv"))
    assert not MemberAccount.objects.exists() and not JournalEntry.objects.exists()
