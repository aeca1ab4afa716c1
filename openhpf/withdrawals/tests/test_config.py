"""The reasons' configuration as data: seeded for 01–09, changed through maker-checker from an effective date only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openhpf.accounts.services import member_account_seal
from openhpf.applications.models import State
from openhpf.approvals.registry import summary_of
from openhpf.approvals.services import command_approve, command_submit
from openhpf.conftest import business_day, grant_role
from openhpf.core.errors import DomainError
from openhpf.withdrawals.config import COMMAND, reason_config
from openhpf.withdrawals.handlers import RENT

from .conftest import file, verified_card

pytestmark = pytest.mark.django_db
RENT_OK = {"amount": 600_000, "months": 3, "no_own_home": True}


def test_every_standard_reason_is_configured():
    on = reason_config(RENT, __import__("datetime").date(2026, 11, 30)).effective_from
    closing = {c: reason_config(f"HPF-P-WD-{c}", on).closes_account for c in ("01", "02", "03", "04", "05", "06",
                                                                              "07", "08", "09")}
    assert [c for c, closes in closing.items() if closes] == ["03", "04", "05", "08"]
    for c in ("01", "02", "06", "07"):
        assert reason_config(f"HPF-P-WD-{c}", on).statuses == ["01", "02"]  # 正常 and 封存
    assert reason_config("HPF-P-WD-08", on).applicants == ["heir", "legatee"]


def test_a_change_takes_effect_from_its_date_only_after_a_checker_approves(world, django_user_model):
    w = world
    c, today = w["center"], w["center"].business_date
    tomorrow = today + timedelta(days=1)
    leader = grant_role(django_user_model.objects.create_user("wd_leader", is_staff=True), "leader", center=c)
    leader2 = grant_role(django_user_model.objects.create_user("wd_leader2", is_staff=True), "leader", center=c)
    with pytest.raises(DomainError) as e:
        command_submit(name=COMMAND, actor=leader, center=c, business_date=today,
                       params={"item_code": RENT, "effective_from": tomorrow.isoformat(), "reason": "x",
                               "changes": {"statuses": ["07"]}})
    assert e.value.code == "WITHDRAWAL_REASON_INVALID"
    cmd = command_submit(name=COMMAND, actor=leader, center=c, business_date=today,
                         params={"item_code": RENT, "effective_from": tomorrow.isoformat(),
                                 "reason": "本地规定：封存账户不再办理租房提取", "changes": {"statuses": ["01"]}})
    assert reason_config(RENT, tomorrow).version == 1  # nothing changes before the checker approves
    facts = {f.label: f.value for f in summary_of(cmd, leader2).facts}
    assert facts["允许的账户状态"] == "01 正常、02 封存 → 01 正常"
    cmd = command_approve(command=cmd.pk, actor=leader2, business_date=today)
    assert cmd.status == "applied", cmd.apply_error
    assert reason_config(RENT, today).version == 1 and reason_config(RENT, tomorrow).version == 2

    verified_card(w)
    member_account_seal(account=w["acct"], reason="离职", actor=w["teller"], business_date=today)
    assert file(w, RENT, RENT_OK).state == State.UNDER_REVIEW  # today a sealed account may still apply
    with business_day(c, tomorrow):
        app = file(w, RENT, RENT_OK)
    assert app.state == State.REJECTED and "个人账户状态不在本提取原因允许的范围内" in app.problems
