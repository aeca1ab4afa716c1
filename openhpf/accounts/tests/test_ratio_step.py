"""The step a contribution ratio must be a multiple of is a policy value, checked side by side (issue 14 item 17)."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from openhpf.accounts.models import MemberAccount
from openhpf.accounts.services import member_account_change_ratio
from openhpf.accounts.tests.factories import make_account, make_employer
from openhpf.contributions.remittance.fileimport import remittance_import, roster_rows
from openhpf.core.actors import SystemActor
from openhpf.core.errors import DomainError
from openhpf.core.policy import policy_value
from openhpf.core.services import policy_set

SYS = SystemActor("test")


def _whole_percents(center) -> None:
    policy_set(key="contribution.ratio.step", value="0.01", value_type="decimal", effective_from=date(2026, 1, 1),
               approved_by="杭州市住房公积金管理委员会", actor=SYS, center=center)


def test_the_national_step_is_a_hundredth_of_a_percent(center):
    assert str(policy_value("contribution.ratio.step", on=center.business_date)) == "0.0001"
    emp = make_employer(center, 1)
    acct = make_account(center, emp, 1, employer_ratio="0.1175", member_ratio="0.0725")
    assert (str(acct.employer_ratio), str(acct.member_ratio)) == ("0.1175", "0.0725")


@pytest.mark.parametrize(("er", "mr", "field", "shown"), [
    ("0.075", "0.12", "employer_ratio", "单位缴存比例 7.5%"),
    ("0.12", "0.075", "member_ratio", "个人缴存比例 7.5%"),
    ("0.0801", "0.08", "employer_ratio", "单位缴存比例 8.01%"),
])
def test_whole_percents_refuse_each_side_on_its_own(center, er, mr, field, shown):
    _whole_percents(center)
    emp = make_employer(center, 1)
    with pytest.raises(DomainError) as e:
        make_account(center, emp, 1, employer_ratio=er, member_ratio=mr)
    assert (e.value.code, e.value.field) == ("RATIO_STEP", field)
    assert shown in e.value.message and "1% 的整数倍" in e.value.message
    assert not MemberAccount.objects.exists()
    acct = make_account(center, emp, 1, employer_ratio="0.12", member_ratio="0.07")
    with pytest.raises(DomainError) as e:
        member_account_change_ratio(account=acct, employer_ratio=er, member_ratio=mr, actor=SYS,
                                    business_date=center.business_date)
    assert (e.value.code, e.value.field) == ("RATIO_STEP", field)
    acct.refresh_from_db()
    assert (str(acct.employer_ratio), str(acct.member_ratio)) == ("0.1200", "0.0700")


def test_the_roster_file_checks_each_side(center, tmp_path):
    _whole_percents(center)
    emp = make_employer(center, 1)
    for n in range(1, 5):
        make_account(center, emp, n)
    rows = [list(r) for r in roster_rows(center=center, month="2026-11")]
    rows[1][5] = "0.075"  # 单位缴存比例
    rows[2][6] = "0.115"  # 个人缴存比例
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    res = remittance_import(center=center, path=path, month="2026-11", actor=SYS, business_date=center.business_date)
    steps = sorted((e["row"], e["column"]) for e in res.first_errors if e["code"] == "RATIO_STEP")
    assert not res.accepted and steps == [(2, "单位比例"), (3, "个人比例")]
